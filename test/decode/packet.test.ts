import { describe, it, expect } from 'vitest';
import { A, ANOMALIES, newAnomalyCounters } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Decoder, decodePacket } from '../../src/decode/packet.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, fateName, hex } from './helpers/frames.js';
import {
  ETH_V4,
  V4_FRAG_FIRST,
  V4_PORT_UNREACHABLE,
  V4_TCP_OPTIONS,
  V4_UDP,
  V6_EXT_CHAIN_UDP,
  V6_FRAG_FIRST,
  V6_UNREACHABLE_TCP,
} from './helpers/fixtures.js';

describe('decode contract', () => {
  it('the anomalies this layer adds sit where their ids say', () => {
    expect(ANOMALIES[A.TcpHeaderTruncated].name).toBe('tcp_header_truncated');
    expect(ANOMALIES[A.Ipv6Jumbo].name).toBe('ipv6_jumbo');
    expect(ANOMALIES[A.TcpHeaderTruncated].fate).toBe(false);
    expect(ANOMALIES[A.Ipv6Jumbo].fate).toBe(false);
    expect(ANOMALIES[A.TcpBadDataOffset].fate).toBe(true);
  });

  it('unknown link types are a fate; snaplen truncation is still remarked', () => {
    const r = decodeFrame(160, V4_UDP, { wireLen: 100 });
    expect(r.fate).toBe(A.UnknownLinkType);
    expect(r.counted).toEqual({ snaplen_truncated: 1 });
  });

  it('returns the fate without counting it, and counts remarks', () => {
    const r = decodeFrame(LinkType.ETHERNET, hex`00 11 22`, { wireLen: 60 });
    expect(r.fate).toBe(A.LinkTruncated);
    expect(r.counted).toEqual({ snaplen_truncated: 1 });
  });

  it('decodePacket is Decoder.decode on a shared decoder', () => {
    const pkt = new PacketView();
    const buf = cat(ETH_V4, V4_UDP);
    Object.assign(pkt, { buf, frameStart: 0, frameEnd: buf.length, wireLen: buf.length, linkType: LinkType.ETHERNET, ts: 1 });
    const counters = newAnomalyCounters();
    expect(decodePacket(pkt, counters)).toBe(-1);
    expect([pkt.srcPort, pkt.dstPort]).toEqual([5060, 3389]);
  });

  it('resets the previous packet: a UDP packet after an ICMP error is not an error', () => {
    const pkt = new PacketView();
    const decoder = new Decoder();
    decodeFrame(LinkType.RAW, V4_PORT_UNREACHABLE, { pkt, decoder });
    expect(pkt.icmpIsError).toBe(true);
    decodeFrame(LinkType.RAW, V4_UDP, { pkt, decoder });
    expect([pkt.icmpIsError, pkt.innerFamily, pkt.isFragment]).toEqual([false, 0, false]);
  });
});

/**
 * Every prefix of a frame decodes without throwing, to -1 or a fate, with
 * offsets inside the captured bytes, and the answers go through the layers in
 * order: once a prefix has a flow key, every longer one has it too.
 */
const SWEEP: { name: string; linkType: number; frame: Buffer; fates: string[] }[] = [
  {
    name: 'Ethernet + QinQ + IPv4 + TCP with options',
    linkType: LinkType.ETHERNET,
    frame: cat(hex`00 11 22 33 44 55 66 77 88 99 aa bb  88 a8 00 0a  81 00 00 14  08 00`, V4_TCP_OPTIONS),
    fates: ['link_truncated', 'ipv4_truncated', 'tcp_truncated', 'flow'],
  },
  {
    name: 'SLL + IPv6 extension chain + UDP',
    linkType: LinkType.LINUX_SLL,
    frame: cat(hex`00 00 00 01 00 06 66 77 88 99 aa bb 00 00 86 dd`, V6_EXT_CHAIN_UDP),
    fates: ['link_truncated', 'ipv6_truncated', 'ipv6_ext_header_truncated', 'udp_truncated', 'flow'],
  },
  {
    name: 'SLL2 + ICMPv6 unreachable quoting TCP',
    linkType: LinkType.LINUX_SLL2,
    frame: cat(hex`86 dd 00 00 00 00 00 02 00 01 00 06 66 77 88 99 aa bb 00 00`, V6_UNREACHABLE_TCP),
    fates: ['link_truncated', 'ipv6_truncated', 'icmp_truncated', 'flow'],
  },
  {
    name: 'Ethernet + MPLS + ICMP port unreachable',
    linkType: LinkType.ETHERNET,
    frame: cat(hex`00 11 22 33 44 55 66 77 88 99 aa bb  88 47  00 01 01 40`, V4_PORT_UNREACHABLE),
    fates: ['link_truncated', 'ipv4_truncated', 'icmp_truncated', 'flow'],
  },
  {
    name: 'NULL + IPv4 first fragment',
    linkType: LinkType.NULL,
    frame: cat(hex`02 00 00 00`, V4_FRAG_FIRST),
    fates: ['link_truncated', 'ipv4_truncated', 'udp_truncated', 'flow'],
  },
  {
    name: 'raw IPv6 first fragment',
    linkType: LinkType.RAW,
    frame: V6_FRAG_FIRST,
    fates: ['link_truncated', 'ipv6_truncated', 'ipv6_ext_header_truncated', 'udp_truncated', 'flow'],
  },
];

describe('truncation sweep', () => {
  for (const { name, linkType, frame, fates } of SWEEP) {
    for (const atEnd of [false, true]) {
      it(`${name}${atEnd ? ' (frame at the end of its buffer)' : ''}`, () => {
        const seen: string[] = [];
        const decoder = new Decoder();
        const pkt = new PacketView();
        for (let n = 0; n <= frame.length; n++) {
          const r = decodeFrame(linkType, frame.subarray(0, n), { wireLen: frame.length, decoder, pkt, atEnd });
          const what = fateName(r.fate);
          if (seen[seen.length - 1] !== what) seen.push(what);
          if (r.fate !== -1) {
            expect(ANOMALIES[r.fate].fate, `${n} bytes: ${what}`).toBe(true);
          } else {
            const end = r.base + n;
            expect(r.pkt.l3End).toBeLessThanOrEqual(end);
            expect(r.pkt.l4Off).toBeLessThan(end);
            expect(r.pkt.payloadOff).toBeLessThanOrEqual(r.pkt.payloadEnd);
            expect(r.pkt.payloadEnd).toBeLessThanOrEqual(r.pkt.l3End);
          }
          for (const counted of Object.keys(r.counted)) {
            expect(ANOMALIES.find((a) => a.name === counted)?.fate, `${n} bytes counted ${counted}`).toBe(false);
          }
          expect('snaplen_truncated' in r.counted).toBe(n < frame.length);
        }
        expect(seen).toEqual(fates);
      });
    }
  }
});
