/**
 * HTTP/1.x request line and Host (RFC 9112 §3, RFC 9110 §7.2), plus
 * User-Agent: enough to tell a web client from TLS or SIP on a port, and to
 * name the host it asked for. The HTTP/2 connection preface ("PRI *
 * HTTP/2.0", RFC 9113 §3.4) is recognised as a request line too.
 *
 *    request-line = method SP request-target SP HTTP-version CRLF
 */
import { clip, type AppAnomaly } from './app-common.js';
import { httpStartLine } from './http-stream.js';
import { field, readTextMessage, startsWith } from './text-message.js';

const MAX_METHOD = 32;
const SP = 0x20;
const HTTP_VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0']; // RFC 9112 §2.3; RFC 9113 §3.4 preface

export interface HttpRequest {
  protocol: 'http';
  /** Request method ("GET", "CONNECT", "RPC_IN_DATA"...). */
  method: string;
  /** Request target (path, authority for CONNECT), at most 256 characters. */
  target: string;
  /** "HTTP/1.1", "HTTP/1.0" or "HTTP/2.0" (the HTTP/2 preface). */
  version: string;
  host?: string;
  userAgent?: string;
  /** The header section did not end in this packet; later headers are missing. */
  truncated: boolean;
  anomaly: AppAnomaly | null;
}

/** An HTTP request at the start of buf[off, end), or null when it is not one. Never throws. */
export function parseHttpRequest(buf: Buffer, off: number, end: number): HttpRequest | null {
  // The method is the first thing: most payloads (TLS records, media) are refused here, before any string is made.
  if (off >= end || !isMethodChar(buf[off])) return null;
  const msg = readTextMessage(buf, off, end);
  if (msg === null) return null;
  const s = msg.startLineStart;
  const e = msg.startLineEnd;
  let m = s;
  // RFC 9110 §9.1 methods are tokens; real ones are upper-case letters, '_' or '-'.
  while (m < e && m - s <= MAX_METHOD && isMethodChar(buf[m])) m++;
  if (m === s || m - s > MAX_METHOD || buf[m] !== SP) return null;
  let version: string | undefined;
  for (const v of HTTP_VERSIONS) {
    if (e - v.length - 1 > m && startsWith(buf, e - v.length - 1, e, ' ' + v)) { version = v; break; }
  }
  if (version === undefined) return null;
  const targetEnd = e - version.length - 1;
  if (targetEnd <= m + 1) return null;
  for (let i = m + 1; i < targetEnd; i++) if (buf[i] === SP) return null;
  const req: HttpRequest = { protocol: 'http', method: clip(buf, s, m), target: clip(buf, m + 1, targetEnd), version, truncated: false, anomaly: null };
  const host = field(msg, 'host');
  const userAgent = field(msg, 'user-agent');
  if (host !== undefined) req.host = host;
  if (userAgent !== undefined) req.userAgent = userAgent;
  if (msg.malformed) req.anomaly = 'http_request_malformed';
  else if (!msg.complete && version !== 'HTTP/2.0') req.truncated = true;
  return req;
}

/** A character of a method token as real methods spell them: A-Z, '_' or '-'. */
function isMethodChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d;
}

export interface HttpResponse {
  protocol: 'http';
  /** "HTTP/1.1" or "HTTP/1.0". */
  version: string;
  statusCode: number;
  /** Reason phrase as sent, at most 256 characters. */
  reason: string;
  server?: string;
  truncated: boolean;
  anomaly: AppAnomaly | null;
}

/**
 * An HTTP/1.x response at the start of buf[off, end) (RFC 9112 §4), or null: the answer side of a
 * flow, and all there is of one whose request came before the capture began. Never throws.
 */
export function parseHttpResponse(buf: Buffer, off: number, end: number): HttpResponse | null {
  if (end - off < 12 || !startsWith(buf, off, end, 'HTTP/')) return null;
  const msg = readTextMessage(buf, off, end);
  if (msg === null) return null;
  const code = httpStartLine(buf, msg.startLineStart, msg.startLineEnd);
  if (code < 100) return null;
  const s = msg.startLineStart;
  const res: HttpResponse = { protocol: 'http', version: clip(buf, s, s + 8), statusCode: code, reason: clip(buf, Math.min(s + 13, msg.startLineEnd), msg.startLineEnd), truncated: false, anomaly: null };
  const server = field(msg, 'server');
  if (server !== undefined) res.server = server;
  if (msg.malformed) res.anomaly = 'http_response_malformed';
  else if (!msg.complete) res.truncated = true;
  return res;
}
