/**
 * TCP header (RFC 9293 §3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *  |       |       |R|E|G|K|H|T|N|N|                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Options (Data Offset - 5 words)          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The ports are what a flow needs; anything after them is best effort:
 * - fewer than 4 captured bytes: Truncated (TcpTruncated, no flow);
 * - the segment (per the IP header) is too short to hold the data offset,
 *   or the offset is below 5: Malformed (the fate TcpBadDataOffset, no
 *   flow): the header is invalid, not cut, and tshark and Zeek drop such
 *   segments from their connection tables too; except that a first IP
 *   fragment may legally end inside the header (TcpTinyFragment, ports kept);
 * - the capture stops inside the fixed 20 bytes: ports kept, flags/seq/ack/
 *   window 0 and payload empty, TcpHeaderTruncated (the flags are unknown,
 *   not absent);
 * - the capture stops inside the options: everything kept, payload empty
 *   as captured, `payloadLen` still per the headers, TcpHeaderTruncated.
 *   (tshark leaves both cut cases out of its conversation tables; we keep
 *   them, because a snaplen-cut SYN is still the SYN that opened the flow.)
 * Options are skipped, not parsed.
 */
import { A, type AnomalyCounters } from '../anomalies.js';
import type { PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { u32 } from '../bytes.js';

export const TCP_MIN_HEADER_LEN = 20; // RFC 9293 §3.1: Data Offset >= 5 words
const TCP_MIN_DATA_OFFSET = 5; // RFC 9293 §3.1

/**
 * Decodes the TCP header at `off` (pkt.payloadOff after the IP decoder),
 * `end` being the captured end of the IP datagram. Reads the IP payload
 * length from `pkt.payloadLen` and replaces the payload fields with the
 * segment's payload.
 */
export function decodeTcp(buf: Buffer, off: number, end: number, pkt: PacketView, counters: AnomalyCounters): Decode {
  const avail = end - off;
  if (avail < 4) return Decode.Truncated;
  const segLen = pkt.payloadLen;
  pkt.l4Off = off;
  pkt.srcPort = (buf[off] << 8) | buf[off + 1];
  pkt.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  if (segLen < TCP_MIN_HEADER_LEN) {
    // Too short for any TCP header: invalid, unless it is a first fragment (see the file header).
    if (!pkt.isFragment || (avail > 12 && buf[off + 12] >> 4 < TCP_MIN_DATA_OFFSET)) return Decode.Malformed;
    counters[A.TcpTinyFragment]++;
    return unknownHeader(end, pkt);
  }
  if (avail < TCP_MIN_HEADER_LEN) {
    counters[A.TcpHeaderTruncated]++;
    return unknownHeader(end, pkt);
  }
  pkt.tcpSeq = u32(buf, off + 4);
  pkt.tcpAck = u32(buf, off + 8);
  pkt.tcpFlags = buf[off + 13];
  pkt.tcpWindow = (buf[off + 14] << 8) | buf[off + 15];
  const dataOffset = buf[off + 12] >> 4;
  const hlen = dataOffset << 2;
  if (dataOffset < TCP_MIN_DATA_OFFSET) return Decode.Malformed;
  if (hlen > segLen) {
    // In a first fragment the rest of the header may follow in the next one: legal, but the
    // classic way to slip flags past a filter (RFC 1858 §3), so it is named. Otherwise invalid.
    if (!pkt.isFragment) return Decode.Malformed;
    counters[A.TcpTinyFragment]++;
    return emptyPayload(end, pkt);
  }
  if (avail < hlen) counters[A.TcpHeaderTruncated]++;
  pkt.payloadOff = avail < hlen ? end : off + hlen;
  pkt.payloadEnd = end;
  pkt.payloadLen = segLen - hlen;
  return Decode.Ok;
}

/** The header past the ports is not in the capture: flags, sequence numbers and window are unknown. */
function unknownHeader(end: number, pkt: PacketView): Decode {
  pkt.tcpSeq = 0;
  pkt.tcpAck = 0;
  pkt.tcpWindow = 0;
  return emptyPayload(end, pkt);
}

function emptyPayload(end: number, pkt: PacketView): Decode {
  pkt.payloadOff = end;
  pkt.payloadEnd = end;
  pkt.payloadLen = 0;
  return Decode.Ok;
}
