/**
 * Every SIP message of a plaintext SIP flow, counted: requests by method,
 * responses by status code (with the first frame of each), and distinct
 * Call-IDs. sip.ts reads the first messages' details for the flow's `apps`
 * entry; this is what shows a failing call on a SIP trunk (an INVITE answered
 * 488 or 503) further into the flow.
 *
 * UDP carries one message per datagram (RFC 3261 §18.1.1). TCP carries them
 * back to back, each sized by its header section and Content-Length (RFC 3261
 * §18.3, §20.14): message-stream.ts follows them across segments, and this
 * reads each message.
 *
 * Bounded whatever the input: message-stream.ts's limits, status codes
 * 100-699, MAX_CALL_IDS Call-ID hashes per flow.
 */
import { startsWith } from './text-message.js';
import { methodLength, sipStartLineEnd, statusCodeAt, SIP_VERSION } from './sip.js';
import { clip } from './app-common.js';
import { countRequest, countResponse, decimal, headerFields, messageCounts, messageFlowEnded, named, newMessageTally, skipCrlf, tcpSegment, Unread, type MessageCounts, type MessageTally, type StatusCount, type UnitReader } from './message-stream.js';

export { MAX_HOLDS, MAX_METHODS } from './message-stream.js';

/** Distinct Call-IDs told apart per flow; past it the count is a lower bound. */
export const MAX_CALL_IDS = 1024;
/** A re-INVITE answered 408 or 481 ends the dialog (RFC 3261 §14.1): the call did not go on. */
const DIALOG_ENDING: ReadonlySet<number> = new Set([408, 481]);
/** The longest method a start line may have (apps/sip.ts). */
const MAX_METHOD_LETTERS = 32;
/** A Content-Length beyond this is not believed (SIP bodies are SDP, a few KB): the position is lost instead. */
export const MAX_SIP_BODY = 1 << 20;
const RESPONSE_START = SIP_VERSION + ' ';
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;

/** The SIP messages of one flow. Plain data: an inspection worker sends it by structured cloning. */
export interface SipTally extends MessageTally {
  /** Hashes of the Call-IDs seen (at most MAX_CALL_IDS). */
  callIds: Set<number>;
  /** Hashes of the Call-IDs whose INVITE got a 2xx: calls that were answered (at most MAX_CALL_IDS). */
  answeredCalls: Set<number>;
  /** By status code: error responses to an INVITE in a call already answered, a re-INVITE refused (the call goes on; not 408 or 481, which end it). */
  inCallRefusals: Map<number, number>;
}

export function newSipTally(): SipTally {
  return { ...newMessageTally(), callIds: new Set(), answeredCalls: new Set(), inCallRefusals: new Map() };
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
  tcpSegment(t, SIP_READER, dir, seq, wireLen, buf, off, end, frame);
}

/** The end of a SIP flow (or of the capture): a message still held is counted as far as it came. */
export function sipFlowEnded(t: SipTally): void {
  messageFlowEnded(t, SIP_READER);
}

const SIP_READER: UnitReader<SipTally> = {
  unit(t, _dir, buf, p, end, frame, force) {
    p = skipCrlf(buf, p, end);
    if (p >= end) return p; // keep-alives to the end of the segment: the next message starts after it
    const lf = sipStartLineEnd(buf, p, end);
    if (lf < 0) return !force && startLinePrefix(buf, p, end) ? Unread.Incomplete : Unread.Bad;
    return countMessage(t, buf, p, lf, end, frame, force);
  },
  startsMessage(_t, _dir, buf, off, end) {
    // A start line (or the beginning of one, to be held), or only keep-alive CRLFs (a message comes next).
    const p = skipCrlf(buf, off, end);
    return p === end || sipStartLineEnd(buf, p, end) >= 0 || startLinePrefix(buf, p, end);
  },
  lost() {},
  done: () => false,
};

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

/**
 * Counts the message whose start line is buf[s, lf] and returns the offset just after it (header
 * section, blank line and Content-Length bytes of body), which may lie past `end`; or an Unread
 * code. An Incomplete message is counted only when `force`d (its rest will not be read).
 */
function countMessage(t: SipTally, buf: Buffer, s: number, lf: number, end: number, frame: number, force = true): number {
  let bodyLength = 0;
  let callId = -1;
  let invite = false;
  const callIds = t.callIds;
  // RFC 3261 §20.8 Call-ID (compact "i"), §20.16 CSeq, §20.14 Content-Length (compact "l"; absent: no body).
  const next = headerFields(buf, lf + 1, end, (ns, ne, vs, ve) => {
    if (named(buf, ns, ne, 'call-id', 'i')) {
      callId = fnv1a(buf, vs, ve);
      if (callIds.size < MAX_CALL_IDS) callIds.add(callId);
    } else if (named(buf, ns, ne, 'cseq')) {
      invite = cseqMethodIs(buf, vs, ve, 'INVITE');
    } else if (named(buf, ns, ne, 'content-length', 'l')) {
      bodyLength = decimal(buf, vs, ve, MAX_SIP_BODY);
      if (bodyLength < 0) return false;
    }
    return true;
  });
  if (next === Unread.Incomplete && !force) return next;
  if (startsWith(buf, s, lf, RESPONSE_START)) {
    const e = lf > s && buf[lf - 1] === CR ? lf - 1 : lf;
    const code = statusCodeAt(buf, s, e);
    countResponse(t, code, frame, buf, s + RESPONSE_START.length + 4, e);
    if (invite && callId !== -1) {
      if (code >= 200 && code < 300) {
        if (t.answeredCalls.size < MAX_CALL_IDS) t.answeredCalls.add(callId);
      } else if (code >= 300 && !DIALOG_ENDING.has(code) && t.answeredCalls.has(callId)) {
        t.inCallRefusals.set(code, (t.inCallRefusals.get(code) ?? 0) + 1);
      }
    }
  } else {
    countRequest(t, clip(buf, s, s + methodLength(buf, s)));
  }
  return next < 0 ? Unread.Bad : next + bodyLength;
}

/** Whether the CSeq value buf[s, e) ("3 INVITE") names `method`. */
function cseqMethodIs(buf: Buffer, s: number, e: number, method: string): boolean {
  let m = s;
  while (m < e && buf[m] >= 0x30 && buf[m] <= 0x39) m++;
  while (m < e && (buf[m] === SP || buf[m] === 0x09)) m++;
  return e - m === method.length && startsWith(buf, m, e, method);
}

/** 32-bit FNV-1a of buf[s, e): Call-IDs are told apart without a string per message. */
function fnv1a(buf: Buffer, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

/** What a SIP flow's `apps` entry says of all its messages (added to the first messages' fields, apps/sip.ts). */
/** Responses of one status code; `inCall`: how many refused a re-INVITE in a call already answered (present when not 0). */
export type SipStatusCount = StatusCount & { inCall?: number };

export interface SipCounts extends MessageCounts {
  responses: SipStatusCount[];
  /** Distinct Call-IDs (dialogs and registrations) among the messages; a lower bound when callsCapped. */
  calls: number;
  /** True when more than MAX_CALL_IDS (1024) Call-IDs were seen: `calls` stopped counting there. */
  callsCapped?: boolean;
}

export function sipCounts(t: SipTally): SipCounts {
  const base = messageCounts(t);
  const responses = base.responses.map((r): SipStatusCount => {
    const inCall = t.inCallRefusals.get(r.code);
    return inCall === undefined ? r : { ...r, inCall };
  });
  const counts: SipCounts = { ...base, responses, calls: t.callIds.size };
  if (t.callIds.size >= MAX_CALL_IDS) counts.callsCapped = true;
  return counts;
}
