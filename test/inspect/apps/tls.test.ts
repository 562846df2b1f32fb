import { describe, expect, it } from 'vitest';
import { MAX_APP_STRING } from '../../../src/inspect/apps/app-common.js';
import { parseTlsHello } from '../../../src/inspect/apps/tls.js';
import { CLIENT_HELLO, CLIENT_HELLO_SNI_END, hex, PSEUDO_TLS_CLIENT, PSEUDO_TLS_SERVER, SERVER_HELLO } from './fixtures.js';

const parse = (b: Buffer) => parseTlsHello(b, 0, b.length);

describe('parseTlsHello', () => {
  it('reads SNI, ALPN and supported_versions from a ClientHello (GREASE left out)', () => {
    expect(parse(CLIENT_HELLO)).toEqual({
      protocol: 'tls', handshake: 'client_hello', recordVersion: 'TLS 1.0', helloVersion: 'TLS 1.2',
      sni: 'sip.contoso.com', alpn: ['h2', 'http/1.1'], offeredVersions: ['TLS 1.3'], truncated: false, anomaly: null,
    });
  });

  it('reads the version selected by a TLS 1.3 ServerHello from supported_versions', () => {
    expect(parse(SERVER_HELLO)).toMatchObject({ protocol: 'tls', handshake: 'server_hello', selectedVersion: 'TLS 1.3', cipherSuite: '0x1301', anomaly: null });
  });

  it('recognises both halves of the MS-TURN pseudo-TLS handshake', () => {
    expect(PSEUDO_TLS_CLIENT.length).toBe(50);
    expect(PSEUDO_TLS_SERVER.length).toBe(83);
    expect(parse(PSEUDO_TLS_CLIENT)).toMatchObject({ protocol: 'ms-turn-pseudo-tls', handshake: 'client_hello', anomaly: null });
    expect(parse(PSEUDO_TLS_SERVER)).toMatchObject({ protocol: 'ms-turn-pseudo-tls', handshake: 'server_hello', cipherSuite: '0x0018', anomaly: null });
  });

  it('does not take a real hello offering 0x0018 among others for pseudo-TLS', () => {
    const b = Buffer.from(PSEUDO_TLS_CLIENT);
    b.writeUInt16BE(0x002f, 45); // suite TLS_RSA_WITH_AES_128_CBC_SHA instead
    expect(parse(b)?.protocol).toBe('tls');
    const s = Buffer.from(PSEUDO_TLS_SERVER);
    s[79] = 0x0b; // certificate instead of server_hello_done
    expect(parse(s)?.protocol).toBe('tls');
  });

  it('returns null for what is not a hello', () => {
    expect(parse(Buffer.alloc(0))).toBeNull();
    expect(parse(hex('17 0303 0010 00'))).toBeNull(); // application data
    expect(parse(hex('16 0303 0010 0b'))).toBeNull(); // certificate
    expect(parse(hex('16 0205 0010 01'))).toBeNull(); // not a TLS version
    expect(parse(Buffer.from('GET / HTTP/1.1\r\n'))).toBeNull();
  });

  it('every prefix: never throws; partial results say truncated; the SNI appears once its bytes are there', () => {
    for (let n = 0; n <= CLIENT_HELLO.length; n++) {
      const r = parseTlsHello(CLIENT_HELLO, 0, n);
      if (n < 6) { expect(r).toBeNull(); continue; }
      expect(r?.protocol).toBe('tls');
      expect(r?.truncated).toBe(n < CLIENT_HELLO.length);
      expect(r?.anomaly).toBe(n < CLIENT_HELLO.length ? 'tls_hello_truncated' : null);
      if (n >= CLIENT_HELLO.length) expect(r?.sni).toBe('sip.contoso.com');
      else if (r?.sni !== undefined) expect(n).toBeGreaterThanOrEqual(CLIENT_HELLO_SNI_END);
    }
    for (const f of [SERVER_HELLO, PSEUDO_TLS_CLIENT, PSEUDO_TLS_SERVER]) {
      const helloEnd = 9 + f.readUIntBE(6, 3); // record + handshake headers + body
      for (let n = 0; n < f.length; n++) {
        const r = parseTlsHello(f, 0, n);
        if (r !== null) expect(r.truncated, `prefix ${n}`).toBe(n < helloEnd);
        if (r !== null) expect(r.protocol, 'a cut pseudo-TLS handshake is not claimed as one').toBe('tls');
      }
    }
  });

  it('lying lengths are malformed, not read past: extension and SNI lengths beyond their containers', () => {
    const ext = Buffer.from(CLIENT_HELLO);
    ext.writeUInt16BE(0x0100, 5 + 4 + 2 + 32 + 1 + 6 + 2 + 2 + 2); // server_name extension claims 256 bytes
    expect(parse(ext)).toMatchObject({ anomaly: 'tls_hello_malformed', truncated: false });
    const list = Buffer.from(CLIENT_HELLO);
    list.writeUInt16BE(0x0ff0, 5 + 4 + 2 + 32 + 1 + 6 + 2 + 2 + 4 + 3); // host_name length 4080
    expect(parse(list)).toMatchObject({ anomaly: 'tls_hello_malformed' });
    expect(parse(list)?.sni).toBeUndefined();
    const sid = Buffer.from(CLIENT_HELLO);
    sid[5 + 4 + 2 + 32] = 33; // session_id<0..32>
    expect(parse(sid)?.anomaly).toBe('tls_hello_malformed');
    const exts = Buffer.from(CLIENT_HELLO);
    exts.writeUInt16BE(0x0040, 5 + 4 + 2 + 32 + 1 + 6); // extensions block longer than the hello
    expect(parse(exts)?.anomaly).toBe('tls_hello_malformed');
  });

  it('zero-length extensions in a row end the loop', () => {
    const n = 2000;
    const exts = Buffer.alloc(n * 4); // each: type 0x00ff, length 0
    for (let i = 0; i < n; i++) exts.writeUInt16BE(0x00ff, i * 4);
    const body = Buffer.concat([hex('0303'), Buffer.alloc(32), hex('00 0002 1301 01 00'), Buffer.from([exts.length >> 8, exts.length & 0xff]), exts]);
    const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
    const rec = Buffer.concat([Buffer.from([0x16, 3, 1, hs.length >> 8, hs.length & 0xff]), hs]);
    expect(parse(rec)).toMatchObject({ protocol: 'tls', anomaly: null, offeredVersions: ['TLS 1.2'] });
  });

  it('bounds a hostile SNI to 256 characters and replaces its control characters', () => {
    const name = Buffer.alloc(1000, 0x41);
    name[0] = 0x1b; // ESC
    name[1] = 0x9b; // CSI in latin1 (C1)
    const sni = Buffer.concat([hex('0000'), Buffer.from([(name.length + 5) >> 8, (name.length + 5) & 0xff, (name.length + 3) >> 8, (name.length + 3) & 0xff, 0, name.length >> 8, name.length & 0xff]), name]);
    const body = Buffer.concat([hex('0303'), Buffer.alloc(32), hex('00 0002 1301 01 00'), Buffer.from([sni.length >> 8, sni.length & 0xff]), sni]);
    const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
    const rec = Buffer.concat([Buffer.from([0x16, 3, 1, hs.length >> 8, hs.length & 0xff]), hs]);
    const r = parse(rec);
    expect(r?.sni?.length).toBe(MAX_APP_STRING);
    expect(r?.sni?.slice(0, 3)).toBe('\ufffd\ufffdA');
  });

  it('reads within [off, end) of a larger buffer', () => {
    const big = Buffer.concat([Buffer.alloc(7, 0xee), CLIENT_HELLO, Buffer.alloc(9, 0xee)]);
    expect(parseTlsHello(big, 7, 7 + CLIENT_HELLO.length)?.sni).toBe('sip.contoso.com');
  });
});

describe('SSL 2.0-compatible ClientHello', () => {
  it('is a client hello offering its version, without SNI; prefixes are truncated, lying lengths malformed', async () => {
    const { SSL2_CLIENT_HELLO } = await import('./fixtures.js');
    expect(SSL2_CLIENT_HELLO.length).toBe(72);
    expect(parse(SSL2_CLIENT_HELLO)).toEqual({ protocol: 'tls', handshake: 'client_hello', recordVersion: 'SSL 2.0 compatible', helloVersion: 'TLS 1.0', offeredVersions: ['TLS 1.0'], truncated: false, anomaly: null });
    for (let n = 11; n < 72; n++) expect(parseTlsHello(SSL2_CLIENT_HELLO, 0, n)?.anomaly).toBe('tls_hello_truncated');
    const lying = Buffer.from(SSL2_CLIENT_HELLO);
    lying[1] = 0x60;
    expect(parse(lying)?.anomaly).toBe('tls_hello_malformed');
    expect(parse(hex('8046 02 0301 002d 0000 0010'))).toBeNull(); // not a CLIENT-HELLO
  });
});
