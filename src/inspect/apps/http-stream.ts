/**
 * Every HTTP/1.x message of a plaintext HTTP flow, counted: requests by
 * method, responses by status code (with the first frame and reason phrase of
 * each), and the Host names asked for. http.ts reads the first request for
 * the flow's `apps` entry; this is what shows a reverse proxy answering 503,
 * or web services refusing with 401 and 404, further into the connection
 * (Lync/SfB external web services reach the front ends as plaintext HTTP on
 * 8080 behind the proxy).
 *
 * message-stream.ts follows the messages across TCP segments; this reads
 * them and their body framing (RFC 9112 §6.3), so that bodies are skipped by
 * count:
 * - no body: a request without Content-Length or Transfer-Encoding; a
 *   response to HEAD, 1xx, 204 and 304;
 * - Content-Length;
 * - chunked transfer coding (RFC 9112 §7.1): each chunk-size line is read and
 *   its data skipped, then the trailer section;
 * - any other response body runs to the end of the connection: nothing more
 *   is read in that direction;
 * - CONNECT answered 2xx, 101 Switching Protocols (WebSocket) and the HTTP/2
 *   preface turn the connection into something else: nothing more is read.
 * Responses are paired with the requests in order (pipelining keeps it),
 * for HEAD and CONNECT.
 */
import { clip } from './app-common.js';
import {
  countRequest, countResponse, decimal, headerFields, messageCounts, messageFlowEnded, named, newMessageTally, skipCrlf, tcpSegment, Unread,
  type MessageCounts, type MessageTally, type UnitReader,
} from './message-stream.js';
import { lineEnd, MAX_LINE, startsWith } from './text-message.js';

/** Distinct Host values named per flow; requests for further hosts count in otherHosts. */
export const MAX_HOSTS = 16;
/** Requests remembered while they wait for their response (pipelining); past it, responses are taken as answering GET. */
export const MAX_PENDING = 64;
/** A Content-Length or chunk size beyond this is not believed (the TCP position arithmetic is 32-bit): the position is lost instead. */
export const MAX_HTTP_BODY = 2 ** 30;
const MAX_METHOD = 32;
const HTTP_NAME = 'HTTP/';
/** "HTTP/1.1 200 " */
const STATUS_PREFIX = 'HTTP/1.1 200 '.length;
const H2_PREFACE = 'PRI * HTTP/2.0';
/**
 * Methods believed where counting resumes after a loss: RFC 9110 §9, PATCH (RFC 5789), WebDAV
 * (RFC 4918), and RPC over HTTP (Exchange and Lync/SfB clients' RPC_IN_DATA, RPC_OUT_DATA).
 */
const KNOWN_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH',
  'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'RPC_IN_DATA', 'RPC_OUT_DATA'];
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;

/** What starts at a direction's next position. */
const Next = { Message: 0, ChunkSize: 1, ChunkDataEnd: 2, Trailer: 3 } as const;
/** A request still waiting for its response: what it means for the response's framing. */
const Pending = { Other: 0, Head: 1, Connect: 2 } as const;

/** The HTTP messages of one flow. Plain data: an inspection worker sends it by structured cloning. */
export interface HttpTally extends MessageTally {
  /** Host header values of the requests, in first-seen order, with counts (at most MAX_HOSTS). */
  hosts: Map<string, number>;
  /** Requests for hosts past the first MAX_HOSTS. */
  otherHosts: number;
  /** Per direction, what starts at its next position (Next). */
  next: [number, number];
  /** Per direction, nothing more to read: a tunnel, another protocol, or a body running to the end of the connection. */
  done: [boolean, boolean];
  /** Requests not answered yet, oldest first (Pending), at most MAX_PENDING. */
  pending: number[];
}

export function newHttpTally(): HttpTally {
  return { ...newMessageTally(), hosts: new Map(), otherHosts: 0, next: [Next.Message, Next.Message], done: [false, false], pending: [] };
}

/** A TCP segment of direction `dir` of an HTTP flow (see message-stream.ts tcpSegment). */
export function httpSegment(t: HttpTally, dir: number, seq: number, wireLen: number, buf: Buffer, off: number, end: number, frame: number): void {
  tcpSegment(t, HTTP_READER, dir, seq, wireLen, buf, off, end, frame);
}

/** The end of an HTTP flow (or of the capture): a message still held is counted as far as it came. */
export function httpFlowEnded(t: HttpTally): void {
  messageFlowEnded(t, HTTP_READER);
}

const HTTP_READER: UnitReader<HttpTally> = {
  unit(t, dir, buf, p, end, frame, force) {
    switch (t.next[dir]) {
      case Next.ChunkSize:
        return chunk(t, dir, buf, p, end, force);
      case Next.ChunkDataEnd: {
        // The line end after a chunk's data: CRLF, or a bare LF (lenient, as for every line here).
        const after = buf[p] === LF ? p + 1 : buf[p] !== CR ? Unread.Bad : p + 1 >= end ? (force ? Unread.Bad : Unread.Incomplete) : buf[p + 1] === LF ? p + 2 : Unread.Bad;
        if (after >= 0) t.next[dir] = Next.ChunkSize;
        return after;
      }
      case Next.Trailer: {
        const after = headerFields(buf, p, end, () => true);
        if (after === Unread.Incomplete) return force ? Unread.Bad : after;
        if (after >= 0) t.next[dir] = Next.Message;
        return after;
      }
      default:
        return message(t, dir, buf, p, end, frame, force);
    }
  },
  startsMessage(_t, _dir, buf, off, end, first) {
    const p = skipCrlf(buf, off, end);
    if (p === end) return true;
    // After a loss the bytes may start inside a request line ("T /b HTTP/1.1" of "GET /b..."): only
    // a method of RFC 9110 and its extensions in use is believed then, any method at a stream's start.
    if (!first && !startsWith(buf, p, end, HTTP_NAME) && !knownMethodAt(buf, p, end)) return false;
    const lf = lineEnd(buf, p, end);
    return lf >= 0 ? httpStartLine(buf, p, lineEndTrimmed(buf, p, lf)) !== NONE : startLinePrefix(buf, p, end);
  },
  lost(t, dir) {
    t.next[dir] = Next.Message;
  },
  done: (t, dir) => t.done[dir],
};

/** The start line at buf[p] and its header section: counted, and the offset after its body (or an Unread code). */
function message(t: HttpTally, dir: number, buf: Buffer, p: number, end: number, frame: number, force: boolean): number {
  p = skipCrlf(buf, p, end); // RFC 9112 §2.2: empty lines before a request line are ignored
  if (p >= end) return p;
  const lf = lineEnd(buf, p, end);
  if (lf < 0) return !force && end - p < MAX_LINE && startLinePrefix(buf, p, end) ? Unread.Incomplete : Unread.Bad;
  const e = lineEndTrimmed(buf, p, lf);
  const kind = httpStartLine(buf, p, e);
  if (kind === NONE) return Unread.Bad;
  if (kind === H2) {
    // The HTTP/2 connection preface (RFC 9113 §3.4): binary frames follow, in both directions.
    countRequest(t, 'PRI');
    t.done[0] = t.done[1] = true;
    return lf + 1;
  }
  let length = -1;
  let chunked = false;
  let coded = false;
  let host: string | undefined;
  const request = kind < 0;
  const headersEnd = headerFields(buf, lf + 1, end, (ns, ne, vs, ve) => {
    if (named(buf, ns, ne, 'content-length')) {
      const n = contentLength(buf, vs, ve);
      if (n < 0 || (length >= 0 && n !== length)) return false; // RFC 9112 §6.3: invalid or conflicting lengths
      length = n;
    } else if (named(buf, ns, ne, 'transfer-encoding')) {
      coded = true;
      chunked = lastCodingIsChunked(buf, vs, ve);
    } else if (request && host === undefined && named(buf, ns, ne, 'host')) {
      host = clip(buf, vs, ve);
    }
    return true;
  });
  if (headersEnd === Unread.Incomplete && !force) return headersEnd;
  let answering: number = Pending.Other;
  if (request) {
    const method = clip(buf, p, p - kind);
    countRequest(t, method);
    if (host !== undefined) countHost(t, host);
    if (t.pending.length < MAX_PENDING) t.pending.push(method === 'HEAD' ? Pending.Head : method === 'CONNECT' ? Pending.Connect : Pending.Other);
  } else {
    countResponse(t, kind, frame, buf, p + STATUS_PREFIX, e);
    if (kind >= 200 && t.pending.length > 0) answering = t.pending.shift()!; // 1xx are interim: the final response follows
  }
  if (headersEnd < 0) return Unread.Bad;
  if (!request) {
    if (kind === 101 || (answering === Pending.Connect && kind >= 200 && kind < 300)) {
      t.done[0] = t.done[1] = true; // a tunnel or another protocol from here on
      return headersEnd;
    }
    if (answering === Pending.Head || kind < 200 || kind === 204 || kind === 304) return headersEnd;
  }
  if (coded) {
    if (chunked) {
      t.next[dir] = Next.ChunkSize;
      return headersEnd;
    }
    if (request) return Unread.Bad; // RFC 9112 §6.3: a request with another final coding has no readable length
    t.done[dir] = true;
    return headersEnd;
  }
  if (length >= 0) return headersEnd + length;
  if (!request) t.done[dir] = true; // the body runs to the end of the connection
  return headersEnd;
}

/** A chunk-size line at buf[p] (RFC 9112 §7.1): the offset after its data and CRLF, or after the line for the last chunk. */
function chunk(t: HttpTally, dir: number, buf: Buffer, p: number, end: number, force: boolean): number {
  const lf = lineEnd(buf, p, end);
  if (lf < 0) return !force && end - p < MAX_LINE ? Unread.Incomplete : Unread.Bad;
  let size = 0;
  let i = p;
  for (; i < lf; i++) {
    const d = hexDigit(buf[i]);
    if (d < 0) break;
    size = size * 16 + d;
    if (size > MAX_HTTP_BODY) return Unread.Bad;
  }
  // Digits, then optional whitespace and chunk extensions (";name=value"), then the line end.
  if (i === p || (i < lf && buf[i] !== 0x3b && buf[i] !== SP && buf[i] !== 0x09 && buf[i] !== CR)) return Unread.Bad;
  t.next[dir] = size === 0 ? Next.Trailer : Next.ChunkDataEnd;
  return lf + 1 + size;
}

/** A Content-Length value: a number, or a list of the same number (RFC 9112 §6.3: "42, 42"); -1 otherwise or past MAX_HTTP_BODY. */
function contentLength(buf: Buffer, s: number, e: number): number {
  let value = -1;
  for (let p = s; p <= e;) {
    let c = p;
    while (c < e && buf[c] !== 0x2c) c++;
    let a = p;
    let b = c;
    while (a < b && (buf[a] === SP || buf[a] === 0x09)) a++;
    while (b > a && (buf[b - 1] === SP || buf[b - 1] === 0x09)) b--;
    const n = decimal(buf, a, b, MAX_HTTP_BODY);
    if (n < 0 || (value >= 0 && n !== value)) return -1;
    value = n;
    p = c + 1;
  }
  return value;
}

/** Whether buf[p, end) starts with a method of KNOWN_METHODS followed by a space (or the end of the bytes, inside it). */
function knownMethodAt(buf: Buffer, p: number, end: number): boolean {
  let m = p;
  while (m < end && isMethodChar(buf[m])) m++;
  if (m === p || m - p > MAX_METHOD) return false;
  const token = buf.toString('latin1', p, m);
  return m === end ? KNOWN_METHODS.some((k) => k.startsWith(token)) : buf[m] === SP && KNOWN_METHODS.includes(token);
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** Whether the Transfer-Encoding value buf[s, e) ends with the chunked coding (RFC 9112 §6.1: it must be the last). */
function lastCodingIsChunked(buf: Buffer, s: number, e: number): boolean {
  let c = e;
  while (c > s && buf[c - 1] !== 0x2c) c--; // after the last comma
  while (c < e && (buf[c] === SP || buf[c] === 0x09)) c++;
  return named(buf, c, e, 'chunked');
}

function countHost(t: HttpTally, host: string): void {
  const n = t.hosts.get(host);
  if (n !== undefined) t.hosts.set(host, n + 1);
  else if (t.hosts.size < MAX_HOSTS) t.hosts.set(host, 1);
  else t.otherHosts++;
}

/** The end of the line whose LF is at `lf`, without its CR. */
function lineEndTrimmed(buf: Buffer, p: number, lf: number): number {
  return lf > p && buf[lf - 1] === CR ? lf - 1 : lf;
}

const NONE = 0;
const H2 = 1;

/**
 * What the start line buf[s, e) is: a status code (100-999) for a status line ("HTTP/1.1 200 OK",
 * RFC 9112 §4), minus the method's length for a request line ("GET /x HTTP/1.1", §3), H2 for the
 * HTTP/2 preface's first line, or NONE.
 */
export function httpStartLine(buf: Buffer, s: number, e: number): number {
  if (startsWith(buf, s, e, HTTP_NAME)) {
    // HTTP-version SP 3DIGIT [SP reason-phrase]
    if (e - s < 12 || !isDigit(buf[s + 5]) || buf[s + 6] !== 0x2e || !isDigit(buf[s + 7]) || buf[s + 8] !== SP) return NONE;
    if (!isDigit(buf[s + 9]) || !isDigit(buf[s + 10]) || !isDigit(buf[s + 11]) || (e > s + 12 && buf[s + 12] !== SP)) return NONE;
    const code = (buf[s + 9] - 0x30) * 100 + (buf[s + 10] - 0x30) * 10 + (buf[s + 11] - 0x30);
    return code >= 100 ? code : NONE;
  }
  if (e - s === H2_PREFACE.length && startsWith(buf, s, e, H2_PREFACE)) return H2;
  let m = s;
  while (m < e && m - s <= MAX_METHOD && isMethodChar(buf[m])) m++;
  if (m === s || m - s > MAX_METHOD || buf[m] !== SP) return NONE;
  // method SP request-target SP HTTP-version: one more space, then "HTTP/d.d" to the end.
  const v = e - 8;
  if (v <= m + 2 || buf[v - 1] !== SP || !startsWith(buf, v, e, HTTP_NAME) || !isDigit(buf[v + 5]) || buf[v + 6] !== 0x2e || !isDigit(buf[v + 7])) return NONE;
  for (let i = m + 1; i < v - 1; i++) if (buf[i] === SP) return NONE;
  return -(m - s);
}

/**
 * Whether buf[p, end), which holds no whole line, may be the beginning of a start line: "HTTP/" so
 * far, or a method (A-Z, '_', '-') and what follows it so far. Checked again once the line is whole.
 */
function startLinePrefix(buf: Buffer, p: number, end: number): boolean {
  for (let i = p; i < end; i++) if (buf[i] === LF || (buf[i] === CR && i + 1 < end)) return false;
  let m = p;
  while (m < end && m - p < HTTP_NAME.length && buf[m] === HTTP_NAME.charCodeAt(m - p)) m++;
  if (m === end || m - p === HTTP_NAME.length) return true;
  m = p;
  while (m < end && isMethodChar(buf[m])) m++;
  return m > p && m - p <= MAX_METHOD && (m === end || buf[m] === SP);
}

/** The first line of an HTTP message whole at buf[off]: the offset of its LF, or -1 (for the worker's main thread, worker-inspection.ts). */
export function httpStartLineEnd(buf: Buffer, off: number, end: number): number {
  const lf = lineEnd(buf, off, end);
  return lf >= 0 && httpStartLine(buf, off, lineEndTrimmed(buf, off, lf)) !== NONE ? lf : -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A character of a method token as real methods spell them: A-Z, '_' or '-' (as http.ts). */
function isMethodChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d;
}

/** What an HTTP flow's `apps` entry says of all its messages (added to the first request's fields, apps/http.ts). */
export interface HttpCounts extends MessageCounts {
  /** Host values of the requests, in first-seen order, with counts (at most 16; each at most 256 characters, copied from the packet: data, not trusted). */
  hosts: { host: string; count: number }[];
  /** Requests for hosts past the first 16; present when not 0. */
  otherHosts?: number;
}

export function httpCounts(t: HttpTally): HttpCounts {
  const counts: HttpCounts = { ...messageCounts(t), hosts: [...t.hosts].map(([host, count]) => ({ host, count })) };
  if (t.otherHosts > 0) counts.otherHosts = t.otherHosts;
  return counts;
}
