/**
 * Plaintext SIP over UDP or TCP (RFC 3261 §7): the start line, then Call-ID,
 * From, To, CSeq, User-Agent and Server. Compact header names (RFC 3261
 * §7.3.3: i, f, t) are understood. Values are bounded copies, never parsed
 * further: a From header is evidence of who called, not an address to trust.
 *
 *    Request-Line = Method SP Request-URI SP SIP-Version CRLF      (§7.1)
 *    Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF (§7.2)
 *
 * Lync/SfB sign in with SIP over TLS (5061), so plaintext SIP on an edge is
 * itself a finding for the classifier; here it is only recognised.
 */
import { clip, type AppAnomaly } from './app-common.js';
import { field, lineEnd, readTextMessage, startsWith } from './text-message.js';

export const SIP_VERSION = 'SIP/2.0'; // RFC 3261 §7.1
const MAX_METHOD = 32;
const SP = 0x20;
const CR = 0x0d;

export interface SipMessage {
  protocol: 'sip';
  kind: 'request' | 'response';
  /** Request method ("INVITE", "REGISTER"...). */
  method?: string;
  /** Request-URI, at most 256 characters. */
  requestUri?: string;
  /** Response status code and reason phrase. */
  statusCode?: number;
  reason?: string;
  callId?: string;
  from?: string;
  to?: string;
  cseq?: string;
  userAgent?: string;
  server?: string;
  /** The header section did not end in this packet (segment or snaplen cut); later headers are missing. */
  truncated: boolean;
  anomaly: AppAnomaly | null;
}

/**
 * Where the SIP start line at buf[off, end) ends (the index of its LF), or -1 when the bytes do not
 * start with one: a Status-Line with a code of 1xx-6xx, or a Request-Line of an upper-case method,
 * a Request-URI without spaces and "SIP/2.0". Allocates nothing: sip-stream.ts runs it on every
 * payload of a SIP flow, and an inspection worker's main thread on the first payloads of TCP flows.
 */
export function sipStartLineEnd(buf: Buffer, off: number, end: number): number {
  // A request's method and "SIP/2.0" both start with A-Z: most payloads are refused here.
  if (off >= end || buf[off] < 0x41 || buf[off] > 0x5a) return -1;
  const lf = lineEnd(buf, off, end);
  if (lf < 0) return -1;
  const e = lf > off && buf[lf - 1] === CR ? lf - 1 : lf;
  if (startsWith(buf, off, e, SIP_VERSION + ' ')) return statusCodeAt(buf, off, e) >= 0 ? lf : -1;
  let m = off;
  while (m < e && m - off <= MAX_METHOD && buf[m] >= 0x41 && buf[m] <= 0x5a) m++; // A-Z
  if (m === off || m - off > MAX_METHOD || buf[m] !== SP) return -1;
  if (e - (m + 1) < SIP_VERSION.length + 2 || !startsWith(buf, e - SIP_VERSION.length - 1, e, ' ' + SIP_VERSION)) return -1;
  const uriEnd = e - SIP_VERSION.length - 1;
  if (uriEnd <= m + 1) return -1;
  for (let i = m + 1; i < uriEnd; i++) if (buf[i] === SP) return -1; // the Request-URI has no spaces
  return lf;
}

/** The status code of the Status-Line buf[s, e) (which starts with "SIP/2.0 "), or -1 when it has none of 100-699 (RFC 3261 §21). */
export function statusCodeAt(buf: Buffer, s: number, e: number): number {
  const c = s + SIP_VERSION.length + 1;
  if (e - c < 3 || !isDigit(buf[c]) || !isDigit(buf[c + 1]) || !isDigit(buf[c + 2]) || (e > c + 3 && buf[c + 3] !== SP)) return -1;
  const code = (buf[c] - 48) * 100 + (buf[c + 1] - 48) * 10 + (buf[c + 2] - 48);
  return code >= 100 && code <= 699 ? code : -1;
}

/** Bytes of the method of the Request-Line at `s`. */
export function methodLength(buf: Buffer, s: number): number {
  let m = s;
  while (buf[m] >= 0x41 && buf[m] <= 0x5a) m++;
  return m - s;
}

/** A SIP request or response at the start of buf[off, end), or null when it is not SIP. Never throws. */
export function parseSip(buf: Buffer, off: number, end: number): SipMessage | null {
  if (sipStartLineEnd(buf, off, end) < 0) return null;
  const msg = readTextMessage(buf, off, end)!; // non-null: the start line has its line end
  const s = msg.startLineStart;
  const e = msg.startLineEnd;
  let sip: SipMessage;
  if (startsWith(buf, s, e, SIP_VERSION + ' ')) {
    const c = s + SIP_VERSION.length + 1;
    sip = { protocol: 'sip', kind: 'response', statusCode: statusCodeAt(buf, s, e), reason: clip(buf, Math.min(c + 4, e), e), truncated: false, anomaly: null };
  } else {
    const m = s + methodLength(buf, s);
    const uriEnd = e - SIP_VERSION.length - 1;
    sip = { protocol: 'sip', kind: 'request', method: clip(buf, s, m), requestUri: clip(buf, m + 1, uriEnd), truncated: false, anomaly: null };
  }
  const callId = field(msg, 'call-id', 'i');
  const from = field(msg, 'from', 'f');
  const to = field(msg, 'to', 't');
  const cseq = field(msg, 'cseq');
  const userAgent = field(msg, 'user-agent');
  const server = field(msg, 'server');
  if (callId !== undefined) sip.callId = callId;
  if (from !== undefined) sip.from = from;
  if (to !== undefined) sip.to = to;
  if (cseq !== undefined) sip.cseq = cseq;
  if (userAgent !== undefined) sip.userAgent = userAgent;
  if (server !== undefined) sip.server = server;
  if (msg.malformed) sip.anomaly = 'sip_message_malformed';
  else if (!msg.complete) sip.truncated = true;
  return sip;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}
