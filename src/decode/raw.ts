/**
 * Raw IP link types: the frame is the IP datagram, with no link header
 * (https://www.tcpdump.org/linktypes.html).
 *
 *   LINKTYPE_RAW (101), and DLT_RAW as 12 (most BSDs) or 14 (OpenBSD) in old
 *   files: IPv4 or IPv6, told apart by the version nibble.
 *   LINKTYPE_IPV4 (228), LINKTYPE_IPV6 (229): one family only; the IP decoder
 *   still checks the version nibble.
 *
 *   0 1 2 3 4 5 6 7
 *  +-+-+-+-+-+-+-+-+
 *  |Version|  ...  |   first byte of the IP header
 *  +-+-+-+-+-+-+-+-+
 */
import { Family, type PacketView } from './packet-view.js';
import { Decode } from './status.js';

/**
 * LINKTYPE_RAW: family from the version nibble. A nibble other than 4 or 6
 * leaves `pkt.family` at None (the caller reports a bad IP version); an empty
 * frame is Truncated.
 */
export function decodeRaw(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  if (end - off < 1) return Decode.Truncated;
  const version = buf[off] >> 4;
  pkt.family = version === 4 ? Family.V4 : version === 6 ? Family.V6 : Family.None;
  pkt.l3Off = off;
  return Decode.Ok;
}

/** LINKTYPE_IPV4 / LINKTYPE_IPV6: the family is given by the link type. */
export function decodeRawFamily(off: number, end: number, family: number, pkt: PacketView): Decode {
  if (end - off < 1) return Decode.Truncated;
  pkt.family = family;
  pkt.l3Off = off;
  return Decode.Ok;
}
