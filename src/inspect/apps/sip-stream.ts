/**
 * Every SIP message of a plaintext SIP flow, counted: requests by method,
 * responses by status code (with the first frame of each), and distinct
 * Call-IDs. sip.ts reads the first messages' details for the flow's `apps`
 * entry; this is what shows a failing call on a SIP trunk (an INVITE answered
 * 488 or 503) further into the flow.
 *
 * UDP carries one message per datagram (RFC 3261 §18.1.1). TCP carries them
 * back to back, each sized by its header section and Content-Length (RFC 3261
 * §18.3, §20.14), so one segment may hold several and a body may run into the
 * next segments. Each direction keeps the sequence number at which its next
 * message starts; bodies are skipped by count, never buffered. Only a start
 * line or header section that continues in the next segment is held (at
 * most MAX_HELD bytes) and read whole when that segment comes. A lost
 * segment loses the position: a message held then is counted by its start
 * line, and the position is found again only at a segment that starts with a
 * start line. Segments read nowhere are counted, not guessed at.
 *
 * Bounded whatever the input: MAX_HELD bytes per direction, MAX_METHODS
 * method names, status codes 100-699, MAX_CALL_IDS Call-ID hashes per flow.
 */
import { MAX_LINE, startsWith } from './text-message.js';
import { methodLength, sipStartLineEnd, statusCodeAt, SIP_VERSION } from './sip.js';
import { clip } from './app-common.js';

/** Distinct request methods counted by name per flow; requests of further methods count in otherRequests. */
export const MAX_METHODS = 16;
/** Distinct Call-IDs told apart per flow; past it the count is a lower bound. */
export const MAX_CALL_IDS = 1024;
/** Bytes of a message's start line and header section held while they continue in the next segment; a longer one is counted by its start line and its end is lost. */
export const MAX_HELD = 16 * 1024;
/** Segments a held message may be carried over before it is taken as far as it came (its rest then lost). */
export const MAX_HOLDS = 16;
/** The longest method a start line may have (apps/sip.ts). */
const MAX_METHOD_LETTERS = 32;
/** A Content-Length beyond this is not believed (SIP bodies are SDP, a few KB): the position is lost instead. */
export const MAX_SIP_BODY = 1 << 20;
const UNKNOWN = -1;
const RESPONSE_START = SIP_VERSION + ' ';
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

/** The SIP messages of one flow. Plain data (Maps, arrays): an inspection worker sends it by structured cloning. */
export interface SipTally {
  /** Messages counted, both directions. */
  messages: number;
  /** Requests by method, in the order the methods were first seen. */
  requests: Map<string, number>;
  /** Requests whose method came after MAX_METHODS others. */
  otherRequests: number;
  /** Responses by status code, and the frame and reason phrase of each code's first. */
  responses: Map<number, number>;
  responseFrames: Map<number, number>;
  responseReasons: Map<number, string>;
  /** Hashes of the Call-IDs seen (at most MAX_CALL_IDS). */
  callIds: Set<number>;
  /** TCP: per direction, the sequence number at which its next message starts, or -1 when not known. */
  nextMessage: [number, number];
  /** TCP: per direction, the sequence number after the furthest byte seen, or -1 before the first segment. */
  seenEnd: [number, number];
  /** TCP: per direction, a message whose start line or header section ends in a later segment: its bytes so far (at most MAX_HELD), from nextMessage on, and the frame they ended in. */
  held: [Uint8Array | null, Uint8Array | null];
  heldFrame: [number, number];
  /** How many segments the held message was carried over already (at most MAX_HOLDS). */
  heldSegments: [number, number];
  /** TCP segments with payload that no message was read in: their position was lost (see the file header). */
  unreadSegments: number;
}

export function newSipTally(): SipTally {
  return { messages: 0, requests: new Map(), otherRequests: 0, responses: new Map(), responseFrames: new Map(), responseReasons: new Map(), callIds: new Set(), nextMessage: [UNKNOWN, UNKNOWN], seenEnd: [UNKNOWN, UNKNOWN], held: [null, null], heldFrame: [0, 0], heldSegments: [0, 0], unreadSegments: 0 };
}

/** A UDP datagram of a SIP flow: its message, if it holds one. */
export function sipDatagram(t: SipTally, buf: Buffer, off: number, end: number, frame: number): void {
  const lf = sipStartLineEnd(buf, off, end);
  if (lf >= 0) countMessage(t, buf, off, lf, end, frame);
}

/**
 * A TCP segment of direction `dir` of a SIP flow: `seq` its sequence number (of its first payload
 * byte), `wireLen` its payload length by the headers, buf[off, end) what was captured of it.
 */
export function sipSegment(t: SipTally, dir: number, seq: number, wireLen: number, buf: Buffer, off: number, end: number, frame: number): void {
  if (wireLen <= 0 || end <= off) return;
  const seen = t.seenEnd[dir];
  const fresh = seen === UNKNOWN ? wireLen : (seq + wireLen - seen) | 0; // bytes past all seen before
  if (fresh <= 0) return; // sent again: its messages were counted (or lost) the first time
  t.seenEnd[dir] = (seq + wireLen) >>> 0;
  const held = t.held[dir];
  if (held !== null) {
    t.held[dir] = null;
    const heldSeq = t.nextMessage[dir];
    const heldEnd = (heldSeq + held.length) >>> 0;
    // A segment sent again with new bytes after the held ones: those new bytes continue the message.
    const again = (heldEnd - seq) | 0;
    if (again >= 0 && again < end - off && again < wireLen) {
      // The rest of a message begun in the segments before: read it whole, from its start.
      const whole = Buffer.concat([held, buf.subarray(off + again, end)]);
      walk(t, dir, heldSeq, held.length + wireLen - again, whole, 0, whole.length, frame, 0, t.heldSegments[dir] + 1);
      return;
    }
    countHeld(t, held, t.heldFrame[dir]); // what came next was lost: the message is known by its start line only
    t.nextMessage[dir] = UNKNOWN;
  }
  const known = t.nextMessage[dir];
  const rel = known === UNKNOWN ? -1 : (known - seq) | 0;
  if (rel >= wireLen) return; // a body's bytes: no message starts here
  if (rel >= 0) {
    if (rel < end - off) walk(t, dir, seq, wireLen, buf, off + rel, end, frame, off);
    else lose(t, dir); // the next message starts in bytes the snaplen cut off
  } else if (fresh >= wireLen && startsMessage(buf, off, end)) {
    walk(t, dir, seq, wireLen, buf, off, end, frame); // found again (or first seen): new bytes that start with a message
  } else {
    lose(t, dir); // bytes before this segment were never captured, or the position was lost already
  }
}

/** Skips the CRLFs a SIP connection may carry between messages (RFC 3261 §7.5; RFC 5626 §3.5.1 keep-alive pings and pongs). */
function skipCrlf(buf: Buffer, p: number, end: number): number {
  while (p < end && (buf[p] === CR || buf[p] === LF)) p++;
  return p;
}

/**
 * Whether new bytes at a position not known may start a message: a start line (or the beginning of
 * one, to be held), or only keep-alive CRLFs (a message comes next).
 */
function startsMessage(buf: Buffer, off: number, end: number): boolean {
  const p = skipCrlf(buf, off, end);
  return p === end || sipStartLineEnd(buf, p, end) >= 0 || startLinePrefix(buf, p, end);
}

/**
 * Counts the messages from buf[p] on, where one starts, to the end of the segment that begins at
 * buf[segOff] (sequence number `seq`, `wireLen` bytes on the wire); sets where the next one starts.
 * `holds`: segments the first message was already held over.
 */
function walk(t: SipTally, dir: number, seq: number, wireLen: number, buf: Buffer, p: number, end: number, frame: number, segOff = p, holds = 0): void {
  const before = t.messages;
  const whole = end - segOff === wireLen; // no snaplen cut: bytes after `end` are the next segment's
  let next: number = Unread.Bad;
  for (;;) {
    p = skipCrlf(buf, p, end);
    if (p >= end) {
      next = p; // keep-alives to the end of the segment: the next message starts after it
      break;
    }
    // Held over too many segments (or grown too long), a message is taken as far as it came: holding
    // and reading it again costs its length per segment, which many tiny segments would multiply.
    const holdable = whole && end - p <= MAX_HELD && holds < MAX_HOLDS;
    const lf = sipStartLineEnd(buf, p, end);
    if (lf < 0 && !(holdable && startLinePrefix(buf, p, end))) break; // not a message where one should start
    next = lf < 0 ? Unread.Incomplete : countMessage(t, buf, p, lf, end, frame, !holdable);
    if (next === Unread.Incomplete) {
      // Its start line or header section ends in the next segment: held until then (bounded).
      t.held[dir] = Buffer.from(buf.subarray(p, end));
      t.heldFrame[dir] = frame;
      t.heldSegments[dir] = p === 0 && segOff === 0 ? holds : 0;
      t.nextMessage[dir] = (seq + (p - segOff)) >>> 0;
      return;
    }
    if (next < 0 || next >= end) break;
    p = next;
    holds = 0;
    next = Unread.Bad;
  }
  if (t.messages === before && next < 0) t.unreadSegments++;
  // Where the next message starts: after the last one read, when its body ends in or after this segment.
  t.nextMessage[dir] = next >= end ? (seq + (next - segOff)) >>> 0 : UNKNOWN;
}

/**
 * Whether buf[p, end), which holds no whole line, may be the beginning of a start line: a method of
 * A-Z (at most 32 letters), a space and a Request-URI so far; or the beginning of "SIP/2.0 " and a
 * status so far. Checked again once the line is whole.
 */
function startLinePrefix(buf: Buffer, p: number, end: number): boolean {
  for (let i = p; i < end; i++) if (buf[i] === LF || (buf[i] === CR && i + 1 < end)) return false;
  let m = p;
  while (m < end && m - p < RESPONSE_START.length && buf[m] === RESPONSE_START.charCodeAt(m - p)) m++;
  if (m === end || m - p === RESPONSE_START.length) return true;
  m = p;
  while (m < end && buf[m] >= 0x41 && buf[m] <= 0x5a) m++;
  return m > p && m - p <= MAX_METHOD_LETTERS && (m === end || buf[m] === SP);
}

/** A held message whose rest never came (lost, or the flow ended): counted by its start line, when that is whole. */
function countHeld(t: SipTally, held: Uint8Array, frame: number): void {
  const buf = Buffer.from(held.buffer, held.byteOffset, held.length); // a Uint8Array after a worker's structured clone
  const lf = sipStartLineEnd(buf, 0, buf.length);
  if (lf >= 0) countMessage(t, buf, 0, lf, buf.length, frame, true);
  else t.unreadSegments++;
}

/** The end of a SIP flow (or of the capture): a message still held is counted as far as it came. */
export function sipFlowEnded(t: SipTally): void {
  for (const dir of [0, 1]) {
    const held = t.held[dir];
    if (held === null) continue;
    t.held[dir] = null;
    t.nextMessage[dir] = UNKNOWN;
    countHeld(t, held, t.heldFrame[dir]);
  }
}

function lose(t: SipTally, dir: number): void {
  t.nextMessage[dir] = UNKNOWN;
  t.unreadSegments++;
}

/** What countMessage returns when it cannot give the next message's offset. */
const Unread = {
  /** The start line or header section does not end in the bytes given. */
  Incomplete: -1,
  /** A header line too long, or a Content-Length not believable: where the next message starts is unknown. */
  Bad: -2,
} as const;

/**
 * Counts the message whose start line is buf[s, lf] and returns the offset just after it (header
 * section, blank line and Content-Length bytes of body), which may lie past `end`; or an Unread
 * code. An Incomplete message is counted only when `force`d (its rest will not be read).
 */
function countMessage(t: SipTally, buf: Buffer, s: number, lf: number, end: number, frame: number, force = true): number {
  const next = headerSection(t, buf, lf + 1, end);
  if (next === Unread.Incomplete && !force) return next;
  t.messages++;
  if (startsWith(buf, s, lf, RESPONSE_START)) {
    const e = lf > s && buf[lf - 1] === CR ? lf - 1 : lf;
    const code = statusCodeAt(buf, s, e);
    t.responses.set(code, (t.responses.get(code) ?? 0) + 1);
    if (!t.responseFrames.has(code)) {
      t.responseFrames.set(code, frame);
      t.responseReasons.set(code, clip(buf, Math.min(s + RESPONSE_START.length + 4, e), e));
    }
  } else {
    const method = clip(buf, s, s + methodLength(buf, s));
    const n = t.requests.get(method);
    if (n !== undefined) t.requests.set(method, n + 1);
    else if (t.requests.size < MAX_METHODS) t.requests.set(method, 1);
    else t.otherRequests++;
  }
  return next === Unread.Incomplete ? Unread.Bad : next;
}

/**
 * Reads the header fields from `p` to the blank line, hashing the Call-ID (RFC 3261 §20.8, compact
 * "i") into t.callIds and taking Content-Length (§20.14, compact "l"; absent: no body). Returns the
 * offset after the body, or an Unread code.
 */
function headerSection(t: SipTally, buf: Buffer, p: number, end: number): number {
  let bodyLength = 0;
  while (p < end) {
    let lf = -1;
    const stop = Math.min(end, p + MAX_LINE);
    for (let i = p; i < stop; i++) if (buf[i] === LF) { lf = i; break; }
    if (lf < 0) return stop < end ? Unread.Bad : Unread.Incomplete;
    const e = lf > p && buf[lf - 1] === CR ? lf - 1 : lf;
    if (e === p) return lf + 1 + bodyLength;
    if (buf[p] !== SP && buf[p] !== HTAB) {
      let colon = p;
      while (colon < e && buf[colon] !== COLON) colon++;
      let nameEnd = colon;
      while (nameEnd > p && (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === HTAB)) nameEnd--;
      let v = colon + 1;
      while (v < e && (buf[v] === SP || buf[v] === HTAB)) v++;
      let ve = e;
      while (ve > v && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
      if (colon < e) {
        if (named(buf, p, nameEnd, 'call-id', 'i')) {
          if (t.callIds.size < MAX_CALL_IDS) t.callIds.add(fnv1a(buf, v, ve));
        } else if (named(buf, p, nameEnd, 'content-length', 'l')) {
          bodyLength = decimal(buf, v, ve);
          if (bodyLength < 0) return Unread.Bad;
        }
      }
    }
    p = lf + 1;
  }
  return Unread.Incomplete;
}

/** Whether buf[s, e) is the header name `long` or `compact`, ignoring ASCII case. */
function named(buf: Buffer, s: number, e: number, long: string, compact: string): boolean {
  const name = e - s === long.length ? long : e - s === compact.length ? compact : null;
  if (name === null) return false;
  for (let i = 0; i < name.length; i++) if ((buf[s + i] | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** The decimal number buf[s, e), or -1 when it is not one or exceeds MAX_SIP_BODY. */
function decimal(buf: Buffer, s: number, e: number): number {
  if (e <= s) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
    if (n > MAX_SIP_BODY) return -1;
  }
  return n;
}

/** 32-bit FNV-1a of buf[s, e): Call-IDs are told apart without a string per message. */
function fnv1a(buf: Buffer, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

/** Responses of one status code in a SIP flow's `apps` entry. */
export interface SipStatusCount {
  code: number;
  count: number;
  /** Frame of the first response with this code. */
  firstFrame: number;
  /** Its reason phrase, as sent (at most 256 characters; copied from the packet: data, not trusted). */
  reason: string;
}

/** What a SIP flow's `apps` entry says of all its messages (added to the first messages' fields, apps/sip.ts). */
export interface SipCounts {
  /** SIP messages counted in the flow, both directions (TCP: those whose start could be found, see unreadSegments). */
  messages: number;
  /** Requests by method, in the order the methods first appeared. */
  requests: { method: string; count: number }[];
  /** Requests of methods past the first MAX_METHODS (16) distinct ones; present when not 0. */
  otherRequests?: number;
  /** Responses by status code, ascending. */
  responses: SipStatusCount[];
  /** Distinct Call-IDs (dialogs and registrations) among the messages; a lower bound when callsCapped. */
  calls: number;
  /** True when more than MAX_CALL_IDS (1024) Call-IDs were seen: `calls` stopped counting there. */
  callsCapped?: boolean;
  /** TCP segments with payload in which no message could be read (after a lost segment, or a header section split across segments); present when not 0. */
  unreadSegments?: number;
}

export function sipCounts(t: SipTally): SipCounts {
  const counts: SipCounts = {
    messages: t.messages,
    requests: [...t.requests].map(([method, count]) => ({ method, count })),
    responses: [...t.responses].sort((a, b) => a[0] - b[0]).map(([code, count]) => ({ code, count, firstFrame: t.responseFrames.get(code)!, reason: t.responseReasons.get(code)! })),
    calls: t.callIds.size,
  };
  if (t.otherRequests > 0) counts.otherRequests = t.otherRequests;
  if (t.callIds.size >= MAX_CALL_IDS) counts.callsCapped = true;
  if (t.unreadSegments > 0) counts.unreadSegments = t.unreadSegments;
  return counts;
}
