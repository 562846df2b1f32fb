/**
 * TLS records for samples: ClientHello (TLS 1.2 or 1.3, with SNI and ALPN),
 * ServerHello, and opaque encrypted records. Only the handshake a passive
 * observer can read is real; everything after ChangeCipherSpec is filler of
 * a plausible length.
 *
 * RFC 8446 §5.1 record:    | type (1) | legacy_record_version (2) | length (2) | fragment |
 * RFC 8446 §4 handshake:   | msg_type (1) | length (3) | body |
 */
import type { Rng } from '../rng.js';

export const ContentType = { ChangeCipherSpec: 20, Alert: 21, Handshake: 22, ApplicationData: 23 } as const; // RFC 8446 §5.1
export const HandshakeType = { ClientHello: 1, ServerHello: 2, ServerKeyExchange: 12, ServerHelloDone: 14, ClientKeyExchange: 16, Finished: 20 } as const; // RFC 8446 §4, RFC 5246 §7.4
export const ExtensionType = {
  ServerName: 0, // RFC 6066 §3
  SupportedGroups: 10, // RFC 8422 §5.1.1
  EcPointFormats: 11, // RFC 8422 §5.1.2
  SignatureAlgorithms: 13, // RFC 8446 §4.2.3
  Alpn: 16, // RFC 7301 §3.1
  ExtendedMasterSecret: 23, // RFC 7627 §5.1
  SupportedVersions: 43, // RFC 8446 §4.2.1
  PskKeyExchangeModes: 45, // RFC 8446 §4.2.9
  KeyShare: 51, // RFC 8446 §4.2.8
  RenegotiationInfo: 0xff01, // RFC 5746 §3.2
} as const;
export const TLS12 = 0x0303; // RFC 5246 §6.2.1 ProtocolVersion {3, 3}
export const TLS13 = 0x0304; // RFC 8446 §4.2.1
const TLS10 = 0x0301; // legacy record version for a first ClientHello (RFC 8446 §5.1)
const X25519 = 0x001d; // RFC 8446 §4.2.7
const SECP256R1 = 0x0017; // RFC 8446 §4.2.7
const SECP384R1 = 0x0018; // RFC 8446 §4.2.7
const GCM_OVERHEAD = 8 + 16; // TLS 1.2 AES-GCM: explicit nonce + tag (RFC 5288 §3)
const TLS13_OVERHEAD = 1 + 16; // inner content type + AEAD tag (RFC 8446 §5.2)

/** Cipher suites a Windows (SChannel) TLS 1.2 client offers, most preferred first (IANA TLS registry). */
const SCHANNEL_SUITES = [0xc030, 0xc02f, 0xc028, 0xc027, 0x009f, 0x009e, 0x003d, 0x003c, 0x0035, 0x002f];
/** TLS 1.3 suites first, then 1.2 fallbacks. */
const MODERN_SUITES = [0x1302, 0x1301, 0x1303, 0xc02c, 0xc02b, 0xc030, 0xc02f];
const SIG_ALGS = [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0201, 0x0203]; // RFC 8446 §4.2.3

export type TlsVersion = '1.2' | '1.3';

export interface ClientHelloSpec {
  version: TlsVersion;
  sni?: string;
  alpn?: string[];
}

export function record(type: number, version: number, fragment: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(fragment.length, 3);
  return Buffer.concat([h, fragment]);
}

export function handshake(msgType: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = msgType;
  h.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([h, body]);
}

/** A vector with a 1-, 2- or 3-byte length prefix (RFC 8446 §3.4). */
function vec(lenBytes: 1 | 2 | 3, body: Buffer): Buffer {
  const h = Buffer.alloc(lenBytes);
  h.writeUIntBE(body.length, 0, lenBytes);
  return Buffer.concat([h, body]);
}

function u16list(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16BE(v, i * 2));
  return b;
}

function ext(type: number, data: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(data.length, 2);
  return Buffer.concat([h, data]);
}

function sniExt(host: string): Buffer {
  const name = Buffer.concat([Buffer.from([0]), vec(2, Buffer.from(host, 'utf8'))]); // name_type host_name(0); UTF-8 so hostile samples keep their bytes
  return ext(ExtensionType.ServerName, vec(2, name));
}

function alpnExt(protocols: string[]): Buffer {
  return ext(ExtensionType.Alpn, vec(2, Buffer.concat(protocols.map((p) => vec(1, Buffer.from(p, 'ascii'))))));
}

/** A ClientHello record; TLS 1.3 hellos carry supported_versions and an x25519 key share. */
export function clientHello(spec: ClientHelloSpec, rng: Rng): Buffer {
  const v13 = spec.version === '1.3';
  const exts: Buffer[] = [];
  if (spec.sni) exts.push(sniExt(spec.sni));
  exts.push(ext(ExtensionType.SupportedGroups, vec(2, u16list(v13 ? [X25519, SECP256R1, SECP384R1] : [SECP256R1, SECP384R1]))));
  exts.push(ext(ExtensionType.EcPointFormats, vec(1, Buffer.from([0])))); // uncompressed
  exts.push(ext(ExtensionType.SignatureAlgorithms, vec(2, u16list(SIG_ALGS))));
  if (spec.alpn?.length) exts.push(alpnExt(spec.alpn));
  exts.push(ext(ExtensionType.ExtendedMasterSecret, Buffer.alloc(0)));
  if (v13) {
    exts.push(ext(ExtensionType.SupportedVersions, vec(1, u16list([TLS13, TLS12]))));
    exts.push(ext(ExtensionType.PskKeyExchangeModes, vec(1, Buffer.from([1])))); // psk_dhe_ke
    exts.push(ext(ExtensionType.KeyShare, vec(2, Buffer.concat([u16list([X25519]), vec(2, rng.bytes(32))]))));
  }
  exts.push(ext(ExtensionType.RenegotiationInfo, vec(1, Buffer.alloc(0))));
  const body = Buffer.concat([
    u16list([TLS12]), // legacy_version: 1.2 even for 1.3 (RFC 8446 §4.1.2)
    rng.bytes(32), // random
    vec(1, v13 ? rng.bytes(32) : Buffer.alloc(0)), // legacy_session_id: 1.3 middlebox compatibility mode (RFC 8446 §D.4)
    vec(2, u16list(v13 ? MODERN_SUITES : SCHANNEL_SUITES)),
    vec(1, Buffer.from([0])), // compression: null only
    vec(2, Buffer.concat(exts)),
  ]);
  return record(ContentType.Handshake, v13 ? TLS10 : TLS12, handshake(HandshakeType.ClientHello, body));
}

/** The ServerHello handshake message (not yet in a record), echoing the session id. */
function serverHelloMsg(version: TlsVersion, rng: Rng, sessionId: Buffer): Buffer {
  const v13 = version === '1.3';
  const exts = v13
    ? [
        ext(ExtensionType.SupportedVersions, u16list([TLS13])),
        ext(ExtensionType.KeyShare, Buffer.concat([u16list([X25519]), vec(2, rng.bytes(32))])),
      ]
    : [ext(ExtensionType.RenegotiationInfo, vec(1, Buffer.alloc(0))), ext(ExtensionType.ExtendedMasterSecret, Buffer.alloc(0))];
  const body = Buffer.concat([
    u16list([TLS12]),
    rng.bytes(32),
    vec(1, sessionId),
    u16list([v13 ? 0x1302 : 0xc030]), // TLS_AES_256_GCM_SHA384 / TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    Buffer.from([0]),
    vec(2, Buffer.concat(exts)),
  ]);
  return handshake(HandshakeType.ServerHello, body);
}

/**
 * The server's first flight. TLS 1.2: ServerHello, ServerKeyExchange (ECDHE,
 * secp256r1), ServerHelloDone in one record (no Certificate: a passive observer
 * only needs the hello, and a fake certificate would be malformed X.509).
 * TLS 1.3: ServerHello, ChangeCipherSpec, and the encrypted rest of the flight.
 */
export function serverFlight(version: TlsVersion, rng: Rng, clientHelloRecord: Buffer): Buffer {
  if (version === '1.3') {
    const sid = clientSessionId(clientHelloRecord);
    return Buffer.concat([
      record(ContentType.Handshake, TLS12, serverHelloMsg('1.3', rng, sid)),
      changeCipherSpec(),
      record(ContentType.ApplicationData, TLS12, rng.bytes(2400 + TLS13_OVERHEAD)), // EncryptedExtensions..Finished
    ]);
  }
  const ske = Buffer.concat([
    Buffer.from([3]), u16list([SECP256R1]), // curve_type named_curve (RFC 8422 §5.4)
    vec(1, Buffer.concat([Buffer.from([4]), rng.bytes(64)])), // uncompressed point
    u16list([0x0401]), vec(2, rng.bytes(256)), // rsa_pkcs1_sha256 signature
  ]);
  return record(ContentType.Handshake, TLS12, Buffer.concat([
    serverHelloMsg('1.2', rng, rng.bytes(32)),
    handshake(HandshakeType.ServerKeyExchange, ske),
    handshake(HandshakeType.ServerHelloDone, Buffer.alloc(0)),
  ]));
}

/** The client's second flight: key exchange (1.2), ChangeCipherSpec and an encrypted Finished. */
export function clientFinish(version: TlsVersion, rng: Rng): Buffer {
  if (version === '1.3') {
    return Buffer.concat([changeCipherSpec(), record(ContentType.ApplicationData, TLS12, rng.bytes(36 + TLS13_OVERHEAD))]);
  }
  const cke = handshake(HandshakeType.ClientKeyExchange, vec(1, Buffer.concat([Buffer.from([4]), rng.bytes(64)])));
  return Buffer.concat([
    record(ContentType.Handshake, TLS12, cke),
    changeCipherSpec(),
    record(ContentType.Handshake, TLS12, rng.bytes(16 + GCM_OVERHEAD)), // encrypted Finished
  ]);
}

/** The server's ChangeCipherSpec and encrypted Finished (TLS 1.2 only; 1.3 finished in its first flight). */
export function serverFinish(rng: Rng): Buffer {
  return Buffer.concat([changeCipherSpec(), record(ContentType.Handshake, TLS12, rng.bytes(16 + GCM_OVERHEAD))]);
}

/** Encrypted application data carrying `plaintextLen` bytes, split into 16 KB records (RFC 8446 §5.1). */
export function applicationData(version: TlsVersion, plaintextLen: number, rng: Rng): Buffer {
  const overhead = version === '1.3' ? TLS13_OVERHEAD : GCM_OVERHEAD;
  const out: Buffer[] = [];
  for (let left = plaintextLen; left > 0; left -= 16384) {
    out.push(record(ContentType.ApplicationData, TLS12, rng.bytes(Math.min(left, 16384) + overhead)));
  }
  return Buffer.concat(out);
}

function changeCipherSpec(): Buffer {
  return record(ContentType.ChangeCipherSpec, TLS12, Buffer.from([1]));
}

/** legacy_session_id of a ClientHello record built by clientHello(). */
function clientSessionId(ch: Buffer): Buffer {
  const off = 5 + 4 + 2 + 32; // record header, handshake header, legacy_version, random
  return ch.subarray(off + 1, off + 1 + ch[off]);
}
