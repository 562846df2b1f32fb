/**
 * BSD loopback encapsulations: LINKTYPE_NULL (0) and LINKTYPE_LOOP (108)
 * (https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              Address family (AF_ value, 32 bits)              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * LINKTYPE_NULL writes the family in the byte order of the host that
 * captured, which the file does not record, so both orders are accepted: a
 * family is a small number, so a value above 0xffff read one way is the other
 * way round. LINKTYPE_LOOP (OpenBSD) always uses network byte order.
 *
 * AF_INET6 differs between the BSDs, and all three values occur in files.
 */
import { Family, type PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { u32 } from '../bytes.js';

export const NULL_HEADER_LEN = 4; // LINKTYPE_NULL / LINKTYPE_LOOP: one 32-bit family
export const BSD_AF_INET = 2; // all BSDs, macOS, Windows
export const BSD_AF_INET6_BSD = 24; // NetBSD, OpenBSD, BSD/OS
export const BSD_AF_INET6_FREEBSD = 28; // FreeBSD, DragonFly BSD
export const BSD_AF_INET6_DARWIN = 30; // macOS, iOS

/** LINKTYPE_NULL: family in the capturing host's byte order. */
export function decodeNull(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  if (end - off < NULL_HEADER_LEN) return Decode.Truncated;
  let af = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
  if (af > 0xffff) af = u32(buf, off);
  return fromFamily(af, off + NULL_HEADER_LEN, pkt);
}

/** LINKTYPE_LOOP: family in network byte order. */
export function decodeLoop(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  if (end - off < NULL_HEADER_LEN) return Decode.Truncated;
  return fromFamily(u32(buf, off), off + NULL_HEADER_LEN, pkt);
}

function fromFamily(af: number, l3Off: number, pkt: PacketView): Decode {
  switch (af) {
    case BSD_AF_INET:
      pkt.family = Family.V4;
      break;
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
      pkt.family = Family.V6;
      break;
    default:
      return Decode.NotMine;
  }
  pkt.l3Off = l3Off;
  return Decode.Ok;
}
