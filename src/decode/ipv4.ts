/**
 * IPv4 header (RFC 791 §3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |Type of Service|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Lengths: the datagram ends at `off + Total Length`, so Ethernet padding and
 * trailers (e.g. F5's) after it are trimmed from `pkt.l3End`. A Total Length
 * of 0 is what TSO/GSO offload leaves in host-side captures; the length on
 * the wire is used instead. A Total Length beyond what the wire carried
 * (pkt.wireLen minus the link headers) is inconsistent: the wire length is
 * used and the anomaly counted. A Total Length beyond the *captured* bytes
 * is ordinary snaplen truncation and not an IPv4 anomaly.
 *
 * On return the payload fields describe the IP payload: `payloadOff` its
 * start, `payloadEnd` its captured end, `payloadLen` its length per the
 * header. Transport decoders read `payloadLen` as the IP payload length.
 * The header checksum is not verified (captures taken on the sending host
 * show offloaded, not-yet-computed checksums).
 */
import { A, type AnomalyCounters } from '../anomalies.js';
import { Family, type PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { readIpv4Addresses } from './addresses.js';

export const IPV4_MIN_HEADER_LEN = 20; // RFC 791 §3.1: IHL >= 5 words
const IPV4_MIN_IHL = 5; // RFC 791 §3.1
const IPV4_FLAG_MF = 0x2000; // RFC 791 §3.1: More Fragments, bit 2 of the flags
export const IPV4_FRAG_OFFSET_MASK = 0x1fff; // RFC 791 §3.1: 13-bit offset in 8-byte units

/**
 * Decodes the IPv4 header at `off`; `end` is the captured end of the frame.
 * Returns NotMine for a version other than 4 (Ipv4BadVersion), Truncated when
 * the header is cut short (Ipv4Truncated), Malformed for an IHL below 5
 * (Ipv4BadIhl) or a Total Length shorter than the header (Ipv4BadTotalLength):
 * see `ipv4FateOf`. Non-fate remarks are counted into `counters`.
 */
export function decodeIpv4(buf: Buffer, off: number, end: number, pkt: PacketView, counters: AnomalyCounters): Decode {
  if (end - off < 1) return Decode.Truncated;
  const vihl = buf[off];
  if (vihl >> 4 !== 4) return Decode.NotMine;
  const ihl = vihl & 0x0f;
  if (ihl < IPV4_MIN_IHL) return Decode.Malformed;
  const hlen = ihl << 2;
  if (end - off < hlen) return Decode.Truncated;

  const totalLen = (buf[off + 2] << 8) | buf[off + 3];
  // What the wire carried from this header on; never less than what was captured
  // (some writers put caplen > len, which we do not let shrink the packet).
  let wireAvail = pkt.wireLen - (off - pkt.frameStart);
  if (wireAvail < end - off) wireAvail = end - off;
  let ipLen = totalLen;
  if (totalLen === 0) {
    ipLen = wireAvail;
    counters[A.Ipv4Jumbo]++;
  } else if (totalLen < hlen) {
    return Decode.Malformed;
  } else if (totalLen > wireAvail) {
    ipLen = wireAvail;
    counters[A.Ipv4TotalLengthBeyondFrame]++;
  }

  pkt.family = Family.V4;
  pkt.l3Off = off;
  pkt.l3End = end - off < ipLen ? end : off + ipLen;
  pkt.proto = buf[off + 9];
  readIpv4Addresses(buf, off, pkt.src, pkt.dst);

  const flagsFrag = (buf[off + 6] << 8) | buf[off + 7];
  const fragOffset = (flagsFrag & IPV4_FRAG_OFFSET_MASK) << 3;
  // MF clear and offset 0 is a whole datagram, whatever DF says.
  if ((flagsFrag & IPV4_FLAG_MF) !== 0 || fragOffset !== 0) {
    pkt.isFragment = true;
    pkt.fragOffset = fragOffset;
    pkt.fragId = (buf[off + 4] << 8) | buf[off + 5];
  }

  pkt.payloadOff = off + hlen;
  pkt.payloadEnd = pkt.l3End;
  pkt.payloadLen = ipLen - hlen;
  return Decode.Ok;
}

/** The fate anomaly of a non-Ok result of decodeIpv4 for the header at `off` (cold path). */
export function ipv4FateOf(status: Decode, buf: Buffer, off: number): number {
  if (status === Decode.NotMine) return A.Ipv4BadVersion;
  if (status === Decode.Truncated) return A.Ipv4Truncated;
  return (buf[off] & 0x0f) < IPV4_MIN_IHL ? A.Ipv4BadIhl : A.Ipv4BadTotalLength;
}
