/**
 * STUN/TURN messages in two dialects (see ../reference/stun-turn-dialects.md):
 * RFC 5389/5766 with the magic cookie in the header, and Microsoft's MS-TURN
 * (RFC 3489-style 16-byte transaction id, first attribute MAGIC-COOKIE).
 *
 * RFC 5389 §6 header:
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   |                         Magic Cookie                          |
 *   |                     Transaction ID (96 bits)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * MS-TURN §2.2.1 header: type(2) length(2) transaction id (128 bits).
 * Attributes (both): type(2) length(2) value; RFC 5389 pads values to 4 bytes.
 */
import { createHash, createHmac } from 'node:crypto';
import { crc32, ipBytes, isV6 } from '../bytes.js';

export const STUN_MAGIC_COOKIE = 0x2112a442; // RFC 5389 §6
export const FINGERPRINT_XOR = 0x5354554e; // RFC 5389 §15.5
export const MS_TURN_MAGIC_COOKIE = 0x72c64bc6; // MS-TURN §2.2.2.6 MAGIC-COOKIE value

export const StunType = {
  BindingRequest: 0x0001, // RFC 5389 §18.1
  BindingSuccess: 0x0101,
  AllocateRequest: 0x0003, // RFC 5766 §13 (same codes in MS-TURN)
  AllocateSuccess: 0x0103,
  AllocateError: 0x0113,
  BindingError: 0x0111, // RFC 5389 §18.1
  RefreshRequest: 0x0004, // RFC 5766 §13
  RefreshSuccess: 0x0104,
  RefreshError: 0x0114,
  SendIndication: 0x0016, // RFC 5766 §13
  DataIndication: 0x0017,
  CreatePermissionRequest: 0x0008, // RFC 5766 §13
  CreatePermissionSuccess: 0x0108,
  ChannelBindRequest: 0x0009, // RFC 5766 §13
  ChannelBindSuccess: 0x0109,
} as const;

/** MS-TURN fixed message codes (MS-TURN §2.2.1; dialects §2): not class + method bits. */
export const MsType = {
  AllocateRequest: 0x0003,
  AllocateResponse: 0x0103,
  AllocateError: 0x0113,
  SendRequest: 0x0004, // no response; an RFC parser would read it as a Refresh request
  DataIndication: 0x0115,
  SetActiveDestinationRequest: 0x0006,
  SetActiveDestinationResponse: 0x0106,
  SetActiveDestinationError: 0x0116,
} as const;

export const Attr = {
  MappedAddress: 0x0001, // RFC 5389 §15.1 / MS-TURN
  Username: 0x0006, // RFC 5389 §15.3
  MessageIntegrity: 0x0008, // RFC 5389 §15.4
  ErrorCode: 0x0009, // RFC 5389 §15.6
  Lifetime: 0x000d, // RFC 5766 §14.2
  MsMagicCookie: 0x000f, // MS-TURN §2.2.2.6
  XorRelayedAddress: 0x0016, // RFC 5766 §14.5
  RequestedTransport: 0x0019, // RFC 5766 §14.7
  XorMappedAddress: 0x0020, // RFC 5389 §15.2
  Software: 0x8022, // RFC 5389 §15.10
  Fingerprint: 0x8028, // RFC 5389 §15.5
  MsVersion: 0x8008, // MS-TURN §2.2.2.15
  MsXorMappedAddress: 0x8020, // MS-TURN §2.2.2.16 (the old draft code)
  MsServiceQuality: 0x8055, // MS-TURN §2.2.2.19
  ChannelNumber: 0x000c, // RFC 5766 §14.1
  XorPeerAddress: 0x0012, // RFC 5766 §14.3
  Data: 0x0013, // RFC 5766 §14.4 (MS-TURN §2.2.2.11: same code)
  Priority: 0x0024, // RFC 8445 §16.1
  UseCandidate: 0x0025, // RFC 8445 §16.1
  IceControlled: 0x8029, // RFC 8445 §16.1
  IceControlling: 0x802a, // RFC 8445 §16.1
  MsDestinationAddress: 0x0011, // MS-TURN §2.2.2.9
  MsRemoteAddress: 0x0012, // MS-TURN §2.2.2.10 (plain address, not XOR)
} as const;

/** REALM and NONCE: RFC 5389 has REALM 0x0014 / NONCE 0x0015; MS-TURN swaps them. */
export const RfcAttr = { Realm: 0x0014, Nonce: 0x0015 } as const; // RFC 5389 §15.7, §15.8
export const MsAttr = { Nonce: 0x0014, Realm: 0x0015 } as const; // MS-TURN §2.2.2.12, §2.2.2.13

export interface Attribute {
  type: number;
  value: Buffer;
}

export function attr(type: number, value: Buffer | string | number): Attribute {
  if (typeof value === 'number') {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0);
    return { type, value: b };
  }
  return { type, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
}

export interface Integrity {
  key: Buffer;
  /** MS-TURN with MS-Version >= 3 uses HMAC-SHA-256; everything else HMAC-SHA1. */
  sha256?: boolean;
}

/**
 * An RFC 5389 message. MESSAGE-INTEGRITY and FINGERPRINT, when asked for, are
 * appended last and computed as §15.4 and §15.5 say: over the message so far,
 * with the length field already counting the attribute being added.
 */
export function stunMessage(type: number, txid: Buffer, attrs: Attribute[], opts: { integrity?: Integrity; fingerprint?: boolean; padByte?: number } = {}): Buffer {
  if (txid.length !== 12) throw new Error('RFC 5389 transaction id is 12 bytes');
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  txid.copy(header, 8);
  let msg: Buffer = Buffer.concat([header, ...attrs.map((a) => encodeAttr(a, true, opts.padByte ?? 0))]);
  if (opts.integrity) msg = appendIntegrity(msg, opts.integrity);
  if (opts.fingerprint) {
    msg = withLength(msg, msg.length - 20 + 8);
    msg = Buffer.concat([msg, encodeAttr(attr(Attr.Fingerprint, (crc32(msg) ^ FINGERPRINT_XOR) >>> 0), true, 0)]);
  }
  return withLength(msg, msg.length - 20);
}

/**
 * An MS-TURN message: 16-byte transaction id, MAGIC-COOKIE as the first
 * attribute, no attribute padding (as real Microsoft relays send them: a
 * 61-byte ERROR-CODE is followed directly by the next attribute).
 */
export function msTurnMessage(type: number, txid: Buffer, attrs: Attribute[], integrity?: Integrity): Buffer {
  if (txid.length !== 16) throw new Error('MS-TURN transaction id is 16 bytes');
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  txid.copy(header, 4);
  const all = [attr(Attr.MsMagicCookie, MS_TURN_MAGIC_COOKIE), ...attrs];
  let msg: Buffer = Buffer.concat([header, ...all.map((a) => encodeAttr(a, false, 0))]);
  if (integrity) msg = appendIntegrity(msg, integrity);
  return withLength(msg, msg.length - 20);
}

function appendIntegrity(msg: Buffer, integrity: Integrity): Buffer {
  const macLen = integrity.sha256 ? 32 : 20;
  const counted = withLength(msg, msg.length - 20 + 4 + macLen);
  const mac = createHmac(integrity.sha256 ? 'sha256' : 'sha1', integrity.key).update(counted).digest();
  return Buffer.concat([counted, encodeAttr({ type: Attr.MessageIntegrity, value: mac }, true, 0)]);
}

function encodeAttr(a: Attribute, pad: boolean, padByte: number): Buffer {
  const padLen = pad ? (4 - (a.value.length % 4)) % 4 : 0;
  const b = Buffer.alloc(4 + a.value.length + padLen, padByte);
  b.writeUInt16BE(a.type, 0);
  b.writeUInt16BE(a.value.length, 2);
  a.value.copy(b, 4);
  return b;
}

function withLength(msg: Buffer, len: number): Buffer {
  const m = Buffer.from(msg);
  m.writeUInt16BE(len, 2);
  return m;
}

/** MAPPED-ADDRESS value: reserved(1) family(1) port(2) address (RFC 5389 §15.1). */
export function mappedAddress(ip: string, port: number): Buffer {
  const a = ipBytes(ip);
  const b = Buffer.alloc(4 + a.length);
  b[1] = isV6(ip) ? 2 : 1;
  b.writeUInt16BE(port, 2);
  a.copy(b, 4);
  return b;
}

/**
 * XOR-MAPPED-ADDRESS value (RFC 5389 §15.2): port XOR the cookie's top 16 bits,
 * IPv4 address XOR the cookie, IPv6 address XOR cookie || transaction id.
 * MS-TURN's 0x8020 XORs with the same cookie (draft-ietf-behave-rfc3489bis).
 */
export function xorAddress(ip: string, port: number, txid12: Buffer = Buffer.alloc(12)): Buffer {
  const b = mappedAddress(ip, port);
  b.writeUInt16BE(port ^ (STUN_MAGIC_COOKIE >>> 16), 2);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(STUN_MAGIC_COOKIE, 0);
  txid12.copy(mask, 4);
  for (let i = 4; i < b.length; i++) b[i] ^= mask[i - 4];
  return b;
}

/** ERROR-CODE value: reserved(2) class(1) number(1) reason (RFC 5389 §15.6). */
export function errorCode(code: number, reason: string): Buffer {
  const r = Buffer.from(reason, 'utf8');
  const b = Buffer.alloc(4 + r.length);
  b[2] = Math.floor(code / 100);
  b[3] = code % 100;
  r.copy(b, 4);
  return b;
}

/** RFC 5389 §15.4 long-term credential key: MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

// ---- MS-TURN over TCP on the A/V Edge's 443 (stun-turn-dialects.md §4) ----

const PSEUDO_TLS_CLIENT_HEAD = Buffer.from('160301002d0100002903 01'.replace(/ /g, ''), 'hex'); // record + ClientHello header, TLS 1.0
const PSEUDO_TLS_CLIENT_TAIL = Buffer.from('000002001801 00'.replace(/ /g, ''), 'hex'); // no session id, 1 suite 0x0018, null compression

/** The 50-byte fake ClientHello an MS-TURN TCP client opens with (libnice's pseudo-SSL). */
export function pseudoTlsClientHello(random32: Buffer): Buffer {
  return Buffer.concat([PSEUDO_TLS_CLIENT_HEAD, random32, PSEUDO_TLS_CLIENT_TAIL]);
}

/** The server's answer: ServerHello (32-byte session id, suite 0x0018) and ServerHelloDone in one 83-byte record. */
export function pseudoTlsServerHello(random32: Buffer, sessionId32: Buffer): Buffer {
  const sh = Buffer.concat([
    Buffer.from([2, 0, 0, 70, 3, 1]), // ServerHello, length 70, version TLS 1.0
    random32,
    Buffer.from([32]), sessionId32,
    Buffer.from([0x00, 0x18, 0x00]), // suite, compression
  ]);
  const done = Buffer.from([14, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, sh.length + done.length]), sh, done]);
}

export const MsTcpFrame = { Control: 0x02, Data: 0x03 } as const; // dialects §4: TURN control / end-to-end data

/** MS-TURN TCP framing: type(1) reserved(1) length(2), then the message. */
export function msTcpFrame(type: number, msg: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUInt16BE(msg.length, 2);
  return Buffer.concat([h, msg]);
}

/** A TURN ChannelData message (RFC 5766 §11.4): channel(2) length(2) data; padded to 4 bytes over TCP only. */
export function channelData(channel: number, data: Buffer, tcp = false): Buffer {
  const pad = tcp ? (4 - (data.length % 4)) % 4 : 0;
  const b = Buffer.alloc(4 + data.length + pad);
  b.writeUInt16BE(channel, 0);
  b.writeUInt16BE(data.length, 2);
  data.copy(b, 4);
  return b;
}

/** CHANNEL-NUMBER value (RFC 5766 §14.1): number(2) RFFU(2). */
export function channelNumber(channel: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(channel, 0);
  return b;
}

/** ICE-CONTROLLING / ICE-CONTROLLED value (RFC 8445 §16.1): a 64-bit tie-breaker. */
export function tieBreaker(hi: number, lo: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(hi >>> 0, 0);
  b.writeUInt32BE(lo >>> 0, 4);
  return b;
}
