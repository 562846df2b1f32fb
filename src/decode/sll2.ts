/**
 * LINKTYPE_LINUX_SLL2 (276), Linux "cooked" capture v2
 * (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Protocol type          |       Reserved (MBZ)          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Interface index                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         ARPHRD_ type          |  Packet type  | Address length|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Link-layer address (8 bytes, zero padded)           |
 *  +                                                               +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The protocol type has the same meaning as in SLL v1 (see sll.ts).
 */
import type { PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { cookedPayload } from './sll.js';

export const SLL2_HEADER_LEN = 20; // LINKTYPE_LINUX_SLL2: fixed 20-byte header
const SLL2_HATYPE_OFF = 8; // LINKTYPE_LINUX_SLL2: ARPHRD_ type at offset 8

export function decodeSll2(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  if (end - off < SLL2_HEADER_LEN) return Decode.Truncated;
  const protocol = (buf[off] << 8) | buf[off + 1];
  const hatype = (buf[off + SLL2_HATYPE_OFF] << 8) | buf[off + SLL2_HATYPE_OFF + 1];
  return cookedPayload(buf, off + SLL2_HEADER_LEN, end, hatype, protocol, pkt);
}
