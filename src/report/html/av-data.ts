/**
 * Plain-text views of the payload-inspection records the page shows: a media
 * stream's label, summary and loss/jitter series, a flow's application
 * details (SNI, SIP User-Agent, STUN SOFTWARE...). Everything returned is text
 * for text()/attr(), cut to MAX_CELL_CHARS; nothing is interpreted as markup.
 */
import type { RtpStreamReport } from '../../inspect/media/media-report.js';
import { count } from './format.js';
import type { HtmlApp } from './input.js';

/** Longest string shown in a cell; longer values are cut (the JSON report has them whole). */
export const MAX_CELL_CHARS = 300;

/** `s` cut to MAX_CELL_CHARS characters, with an ellipsis when cut. Escape the result. */
export function cut(s: string, max = MAX_CELL_CHARS): string {
  return s.length > max ? `${s.slice(0, max)}\u2026` : s;
}

/** "0x3BF4AE54", from the report's ssrcHex or the number. */
export function ssrcHex(ssrc: number, hex?: string): string {
  return typeof hex === 'string' ? cut(hex, 16) : `0x${(ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

const DIRECTION: Record<string, string> = { fromClient: 'client \u2192 server', fromServer: 'server \u2192 client' };

export function directionText(d: string): string {
  return DIRECTION[d] ?? cut(String(d), 32);
}

export function streamLabel(s: RtpStreamReport): string {
  return cut(`flow #${s.flow} ${directionText(s.direction)}, SSRC ${ssrcHex(s.ssrc, s.ssrcHex)}, PT ${(s.payloadTypes ?? [s.firstPayloadType]).join('/')}`);
}

export function streamSummary(s: RtpStreamReport): string {
  const parts = [`${count(s.packets)} packets`];
  if (Number.isFinite(s.lossPct)) parts.push(`loss ${s.lossPct.toFixed(2)}% (${count(s.lost)} of ${count(s.expected)})`);
  if (Number.isFinite(s.jitterMs)) parts.push(`jitter ${s.jitterMs.toFixed(1)} ms${Number.isFinite(s.maxJitterMs) ? ` (max ${s.maxJitterMs.toFixed(1)} ms)` : ''}`);
  return parts.join(', ');
}

export interface SeriesPoint {
  /** Seconds from the stream's first packet (start of the bucket). */
  t: number;
  lossPct?: number;
  jitterMs?: number;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The stream's loss (%) and max jitter (ms) per bucket of `series`, merged
 * into at most `max` points: loss recomputed from the merged received and
 * expected counts (when present), jitter the largest of the merged buckets.
 */
export function mediaSeries(s: RtpStreamReport, max: number): SeriesPoint[] {
  const series = s.series;
  if (series === undefined || series === null) return [];
  const width = finite(series.bucketSeconds) ?? 1;
  const loss = Array.isArray(series.lossPct) ? series.lossPct : [];
  const jitter = Array.isArray(series.maxJitterMs) ? series.maxJitterMs : [];
  const received = Array.isArray(series.received) ? series.received : [];
  const expected = Array.isArray(series.expected) ? series.expected : [];
  const n = Math.max(loss.length, jitter.length);
  if (n === 0) return [];
  const per = Math.max(1, Math.ceil(n / max));
  const points: SeriesPoint[] = [];
  for (let i = 0; i < n; i += per) {
    const j = Math.min(n, i + per);
    let got = 0;
    let want = 0;
    let counted = true;
    let lossMax: number | undefined;
    let jitterMax: number | undefined;
    for (let k = i; k < j; k++) {
      const r = finite(received[k]);
      const e = finite(expected[k]);
      if (r === undefined || e === undefined) counted = false;
      else { got += r; want += e; }
      const l = finite(loss[k]);
      if (l !== undefined) lossMax = lossMax === undefined ? l : Math.max(lossMax, l);
      const q = finite(jitter[k]);
      if (q !== undefined) jitterMax = jitterMax === undefined ? q : Math.max(jitterMax, q);
    }
    // Merged buckets: loss over the merged counts (a single bucket keeps the report's value).
    const lossPct = per === 1 || !counted ? lossMax : want > 0 ? (Math.max(0, want - got) / want) * 100 : 0;
    if (lossPct === undefined && jitterMax === undefined) continue;
    points.push({ t: i * width, lossPct, jitterMs: jitterMax });
  }
  return points;
}

/** Detail fields of an app shown in the flow table, with their labels, in this order. */
const APP_DETAILS: readonly [string, string][] = [
  ['sni', 'SNI'], ['alpn', 'ALPN'], ['selectedVersion', 'version'], ['method', ''], ['statusCode', ''], ['reason', ''],
  ['requestUri', ''], ['host', 'Host'], ['target', ''], ['userAgent', 'User-Agent'], ['server', 'Server'], ['from', 'From'],
  ['callId', 'Call-ID'], ['dialects', ''], ['framing', ''], ['software', 'SOFTWARE'], ['streams', 'streams'], ['payloadTypes', 'PT'],
];

function detailText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v) && v.length > 0) {
    const items = v.slice(0, 16).filter((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
    return items.length > 0 ? items.join(', ') + (v.length > 16 ? ', \u2026' : '') : undefined;
  }
  return undefined;
}

/**
 * A SIP or HTTP flow's message counts (apps/sip-stream.ts SipCounts, apps/http-stream.ts HttpCounts):
 * "9 messages: INVITE 2, ACK 1; 200 ×2, 486 ×1; 2 calls", "12 messages: GET 6; 200 ×5, 503 ×1; hosts meet.contoso.com 6".
 */
function messageCountsText(app: HtmlApp): string {
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : []);
  const requests = list(app.requests).slice(0, 16).map((r) => `${cut(String(r.method), 40)} ${Number(r.count)}`);
  if (typeof app.otherRequests === 'number') requests.push(`other ${app.otherRequests}`);
  const all = list(app.responses);
  const responses = all.slice(0, 16).map((r) => `${Number(r.code)} \u00d7${Number(r.count)}`);
  if (all.length > 16) responses.push(`${all.length - 16} more codes`);
  const calls = typeof app.calls === 'number' ? `${app.calls}${app.callsCapped === true ? '+' : ''} call${app.calls === 1 ? '' : 's'}` : '';
  const hostList = list(app.hosts).slice(0, 16).map((h) => `${cut(String(h.host), 80)} ${Number(h.count)}`);
  if (typeof app.otherHosts === 'number') hostList.push(`other ${app.otherHosts}`);
  const hosts = hostList.length > 0 ? `hosts ${hostList.join(', ')}` : '';
  const unread = typeof app.unreadSegments === 'number' ? `${app.unreadSegments} TCP segment${app.unreadSegments === 1 ? '' : 's'} not read` : '';
  const n = Number(app.messages);
  const messages = `${n} message${n === 1 ? '' : 's'}${requests.length > 0 ? ': ' + requests.join(', ') : ''}`;
  return [messages, responses.join(', '), calls, hosts, unread].filter((x) => x !== '').join('; ');
}

/**
 * One app as a line of text: its protocol, "(by port)" when only the port
 * suggests it, and its known details ("User-Agent: ..."). `software`: the
 * STUN SOFTWARE of the flow (from the report's per-flow STUN section).
 */
export function appText(app: HtmlApp, software?: string): string {
  const details: string[] = [];
  // TLS seen only after its hellos: its records' version is all there is to show.
  if (app.midSession === true) details.push(`after its handshake, records ${cut(detailText(app.recordVersion) ?? '?')}`);
  // Real or GREASE (indistinguishable by design): the SNI may be a public name only.
  if (app.ech === true) details.push('ECH offered: the SNI may be a public name only');
  if ((app.protocol === 'sip' || app.protocol === 'http') && typeof app.messages === 'number') details.push(messageCountsText(app));
  for (const [key, label] of APP_DETAILS) {
    const v = detailText(key === 'software' && app.protocol === 'stun' ? (app.software ?? software) : app[key]);
    if (v === undefined || v === '') continue;
    details.push(label ? `${label}: ${cut(v)}` : cut(v));
  }
  const name = `${cut(String(app.protocol), 40)}${app.confidence === 'port' ? ' (by port)' : ''}`;
  return details.length > 0 ? `${name} (${details.join('; ')})` : name;
}
