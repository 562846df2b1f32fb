/**
 * Ethernet II and IEEE 802.3 framing, with VLAN tag stacks and LLC/SNAP
 * (IEEE 802.3-2018 §3.2, IEEE 802.1Q-2018 §9, RFC 1042).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Destination MAC (6 bytes)                    |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                     Source MAC (6 bytes)                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  EtherType (>= 0x0600) or     |
 *  |  802.3 length (<= 1500)       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A VLAN tag (802.1Q 0x8100, 802.1ad 0x88a8, pre-standard QinQ 0x9100) sits
 * where the EtherType was and is followed by the next EtherType:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  TPID (0x8100/0x88a8/0x9100)  | PCP |D|        VLAN ID        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       next EtherType          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * An 802.3 length field is followed by an 802.2 LLC header; only SNAP
 * (DSAP 0xAA, SSAP 0xAA, control 0x03) with an EtherType OUI carries IP:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   DSAP 0xAA   |   SSAP 0xAA   |  Ctrl 0x03    |  OUI (3 bytes |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   ... OUI)                    |        EtherType              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Link decoders only find where the IP header starts: they set `pkt.l3Off`
 * and `pkt.family` (the family the link layer announces; the IP decoder
 * checks it against the version nibble) and return Ok, NotMine for frames
 * that carry no IP, or Truncated when the link headers are cut short.
 */
import { Family, type PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { decodeMpls } from './mpls.js';

export const ETH_HEADER_LEN = 14; // IEEE 802.3 §3.1.1: 6 + 6 + 2
export const ETHERTYPE_IPV4 = 0x0800; // IEEE EtherType registry, RFC 894
export const ETHERTYPE_IPV6 = 0x86dd; // RFC 8200 §1 / RFC 2464
export const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q C-tag
export const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad S-tag
export const ETHERTYPE_QINQ_OLD = 0x9100; // pre-802.1ad vendor S-tag (Cisco, Juniper)
export const ETHERTYPE_MPLS_UNICAST = 0x8847; // RFC 3032 §5
export const ETHERTYPE_MPLS_MULTICAST = 0x8848; // RFC 5332 §4
export const ETH_MAX_LENGTH_FIELD = 1500; // IEEE 802.3 §3.2.6: values <= 1500 are a length, >= 0x0600 a type
const VLAN_TAG_LEN = 4; // IEEE 802.1Q §9.3: TPID 2 + TCI 2 (TPID counted where the EtherType was)
/** QinQinQ exists in the wild (see vlan_qinqinq_zeek.pcap); more than this is garbage, not a tag stack. */
const MAX_VLAN_TAGS = 8;
const LLC_SNAP_SAP = 0xaa; // IEEE 802.2 / RFC 1042: SNAP DSAP and SSAP
const LLC_UI = 0x03; // IEEE 802.2: unnumbered information control field
const SNAP_HEADER_LEN = 8; // RFC 1042: LLC 3 + OUI 3 + EtherType 2
const OUI_ENCAPSULATED_ETHERNET = 0x000000; // RFC 1042: OUI 0 means the type is an EtherType
const OUI_BRIDGE_TUNNEL = 0x0000f8; // IEEE 802.1H: also EtherType semantics

/** Decodes an Ethernet II / 802.3 frame starting at `off`. */
export function decodeEthernet(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  if (end - off < ETH_HEADER_LEN) return Decode.Truncated;
  return decodeEthertype(buf, off + ETH_HEADER_LEN, end, (buf[off + 12] << 8) | buf[off + 13], pkt);
}

/**
 * Follows an EtherType whose payload starts at `off`: IP, a VLAN tag stack,
 * MPLS, or (for values <= 1500) an 802.2 LLC header. Shared by the Linux
 * cooked-capture decoders, whose protocol field is an EtherType too.
 */
export function decodeEthertype(buf: Buffer, off: number, end: number, type: number, pkt: PacketView): Decode {
  for (let tags = 0; ; tags++) {
    switch (type) {
      case ETHERTYPE_IPV4:
        pkt.family = Family.V4;
        pkt.l3Off = off;
        return Decode.Ok;
      case ETHERTYPE_IPV6:
        pkt.family = Family.V6;
        pkt.l3Off = off;
        return Decode.Ok;
      case ETHERTYPE_VLAN:
      case ETHERTYPE_QINQ:
      case ETHERTYPE_QINQ_OLD:
        if (tags === MAX_VLAN_TAGS) return Decode.NotMine;
        if (end - off < VLAN_TAG_LEN) return Decode.Truncated;
        type = (buf[off + 2] << 8) | buf[off + 3];
        off += VLAN_TAG_LEN;
        break;
      case ETHERTYPE_MPLS_UNICAST:
      case ETHERTYPE_MPLS_MULTICAST:
        return decodeMpls(buf, off, end, pkt);
      default:
        return type <= ETH_MAX_LENGTH_FIELD ? decodeLlcSnap(buf, off, end, pkt) : Decode.NotMine;
    }
  }
}

/**
 * An 802.2 LLC header after an 802.3 length field (or a Linux cooked capture
 * announcing ETH_P_802_2). Only SNAP with an EtherType OUI can carry IP; STP,
 * CDP, NetBIOS and the like are not IP.
 */
export function decodeLlcSnap(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  if (end - off < 3) return Decode.Truncated;
  if (buf[off] !== LLC_SNAP_SAP || buf[off + 1] !== LLC_SNAP_SAP || buf[off + 2] !== LLC_UI) return Decode.NotMine;
  if (end - off < SNAP_HEADER_LEN) return Decode.Truncated;
  const oui = (buf[off + 3] << 16) | (buf[off + 4] << 8) | buf[off + 5];
  if (oui !== OUI_ENCAPSULATED_ETHERNET && oui !== OUI_BRIDGE_TUNNEL) return Decode.NotMine;
  const type = (buf[off + 6] << 8) | buf[off + 7];
  if (type === ETHERTYPE_IPV4) pkt.family = Family.V4;
  else if (type === ETHERTYPE_IPV6) pkt.family = Family.V6;
  else return Decode.NotMine;
  pkt.l3Off = off + SNAP_HEADER_LEN;
  return Decode.Ok;
}
