/**
 * Annotated hex fixtures and a one-call decode for decoder tests.
 *
 * `hex` takes a template whose lines are hex bytes followed by an optional
 * `#` comment, so a fixture reads like a protocol diagram:
 *
 *   hex`45 00 00 1c   # v4, IHL 5, total length 28
 *        ...`
 */
import { A, ANOMALIES, newAnomalyCounters, type AnomalyCounters } from '../../../src/anomalies.js';
import { Decoder } from '../../../src/decode/packet.js';
import { PacketView } from '../../../src/decode/packet-view.js';

export function hex(strings: TemplateStringsArray, ...values: unknown[]): Buffer {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += String(values[i]) + strings[i + 1];
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  return Buffer.from(digits, 'hex');
}

export const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

export interface DecodeResult {
  /** -1 or a fate anomaly id. */
  readonly fate: number;
  readonly pkt: PacketView;
  readonly counters: AnomalyCounters;
  /** Non-zero counters by anomaly name, for readable assertions. */
  readonly counted: Record<string, number>;
  /** Offset of the frame in pkt.buf (fixtures are placed after some junk, so offsets are not 0-based by accident). */
  readonly base: number;
}

export interface FrameOptions {
  /** Length on the wire; default = the frame's length. */
  wireLen?: number;
  ts?: number;
  decoder?: Decoder;
  pkt?: PacketView;
  /** Place the frame at the very end of its buffer (no junk after it), so over-reads by readUInt32BE throw. */
  atEnd?: boolean;
}

/**
 * Decodes `frame` as one packet of `linkType`. The frame is copied into a
 * larger buffer at a non-zero offset, with junk bytes after it, so that a
 * decoder reading from 0 or past frameEnd would show.
 */
export function decodeFrame(linkType: number, frame: Buffer, opts: FrameOptions = {}): DecodeResult {
  const base = 7;
  const buf = Buffer.alloc(base + frame.length + (opts.atEnd ? 0 : 64), 0xee);
  frame.copy(buf, base);
  const pkt = opts.pkt ?? new PacketView();
  pkt.buf = buf;
  pkt.frameStart = base;
  pkt.frameEnd = base + frame.length;
  pkt.wireLen = opts.wireLen ?? frame.length;
  pkt.ts = opts.ts ?? 1_700_000_000;
  pkt.linkType = linkType;
  pkt.frameNo = 1;
  const counters = newAnomalyCounters();
  const fate = (opts.decoder ?? new Decoder()).decode(pkt, counters);
  return { fate, pkt, counters, counted: countedNames(counters), base };
}

export function countedNames(counters: AnomalyCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < counters.length; i++) if (counters[i] > 0) out[ANOMALIES[i].name] = counters[i];
  return out;
}

/** Name of a decode answer, for readable failures: 'flow' or the anomaly name. */
export function fateName(fate: number): string {
  return fate === -1 ? 'flow' : ANOMALIES[fate]?.name ?? `?${fate}`;
}

export const ipv4Word = (a: string): number =>
  a.split('.').reduce((w, b) => ((w << 8) | Number(b)) >>> 0, 0);

/** An IPv6 address (with ::, no embedded IPv4 needed here) as four 32-bit words. */
export function ipv6Words(a: string): number[] {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${a}`);
  const n = groups.map((g) => parseInt(g, 16));
  return [0, 1, 2, 3].map((i) => ((n[2 * i] << 16) | n[2 * i + 1]) >>> 0);
}

export { A };

/** A copy of `buf` with bytes replaced: `patch(b, { 2: 0x00, 3: 0x00 })`. */
export function patch(buf: Buffer, bytes: Record<number, number>): Buffer {
  const out = Buffer.from(buf);
  for (const [k, v] of Object.entries(bytes)) out[Number(k)] = v;
  return out;
}
