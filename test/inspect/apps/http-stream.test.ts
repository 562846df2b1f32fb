/**
 * Counting every HTTP/1.x message of a flow (apps/http-stream.ts): bodies by
 * Content-Length and by chunks across segments (chunk-size lines split too),
 * responses without a body (HEAD, 1xx, 204, 304), bodies that run to the end
 * of the connection, tunnels and upgrades, pipelining, lost and repeated
 * segments; bounded counts; and seeded mutations that must never throw or
 * count a message where none starts.
 */
import { describe, expect, it } from 'vitest';
import { httpCounts, httpFlowEnded, httpSegment, MAX_HOSTS, newHttpTally, type HttpTally } from '../../../src/inspect/apps/http-stream.js';
import { prng } from '../../helpers/prng.js';

const CRLF = '\r\n';
const request = (method: string, target: string, host = 'meet.contoso.com', headers: string[] = [], body = ''): Buffer =>
  Buffer.from([`${method} ${target} HTTP/1.1`, `Host: ${host}`, ...headers, '', body].join(CRLF));
const response = (status: string, headers: string[] = [], body = ''): Buffer => Buffer.from([`HTTP/1.1 ${status}`, ...headers, '', body].join(CRLF));
const withLength = (status: string, body: string): Buffer => response(status, [`Content-Length: ${body.length}`], body);
/** A chunked body of these chunks, then the last chunk and an empty trailer section (RFC 9112 §7.1). */
const chunked = (status: string, chunks: string[], trailer: string[] = []): Buffer =>
  response(status, ['Transfer-Encoding: gzip, chunked'], chunks.map((c) => `${c.length.toString(16)};ext=1${CRLF}${c}${CRLF}`).join('') + `0${CRLF}${trailer.map((t) => t + CRLF).join('')}${CRLF}`);

/** Feeds `stream` to direction `dir` of `t` cut at `cuts` (offsets), as segments from sequence number `isn`. */
function feed(t: HttpTally, dir: number, stream: Buffer, cuts: number[] = [], isn = 1000, frame = 1): void {
  const bounds = [0, ...cuts, stream.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const seg = stream.subarray(bounds[i], bounds[i + 1]);
    httpSegment(t, dir, (isn + bounds[i]) >>> 0, seg.length, seg, 0, seg.length, frame + i);
  }
}

const summary = (t: HttpTally) => {
  const c = httpCounts(t);
  return { messages: c.messages, requests: c.requests.map((r) => `${r.method} ${r.count}`), responses: c.responses.map((r) => `${r.code} ${r.count}`), unread: c.unreadSegments ?? 0 };
};

describe('HTTP message counts', () => {
  it('skips Content-Length bodies across segments, and counts pipelined requests and their responses', () => {
    const t = newHttpTally();
    const body = 'x'.repeat(3000);
    feed(t, 0, Buffer.concat([request('GET', '/a'), request('GET', '/b', 'dialin.contoso.com'), request('POST', '/c', 'meet.contoso.com', ['Content-Length: 5'], 'hello')]), [20]);
    feed(t, 1, Buffer.concat([withLength('200 OK', body), withLength('404 Not Found', 'no'), response('503 Service Unavailable', ['Content-Length: 0'])]), [100, 1460, 2920], 5000, 10);
    expect(summary(t)).toEqual({ messages: 6, requests: ['GET 2', 'POST 1'], responses: ['200 1', '404 1', '503 1'], unread: 0 });
    const counts = httpCounts(t);
    expect(counts.hosts).toEqual([{ host: 'meet.contoso.com', count: 2 }, { host: 'dialin.contoso.com', count: 1 }]);
    expect(counts.responses.find((r) => r.code === 503)).toMatchObject({ reason: 'Service Unavailable', firstFrame: 13 });
  });

  it('follows a chunked body chunk by chunk, a chunk-size line split across segments included, then its trailer', () => {
    const t = newHttpTally();
    const first = chunked('200 OK', ['a'.repeat(1000), 'b'.repeat(2000), 'c'], ['Expires: never']);
    const stream = Buffer.concat([first, withLength('302 Found', 'moved')]);
    const sizeLine = first.indexOf('7d0;ext'); // the second chunk's size line (2000 = 0x7d0)
    feed(t, 1, stream, [50, sizeLine + 2, sizeLine + 900, first.length - 3]);
    expect(summary(t)).toEqual({ messages: 2, requests: [], responses: ['200 1', '302 1'], unread: 0 });
  });

  it('knows the responses without a body: to HEAD, 1xx, 204 and 304, whatever their Content-Length says', () => {
    const t = newHttpTally();
    feed(t, 0, Buffer.concat([request('HEAD', '/big'), request('GET', '/x'), request('GET', '/y')]));
    feed(t, 1, Buffer.concat([
      response('200 OK', ['Content-Length: 123456']), // HEAD: the length it would have had
      response('100 Continue'), response('204 No Content', ['Content-Length: 9']), response('304 Not Modified', ['Content-Length: 9']),
    ]), [], 7000);
    expect(summary(t)).toEqual({ messages: 7, requests: ['HEAD 1', 'GET 2'], responses: ['100 1', '200 1', '204 1', '304 1'], unread: 0 });
  });

  it('stops reading a direction whose body runs to the end of the connection, and both after CONNECT 2xx or 101', () => {
    const close = newHttpTally();
    feed(close, 1, Buffer.concat([response('200 OK', ['Connection: close'], 'HTTP/1.1 500 looks like a message but is body'), Buffer.from('more')]), [30]);
    expect(summary(close)).toEqual({ messages: 1, requests: [], responses: ['200 1'], unread: 0 });

    const tunnel = newHttpTally();
    const connect = request('CONNECT', 'sip.contoso.com:443');
    feed(tunnel, 0, connect);
    feed(tunnel, 1, Buffer.concat([response('200 Connection established'), Buffer.from('HTTP/1.1 200 inside\r\n\r\n')]), [], 9000);
    feed(tunnel, 0, Buffer.from('GET /inside HTTP/1.1\r\n\r\n'), [], 1000 + connect.length); // through the tunnel
    expect(summary(tunnel)).toEqual({ messages: 2, requests: ['CONNECT 1'], responses: ['200 1'], unread: 0 });

    const ws = newHttpTally();
    feed(ws, 0, request('GET', '/chat', 'x', ['Upgrade: websocket', 'Connection: Upgrade']));
    feed(ws, 1, Buffer.concat([response('101 Switching Protocols'), Buffer.from([0x81, 0x05, 0x48, 0x54, 0x54, 0x50, 0x2f])]), [], 9000);
    expect(summary(ws)).toEqual({ messages: 2, requests: ['GET 1'], responses: ['101 1'], unread: 0 });
  });

  it('counts a retransmission once, picks up again at a message after a lost segment, and counts the segments read nowhere', () => {
    const t = newHttpTally();
    const a = withLength('200 OK', 'x'.repeat(100));
    feed(t, 1, a);
    feed(t, 1, a); // sent again
    const b = withLength('404 Not Found', 'y'.repeat(3000));
    httpSegment(t, 1, 1000 + a.length + 40, 500, b.subarray(40, 540), 0, 500, 3); // its start was lost
    const c = response('500 Internal Server Error', ['Content-Length: 0']);
    httpSegment(t, 1, 1000 + a.length + b.length, c.length, c, 0, c.length, 4); // a message again
    expect(summary(t)).toEqual({ messages: 2, requests: [], responses: ['200 1', '500 1'], unread: 1 });
  });

  it('does not believe a broken or conflicting Content-Length, nor a broken chunk size: the position is lost, not guessed', () => {
    const conflict = newHttpTally();
    feed(conflict, 1, Buffer.concat([response('200 OK', ['Content-Length: 5', 'Content-Length: 6'], 'abcde'), withLength('200 OK', '')]));
    expect(summary(conflict).messages).toBe(1);
    const badChunk = newHttpTally();
    feed(badChunk, 1, Buffer.concat([response('200 OK', ['Transfer-Encoding: chunked'], 'zz\r\nabc\r\n0\r\n\r\n'), withLength('204 No Content', '')]));
    expect(summary(badChunk).messages).toBe(1);
    const huge = newHttpTally();
    feed(huge, 1, Buffer.concat([response('200 OK', ['Content-Length: 99999999999'], ''), withLength('200 OK', '')]));
    expect(summary(huge).messages).toBe(1);
  });

  it('holds a start line or header section split across segments, and counts a held one whose rest never came', () => {
    const t = newHttpTally();
    const stream = Buffer.concat([request('GET', '/' + 'q'.repeat(1900)), request('GET', '/2')]);
    feed(t, 0, stream, [700, 1400, 1930]);
    expect(summary(t)).toEqual({ messages: 2, requests: ['GET 2'], responses: [], unread: 0 });
    const ended = newHttpTally();
    feed(ended, 1, Buffer.from('HTTP/1.1 502 Bad Gateway\r\nServer: x\r\n'));
    httpFlowEnded(ended);
    expect(summary(ended)).toEqual({ messages: 1, requests: [], responses: ['502 1'], unread: 0 });
  });

  it('after a loss, believes only a known method: bytes starting inside a request line are no request (helper-32)', () => {
    const t = newHttpTally();
    const a = request('GET', '/a');
    const b = request('GET', '/b');
    feed(t, 0, a);
    const tail = b.subarray(2); // "T /b HTTP/1.1...": the segment holding "GE" was lost
    httpSegment(t, 0, 1000 + a.length + 2, tail.length, tail, 0, tail.length, 5);
    const c = request('PROPFIND', '/c');
    httpSegment(t, 0, 1000 + a.length + b.length, c.length, c, 0, c.length, 6); // a known method: counting resumes
    expect(summary(t)).toEqual({ messages: 2, requests: ['GET 1', 'PROPFIND 1'], responses: [], unread: 1 });
    // At a stream's start any method is taken (the app parser recognised it).
    const custom = newHttpTally();
    feed(custom, 0, request('BPROPFIND', '/x'));
    expect(summary(custom).requests).toEqual(['BPROPFIND 1']);
  });

  it('takes bare-LF chunked bodies and a Content-Length list of one value (RFC 9112 §6.3), split anywhere (helper-32)', () => {
    const bare = Buffer.from('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\nHTTP/1.1 404 NF\nContent-Length: 2, 2\n\nnoHTTP/1.1 204 No Content\n\n');
    for (let cut = 1; cut < bare.length; cut++) {
      const t = newHttpTally();
      feed(t, 1, bare, [cut]);
      expect(summary(t), `cut at ${cut}`).toEqual({ messages: 3, requests: [], responses: ['200 1', '204 1', '404 1'], unread: 0 });
    }
    const crlf = newHttpTally();
    feed(crlf, 1, Buffer.concat([chunked('200 OK', ['abc']), withLength('204 No Content', '')]), [chunked('200 OK', ['abc']).indexOf('abc') + 4]); // between CR and LF
    expect(summary(crlf).messages).toBe(2);
  });

  it('names at most MAX_HOSTS hosts and counts the rest', () => {
    const t = newHttpTally();
    feed(t, 0, Buffer.concat(Array.from({ length: MAX_HOSTS + 4 }, (_, i) => request('GET', '/', `h${i}.contoso.com`))));
    const counts = httpCounts(t);
    expect(counts.hosts).toHaveLength(MAX_HOSTS);
    expect(counts.otherHosts).toBe(4);
  });

  it('never throws or counts a message where none starts, under 20,000 seeded mutations of segmented streams', () => {
    const rnd = prng(0x477e_5eed);
    const base = Buffer.concat([withLength('200 OK', 'x'.repeat(120)), chunked('200 OK', ['ab', 'cdef']), response('304 Not Modified'), withLength('404 Not Found', 'no')]);
    let counted = 0;
    for (let round = 0; round < 20_000; round++) {
      const b = Buffer.from(base);
      for (let i = 0, n = 1 + Math.floor(rnd() * 6); i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cuts = [...new Set(Array.from({ length: Math.floor(rnd() * 5) }, () => 1 + Math.floor(rnd() * (b.length - 1))))].sort((x, y) => x - y);
      const t = newHttpTally();
      feed(t, 1, b, cuts);
      httpFlowEnded(t);
      const c = httpCounts(t);
      // Every message counted starts with a status line: at most one per "HTTP/d.d " in the mutated bytes.
      const starts = (b.toString('latin1').match(/HTTP\/\d\.\d /g) ?? []).length;
      expect(c.messages).toBeLessThanOrEqual(starts);
      for (const r of c.responses) expect(r.reason.length).toBeLessThanOrEqual(256);
      counted += c.messages;
    }
    expect(counted).toBeGreaterThan(20_000); // most mutations leave most messages readable
  });
});
