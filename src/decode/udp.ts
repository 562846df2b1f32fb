/**
 * UDP header (RFC 768).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Length             |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The Length field (header + data) is trusted when it is consistent with the
 * IP payload: at least 8 and not past the IP payload (for a first fragment:
 * not shorter than this fragment, since it covers the whole datagram).
 * Otherwise UdpBadLength is counted and the IP payload length is used.
 * A Length of 0 in an IPv6 jumbogram is legal (RFC 2675 §4).
 *
 * For a first fragment `payloadLen` is what this fragment carries, not the
 * whole datagram: the other fragments are counted on their own.
 */
import { A, type AnomalyCounters } from '../anomalies.js';
import { Family, type PacketView } from './packet-view.js';
import { Decode } from './status.js';

export const UDP_HEADER_LEN = 8; // RFC 768
const IPV6_MAX_NON_JUMBO_PAYLOAD = 0xffff; // RFC 2675 §4: UDP Length 0 only above this

/**
 * Decodes the UDP header at `off` (pkt.payloadOff after the IP decoder), `end`
 * being the captured end of the IP datagram. Reads the IP payload length from
 * `pkt.payloadLen` and replaces the payload fields with the datagram's payload.
 */
export function decodeUdp(buf: Buffer, off: number, end: number, pkt: PacketView, counters: AnomalyCounters): Decode {
  const avail = end - off;
  if (avail < 4) return Decode.Truncated;
  const ipPayload = pkt.payloadLen;
  pkt.l4Off = off;
  pkt.srcPort = (buf[off] << 8) | buf[off + 1];
  pkt.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  if (avail < UDP_HEADER_LEN) {
    // Cut by the capture after the ports: the IP header still tells the length.
    if (ipPayload < UDP_HEADER_LEN) counters[A.UdpBadLength]++;
    pkt.payloadOff = end;
    pkt.payloadEnd = end;
    pkt.payloadLen = ipPayload > UDP_HEADER_LEN ? ipPayload - UDP_HEADER_LEN : 0;
    return Decode.Ok;
  }
  const udpLen = (buf[off + 4] << 8) | buf[off + 5];
  pkt.payloadOff = off + UDP_HEADER_LEN;
  if (pkt.isFragment ? udpLen >= ipPayload : udpLen >= UDP_HEADER_LEN && udpLen <= ipPayload) {
    if (pkt.isFragment) {
      pkt.payloadEnd = end;
      pkt.payloadLen = ipPayload - UDP_HEADER_LEN;
    } else {
      pkt.payloadEnd = avail < udpLen ? end : off + udpLen;
      pkt.payloadLen = udpLen - UDP_HEADER_LEN;
    }
    return Decode.Ok;
  }
  if (!(udpLen === 0 && pkt.family === Family.V6 && ipPayload > IPV6_MAX_NON_JUMBO_PAYLOAD)) {
    counters[A.UdpBadLength]++;
  }
  pkt.payloadEnd = end;
  pkt.payloadLen = ipPayload - UDP_HEADER_LEN;
  return Decode.Ok;
}
