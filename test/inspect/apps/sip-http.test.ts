import { describe, expect, it } from 'vitest';
import { MAX_APP_STRING } from '../../../src/inspect/apps/app-common.js';
import { parseHttpRequest, parseHttpResponse } from '../../../src/inspect/apps/http.js';
import { parseSip } from '../../../src/inspect/apps/sip.js';
import { HTTP_GET, SIP_INVITE, SIP_RESPONSE } from './fixtures.js';

const sip = (s: string | Buffer) => { const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'); return parseSip(b, 0, b.length); };
const http = (s: string | Buffer) => { const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'); return parseHttpRequest(b, 0, b.length); };

describe('parseSip', () => {
  it('reads a request: method, URI, Call-ID (compact i), From, To, CSeq, User-Agent', () => {
    expect(sip(SIP_INVITE)).toEqual({
      protocol: 'sip', kind: 'request', method: 'INVITE', requestUri: 'sip:bob@contoso.com',
      callId: 'a84b4c76e66710@pc33.fabrikam.com', from: '"Alice" <sip:alice@fabrikam.com>;tag=1928301774',
      to: '<sip:bob@contoso.com>', cseq: '314159 INVITE', userAgent: 'UCCAPI/16.0.4266.1001 OC/16.0.4266.1001',
      truncated: false, anomaly: null,
    });
  });

  it('reads a response: status, reason, compact f/t, Server', () => {
    expect(sip(SIP_RESPONSE)).toMatchObject({ kind: 'response', statusCode: 486, reason: 'Busy Here', from: '<sip:alice@fabrikam.com>;tag=1928301774', to: '<sip:bob@contoso.com>;tag=a6c85cf', server: 'RTCC/6.0.0.0 MediationServer' });
  });

  it('joins folded header lines and accepts "Name : value" and bare LF', () => {
    expect(sip('OPTIONS sip:x SIP/2.0\nCall-ID : abc\n  def\n\n')).toMatchObject({ callId: 'abc def', truncated: false });
  });

  it('is not fooled by HTTP, SIP-looking garbage or keepalives', () => {
    expect(sip(HTTP_GET)).toBeNull();
    expect(sip('\r\n\r\n')).toBeNull();
    expect(sip('SIP/2.0 99 Too Low\r\n\r\n')).toBeNull();
    expect(sip('invite sip:x SIP/2.0\r\n\r\n')).toBeNull();
    expect(sip('INVITE sip:x y SIP/2.0\r\n\r\n')).toBeNull();
    expect(sip('INVITE  SIP/2.0\r\n\r\n')).toBeNull();
  });

  it('every prefix never throws; a cut header section says truncated; a line without colon is malformed', () => {
    for (let n = 0; n <= SIP_INVITE.length; n++) {
      const r = parseSip(SIP_INVITE, 0, n);
      if (r === null) { expect(n).toBeLessThan(SIP_INVITE.indexOf('\n') + 1); continue; }
      expect(r.truncated).toBe(n < SIP_INVITE.length);
      expect(r.method).toBe('INVITE');
    }
    expect(sip('INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nnonsense\r\nTo: b\r\n\r\n')).toMatchObject({ callId: 'a', anomaly: 'sip_message_malformed' });
  });

  it('bounds hostile values to 256 characters', () => {
    const r = sip(`INVITE sip:x SIP/2.0\r\nCall-ID: ${'x'.repeat(5000)}\r\nUser-Agent: a\r\n  ${'y'.repeat(900)}\r\n\r\n`);
    expect(r?.callId?.length).toBe(MAX_APP_STRING);
    expect(r?.userAgent?.length).toBe(MAX_APP_STRING);
  });
});

describe('parseHttpRequest', () => {
  it('reads the request line, Host and User-Agent', () => {
    expect(http(HTTP_GET)).toEqual({ protocol: 'http', method: 'GET', target: '/meet/alice/ABC123', version: 'HTTP/1.1', host: 'meet.contoso.com', userAgent: 'Mozilla/5.0', truncated: false, anomaly: null });
  });

  it('knows CONNECT, MS RPC over HTTP methods and the HTTP/2 preface', () => {
    expect(http('CONNECT edge.contoso.com:443 HTTP/1.1\r\nHost: edge.contoso.com:443\r\n\r\n')).toMatchObject({ method: 'CONNECT', target: 'edge.contoso.com:443' });
    expect(http('RPC_IN_DATA /rpc/rpcproxy.dll HTTP/1.1\r\n\r\n')?.method).toBe('RPC_IN_DATA');
    expect(http('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')).toMatchObject({ method: 'PRI', version: 'HTTP/2.0', truncated: false });
  });

  it('refuses SIP, TLS and text without a version', () => {
    expect(http(SIP_INVITE)).toBeNull();
    expect(http('GET /\r\n\r\n')).toBeNull();
    expect(http(' HTTP/1.1\r\n')).toBeNull();
    expect(http(Buffer.from([0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0]))).toBeNull();
  });

  it('every prefix never throws; a missing blank line says truncated', () => {
    for (let n = 0; n <= HTTP_GET.length; n++) {
      const r = parseHttpRequest(HTTP_GET, 0, n);
      if (r === null) { expect(n).toBeLessThan(HTTP_GET.indexOf('\n') + 1); continue; }
      expect(r.truncated).toBe(n < HTTP_GET.length);
    }
    expect(http('GET / HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n')).toMatchObject({ host: 'a', anomaly: 'http_request_malformed' });
  });

  it('reads a response: version, status, reason and Server (a flow whose request came before the capture)', () => {
    const res = (s: string) => parseHttpResponse(Buffer.from(s), 0, Buffer.byteLength(s));
    expect(res('HTTP/1.1 503 Service Unavailable\r\nServer: Microsoft-IIS/8.5\r\nContent-Length: 0\r\n\r\n'))
      .toEqual({ protocol: 'http', version: 'HTTP/1.1', statusCode: 503, reason: 'Service Unavailable', server: 'Microsoft-IIS/8.5', truncated: false, anomaly: null });
    expect(res('HTTP/1.0 204\r\n\r\n')).toMatchObject({ statusCode: 204, reason: '' });
    expect(res('HTTP/1.1 200 OK\r\nX: y\r\n')).toMatchObject({ truncated: true });
    expect(res('HTTP/1.1 200 OK\r\nno colon\r\n\r\n')).toMatchObject({ anomaly: 'http_response_malformed' });
    for (const bad of ['HTTP/1.1 20 OK\r\n\r\n', 'HTTP/1.1 099 x\r\n\r\n', 'HTTP/1.1 2000\r\n\r\n', 'HTTP/x.1 200 OK\r\n\r\n', 'SIP/2.0 200 OK\r\n\r\n', 'HTTP/1.1 200 OK']) {
      expect(res(bad), bad).toBeNull();
    }
  });
});
