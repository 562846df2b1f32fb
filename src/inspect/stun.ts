/**
 * STUN message parser for three dialects, chosen per message:
 * RFC 5389/8489 (magic cookie in the header), [MS-TURN] (first attribute
 * MAGIC-COOKIE 0x000F = 0x72C64BC6, checked first because real MS-TURN
 * transaction ids often begin with the RFC cookie), and RFC 3489 classic
 * STUN (no marker; accepted only for Binding/Shared Secret types whose
 * attributes fill the message exactly).
 *
 * RFC 8489 §5 header (RFC 3489 and MS-TURN: a 128-bit transaction id where
 * the cookie is):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Magic Cookie                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Transaction ID (96 bits)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * RFC 8489 §14 attribute: Type(16) Length(16) Value (padded to 4 bytes in
 * RFC 5389; not padded in RFC 3489 and, per Wireshark (2nd), in MS-TURN).
 *
 * The parser fills a StunMessage the caller owns and reuses: numbers and
 * offsets only. Strings stay in the buffer as (offset, length) until the
 * caller decides to keep them (stunText). Never throws; every flaw found is a
 * bit in `flaws` that the caller counts as a named anomaly.
 */
import { u32 } from '../bytes.js';
import { Decode } from '../decode/status.js';
import { crc32 } from './crc32.js';
import { Attr, Dialect, FINGERPRINT_XOR, isClassicType, MS_TURN_MAGIC_COOKIE, MsType, STUN_HEADER, STUN_MAGIC_COOKIE, StunClass, stunClass, stunMethod } from './stun-constants.js';

/** Flaws of one message (bits of StunMessage.flaws); each maps to an anomaly in inspector.ts. */
export const Flaw = {
  /** Header length says more than the transport carries, or (RFC 5389) is not a multiple of 4. */
  BadLength: 1 << 0,
  /** The capture cut the message short (snaplen). */
  Truncated: 1 << 1,
  /** An attribute header or value runs past the end of the message. */
  AttributePastEnd: 1 << 2,
  /** An attribute value of an impossible size or content (zero-length address, family 7...). */
  AttributeBadValue: 1 << 3,
  /** FINGERPRINT does not match the CRC-32 of the message. */
  FingerprintMismatch: 1 << 4,
  /** Bytes after the message in the datagram. */
  TrailingBytes: 1 << 5,
} as const;

/** Address slots of StunMessage. */
export const Addr = {
  Mapped: 0, // MAPPED-ADDRESS (MS-TURN Allocate response: the relayed address)
  XorMapped: 1, // XOR-MAPPED-ADDRESS, 0x0020 or MS 0x8020
  XorRelayed: 2, // XOR-RELAYED-ADDRESS
  Peer: 3, // XOR-PEER-ADDRESS, or MS-TURN REMOTE-ADDRESS (plain)
  Destination: 4, // MS-TURN DESTINATION-ADDRESS
  Alternate: 5, // ALTERNATE-SERVER (RFC 0x8023, MS 0x000E)
} as const;
/** XOR-PEER-ADDRESS attributes kept per message: a CreatePermission may name several peers (RFC 8656 §9.1). */
export const MAX_PEER_ATTRIBUTES = 8;
const FIRST_EXTRA_PEER = 6; // the slots of the second and later peers follow the named ones
export const ADDR_SLOTS = FIRST_EXTRA_PEER + MAX_PEER_ATTRIBUTES - 1;

/** The address slot of the message's i-th XOR-PEER-ADDRESS (i < StunMessage.peers). */
export function peerSlot(i: number): number {
  return i === 0 ? Addr.Peer : FIRST_EXTRA_PEER + i - 1;
}
const MAX_UNKNOWN_KEPT = 8;

/** Text slots (offset, length in the parsed buffer). */
export const Txt = { Username: 0, Realm: 1, Nonce: 2, Software: 3, Reason: 4, CallId: 5 } as const;
const TXT_SLOTS = 6;

export class StunMessage {
  dialect = 0;
  type = 0;
  /** Header length field (bytes after the 20-byte header). */
  length = 0;
  /** Request, Indication, Success or Error in the message's dialect (MS-TURN Send request and Data indication: Indication). */
  kind = 0;
  /** 12-bit method (RFC 8489 §5), used to pair requests with responses. */
  method = 0;
  /** Offset of the message in the parsed buffer, and one past its end as the header says. */
  off = 0;
  end = 0;
  /** Transaction id as four 32-bit words: header bytes 4-19 (RFC 5389: the cookie, then the 96-bit id). */
  readonly tid = new Uint32Array(4);
  flaws = 0;
  attributes = 0;
  errorCode = 0;
  lifetime = -1;
  requestedTransport = -1;
  channel = -1;
  /** RESPONSE-PORT (RFC 5780 §7.5): the client's port the response is to go to, -1 when absent. */
  responsePort = -1;
  /** CONNECTION-ID (RFC 6062 §6.2.1): the server's name for a peer's TCP connection to a relayed address, -1 when absent. */
  connectionId = -1;
  /** DATA attribute value: offset and length in the parsed buffer, -1 when absent. */
  dataOff = -1;
  dataLen = 0;
  msVersion = -1;
  msStreamType = -1;
  msServiceQuality = -1;
  msBandwidth = -1;
  msSequence = -1;
  /** CANDIDATE-IDENTIFIER's length in bytes (a foundation string), -1 when absent. */
  msCandidateId = -1;
  msImplementationVersion = -1;
  msBandwidthReservation = false;
  msMultiplexedSession = false;
  priority = -1;
  useCandidate = false;
  /** ICE role: 1 ICE-CONTROLLING, 2 ICE-CONTROLLED, 0 none. */
  iceRole = 0;
  integrity = false;
  /** FINGERPRINT: 0 absent, 1 checked and right, 2 wrong. */
  fingerprint = 0;
  /** XOR-PEER-ADDRESS attributes decoded, at most MAX_PEER_ATTRIBUTES (see peerSlot). */
  peers = 0;
  /** Per address slot: family (4, 6, or 0 when absent), port, and four address words (IPv4 in word 3). */
  readonly addrFamily = new Uint8Array(ADDR_SLOTS);
  readonly addrPort = new Uint16Array(ADDR_SLOTS);
  readonly addrWords = new Uint32Array(ADDR_SLOTS * 4);
  /** Per text slot: offset and length in the parsed buffer (length -1 when absent). */
  readonly txtOff = new Int32Array(TXT_SLOTS);
  readonly txtLen = new Int32Array(TXT_SLOTS);
  /** Attributes this parser does not know: how many, and the first few types. */
  unknown = 0;
  readonly unknownTypes = new Uint16Array(MAX_UNKNOWN_KEPT);

  reset(): void {
    this.dialect = 0;
    this.flaws = 0;
    this.attributes = 0;
    this.errorCode = 0;
    this.lifetime = -1;
    this.requestedTransport = -1;
    this.channel = -1;
    this.responsePort = -1;
    this.connectionId = -1;
    this.dataOff = -1;
    this.dataLen = 0;
    this.msVersion = -1;
    this.msStreamType = -1;
    this.msServiceQuality = -1;
    this.msBandwidth = -1;
    this.msSequence = -1;
    this.msCandidateId = -1;
    this.msImplementationVersion = -1;
    this.msBandwidthReservation = false;
    this.msMultiplexedSession = false;
    this.priority = -1;
    this.useCandidate = false;
    this.iceRole = 0;
    this.integrity = false;
    this.fingerprint = 0;
    this.addrFamily.fill(0);
    this.peers = 0;
    this.txtLen.fill(-1);
    this.unknown = 0;
  }
}

/** Two transaction ids given as four 32-bit words each (StunMessage.tid). */
export function sameTid(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/**
 * True when the bytes at `off` can begin a STUN header of any dialect: the
 * two top bits zero (RFC 7983 first byte 0-3) and 20 bytes present. Cheap
 * pre-check for demultiplexing; parseStun decides.
 */
export function looksLikeStun(buf: Buffer, off: number, end: number): boolean {
  return end - off >= STUN_HEADER && buf[off] < 4;
}

/**
 * Parses the STUN message at `off`. `end` is one past the last captured byte
 * the message may use; `avail` how many bytes the transport says the message
 * may occupy (UDP: the datagram's payload length per its header; a framed
 * TCP message: its frame), which can exceed `end - off` when a snaplen cut
 * the packet. Returns Decode.Ok (possibly with flaws), NotMine (no dialect
 * fits), Truncated (the header fields are valid but the attributes were not
 * captured), or Malformed (the dialect is certain but the length lies).
 * With `exact`, the message must fill `avail` (no trailing bytes): used where
 * nothing else says the bytes are STUN.
 */
export function parseStun(buf: Buffer, off: number, end: number, avail: number, msg: StunMessage, exact = false): number {
  if (end - off < STUN_HEADER || avail < STUN_HEADER) return Decode.NotMine;
  const type = (buf[off] << 8) | buf[off + 1];
  if (type & 0xc000) return Decode.NotMine; // RFC 8489 §5: the two most significant bits are zero
  const length = (buf[off + 2] << 8) | buf[off + 3];
  const word1 = u32(buf, off + 4);
  msg.reset();
  msg.type = type;
  msg.length = length;
  msg.off = off;
  msg.end = off + STUN_HEADER + length;
  msg.tid[0] = word1;
  msg.tid[1] = u32(buf, off + 8);
  msg.tid[2] = u32(buf, off + 12);
  msg.tid[3] = u32(buf, off + 16);
  const total = STUN_HEADER + length;
  const captured = end - off;

  // MS-TURN first: its marker is the first attribute, whatever the transaction id holds.
  if (length >= 8 && captured >= STUN_HEADER + 8 && buf[off + 20] === 0 && buf[off + 21] === Attr.MsMagicCookie
    && buf[off + 22] === 0 && buf[off + 23] === 4 && u32(buf, off + 24) === MS_TURN_MAGIC_COOKIE) {
    msg.dialect = Dialect.MsTurn;
  } else if (word1 === STUN_MAGIC_COOKIE) {
    msg.dialect = Dialect.Rfc5389;
  } else if (isClassicType(type) && total === avail) {
    // No marker at all: only a classic type whose length is exactly the datagram's is a candidate.
    msg.dialect = Dialect.Rfc3489;
  } else {
    return Decode.NotMine;
  }
  if (exact && total !== avail && msg.dialect !== Dialect.Rfc3489) return Decode.NotMine;
  setKind(msg);

  if (captured < STUN_HEADER + 8 && total > captured && total <= avail) {
    // Cut before the first attribute: the MS-TURN marker, if any, was not captured.
    msg.flaws |= Flaw.Truncated;
    return Decode.Truncated;
  }
  if (total > avail || (msg.dialect === Dialect.Rfc5389 && (length & 3) !== 0)) {
    msg.flaws |= Flaw.BadLength;
    return Decode.Malformed;
  }
  if (total < avail) msg.flaws |= Flaw.TrailingBytes;
  if (total > captured) {
    msg.flaws |= Flaw.Truncated;
    return Decode.Truncated;
  }
  const msgEnd = off + total;
  if (msg.dialect === Dialect.Rfc5389) {
    walkAttributes(buf, off, msgEnd, msg, true);
  } else if (!fits(buf, off + STUN_HEADER, msgEnd, false)) {
    if (msg.dialect === Dialect.Rfc3489) return Decode.NotMine; // nothing else says these bytes are STUN
    // MS-TURN without padding is what the wild shows (2nd); some stacks pad anyway.
    walkAttributes(buf, off, msgEnd, msg, fits(buf, off + STUN_HEADER, msgEnd, true));
  } else {
    walkAttributes(buf, off, msgEnd, msg, false);
  }
  return Decode.Ok;
}

function setKind(msg: StunMessage): void {
  const type = msg.type;
  if (msg.dialect === Dialect.MsTurn && (type === MsType.SendRequest || type === MsType.DataIndication)) {
    // [MS-TURN] §2.2.1: fixed codes; neither expects a response.
    msg.kind = StunClass.Indication;
    msg.method = type === MsType.SendRequest ? 0x004 : 0x005;
    return;
  }
  msg.kind = stunClass(type);
  msg.method = stunMethod(type);
}

/** True when the attribute headers chain exactly to `end` (with or without 4-byte padding). */
function fits(buf: Buffer, p: number, end: number, pad: boolean): boolean {
  while (end - p >= 4) {
    const len = (buf[p + 2] << 8) | buf[p + 3];
    p += 4 + (pad ? (len + 3) & ~3 : len);
  }
  return p === end;
}

function walkAttributes(buf: Buffer, off: number, end: number, msg: StunMessage, pad: boolean): void {
  let p = off + STUN_HEADER;
  const ms = msg.dialect === Dialect.MsTurn;
  while (p < end) {
    if (end - p < 4) {
      msg.flaws |= Flaw.AttributePastEnd;
      return;
    }
    const t = (buf[p] << 8) | buf[p + 1];
    const len = (buf[p + 2] << 8) | buf[p + 3];
    const v = p + 4;
    if (v + len > end) {
      msg.flaws |= Flaw.AttributePastEnd;
      return;
    }
    msg.attributes++;
    attribute(buf, off, v, len, t, msg, ms, p);
    // A zero-length attribute still advances by its 4-byte header, so a run of them ends.
    const next = v + (pad ? (len + 3) & ~3 : len);
    p = next > end ? end : next; // padding of the last attribute may be missing on the wire
  }
}

function attribute(buf: Buffer, off: number, v: number, len: number, t: number, msg: StunMessage, ms: boolean, attrStart: number): void {
  switch (t) {
    case Attr.MappedAddress:
      address(buf, off, v, len, msg, Addr.Mapped, false);
      return;
    case Attr.XorMappedAddress:
    case Attr.MsXorMappedAddress:
      address(buf, off, v, len, msg, Addr.XorMapped, true);
      return;
    case Attr.XorRelayedAddress:
      address(buf, off, v, len, msg, Addr.XorRelayed, true);
      return;
    case Attr.XorPeerAddress:
      if (msg.peers < MAX_PEER_ATTRIBUTES) {
        const slot = peerSlot(msg.peers);
        address(buf, off, v, len, msg, slot, !ms); // MS-TURN REMOTE-ADDRESS is not XORed (2nd)
        if (msg.addrFamily[slot] !== 0) msg.peers++;
      }
      return;
    case Attr.MsDestinationAddress:
      if (ms) address(buf, off, v, len, msg, Addr.Destination, false);
      else unknown(msg, t);
      return;
    case Attr.MsAlternateServer:
      if (ms) address(buf, off, v, len, msg, Addr.Alternate, false);
      else unknown(msg, t);
      return;
    case Attr.AlternateServer:
      address(buf, off, v, len, msg, Addr.Alternate, false);
      return;
    case Attr.Username:
      text(msg, Txt.Username, v, len);
      return;
    case Attr.Realm: // 0x0014: NONCE in MS-TURN
      text(msg, ms ? Txt.Nonce : Txt.Realm, v, len);
      return;
    case Attr.Nonce: // 0x0015: REALM in MS-TURN
      text(msg, ms ? Txt.Realm : Txt.Nonce, v, len);
      return;
    case Attr.Software:
      text(msg, Txt.Software, v, len);
      return;
    case Attr.MsSipCallId:
      text(msg, Txt.CallId, v, len);
      return;
    case Attr.ErrorCode:
      // RFC 8489 §14.8: reserved(21 bits) class(3) number(8), then the reason phrase.
      if (len < 4) return bad(msg);
      msg.errorCode = (buf[v + 2] & 7) * 100 + buf[v + 3];
      text(msg, Txt.Reason, v + 4, len - 4);
      return;
    case Attr.Lifetime:
      if (len !== 4) return bad(msg);
      msg.lifetime = u32(buf, v);
      return;
    case Attr.RequestedTransport:
      if (len !== 4) return bad(msg);
      msg.requestedTransport = buf[v]; // RFC 8656 §18.8: IANA protocol number, then RFFU
      return;
    case Attr.ChannelNumber:
      if (len !== 4) return bad(msg);
      msg.channel = (buf[v] << 8) | buf[v + 1];
      return;
    case Attr.ResponsePort:
      if (len !== 4) return bad(msg);
      msg.responsePort = (buf[v] << 8) | buf[v + 1]; // then 2 bytes of padding
      return;
    case Attr.ConnectionId:
      if (len !== 4) return bad(msg);
      msg.connectionId = u32(buf, v);
      return;
    case Attr.Data:
      msg.dataOff = v;
      msg.dataLen = len;
      return;
    case Attr.MsVersion:
      if (len !== 4) return bad(msg);
      msg.msVersion = u32(buf, v);
      return;
    case Attr.MsServiceQuality:
      // [MS-TURN] §2.2.2.18: stream type (16 bits), service quality (16 bits).
      if (len !== 4) return bad(msg);
      msg.msStreamType = (buf[v] << 8) | buf[v + 1];
      msg.msServiceQuality = (buf[v + 2] << 8) | buf[v + 3];
      return;
    case Attr.MsBandwidth:
      if (!ms) return unknown(msg, t);
      if (len !== 4) return bad(msg);
      msg.msBandwidth = u32(buf, v);
      return;
    case Attr.MsSequenceNumber:
      // [MS-TURN] §2.2.2.17: 20-byte connection id, 4-byte sequence number (2nd). Teams' requests carry
      // the sequence number alone (msturn_teams_ndpi.pcap frames 1485, 1493, 1494).
      if (len !== 24 && len !== 4) return bad(msg);
      msg.msSequence = u32(buf, v + len - 4);
      return;
    case Attr.MsCandidateIdentifier:
      // [MS-ICE2] §2.2.2.3: the candidate's foundation, a string of any length (Lync sends "1", 1 byte).
      msg.msCandidateId = len;
      if (len === 0) bad(msg);
      return;
    case Attr.MsImplementationVersion:
      if (len !== 4) return bad(msg);
      msg.msImplementationVersion = u32(buf, v);
      return;
    case Attr.MsBwAdmissionControl:
    case Attr.MsBwReservationId:
    case Attr.MsBwReservationAmount:
      msg.msBandwidthReservation = true;
      return;
    case Attr.MsMultiplexedSessionId:
      if (len !== 8) return bad(msg);
      msg.msMultiplexedSession = true;
      return;
    case Attr.Priority:
      if (len !== 4) return bad(msg);
      msg.priority = u32(buf, v);
      return;
    case Attr.UseCandidate:
      msg.useCandidate = true;
      return;
    case Attr.IceControlling:
      msg.iceRole = 1;
      return;
    case Attr.IceControlled:
      msg.iceRole = 2;
      return;
    case Attr.MessageIntegrity:
    case Attr.MessageIntegritySha256:
      msg.integrity = true;
      return;
    case Attr.Fingerprint:
      if (len !== 4) return bad(msg);
      fingerprint(buf, off, v, attrStart, msg);
      return;
    case Attr.MsMagicCookie:
    case Attr.ChangeRequest:
    case Attr.UnknownAttributes:
    case Attr.RequestedAddressFamily:
    case Attr.EvenPort:
    case Attr.DontFragment:
    case Attr.PasswordAlgorithm:
    case Attr.Userhash:
    case Attr.ReservationToken:
    case Attr.ResponseOrigin:
    case Attr.OtherAddress:
    case Attr.Padding:
    case Attr.MobilityTicket:
      return; // known, nothing the report uses
    default:
      unknown(msg, t);
  }
}

/**
 * FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to the attribute,
 * with the header length as sent (it already counts the fingerprint), XOR
 * 0x5354554E.
 */
function fingerprint(buf: Buffer, off: number, v: number, attrStart: number, msg: StunMessage): void {
  const want = (crc32(buf, off, attrStart) ^ FINGERPRINT_XOR) >>> 0;
  if (u32(buf, v) === want) {
    msg.fingerprint = 1;
  } else {
    msg.fingerprint = 2;
    msg.flaws |= Flaw.FingerprintMismatch;
  }
}

/**
 * RFC 8489 §14.1/§14.2 address: reserved(8) family(8: 1 IPv4, 2 IPv6)
 * port(16) address(32 or 128). XOR forms: port XOR header bytes 4-5, address
 * XOR header bytes 4-7 (IPv4) or 4-19 (IPv6). Bytes 4-7 are the magic cookie
 * in RFC 5389; in MS-TURN and the RFC 3489 drafts, whose 128-bit transaction
 * id has no cookie, they are the id's first word, for the port as for the
 * address (what libnice and Wireshark's classic-STUN decoder do).
 */
function address(buf: Buffer, off: number, v: number, len: number, msg: StunMessage, slot: number, xor: boolean): void {
  const fam = len >= 4 ? buf[v + 1] : 0;
  const w = slot * 4;
  const words = msg.addrWords;
  if (fam === 1 && len === 8) {
    msg.addrFamily[slot] = 4;
    words[w] = 0;
    words[w + 1] = 0;
    words[w + 2] = 0;
    words[w + 3] = xor ? (u32(buf, v + 4) ^ u32(buf, off + 4)) >>> 0 : u32(buf, v + 4);
  } else if (fam === 2 && len === 20) {
    msg.addrFamily[slot] = 6;
    for (let i = 0; i < 4; i++) words[w + i] = xor ? (u32(buf, v + 4 + 4 * i) ^ u32(buf, off + 4 + 4 * i)) >>> 0 : u32(buf, v + 4 + 4 * i);
  } else {
    bad(msg);
    return;
  }
  const port = (buf[v + 2] << 8) | buf[v + 3];
  msg.addrPort[slot] = xor ? port ^ ((buf[off + 4] << 8) | buf[off + 5]) : port;
}

function text(msg: StunMessage, slot: number, v: number, len: number): void {
  msg.txtOff[slot] = v;
  msg.txtLen[slot] = len;
}

function bad(msg: StunMessage): void {
  msg.flaws |= Flaw.AttributeBadValue;
}

function unknown(msg: StunMessage, t: number): void {
  if (msg.unknown < MAX_UNKNOWN_KEPT) msg.unknownTypes[msg.unknown] = t;
  msg.unknown++;
}

export const MAX_TEXT = 256; // bound on any string copied from a packet (hostile input)

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A text attribute of the message just parsed from `buf`, copied out and
 * bounded to MAX_TEXT characters, control characters replaced; undefined
 * when absent. A USERNAME that is not text (MS-TURN's is an opaque binary
 * token, [MS-TURN] §2.2.2.1) is given as "0x" and hex digits instead, which
 * a reader can compare and copy. Allocates: call only for messages kept in the report.
 */
export function stunText(buf: Buffer, msg: StunMessage, slot: number): string | undefined {
  const len = msg.txtLen[slot];
  if (len < 0) return undefined;
  const off = msg.txtOff[slot];
  if (slot === Txt.Username && !isText(buf, off, off + len)) return `0x${buf.toString('hex', off, off + Math.min(len, (MAX_TEXT - 2) >> 1))}`;
  // eslint-disable-next-line no-control-regex
  return buf.toString('utf8', off, off + Math.min(len, MAX_TEXT)).replace(/[\u0000-\u001f\u007f]/g, '\ufffd').slice(0, MAX_TEXT);
}

/** True when the bytes are valid UTF-8 without control characters (C0, DEL, C1). */
function isText(buf: Buffer, start: number, end: number): boolean {
  let text: string;
  try {
    text = STRICT_UTF8.decode(buf.subarray(start, end));
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f-\u009f]/.test(text);
}
