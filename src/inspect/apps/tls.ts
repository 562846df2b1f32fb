/**
 * TLS ClientHello and ServerHello (RFC 8446 §4.1.2, §4.1.3; RFC 5246 §7.4.1),
 * and the MS-TURN pseudo-TLS handshake of the Lync/SfB A/V Edge on TCP 443.
 *
 * Record (RFC 8446 §5.1) and handshake header (§4):
 *
 *    +--------+--------+--------+--------+--------+
 *    |  type  |  legacy_version |      length     |   type 22 = handshake
 *    +--------+--------+--------+--------+--------+
 *    | msg_type |          length (24 bits)        |   1 = client_hello, 2 = server_hello
 *    +----------+----------------------------------+
 *
 * ClientHello body: legacy_version(2) random(32) session_id<0..32>
 * [cookie<0..255>, DTLS only] cipher_suites<2..2^16-2>
 * compression_methods<1..255> extensions<0..2^16-1>.
 * ServerHello body: legacy_version(2) random(32) session_id<0..32>
 * cipher_suite(2) compression_method(1) extensions<0..2^16-1> (optional
 * before TLS 1.2).
 *
 * Extensions read: server_name (0, RFC 6066 §3), ALPN (16, RFC 7301 §3.1),
 * supported_versions (43, RFC 8446 §4.2.1), encrypted_client_hello (0xfe0d,
 * draft-ietf-tls-esni: its presence).
 *
 * SSL 2.0-compatible ClientHello (RFC 5246 Appendix E.2), still sent by old
 * stacks and by fake-TLS tunnels (libnice/Google pseudo-SSL, legacy Skype):
 *
 *    msg_length(2, high bit set) msg_type(1)=1 version(2) cipher_spec_length(2)
 *    session_id_length(2) challenge_length(2) cipher_specs(3 each) ...
 *
 * It has no extensions, hence no SNI.
 *
 * MS-TURN pseudo-TLS ([MS-TURN], libnice pseudossl.c "MSOC"): the client's
 * fake ClientHello is record version 0x0301, an empty session id, exactly one
 * cipher suite 0x0018 (TLS_DH_anon_WITH_RC4_128_MD5), compression [0] and no
 * extensions (50 bytes); the server's fake answer is a ServerHello selecting
 * 0x0018 followed, in the same record, by an empty ServerHelloDone (83 bytes).
 * No real TLS client offers only an anonymous RC4 suite.
 */
import { clip, isGrease, MAX_APP_LIST, u16, u24, versionName, type AppAnomaly } from './app-common.js';

export const TLS_CONTENT_HANDSHAKE = 22; // RFC 8446 §5.1
export const TLS_CLIENT_HELLO = 1; // RFC 8446 §4
export const TLS_SERVER_HELLO = 2; // RFC 8446 §4
export const TLS_SERVER_HELLO_DONE = 14; // RFC 5246 §7.4
export const TLS_RECORD_HEADER = 5; // RFC 8446 §5.1
export const TLS_HANDSHAKE_HEADER = 4; // RFC 8446 §4
export const TLS_MAX_RECORD = 16384 + 2048; // RFC 5246 §6.2.3: ciphertext at most 2^14 + 2048
export const EXT_SERVER_NAME = 0; // RFC 6066 §3
export const EXT_ALPN = 16; // RFC 7301 §3.1
export const EXT_SUPPORTED_VERSIONS = 43; // RFC 8446 §4.2.1
export const EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d; // draft-ietf-tls-esni-22 §5, encrypted_client_hello
const ECH_OUTER = 0; // draft-ietf-tls-esni-22 §5: ECHClientHelloType outer
export const SNI_HOST_NAME = 0; // RFC 6066 §3
export const MS_TURN_PSEUDO_TLS_SUITE = 0x0018; // RFC 5246 A.5 TLS_DH_anon_WITH_RC4_128_MD5, the suite of [MS-TURN]'s fake handshake
const RANDOM_BYTES = 32; // RFC 8446 §4.1.2
const SSL2_HELLO_HEADER = 11; // RFC 5246 E.2: length(2) type(1) version(2) three 2-byte lengths

export interface TlsHello {
  protocol: 'tls' | 'ms-turn-pseudo-tls' | 'dtls';
  handshake: 'client_hello' | 'server_hello';
  /** Record layer version ("TLS 1.0"...). */
  recordVersion: string;
  /** Hello's legacy_version. */
  helloVersion?: string;
  /** ClientHello: the host_name of server_name, at most 256 characters. */
  sni?: string;
  /** ClientHello: ALPN protocol names offered (at most 16, 256 characters each); ServerHello: the one selected. */
  alpn?: string[];
  /**
   * ClientHello: it carries an encrypted_client_hello extension (a ClientHelloOuter): the real
   * server name is encrypted, and `sni` is the public name of the client-facing server. A client
   * without an ECH configuration may send the extension as GREASE, indistinguishable by design.
   */
  ech?: boolean;
  /** ClientHello: versions from supported_versions (GREASE left out), else the legacy_version. */
  offeredVersions?: string[];
  /** ServerHello: supported_versions' selection, else the legacy_version. */
  selectedVersion?: string;
  /** ServerHello: the selected cipher suite, "0x" + 4 hex digits. */
  cipherSuite?: string;
  /** The hello was cut short (segment or snaplen): fields after the cut are missing. */
  truncated: boolean;
  anomaly: AppAnomaly | null;
}

/** Lengths checked against two ends: `declared` (what the header says) and `avail` (what was captured). */
export interface Bounds { declared: number; avail: number }
/** How far a read can go: all of it, up to a capture cut, or not at all because a length lies. */
export const Room = { Ok: 0, Truncated: 1, Malformed: 2 } as const;
export type Room = (typeof Room)[keyof typeof Room];

function room(b: Bounds, p: number, n: number): Room {
  if (p + n > b.declared) return Room.Malformed;
  if (p + n > b.avail) return Room.Truncated;
  return Room.Ok;
}

/**
 * A TLS ClientHello or ServerHello at the start of buf[off, end) (a TCP
 * payload), or null when these bytes are not one. Never throws.
 */
export function parseTlsHello(buf: Buffer, off: number, end: number): TlsHello | null {
  if (end - off >= SSL2_HELLO_HEADER && buf[off] & 0x80) return parseSsl2Hello(buf, off, end);
  if (end - off < TLS_RECORD_HEADER + 1) return null;
  if (buf[off] !== TLS_CONTENT_HANDSHAKE) return null;
  const recVer = u16(buf, off + 1);
  if (recVer < 0x0300 || recVer > 0x0304) return null;
  const recLen = u16(buf, off + 3);
  const hsType = buf[off + TLS_RECORD_HEADER];
  if (hsType !== TLS_CLIENT_HELLO && hsType !== TLS_SERVER_HELLO) return null;
  const hello: TlsHello = {
    protocol: 'tls',
    handshake: hsType === TLS_CLIENT_HELLO ? 'client_hello' : 'server_hello',
    recordVersion: versionName(recVer),
    truncated: false,
    anomaly: null,
  };
  if (recLen < TLS_HANDSHAKE_HEADER || recLen > TLS_MAX_RECORD) return fail(hello, Room.Malformed);
  const recEnd = off + TLS_RECORD_HEADER + recLen;
  const h = off + TLS_RECORD_HEADER;
  if (end - h < TLS_HANDSHAKE_HEADER) return fail(hello, Room.Truncated);
  const hsLen = u24(buf, h + 1);
  const body = h + TLS_HANDSHAKE_HEADER;
  // A handshake message may continue in the next record (RFC 8446 §5.1), so the record
  // end is where the bytes stop, not a contradiction.
  const hsEnd = body + hsLen;
  const b: Bounds = { declared: hsEnd, avail: Math.min(end, recEnd, hsEnd) };
  const st = parseHelloBody(buf, body, b, hsType === TLS_CLIENT_HELLO, false, hello);
  if (st !== Room.Ok) return fail(hello, st);
  if (b.avail < hsEnd) return fail(hello, Room.Truncated);
  if (isPseudoTls(buf, off, end, recVer, recEnd, hsEnd, hsType)) hello.protocol = 'ms-turn-pseudo-tls';
  return hello;
}

/** RFC 5246 E.2: an SSL 2.0 CLIENT-HELLO carrying a TLS version. */
function parseSsl2Hello(buf: Buffer, off: number, end: number): TlsHello | null {
  const msgLen = ((buf[off] & 0x7f) << 8) | buf[off + 1];
  const version = u16(buf, off + 3);
  if (buf[off + 2] !== TLS_CLIENT_HELLO || version < 0x0300 || version > 0x0304) return null;
  const specs = u16(buf, off + 5);
  const sid = u16(buf, off + 7);
  const challenge = u16(buf, off + 9);
  // E.2: cipher specs are 3 bytes each, session id 0 or 16, challenge 16 to 32 bytes, all inside msg_length.
  if (specs === 0 || specs % 3 !== 0 || (sid !== 0 && sid !== 16) || challenge < 16 || challenge > 32) return null;
  const hello: TlsHello = {
    protocol: 'tls', handshake: 'client_hello', recordVersion: 'SSL 2.0 compatible', helloVersion: versionName(version),
    offeredVersions: [versionName(version)], truncated: false, anomaly: null,
  };
  const total = 2 + msgLen;
  if (SSL2_HELLO_HEADER - 2 + specs + sid + challenge !== msgLen) return fail(hello, Room.Malformed);
  if (end - off < total) return fail(hello, Room.Truncated);
  return hello;
}

function fail(hello: TlsHello, st: Room): TlsHello {
  if (st === Room.Truncated) {
    hello.truncated = true;
    hello.anomaly = hello.protocol === 'dtls' ? 'dtls_record_malformed' : 'tls_hello_truncated';
  } else if (st === Room.Malformed) {
    hello.anomaly = hello.protocol === 'dtls' ? 'dtls_record_malformed' : 'tls_hello_malformed';
  }
  return hello;
}

/** The pseudo-TLS shapes described in the file header; checked on the complete hello only. */
function isPseudoTls(buf: Buffer, off: number, end: number, recVer: number, recEnd: number, hsEnd: number, hsType: number): boolean {
  if (recVer !== 0x0301) return false;
  const p = off + TLS_RECORD_HEADER + TLS_HANDSHAKE_HEADER + 2 + RANDOM_BYTES;
  if (hsType === TLS_CLIENT_HELLO) {
    // session_id empty, cipher_suites = [0x0018], compression = [0], nothing after.
    return hsEnd === p + 1 + 2 + 2 + 2 && buf[p] === 0 && u16(buf, p + 1) === 2 &&
      u16(buf, p + 3) === MS_TURN_PSEUDO_TLS_SUITE && buf[p + 5] === 1 && buf[p + 6] === 0;
  }
  // ServerHello selecting 0x0018 with no extensions, then an empty ServerHelloDone in the same record.
  const sid = buf[p];
  const q = p + 1 + sid;
  return hsEnd === q + 3 && u16(buf, q) === MS_TURN_PSEUDO_TLS_SUITE && recEnd === hsEnd + TLS_HANDSHAKE_HEADER &&
    recEnd <= end && buf[hsEnd] === TLS_SERVER_HELLO_DONE && u24(buf, hsEnd + 1) === 0;
}

/**
 * The body of a ClientHello (`client`) or ServerHello from `p`, into `hello`.
 * DTLS ClientHellos carry a cookie after the session id (RFC 6347 §4.2.1).
 * Returns Ok, or where it had to stop.
 */
export function parseHelloBody(buf: Buffer, p: number, b: Bounds, client: boolean, dtls: boolean, hello: TlsHello): Room {
  let r = room(b, p, 2 + RANDOM_BYTES + 1);
  if (r !== Room.Ok) return r;
  const legacy = u16(buf, p);
  hello.helloVersion = versionName(legacy);
  p += 2 + RANDOM_BYTES;
  const sidLen = buf[p];
  if (sidLen > 32) return Room.Malformed; // RFC 8446 §4.1.2: session_id<0..32>
  if ((r = room(b, p, 1 + sidLen)) !== Room.Ok) return r;
  p += 1 + sidLen;
  if (client) {
    if (dtls) {
      if ((r = room(b, p, 1)) !== Room.Ok) return r;
      const cookie = buf[p];
      if ((r = room(b, p, 1 + cookie)) !== Room.Ok) return r;
      p += 1 + cookie;
    }
    if ((r = room(b, p, 2)) !== Room.Ok) return r;
    const suites = u16(buf, p);
    if ((r = room(b, p, 2 + suites)) !== Room.Ok) return r;
    p += 2 + suites;
    if ((r = room(b, p, 1)) !== Room.Ok) return r;
    const comp = buf[p];
    if ((r = room(b, p, 1 + comp)) !== Room.Ok) return r;
    p += 1 + comp;
    hello.offeredVersions = [versionName(legacy)];
  } else {
    if ((r = room(b, p, 3)) !== Room.Ok) return r;
    hello.cipherSuite = '0x' + u16(buf, p).toString(16).padStart(4, '0');
    p += 3;
    hello.selectedVersion = versionName(legacy);
  }
  if (p === b.declared) return Room.Ok; // no extensions (allowed before TLS 1.3)
  if ((r = room(b, p, 2)) !== Room.Ok) return r;
  const extLen = u16(buf, p);
  p += 2;
  const extEnd = p + extLen;
  if (extEnd > b.declared) return Room.Malformed;
  const eb: Bounds = { declared: extEnd, avail: Math.min(b.avail, extEnd) };
  // Each extension consumes at least its 4-byte header: the loop ends.
  while (p < extEnd) {
    if ((r = room(eb, p, 4)) !== Room.Ok) return r;
    const type = u16(buf, p);
    const len = u16(buf, p + 2);
    p += 4;
    if ((r = room(eb, p, len)) !== Room.Ok) {
      // A cut inside an extension we do not read still leaves the earlier ones good.
      return r;
    }
    const xb: Bounds = { declared: p + len, avail: p + len };
    const xr = client ? clientExtension(buf, type, p, xb, hello) : serverExtension(buf, type, p, xb, hello);
    if (xr !== Room.Ok) return Room.Malformed;
    p += len;
  }
  return Room.Ok;
}

function clientExtension(buf: Buffer, type: number, p: number, b: Bounds, hello: TlsHello): Room {
  if (type === EXT_SERVER_NAME) {
    if (b.declared === p) return Room.Ok; // empty in a ServerHello-style echo
    if (room(b, p, 2) !== Room.Ok) return Room.Malformed;
    const listEnd = p + 2 + u16(buf, p);
    if (listEnd > b.declared) return Room.Malformed;
    for (let q = p + 2; q < listEnd;) {
      if (q + 3 > listEnd) return Room.Malformed;
      const nameType = buf[q];
      const n = u16(buf, q + 1);
      if (q + 3 + n > listEnd) return Room.Malformed;
      if (nameType === SNI_HOST_NAME && hello.sni === undefined) hello.sni = clip(buf, q + 3, q + 3 + n);
      q += 3 + n;
    }
  } else if (type === EXT_ALPN) {
    const names = alpnList(buf, p, b);
    if (names === null) return Room.Malformed;
    hello.alpn = names;
  } else if (type === EXT_SUPPORTED_VERSIONS) {
    if (room(b, p, 1) !== Room.Ok) return Room.Malformed;
    const n = buf[p];
    if (n % 2 !== 0 || p + 1 + n > b.declared) return Room.Malformed;
    const versions: string[] = [];
    for (let q = p + 1; q < p + 1 + n && versions.length < MAX_APP_LIST; q += 2) {
      const v = u16(buf, q);
      if (!isGrease(v)) versions.push(versionName(v));
    }
    hello.offeredVersions = versions;
  } else if (type === EXT_ENCRYPTED_CLIENT_HELLO) {
    if (room(b, p, 1) !== Room.Ok) return Room.Malformed;
    if (buf[p] === ECH_OUTER) hello.ech = true;
  }
  return Room.Ok;
}

function serverExtension(buf: Buffer, type: number, p: number, b: Bounds, hello: TlsHello): Room {
  if (type === EXT_SUPPORTED_VERSIONS) {
    if (b.declared - p !== 2) return Room.Malformed;
    hello.selectedVersion = versionName(u16(buf, p));
  } else if (type === EXT_ALPN) {
    const names = alpnList(buf, p, b);
    if (names === null) return Room.Malformed;
    hello.alpn = names;
  }
  return Room.Ok;
}

/** RFC 7301 §3.1 ProtocolNameList: len(2), then len(1)-prefixed names. */
function alpnList(buf: Buffer, p: number, b: Bounds): string[] | null {
  if (p + 2 > b.declared) return null;
  const listEnd = p + 2 + u16(buf, p);
  if (listEnd > b.declared) return null;
  const names: string[] = [];
  for (let q = p + 2; q < listEnd;) {
    const n = buf[q];
    if (n === 0 || q + 1 + n > listEnd) return null; // RFC 7301: names are 1..255 bytes
    if (names.length < MAX_APP_LIST) names.push(clip(buf, q + 1, q + 1 + n));
    q += 1 + n;
  }
  return names;
}
