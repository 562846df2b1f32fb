/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443 §2.1): type, code, and for error
 * messages the quoted datagram's flow key.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Identifier (echo) / unused  |   Sequence (echo) / unused    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Error messages: the offending IP header + at least 8 bytes   |
 *  |  of its payload (RFC 792; ICMPv6: as much as fits, RFC 4443)  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flow-key "ports" of an ICMP packet, after Zeek's conn.log (orig_p = type,
 * resp_p = code), written per packet from that packet's sender:
 * - echo request (v4 8, v6 128): srcPort = type, dstPort = identifier, so
 *   that separate ping runs between two hosts are separate flows;
 * - echo reply (v4 0, v6 129): srcPort = identifier, dstPort = the request
 *   type, i.e. the request's key seen from the other end, so a bidirectional
 *   flow table puts the reply in its request's flow;
 * - v4 timestamp, information and address mask replies (14, 16, 18): the
 *   same swap, srcPort = code, dstPort = the request type (13, 15, 17);
 * - everything else: srcPort = type, dstPort = code.
 * A flow oriented by its first packet (a request) therefore reads like
 * Zeek's conn.log: client port = type, server port = code (identifier for
 * echo). `pkt.icmpType` / `pkt.icmpCode` keep the raw values.
 *
 * Errors (v4: 3 destination unreachable, including code 13 administratively
 * prohibited, 4 source quench, 11 time exceeded, 12 parameter problem; v6:
 * 1 destination unreachable, 2 packet too big, 3 time exceeded, 4 parameter
 * problem) set `pkt.icmpIsError` and, when the quote is long enough to name
 * a flow, `pkt.inner*` (the quoted datagram as its original sender sent it,
 * ports mapped as above for a quoted ICMP packet). Redirect (v4 5) is not an
 * error for firewall purposes. A quote too short to give the ports, a quoted
 * non-first fragment or a garbled quoted header counts
 * IcmpErrorTruncatedInner and leaves `innerFamily` at None; the ICMP packet
 * itself still has its flow.
 */
import { A, type AnomalyCounters } from '../anomalies.js';
import { Family, IpProto, type PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { readIpv4Addresses, readIpv6Addresses } from './addresses.js';
import { IPV4_FRAG_OFFSET_MASK, IPV4_MIN_HEADER_LEN } from './ipv4.js';
import { IPV6_HEADER_LEN, walkIpv6Extensions } from './ipv6.js';

export const ICMP_HEADER_LEN = 8; // RFC 792 / RFC 4443 §2.1: type, code, checksum, 4 bytes of message body
const ICMP_ID_END = 6; // RFC 792: identifier in bytes 4-5 of echo messages

export const ICMP4_ECHO_REPLY = 0; // RFC 792
export const ICMP4_DEST_UNREACHABLE = 3; // RFC 792
export const ICMP4_SOURCE_QUENCH = 4; // RFC 792 (deprecated by RFC 6633, still an error quoting a datagram)
export const ICMP4_ECHO_REQUEST = 8; // RFC 792
export const ICMP4_TIME_EXCEEDED = 11; // RFC 792
export const ICMP4_PARAMETER_PROBLEM = 12; // RFC 792
export const ICMP4_TIMESTAMP = 13; // RFC 792
export const ICMP4_TIMESTAMP_REPLY = 14; // RFC 792
export const ICMP4_INFO_REQUEST = 15; // RFC 792
export const ICMP4_INFO_REPLY = 16; // RFC 792
export const ICMP4_ADDRESS_MASK = 17; // RFC 950 Appendix I
export const ICMP4_ADDRESS_MASK_REPLY = 18; // RFC 950 Appendix I
export const ICMP6_DEST_UNREACHABLE = 1; // RFC 4443 §3.1
export const ICMP6_PACKET_TOO_BIG = 2; // RFC 4443 §3.2
export const ICMP6_TIME_EXCEEDED = 3; // RFC 4443 §3.3
export const ICMP6_PARAMETER_PROBLEM = 4; // RFC 4443 §3.4
export const ICMP6_ECHO_REQUEST = 128; // RFC 4443 §4.1
export const ICMP6_ECHO_REPLY = 129; // RFC 4443 §4.2

/** Decodes an ICMPv4 message at `off`; see decodeTcp for the payload-field contract. */
export function decodeIcmp(buf: Buffer, off: number, end: number, pkt: PacketView, counters: AnomalyCounters): Decode {
  return decodeIcmpAny(buf, off, end, pkt, counters, false);
}

/** Decodes an ICMPv6 message at `off`; see decodeTcp for the payload-field contract. */
export function decodeIcmpv6(buf: Buffer, off: number, end: number, pkt: PacketView, counters: AnomalyCounters): Decode {
  return decodeIcmpAny(buf, off, end, pkt, counters, true);
}

function decodeIcmpAny(
  buf: Buffer,
  off: number,
  end: number,
  pkt: PacketView,
  counters: AnomalyCounters,
  v6: boolean,
): Decode {
  const avail = end - off;
  if (avail < 4) return Decode.Truncated;
  const type = buf[off];
  const code = buf[off + 1];
  const echo = v6 ? type === ICMP6_ECHO_REQUEST || type === ICMP6_ECHO_REPLY : type === ICMP4_ECHO_REQUEST || type === ICMP4_ECHO_REPLY;
  if (echo && avail < ICMP_ID_END) return Decode.Truncated;
  const ports = keyPorts(v6, type, code, echo ? (buf[off + 4] << 8) | buf[off + 5] : 0);
  pkt.l4Off = off;
  pkt.icmpType = type;
  pkt.icmpCode = code;
  pkt.srcPort = Math.floor(ports / 65536);
  pkt.dstPort = ports % 65536;
  const ipPayload = pkt.payloadLen;
  pkt.payloadOff = avail < ICMP_HEADER_LEN ? end : off + ICMP_HEADER_LEN;
  pkt.payloadEnd = end;
  pkt.payloadLen = ipPayload > ICMP_HEADER_LEN ? ipPayload - ICMP_HEADER_LEN : 0;
  if (v6 ? isIcmp6Error(type) : isIcmp4Error(type)) {
    pkt.icmpIsError = true;
    if (!decodeQuoted(buf, off + ICMP_HEADER_LEN, end, pkt)) counters[A.IcmpErrorTruncatedInner]++;
  }
  return Decode.Ok;
}

/** True for ICMPv4 types that quote the datagram that caused them (RFC 792). */
export function isIcmp4Error(type: number): boolean {
  return (
    type === ICMP4_DEST_UNREACHABLE ||
    type === ICMP4_SOURCE_QUENCH ||
    type === ICMP4_TIME_EXCEEDED ||
    type === ICMP4_PARAMETER_PROBLEM
  );
}

/** True for ICMPv6 error types (RFC 4443 §2.1: types 0-127 are errors; 1-4 are the defined ones). */
export function isIcmp6Error(type: number): boolean {
  return type >= ICMP6_DEST_UNREACHABLE && type <= ICMP6_PARAMETER_PROBLEM;
}

/**
 * The flow-key ports of an ICMP message (see the file header), packed as
 * `srcPort * 65536 + dstPort` so nothing is allocated.
 */
export function keyPorts(v6: boolean, type: number, code: number, id: number): number {
  if (v6) {
    if (type === ICMP6_ECHO_REQUEST) return type * 65536 + id;
    if (type === ICMP6_ECHO_REPLY) return id * 65536 + ICMP6_ECHO_REQUEST;
    return type * 65536 + code;
  }
  switch (type) {
    case ICMP4_ECHO_REQUEST:
      return type * 65536 + id;
    case ICMP4_ECHO_REPLY:
      return id * 65536 + ICMP4_ECHO_REQUEST;
    case ICMP4_TIMESTAMP_REPLY:
      return code * 65536 + ICMP4_TIMESTAMP;
    case ICMP4_INFO_REPLY:
      return code * 65536 + ICMP4_INFO_REQUEST;
    case ICMP4_ADDRESS_MASK_REPLY:
      return code * 65536 + ICMP4_ADDRESS_MASK;
    default:
      return type * 65536 + code;
  }
}

/**
 * Reads the datagram quoted from `p` (IPv4 or IPv6, told by its version
 * nibble) into pkt.inner*. Returns false when it cannot name a flow.
 */
function decodeQuoted(buf: Buffer, p: number, end: number, pkt: PacketView): boolean {
  if (end - p < 1) return false;
  const version = buf[p] >> 4;
  let q: number;
  let proto: number;
  let family: number;
  if (version === 4) {
    if (end - p < IPV4_MIN_HEADER_LEN) return false;
    const hlen = (buf[p] & 0x0f) << 2;
    if (hlen < IPV4_MIN_HEADER_LEN || end - p < hlen) return false;
    // A quoted non-first fragment carries no transport header.
    if ((((buf[p + 6] << 8) | buf[p + 7]) & IPV4_FRAG_OFFSET_MASK) !== 0) return false;
    family = Family.V4;
    proto = buf[p + 9];
    q = p + hlen;
    readIpv4Addresses(buf, p, pkt.innerSrc, pkt.innerDst);
  } else if (version === 6) {
    if (end - p < IPV6_HEADER_LEN) return false;
    const walked = walkIpv6Extensions(buf, p + IPV6_HEADER_LEN, end, buf[p + 6], null);
    if (walked < 0) return false;
    family = Family.V6;
    q = Math.floor(walked / 256);
    proto = walked % 256;
    readIpv6Addresses(buf, p, pkt.innerSrc, pkt.innerDst);
  } else {
    return false;
  }

  const avail = end - q;
  let ports = 0;
  switch (proto) {
    case IpProto.TCP:
    case IpProto.UDP:
      if (avail < 4) return false;
      ports = ((buf[q] << 8) | buf[q + 1]) * 65536 + ((buf[q + 2] << 8) | buf[q + 3]);
      break;
    case IpProto.ICMP:
    case IpProto.ICMPV6: {
      // As in packet.ts, ICMP counts as ICMP only in its own IP version.
      const v6 = family === Family.V6;
      if (proto !== (v6 ? IpProto.ICMPV6 : IpProto.ICMP)) break;
      if (avail < 2) return false;
      const type = buf[q];
      const echo = v6 ? type === ICMP6_ECHO_REQUEST || type === ICMP6_ECHO_REPLY : type === ICMP4_ECHO_REQUEST || type === ICMP4_ECHO_REPLY;
      if (echo && avail < ICMP_ID_END) return false;
      ports = keyPorts(v6, type, buf[q + 1], echo ? (buf[q + 4] << 8) | buf[q + 5] : 0);
      break;
    }
    default:
      // Other protocols' flows have ports 0 (see packet.ts).
      break;
  }
  pkt.innerFamily = family;
  pkt.innerProto = proto;
  pkt.innerSrcPort = Math.floor(ports / 65536);
  pkt.innerDstPort = ports % 65536;
  return true;
}
