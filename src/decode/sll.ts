/**
 * LINKTYPE_LINUX_SLL (113), Linux "cooked" capture v1
 * (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Packet type           |        ARPHRD_ type           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Link-layer address length     |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |            Link-layer address (8 bytes, zero padded)          |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |        Protocol type          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The protocol type is an EtherType, except for a few small Linux ETH_P_*
 * values (ETH_P_802_2 = 4 means an 802.2 LLC header follows) and for netlink
 * captures, where it is a netlink family.
 */
import type { PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { decodeEthertype, decodeLlcSnap } from './ethernet.js';

export const SLL_HEADER_LEN = 16; // LINKTYPE_LINUX_SLL: fixed 16-byte header
const SLL_PROTOCOL_OFF = 14; // LINKTYPE_LINUX_SLL: protocol type at offset 14
const SLL_HATYPE_OFF = 2; // LINKTYPE_LINUX_SLL: ARPHRD_ type at offset 2
export const ARPHRD_NETLINK = 824; // linux/if_arp.h: protocol field is a netlink family, not an EtherType
export const ETH_P_802_2 = 0x0004; // linux/if_ether.h: 802.2 frames, an LLC header follows
const ETHERTYPE_MIN = 0x0600; // IEEE 802.3 §3.2.6: smaller values are not EtherTypes

export function decodeSll(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  if (end - off < SLL_HEADER_LEN) return Decode.Truncated;
  const hatype = (buf[off + SLL_HATYPE_OFF] << 8) | buf[off + SLL_HATYPE_OFF + 1];
  const protocol = (buf[off + SLL_PROTOCOL_OFF] << 8) | buf[off + SLL_PROTOCOL_OFF + 1];
  return cookedPayload(buf, off + SLL_HEADER_LEN, end, hatype, protocol, pkt);
}

/** What follows a Linux cooked header (v1 or v2), given its ARPHRD_ type and protocol. */
export function cookedPayload(
  buf: Buffer,
  off: number,
  end: number,
  hatype: number,
  protocol: number,
  pkt: PacketView,
): Decode {
  if (hatype === ARPHRD_NETLINK) return Decode.NotMine;
  if (protocol >= ETHERTYPE_MIN) return decodeEthertype(buf, off, end, protocol, pkt);
  if (protocol === ETH_P_802_2) return decodeLlcSnap(buf, off, end, pkt);
  return Decode.NotMine;
}
