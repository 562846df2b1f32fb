/**
 * Whether a frame was sent to the link layer's broadcast address: a limited
 * or directed IP broadcast (192.168.1.255 from a /24 cannot be told from a
 * host without its netmask, but its frame can), which stays on its LAN
 * segment. Read once per flow, on the packet that starts it.
 */
import { LinkType } from '../capture/link-types.js';
import type { PacketView } from './packet-view.js';

const SLL_PACKET_TYPE_OFF = 0; // LINKTYPE_LINUX_SLL: uint16 packet type
const SLL2_PACKET_TYPE_OFF = 10; // LINKTYPE_LINUX_SLL2: uint8 packet type
/** linux/if_packet.h PACKET_BROADCAST: "to all", as the capturing host received it (its own sends are PACKET_OUTGOING, and say nothing). */
const PACKET_BROADCAST = 1;
const MAC_BYTES = 6;

/** True when `pkt`'s frame went to the Ethernet broadcast address, or a Linux cooked capture marks it received as a broadcast. */
export function isLinkBroadcast(pkt: PacketView): boolean {
  const buf = pkt.buf;
  const s = pkt.frameStart;
  switch (pkt.linkType) {
    case LinkType.ETHERNET: {
      if (pkt.frameEnd - s < MAC_BYTES) return false;
      for (let i = s; i < s + MAC_BYTES; i++) if (buf[i] !== 0xff) return false;
      return true;
    }
    case LinkType.LINUX_SLL:
      return pkt.frameEnd - s >= 2 && buf[s + SLL_PACKET_TYPE_OFF] === 0 && buf[s + SLL_PACKET_TYPE_OFF + 1] === PACKET_BROADCAST;
    case LinkType.LINUX_SLL2:
      return pkt.frameEnd - s > SLL2_PACKET_TYPE_OFF && buf[s + SLL2_PACKET_TYPE_OFF] === PACKET_BROADCAST;
    default:
      return false;
  }
}
