/**
 * Start line and header fields of a text protocol message (SIP, RFC 3261
 * §7.3; HTTP/1.1, RFC 9112 §5): `Name: value` lines up to the empty line,
 * continuation lines (leading SP/HTAB, RFC 3261 §7.3.1) joined to the field
 * before. Lines end in CRLF; a bare LF is accepted too (lenient, as both
 * RFCs allow recipients to be). Never reads past `end`; strings are bounded.
 */
import { clip, MAX_APP_STRING } from './app-common.js';

export const MAX_LINE = 8192; // longest start or header line looked at
export const MAX_HEADERS = 64; // header fields read per message
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

export interface HeaderField {
  /** Field name, lower-cased, at most 256 characters. */
  name: string;
  /** Value without surrounding whitespace, continuation lines joined by a space, at most 256 characters. */
  value: string;
}

export interface TextMessage {
  /** The start line without its line end, at most 256 characters... */
  startLine: string;
  /** ...and where it is in the buffer, for exact parsing by the caller. */
  startLineStart: number;
  startLineEnd: number;
  fields: HeaderField[];
  /** The empty line ending the header section was seen. */
  complete: boolean;
  /** A header line had no colon: reading stopped there. */
  malformed: boolean;
}

/** Index of the LF ending the line at `p` (searching at most MAX_LINE bytes), or -1. */
export function lineEnd(buf: Buffer, p: number, end: number): number {
  const stop = Math.min(end, p + MAX_LINE);
  for (let i = p; i < stop; i++) if (buf[i] === LF) return i;
  return -1;
}

/** Start line and header fields of the message at buf[off, end); null when there is no complete start line. */
export function readTextMessage(buf: Buffer, off: number, end: number): TextMessage | null {
  const first = lineEnd(buf, off, end);
  if (first < 0) return null;
  const startLineEnd = first > off && buf[first - 1] === CR ? first - 1 : first;
  const msg: TextMessage = { startLine: clip(buf, off, startLineEnd), startLineStart: off, startLineEnd, fields: [], complete: false, malformed: false };
  let p = first + 1;
  // Each turn consumes a line (at least its LF) or stops.
  while (p < end) {
    const lf = lineEnd(buf, p, end);
    if (lf < 0) return msg; // cut inside a line: what came before stands
    const e = lf > p && buf[lf - 1] === CR ? lf - 1 : lf;
    if (e === p) {
      msg.complete = true;
      return msg;
    }
    if (buf[p] === SP || buf[p] === HTAB) {
      const last = msg.fields[msg.fields.length - 1];
      if (last !== undefined && last.value.length < MAX_APP_STRING) {
        last.value = (last.value + ' ' + trimmed(buf, p, e)).slice(0, MAX_APP_STRING);
      }
    } else {
      let colon = -1;
      for (let i = p; i < e; i++) if (buf[i] === COLON) { colon = i; break; }
      if (colon <= p) {
        msg.malformed = true;
        return msg;
      }
      let nameEnd = colon;
      while (nameEnd > p && (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === HTAB)) nameEnd--; // SIP allows "Name : value"
      if (msg.fields.length < MAX_HEADERS) msg.fields.push({ name: clip(buf, p, nameEnd).toLowerCase(), value: trimmed(buf, colon + 1, e) });
    }
    p = lf + 1;
  }
  return msg;
}

function trimmed(buf: Buffer, s: number, e: number): string {
  while (s < e && (buf[s] === SP || buf[s] === HTAB)) s++;
  while (e > s && (buf[e - 1] === SP || buf[e - 1] === HTAB)) e--;
  return clip(buf, s, e);
}

/** The first field named one of `names` (lower-case), or undefined. */
export function field(msg: TextMessage, ...names: string[]): string | undefined {
  for (const f of msg.fields) if (names.includes(f.name)) return f.value;
  return undefined;
}

/** True when buf[p, p + token.length) equals the ASCII `token`. */
export function startsWith(buf: Buffer, p: number, end: number, token: string): boolean {
  if (end - p < token.length) return false;
  for (let i = 0; i < token.length; i++) if (buf[p + i] !== token.charCodeAt(i)) return false;
  return true;
}
