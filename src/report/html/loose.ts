/**
 * Reading the payload-inspection records (TURN allocations, ICE checks, media
 * streams) by field name, without depending on their exact shape: a field is
 * used when it is there and has the expected type, and ignored otherwise.
 * Every value read here is data for text(); nothing is interpreted as markup.
 */
import { count } from './format.js';
import type { LooseRecord, Scalar } from './input.js';

/** Longest string shown in a cell; longer values are cut (the JSON report has them whole). */
export const MAX_CELL_CHARS = 300;
/** Generic columns shown per table of loose records. */
export const MAX_LOOSE_COLUMNS = 16;

export function num(rec: LooseRecord, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = rec[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

export function str(rec: LooseRecord, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = rec[k];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** True for values a table cell can show: scalars, and arrays of at most 50 scalars. */
export function isShowable(v: unknown): boolean {
  return isScalar(v) || (Array.isArray(v) && v.length <= 50 && v.every(isScalar));
}

/** Plain text of a showable value, cut to MAX_CELL_CHARS. Escape the result. */
export function cellText(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (Array.isArray(v)) s = v.map((x) => cellText(x)).join(', ');
  else if (typeof v === 'number') s = Number.isInteger(v) ? count(v) : String(Math.round(v * 1000) / 1000);
  else s = String(v);
  return s.length > MAX_CELL_CHARS ? `${s.slice(0, MAX_CELL_CHARS)}\u2026` : s;
}

/** Column names for a table of records: keys with showable values, in order of first appearance. */
export function looseColumns(records: readonly LooseRecord[], skip: readonly string[] = []): string[] {
  const seen = new Set<string>(skip);
  const out: string[] = [];
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) {
      if (seen.has(k) || !isShowable(v)) continue;
      seen.add(k);
      out.push(k);
      if (out.length >= MAX_LOOSE_COLUMNS) return out;
    }
  }
  return out;
}

/** Loss as a ratio 0..1 from whichever loss fields a record has. */
export function lossRatio(rec: LooseRecord): number | undefined {
  const ratio = num(rec, 'lossRatio', 'lossFraction', 'fractionLost');
  if (ratio !== undefined) return ratio > 1 ? ratio / 100 : ratio;
  const pct = num(rec, 'lossPercent', 'lossPct');
  if (pct !== undefined) return pct / 100;
  const lost = num(rec, 'lost', 'packetsLost');
  if (lost === undefined) return undefined;
  const expected = num(rec, 'expected', 'expectedPackets');
  const got = num(rec, 'packets', 'received');
  const total = expected ?? (got !== undefined ? got + lost : undefined);
  return total !== undefined && total > 0 ? Math.max(0, lost) / total : undefined;
}

export function jitterMs(rec: LooseRecord): number | undefined {
  const ms = num(rec, 'jitterMs', 'meanJitterMs', 'avgJitterMs');
  if (ms !== undefined) return ms;
  const s = num(rec, 'jitterSeconds', 'jitter');
  return s === undefined ? undefined : s * 1000;
}

export function streamSummary(s: LooseRecord): { lossRatio?: number; jitterMs?: number; text: string } {
  const loss = lossRatio(s);
  const jitter = jitterMs(s);
  const maxJitter = num(s, 'maxJitterMs');
  const parts: string[] = [];
  const packets = num(s, 'packets', 'received');
  if (packets !== undefined) parts.push(`${count(packets)} packets`);
  if (loss !== undefined) parts.push(`loss ${(loss * 100).toFixed(2)}%`);
  if (jitter !== undefined) parts.push(`jitter ${jitter.toFixed(1)} ms${maxJitter !== undefined ? ` (max ${maxJitter.toFixed(1)} ms)` : ''}`);
  return { lossRatio: loss, jitterMs: jitter, text: parts.join(', ') };
}

export function streamLabel(s: LooseRecord): string {
  const parts: string[] = [];
  const flow = num(s, 'flow', 'flowId');
  if (flow !== undefined) parts.push(`flow #${flow}`);
  const ssrc = num(s, 'ssrc');
  if (ssrc !== undefined) parts.push(`SSRC 0x${ssrc.toString(16).padStart(8, '0')}`);
  else { const t = str(s, 'ssrc'); if (t !== undefined) parts.push(`SSRC ${t}`); }
  const pt = num(s, 'payloadType', 'pt');
  if (pt !== undefined) parts.push(`PT ${pt}`);
  const from = str(s, 'from', 'source', 'src');
  const to = str(s, 'to', 'destination', 'dst');
  if (from !== undefined && to !== undefined) parts.push(`${from} \u2192 ${to}`);
  const label = parts.join(', ') || 'stream';
  return label.length > MAX_CELL_CHARS ? `${label.slice(0, MAX_CELL_CHARS)}\u2026` : label;
}

/** The stream's loss (%) and jitter (ms) over time, averaged into at most `max` points. */
export function mediaSeries(s: LooseRecord, max: number): { t: number; lossPct?: number; jitterMs?: number }[] {
  const raw = [s.intervals, s.series, s.samples, s.timeline].find((v) => Array.isArray(v)) as unknown[] | undefined;
  if (raw === undefined) return [];
  const points: { t: number; lossPct?: number; jitterMs?: number }[] = [];
  for (const p of raw) {
    if (p === null || typeof p !== 'object') continue;
    const rec = p as LooseRecord;
    const t = num(rec, 't', 'time', 'start', 'ts');
    if (t === undefined) continue;
    const loss = lossRatio(rec);
    const jitter = jitterMs(rec);
    if (loss === undefined && jitter === undefined) continue;
    points.push({ t, lossPct: loss === undefined ? undefined : loss * 100, jitterMs: jitter });
  }
  points.sort((a, b) => a.t - b.t);
  if (points.length <= max) return points;
  const out: typeof points = [];
  const per = points.length / max;
  for (let i = 0; i < max; i++) {
    const chunk = points.slice(Math.floor(i * per), Math.floor((i + 1) * per));
    const mean = (f: (p: (typeof points)[number]) => number | undefined): number | undefined => {
      const vals = chunk.map(f).filter((v): v is number => v !== undefined);
      return vals.length === 0 ? undefined : vals.reduce((a, b) => a + b, 0) / vals.length;
    };
    out.push({ t: chunk[0].t, lossPct: mean((p) => p.lossPct), jitterMs: mean((p) => p.jitterMs) });
  }
  return out;
}
