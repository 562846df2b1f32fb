/**
 * Counting the messages of a text protocol on TCP (SIP, HTTP/1.x) without
 * buffering the stream: the protocol-independent part (sip-stream.ts and
 * http-stream.ts read the messages).
 *
 * Messages follow each other back to back, each sized by its header section
 * and body length, so one segment may hold several and a body may run into
 * the next segments. Each direction keeps the sequence number at which its
 * next unit starts (a message; for HTTP also a piece of a chunked body);
 * bodies are skipped by count, never buffered. Only a unit's head (start
 * line, header section, chunk-size line) that continues in the next segment
 * is held (at most MAX_HELD bytes, over at most MAX_HOLDS segments) and read
 * whole when that segment comes. A lost segment loses the position: a
 * message held then is counted by its start line, and the position is found
 * again only at a segment that starts a message. Segments read nowhere are
 * counted, not guessed at.
 */
import { clip } from './app-common.js';
import { lineEnd, MAX_LINE } from './text-message.js';

/** Bytes of a unit's head held while it continues in the next segment; a longer one is counted by its start line and its end is lost. */
export const MAX_HELD = 16 * 1024;
/** Segments a held unit may be carried over before it is taken as far as it came (its rest then lost): holding and re-reading it costs its length per segment, which many tiny segments would multiply. */
export const MAX_HOLDS = 16;
/** Distinct request methods counted by name per flow; requests of further methods count in otherRequests. */
export const MAX_METHODS = 16;
export const UNKNOWN = -1;

/** What a UnitReader returns when it cannot give the next unit's offset. */
export const Unread = {
  /** The unit's head does not end in the bytes given. */
  Incomplete: -1,
  /** Not a unit where one should start, a line too long, a length not believable: where the next unit starts is unknown. */
  Bad: -2,
} as const;

/** The messages of one flow, and where each direction stands. Plain data (Maps, arrays): an inspection worker sends it by structured cloning. */
export interface MessageTally {
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
  /** TCP: per direction, the sequence number at which its next unit starts, or UNKNOWN. */
  nextMessage: [number, number];
  /** TCP: per direction, the sequence number after the furthest byte seen, or UNKNOWN before the first segment. */
  seenEnd: [number, number];
  /** TCP: per direction, a unit whose head ends in a later segment: its bytes so far (at most MAX_HELD), from nextMessage on, and the frame they ended in. */
  held: [Uint8Array | null, Uint8Array | null];
  heldFrame: [number, number];
  /** How many segments the held unit was carried over already (at most MAX_HOLDS). */
  heldSegments: [number, number];
  /** TCP segments with payload that no message was read in: their position was lost (see the file header). */
  unreadSegments: number;
}

export function newMessageTally(): MessageTally {
  return {
    messages: 0, requests: new Map(), otherRequests: 0, responses: new Map(), responseFrames: new Map(), responseReasons: new Map(),
    nextMessage: [UNKNOWN, UNKNOWN], seenEnd: [UNKNOWN, UNKNOWN], held: [null, null], heldFrame: [0, 0], heldSegments: [0, 0], unreadSegments: 0,
  };
}

/** What a protocol gives the stream walker. */
export interface UnitReader<T extends MessageTally> {
  /**
   * Reads the unit that starts at buf[p] in direction `dir`, counting it, and returns the offset just
   * after it (past `end` when it continues in later segments); or Unread.Incomplete when its head ends
   * past `end` (nothing counted nor changed: it is read again whole); when `force`d, such a unit is
   * counted as far as it came and Unread.Bad returned. Unread.Bad: no unit here.
   */
  unit(t: T, dir: number, buf: Buffer, p: number, end: number, frame: number, force: boolean): number;
  /**
   * Whether new bytes at a position not known start a message (where counting picks up again);
   * `first`: nothing of this direction was seen before (a stream's start, not a resumption after a
   * loss, which may land inside a line).
   */
  startsMessage(t: T, dir: number, buf: Buffer, p: number, end: number, first: boolean): boolean;
  /** The position in `dir` was lost: what the reader expected there goes with it. */
  lost(t: T, dir: number): void;
  /** Whether `dir` carries nothing more to read (a tunnel, a body that runs to the end of the connection). */
  done(t: T, dir: number): boolean;
}

/**
 * A TCP segment of direction `dir`: `seq` its sequence number (of its first payload byte), `wireLen`
 * its payload length by the headers, buf[off, end) what was captured of it.
 */
export function tcpSegment<T extends MessageTally>(t: T, r: UnitReader<T>, dir: number, seq: number, wireLen: number, buf: Buffer, off: number, end: number, frame: number): void {
  if (wireLen <= 0 || end <= off || r.done(t, dir)) return;
  const seen = t.seenEnd[dir];
  const fresh = seen === UNKNOWN ? wireLen : (seq + wireLen - seen) | 0; // bytes past all seen before
  if (fresh <= 0) return; // sent again: its messages were counted (or lost) the first time
  t.seenEnd[dir] = (seq + wireLen) >>> 0;
  const held = t.held[dir];
  if (held !== null) {
    t.held[dir] = null;
    const heldSeq = t.nextMessage[dir];
    const heldEnd = (heldSeq + held.length) >>> 0;
    // A segment sent again with new bytes after the held ones: those new bytes continue the unit.
    const again = (heldEnd - seq) | 0;
    if (again >= 0 && again < end - off && again < wireLen) {
      // The rest of a unit begun in the segments before: read it whole, from its start.
      const whole = Buffer.concat([held, buf.subarray(off + again, end)]);
      walk(t, r, dir, heldSeq, held.length + wireLen - again, whole, 0, whole.length, frame, 0, t.heldSegments[dir] + 1);
      return;
    }
    heldLost(t, r, dir, held, t.heldFrame[dir]); // what came next was lost: the unit is known by its start only
    lose(t, r, dir, false);
  }
  const known = t.nextMessage[dir];
  const rel = known === UNKNOWN ? -1 : (known - seq) | 0;
  if (rel >= wireLen) return; // a body's bytes: no unit starts here
  if (rel >= 0) {
    if (rel < end - off) walk(t, r, dir, seq, wireLen, buf, off + rel, end, frame, off);
    else lose(t, r, dir, true); // the next unit starts in bytes the snaplen cut off
  } else if (fresh >= wireLen && r.startsMessage(t, dir, buf, off, end, seen === UNKNOWN)) {
    r.lost(t, dir); // whatever was expected before, a message starts here
    walk(t, r, dir, seq, wireLen, buf, off, end, frame); // found again (or first seen): new bytes that start with a message
  } else {
    lose(t, r, dir, true); // bytes before this segment were never captured, or the position was lost already
  }
}

/**
 * Reads the units from buf[p] on, where one starts, to the end of the segment that begins at
 * buf[segOff] (sequence number `seq`, `wireLen` bytes on the wire); sets where the next one starts.
 * `holds`: segments the first unit was already held over.
 */
function walk<T extends MessageTally>(t: T, r: UnitReader<T>, dir: number, seq: number, wireLen: number, buf: Buffer, p: number, end: number, frame: number, segOff = p, holds = 0): void {
  const before = t.messages;
  const whole = end - segOff === wireLen; // no snaplen cut: bytes after `end` are the next segment's
  let next: number = Unread.Bad;
  for (;;) {
    const holdable = whole && end - p <= MAX_HELD && holds < MAX_HOLDS;
    next = r.unit(t, dir, buf, p, end, frame, !holdable);
    if (next === Unread.Incomplete) {
      // Its head ends in the next segment: held until then (bounded).
      t.held[dir] = Buffer.from(buf.subarray(p, end));
      t.heldFrame[dir] = frame;
      t.heldSegments[dir] = p === 0 && segOff === 0 ? holds : 0;
      t.nextMessage[dir] = (seq + (p - segOff)) >>> 0;
      return;
    }
    if (next < 0 || next >= end || r.done(t, dir)) break;
    p = next;
    holds = 0;
  }
  if (t.messages === before && next < 0) t.unreadSegments++;
  // Where the next unit starts: after the last one read, when it ends in or after this segment.
  if (next >= end) t.nextMessage[dir] = (seq + (next - segOff)) >>> 0;
  else lose(t, r, dir, false);
}

/** A held unit whose rest never came (lost, or the flow ended): counted as far as it came. */
function heldLost<T extends MessageTally>(t: T, r: UnitReader<T>, dir: number, held: Uint8Array, frame: number): void {
  const buf = Buffer.from(held.buffer, held.byteOffset, held.length); // a Uint8Array after a worker's structured clone
  const before = t.messages;
  r.unit(t, dir, buf, 0, buf.length, frame, true);
  if (t.messages === before) t.unreadSegments++;
}

/** The end of the flow (or of the capture): a unit still held is counted as far as it came. */
export function messageFlowEnded<T extends MessageTally>(t: T, r: UnitReader<T>): void {
  for (const dir of [0, 1]) {
    const held = t.held[dir];
    if (held === null) continue;
    t.held[dir] = null;
    heldLost(t, r, dir, held, t.heldFrame[dir]);
    lose(t, r, dir, false);
  }
}

/** The position in `dir` is lost; `unread`: the segment at hand is counted as read nowhere. */
function lose<T extends MessageTally>(t: T, r: UnitReader<T>, dir: number, unread: boolean): void {
  t.nextMessage[dir] = UNKNOWN;
  r.lost(t, dir);
  if (unread) t.unreadSegments++;
}

/** Counts a request by its method (MAX_METHODS names at most). */
export function countRequest(t: MessageTally, method: string): void {
  t.messages++;
  const n = t.requests.get(method);
  if (n !== undefined) t.requests.set(method, n + 1);
  else if (t.requests.size < MAX_METHODS) t.requests.set(method, 1);
  else t.otherRequests++;
}

/** Counts a response by its status code; the first of each code keeps its frame and its reason phrase, buf[reasonStart, reasonEnd). */
export function countResponse(t: MessageTally, code: number, frame: number, buf: Buffer, reasonStart: number, reasonEnd: number): void {
  t.messages++;
  t.responses.set(code, (t.responses.get(code) ?? 0) + 1);
  if (!t.responseFrames.has(code)) {
    t.responseFrames.set(code, frame);
    t.responseReasons.set(code, clip(buf, Math.min(reasonStart, reasonEnd), reasonEnd));
  }
}

/** Responses of one status code in a flow's `apps` entry. */
export interface StatusCount {
  code: number;
  count: number;
  /** Frame of the first response with this code. */
  firstFrame: number;
  /** Its reason phrase, as sent (at most 256 characters; copied from the packet: data, not trusted). */
  reason: string;
}

/** What an `apps` entry says of all the messages of its flow (SIP, HTTP). */
export interface MessageCounts {
  /** Messages counted in the flow, both directions (TCP: those whose start could be found, see unreadSegments). */
  messages: number;
  /** Requests by method, in the order the methods first appeared. */
  requests: { method: string; count: number }[];
  /** Requests of methods past the first MAX_METHODS (16) distinct ones; present when not 0. */
  otherRequests?: number;
  /** Responses by status code, ascending. */
  responses: StatusCount[];
  /** TCP segments with payload in which no message could be read (after a lost segment, say); present when not 0. */
  unreadSegments?: number;
}

export function messageCounts(t: MessageTally): MessageCounts {
  const counts: MessageCounts = {
    messages: t.messages,
    requests: [...t.requests].map(([method, count]) => ({ method, count })),
    responses: [...t.responses].sort((a, b) => a[0] - b[0]).map(([code, count]) => ({ code, count, firstFrame: t.responseFrames.get(code)!, reason: t.responseReasons.get(code)! })),
  };
  if (t.otherRequests > 0) counts.otherRequests = t.otherRequests;
  if (t.unreadSegments > 0) counts.unreadSegments = t.unreadSegments;
  return counts;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

/** Skips the CRLFs a connection may carry between messages (RFC 3261 §7.5, RFC 5626 §3.5.1 keep-alives; RFC 9112 §2.2). */
export function skipCrlf(buf: Buffer, p: number, end: number): number {
  while (p < end && (buf[p] === CR || buf[p] === LF)) p++;
  return p;
}

/**
 * Reads the header fields from `p` to the blank line, giving each field's name buf[ns, ne) and
 * value buf[vs, ve) (trimmed) to `onField`, which returns false to stop (a value not believable).
 * Returns the offset after the blank line, Unread.Incomplete when it lies past `end`, or Unread.Bad
 * (a line longer than MAX_LINE, or `onField` refused).
 */
export function headerFields(buf: Buffer, p: number, end: number, onField: (ns: number, ne: number, vs: number, ve: number) => boolean): number {
  while (p < end) {
    const lf = lineEnd(buf, p, end);
    if (lf < 0) return p + MAX_LINE < end ? Unread.Bad : Unread.Incomplete;
    const e = lf > p && buf[lf - 1] === CR ? lf - 1 : lf;
    if (e === p) return lf + 1;
    if (buf[p] !== SP && buf[p] !== HTAB) {
      let colon = p;
      while (colon < e && buf[colon] !== COLON) colon++;
      if (colon < e) {
        let nameEnd = colon;
        while (nameEnd > p && (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === HTAB)) nameEnd--;
        let v = colon + 1;
        while (v < e && (buf[v] === SP || buf[v] === HTAB)) v++;
        let ve = e;
        while (ve > v && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
        if (!onField(p, nameEnd, v, ve)) return Unread.Bad;
      }
    }
    p = lf + 1;
  }
  return Unread.Incomplete;
}

/** Whether buf[s, e) is the header name `long` (lower case) or its `compact` form, ignoring ASCII case. */
export function named(buf: Buffer, s: number, e: number, long: string, compact?: string): boolean {
  const name = e - s === long.length ? long : compact !== undefined && e - s === compact.length ? compact : null;
  if (name === null) return false;
  for (let i = 0; i < name.length; i++) if ((buf[s + i] | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** The decimal number buf[s, e), or -1 when it is not one or exceeds `max`. */
export function decimal(buf: Buffer, s: number, e: number, max: number): number {
  if (e <= s) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
    if (n > max) return -1;
  }
  return n;
}
