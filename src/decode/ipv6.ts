/**
 * IPv6 fixed header (RFC 8200 §3) and the extension headers before the
 * upper-layer header (RFC 8200 §4).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Traffic Class |           Flow Label                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Payload Length        |  Next Header  |   Hop Limit   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Source Address (128 bits)                    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Destination Address (128 bits)                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Hop-by-Hop (0), Routing (43), Destination Options (60): RFC 8200 §4.3-4.6
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |  Hdr Ext Len  |  ... (Hdr Ext Len + 1) * 8 bytes
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Fragment (44): RFC 8200 §4.5, always 8 bytes
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Identification                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Authentication Header (51): RFC 4302 §2, length (Payload Len + 2) * 4
 *
 * Any other Next Header value (TCP, UDP, ICMPv6, ESP, 59 No Next Header...)
 * ends the walk and becomes `pkt.proto`. A non-first fragment ends it too:
 * what follows its fragment header is the middle of a datagram.
 *
 * Lengths are handled as for IPv4 (see ipv4.ts): a Payload Length of 0
 * (RFC 2675 jumbogram, or GSO in host-side captures) or one beyond the wire
 * falls back to the wire length. On return the payload fields describe the
 * upper-layer payload after the extension headers.
 */
import { A, type AnomalyCounters } from '../anomalies.js';
import { Family, type PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { u32 } from '../bytes.js';
import { readIpv6Addresses } from './addresses.js';

export const IPV6_HEADER_LEN = 40; // RFC 8200 §3
export const IPV6_NH_HOP_BY_HOP = 0; // RFC 8200 §4.3
export const IPV6_NH_ROUTING = 43; // RFC 8200 §4.4
export const IPV6_NH_FRAGMENT = 44; // RFC 8200 §4.5
export const IPV6_NH_AH = 51; // RFC 4302 §2
export const IPV6_NH_DEST_OPTS = 60; // RFC 8200 §4.6
const IPV6_FRAG_HEADER_LEN = 8; // RFC 8200 §4.5
const IPV6_FRAG_OFFSET_MASK = 0xfff8; // RFC 8200 §4.5: 13-bit offset in 8-byte units, already << 3
const IPV6_FRAG_M = 0x0001; // RFC 8200 §4.5: more fragments
/** RFC 8200 §4.1 recommends at most one of each kind (two Destination Options); more is garbage. */
const MAX_EXT_HEADERS = 8;

/** Result of walkIpv6Extensions when the chain is cut short, too long or past its end. */
export const EXT_BAD = -1;
/** Result of walkIpv6Extensions (quoted packets only) at a non-first fragment header. */
export const EXT_NON_FIRST_FRAGMENT = -2;

/**
 * Decodes the IPv6 header at `off`; `end` is the captured end of the frame.
 * Returns NotMine for a version other than 6 (Ipv4BadVersion), Truncated when
 * the fixed header is cut short (Ipv6Truncated), Malformed when the extension
 * chain is cut short or inconsistent (Ipv6ExtHeaderTruncated): see ipv6FateOf.
 */
export function decodeIpv6(buf: Buffer, off: number, end: number, pkt: PacketView, counters: AnomalyCounters): Decode {
  if (end - off < 1) return Decode.Truncated;
  if (buf[off] >> 4 !== 6) return Decode.NotMine;
  if (end - off < IPV6_HEADER_LEN) return Decode.Truncated;

  const payloadLen = (buf[off + 4] << 8) | buf[off + 5];
  let wireAvail = pkt.wireLen - (off - pkt.frameStart);
  if (wireAvail < end - off) wireAvail = end - off;
  const wirePayload = wireAvail - IPV6_HEADER_LEN;
  let dataLen = payloadLen;
  if (payloadLen === 0) {
    // RFC 2675 puts the real length in a Hop-by-Hop Jumbo Payload option;
    // GSO captures leave 0 with no option at all. The wire length covers both.
    dataLen = wirePayload;
    if (wirePayload > 0) counters[A.Ipv6Jumbo]++;
  } else if (payloadLen > wirePayload) {
    dataLen = wirePayload;
    counters[A.Ipv6BadPayloadLength]++;
  }

  pkt.family = Family.V6;
  pkt.l3Off = off;
  const dataEnd = off + IPV6_HEADER_LEN + dataLen;
  const l3End = end < dataEnd ? end : dataEnd;
  pkt.l3End = l3End;
  readIpv6Addresses(buf, off, pkt.src, pkt.dst);

  const walked = walkIpv6Extensions(buf, off + IPV6_HEADER_LEN, l3End, buf[off + 6], pkt);
  if (walked < 0) return Decode.Malformed;
  const p = Math.floor(walked / 256);
  pkt.proto = walked % 256;
  pkt.payloadOff = p;
  pkt.payloadEnd = l3End;
  pkt.payloadLen = dataEnd - p;
  return Decode.Ok;
}

/**
 * Walks the extension headers starting at `p`, the first being of type `nh`,
 * without reading at or past `end`. Returns `offset * 256 + protocol` of the
 * upper layer (a number, so the hot path allocates nothing), or EXT_BAD.
 *
 * With a `pkt`, a fragment header (other than an RFC 6946 atomic fragment:
 * offset 0, M clear) is recorded into it and a non-first fragment stops the
 * walk. Without one (the packet quoted in an ICMPv6 error), a non-first
 * fragment returns EXT_NON_FIRST_FRAGMENT, since it has no ports to give.
 */
export function walkIpv6Extensions(buf: Buffer, p: number, end: number, nh: number, pkt: PacketView | null): number {
  for (let n = 0; ; n++) {
    let len: number;
    switch (nh) {
      case IPV6_NH_HOP_BY_HOP:
      case IPV6_NH_ROUTING:
      case IPV6_NH_DEST_OPTS:
        if (end - p < 2) return EXT_BAD;
        len = (buf[p + 1] + 1) << 3;
        break;
      case IPV6_NH_AH:
        if (end - p < 2) return EXT_BAD;
        len = (buf[p + 1] + 2) << 2;
        break;
      case IPV6_NH_FRAGMENT: {
        if (end - p < IPV6_FRAG_HEADER_LEN) return EXT_BAD;
        const offFlags = (buf[p + 2] << 8) | buf[p + 3];
        const fragOffset = offFlags & IPV6_FRAG_OFFSET_MASK;
        if (fragOffset !== 0 || (offFlags & IPV6_FRAG_M) !== 0) {
          if (pkt === null) {
            if (fragOffset !== 0) return EXT_NON_FIRST_FRAGMENT;
          } else {
            pkt.isFragment = true;
            pkt.fragOffset = fragOffset;
            pkt.fragId = u32(buf, p + 4);
            if (fragOffset !== 0) return (p + IPV6_FRAG_HEADER_LEN) * 256 + buf[p];
          }
        }
        len = IPV6_FRAG_HEADER_LEN;
        break;
      }
      default:
        return p * 256 + nh;
    }
    if (n === MAX_EXT_HEADERS || end - p < len) return EXT_BAD;
    nh = buf[p];
    p += len;
  }
}

/** The fate anomaly of a non-Ok result of decodeIpv6. */
export function ipv6FateOf(status: Decode): number {
  if (status === Decode.NotMine) return A.Ipv4BadVersion;
  return status === Decode.Truncated ? A.Ipv6Truncated : A.Ipv6ExtHeaderTruncated;
}
