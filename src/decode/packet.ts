/**
 * The decode entry point: link layer -> IP -> transport, into the reused
 * PacketView, with one answer per packet:
 *
 *   -1           the packet has a flow key: IPv4/IPv6 with TCP, UDP, ICMP or
 *                ICMPv6 decoded; any other IP protocol (ports 0, payload =
 *                IP payload, l4Off -1); or a non-first fragment whose ports
 *                the fragment table knows (l4Off -1, payload fields 0).
 *   an A.* id    the fate anomaly that keeps the packet out of every flow.
 *                decodePacket does NOT count it: the caller does, so fates
 *                are counted in one place. Non-fate remarks (snaplen, UDP
 *                length, ICMP quote too short...) are counted here.
 *
 * The PacketView's fields are meaningful only for a -1 answer. Fields that
 * resetLayers() leaves alone (tcpSeq/tcpAck/tcpWindow, icmpType/icmpCode,
 * inner* except innerFamily) are only written for the protocol they belong
 * to: read them only when `proto` (and `l4Off >= 0`) says so.
 *
 * ICMP is decoded as ICMP only in its own IP version (1 in IPv4, 58 in
 * IPv6); the other combination is an "other protocol" with ports 0.
 */
import { A, type AnomalyCounters } from '../anomalies.js';
import { LinkType } from '../capture/link-types.js';
import { Family, IpProto, type PacketView } from './packet-view.js';
import { Decode } from './status.js';
import { decodeEthernet } from './ethernet.js';
import { decodeSll } from './sll.js';
import { decodeSll2 } from './sll2.js';
import { decodeLoop, decodeNull } from './null.js';
import { decodeRaw, decodeRawFamily } from './raw.js';
import { decodeIpv4, ipv4FateOf } from './ipv4.js';
import { decodeIpv6, ipv6FateOf } from './ipv6.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeIcmp, decodeIcmpv6 } from './icmp.js';
import { FragmentTable } from './fragments.js';

/**
 * A decoder with its own state: the fragment table that gives non-first
 * fragments their ports. One per analysis run (or per input file, if the
 * inputs are unrelated captures); `decode` is the per-packet hot path.
 */
export class Decoder {
  readonly fragments: FragmentTable;

  constructor(fragments: FragmentTable = new FragmentTable()) {
    this.fragments = fragments;
  }

  /** Decodes `pkt` (frame fields filled by the reader). Returns -1 or a fate anomaly id; see the file header. */
  decode(pkt: PacketView, counters: AnomalyCounters): number {
    pkt.resetLayers();
    const buf = pkt.buf;
    const start = pkt.frameStart;
    const end = pkt.frameEnd;
    if (end - start < pkt.wireLen) counters[A.SnaplenTruncated]++;

    let st: Decode;
    switch (pkt.linkType) {
      case LinkType.ETHERNET:
        st = decodeEthernet(buf, start, end, pkt);
        break;
      case LinkType.LINUX_SLL:
        st = decodeSll(buf, start, end, pkt);
        break;
      case LinkType.LINUX_SLL2:
        st = decodeSll2(buf, start, end, pkt);
        break;
      case LinkType.RAW:
      case LinkType.RAW_BSD12:
      case LinkType.RAW_BSD14:
        st = decodeRaw(buf, start, end, pkt);
        break;
      case LinkType.NULL:
        st = decodeNull(buf, start, end, pkt);
        break;
      case LinkType.LOOP:
        st = decodeLoop(buf, start, end, pkt);
        break;
      case LinkType.IPV4:
        st = decodeRawFamily(start, end, Family.V4, pkt);
        break;
      case LinkType.IPV6:
        st = decodeRawFamily(start, end, Family.V6, pkt);
        break;
      default:
        return A.UnknownLinkType;
    }
    if (st !== Decode.Ok) return st === Decode.Truncated ? A.LinkTruncated : A.NonIpFrame;

    const l3 = pkt.l3Off;
    const family = pkt.family;
    if (family === Family.V4) {
      st = decodeIpv4(buf, l3, end, pkt, counters);
      if (st !== Decode.Ok) return ipv4FateOf(st, buf, l3);
    } else if (family === Family.V6) {
      st = decodeIpv6(buf, l3, end, pkt, counters);
      if (st !== Decode.Ok) return ipv6FateOf(st);
    } else {
      return A.Ipv4BadVersion;
    }

    const proto = pkt.proto;
    const ported = hasPorts(family, proto);
    if (pkt.isFragment && pkt.fragOffset !== 0) {
      pkt.payloadOff = 0;
      pkt.payloadEnd = 0;
      pkt.payloadLen = 0;
      if (!ported) return -1;
      const ports = this.fragments.lookup(pkt);
      if (ports < 0) return A.FragmentUnattributed;
      pkt.srcPort = ports >>> 16;
      pkt.dstPort = ports & 0xffff;
      return -1;
    }
    if (!ported) return -1;

    const off = pkt.payloadOff;
    const l3End = pkt.l3End;
    switch (proto) {
      case IpProto.TCP:
        st = decodeTcp(buf, off, l3End, pkt, counters);
        if (st !== Decode.Ok) return st === Decode.Malformed ? A.TcpBadDataOffset : A.TcpTruncated;
        break;
      case IpProto.UDP:
        if (decodeUdp(buf, off, l3End, pkt, counters) !== Decode.Ok) return A.UdpTruncated;
        break;
      case IpProto.ICMP:
        if (decodeIcmp(buf, off, l3End, pkt, counters) !== Decode.Ok) return A.IcmpTruncated;
        break;
      case IpProto.ICMPV6:
        if (decodeIcmpv6(buf, off, l3End, pkt, counters) !== Decode.Ok) return A.IcmpTruncated;
        break;
    }
    if (pkt.isFragment && this.fragments.remember(pkt)) counters[A.FragmentTableFull]++;
    return -1;
  }
}

/** Protocols whose flow key has ports (ICMP types/codes count as ports; see icmp.ts). */
function hasPorts(family: number, proto: number): boolean {
  return (
    proto === IpProto.TCP ||
    proto === IpProto.UDP ||
    (proto === IpProto.ICMP && family === Family.V4) ||
    (proto === IpProto.ICMPV6 && family === Family.V6)
  );
}

const shared = new Decoder();

/**
 * `Decoder.decode` on a module-wide Decoder, for one-off use and tests. Its
 * fragment table is shared by every caller in the process: a pipeline should
 * own a Decoder instead.
 */
export function decodePacket(pkt: PacketView, counters: AnomalyCounters): number {
  return shared.decode(pkt, counters);
}
