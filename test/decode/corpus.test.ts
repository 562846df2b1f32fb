/**
 * The decoders against tshark on real public captures (../shared/captures):
 * per frame, the same addresses, ports, TCP fields, ICMP type/code and quoted
 * flow, and the same frames found to carry no IP. Skipped, with a note, when
 * the captures or tshark are not available.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { A, ANOMALIES, newAnomalyCounters } from '../../src/anomalies.js';
import { Decoder } from '../../src/decode/packet.js';
import { Family, IpProto, PacketView } from '../../src/decode/packet-view.js';
import { TCP_MIN_HEADER_LEN } from '../../src/decode/tcp.js';
import { fateName, ipv4Word, ipv6Words } from './helpers/frames.js';
import { loadRecord, readPcap } from './helpers/read-pcap.js';

const CAPTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'captures');
const haveCaptures = existsSync(CAPTURES);
const haveTshark = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).status === 0;
if (!haveCaptures || !haveTshark) {
  console.warn(`[skipped] decode vs tshark: needs ${[!haveCaptures && CAPTURES, !haveTshark && 'tshark'].filter(Boolean).join(' and ')}`);
}

const FIELDS = [
  'frame.number',
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'ip.id',
  'ip.len',
  'ip.hdr_len',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'tcp.flags',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.window_size_value',
  'tcp.hdr_len',
  'tcp.len',
  'udp.length',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
] as const;
type Field = (typeof FIELDS)[number];
/** One frame as tshark sees it: every occurrence of each field (outer first). */
type TsharkFrame = Record<Field, string[]>;

function tshark(path: string): TsharkFrame[] {
  const args = ['-r', path, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields'];
  args.push('-E', 'occurrence=a', '-E', 'aggregator=;', '-E', 'separator=/t');
  for (const f of FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const cols = line.split('\t');
      const frame = {} as TsharkFrame;
      FIELDS.forEach((f, i) => (frame[f] = cols[i] ? cols[i].split(';') : []));
      return frame;
    });
}

const words = (family: number, a: string): number[] => (family === Family.V4 ? [0, 0, 0, ipv4Word(a)] : ipv6Words(a));
const num = (s: string | undefined): number => (s === undefined ? NaN : Number(s));

interface Tally {
  flows: number;
  fates: Record<string, number>;
  /** Number of frames where each kind of comparison was made, so a test cannot pass by comparing nothing. */
  compared: Record<string, number>;
}

/** Decodes every record of `file` and compares it with tshark; returns what was compared. */
function compareWithTshark(file: string): Tally {
  const path = join(CAPTURES, file);
  const pcap = readPcap(path);
  const frames = tshark(path);
  expect(frames.length).toBe(pcap.records.length);

  // Ports of first fragments, for checking the ports given to the non-first ones.
  const firstFragmentPorts = new Map<string, string>();
  const decoder = new Decoder();
  const pkt = new PacketView();
  const counters = newAnomalyCounters();
  const tally: Tally = { flows: 0, fates: {}, compared: {} };
  const did = (what: string) => (tally.compared[what] = (tally.compared[what] ?? 0) + 1);

  for (let i = 0; i < pcap.records.length; i++) {
    const t = frames[i];
    const at = `${file} frame ${i + 1}`;
    const tcpCutBefore = counters[A.TcpHeaderTruncated];
    const tinyBefore = counters[A.TcpTinyFragment];
    const udpBadBefore = counters[A.UdpBadLength];
    const fate = decoder.decode(loadRecord(pkt, pcap, i), counters);
    const name = fateName(fate);
    tally.fates[name] = (tally.fates[name] ?? 0) + 1;

    const protocols = t['frame.protocols'][0] ?? '';
    const tsharkHasIp = /(^|:)(ip|ipv6)(:|$)/.test(protocols);
    if (!tsharkHasIp) {
      expect([A.NonIpFrame, A.LinkTruncated, A.UnknownLinkType], `${at}: ${protocols} -> ${name}`).toContain(fate);
      did('non-ip');
      continue;
    }
    expect(fate, `${at}: ${protocols} -> ${name}`).not.toBe(A.NonIpFrame);
    if (fate !== -1) {
      expect(ANOMALIES[fate].fate).toBe(true);
      if (fate === A.TcpBadDataOffset && t['ip.len'].length > 0 && /(^|:)ip:tcp(:|$)/.test(protocols)) {
        // tshark's TCP header length (if it got that far) is below 20 or longer than the IPv4 payload.
        const hdr = num(t['tcp.hdr_len'][0]);
        const segment = num(t['ip.len'][0]) - num(t['ip.hdr_len'][0]);
        expect(hdr >= TCP_MIN_HEADER_LEN && hdr <= segment, `${at}: tshark header ${hdr}, segment ${segment}`).toBe(false);
        did('tcp-bad-offset');
      }
      continue;
    }
    tally.flows++;

    const v4 = pkt.family === Family.V4;
    const src = t[v4 ? 'ip.src' : 'ipv6.src'][0];
    const dst = t[v4 ? 'ip.dst' : 'ipv6.dst'][0];
    expect(Array.from(pkt.src), `${at} src`).toEqual(words(pkt.family, src));
    expect(Array.from(pkt.dst), `${at} dst`).toEqual(words(pkt.family, dst));
    did('addresses');

    const proto = pkt.proto;
    const fragKey = `${src}|${dst}|${pkt.fragId}|${proto}`;
    if (proto === IpProto.TCP || proto === IpProto.UDP) {
      const l4 = proto === IpProto.TCP ? 'tcp' : 'udp';
      if (pkt.isFragment && pkt.fragOffset !== 0) {
        // tshark (reassembly off) shows no ports here; ours come from the first fragment.
        expect(`${pkt.srcPort}/${pkt.dstPort}`, `${at} non-first fragment`).toBe(firstFragmentPorts.get(fragKey));
        did('fragment-ports');
        continue;
      }
      expect(pkt.srcPort, `${at} ${l4} src port`).toBe(num(t[`${l4}.srcport`][0]));
      expect(pkt.dstPort, `${at} ${l4} dst port`).toBe(num(t[`${l4}.dstport`][0]));
      did(`${l4}-ports`);
      if (pkt.isFragment) firstFragmentPorts.set(fragKey, `${pkt.srcPort}/${pkt.dstPort}`);

      if (proto === IpProto.TCP) {
        // A first fragment that ends inside the header is tcp_tiny_fragment (the header continues in the
        // next fragment); otherwise tcp_header_truncated exactly when the capture stops inside the fixed
        // header or inside the header tshark read.
        const captured = pkt.l3End - pkt.l4Off;
        const cut = counters[A.TcpHeaderTruncated] - tcpCutBefore;
        const tiny = counters[A.TcpTinyFragment] - tinyBefore;
        const headerLen = num(t['tcp.hdr_len'][0]);
        const inFragment = pkt.isFragment && captured < Math.max(TCP_MIN_HEADER_LEN, headerLen);
        expect(tiny, `${at} tcp_tiny_fragment (${captured} bytes in the first fragment)`).toBe(inFragment ? 1 : 0);
        expect(cut, `${at} tcp_header_truncated (${captured} bytes captured)`).toBe(
          !inFragment && (captured < TCP_MIN_HEADER_LEN || captured < headerLen) ? 1 : 0,
        );
        if (tiny === 1) did('tcp-tiny-fragment');
        if (cut === 1) did('tcp-header-cut');
        // A cut inside the options keeps the fixed header and payloadLen per the headers, as tshark does.
        if (captured >= TCP_MIN_HEADER_LEN && !pkt.isFragment) {
          expect(pkt.tcpFlags, `${at} flags`).toBe(parseInt(t['tcp.flags'][0], 16) & 0xff);
          expect(pkt.tcpSeq, `${at} seq`).toBe(num(t['tcp.seq_raw'][0]));
          expect(pkt.tcpAck, `${at} ack`).toBe(num(t['tcp.ack_raw'][0]));
          expect(pkt.tcpWindow, `${at} window`).toBe(num(t['tcp.window_size_value'][0]));
          expect(pkt.payloadLen, `${at} tcp.len`).toBe(num(t['tcp.len'][0]));
          did('tcp-fields');
        }
      }
      if (proto === IpProto.UDP && counters[A.UdpBadLength] === udpBadBefore && !pkt.isFragment) {
        expect(pkt.payloadLen, `${at} udp payload`).toBe(num(t['udp.length'][0]) - 8);
        did('udp-length');
      }
    } else if ((proto === IpProto.ICMP && v4) || (proto === IpProto.ICMPV6 && !v4)) {
      if (pkt.isFragment && pkt.fragOffset !== 0) continue;
      const icmp = v4 ? 'icmp' : 'icmpv6';
      expect(pkt.icmpType, `${at} icmp type`).toBe(num(t[`${icmp}.type`][0]));
      expect(pkt.icmpCode, `${at} icmp code`).toBe(num(t[`${icmp}.code`][0]));
      did('icmp-type');
      if (pkt.icmpIsError && pkt.innerFamily !== Family.None) {
        // The quoted header is tshark's last occurrence of the address fields.
        const iv4 = pkt.innerFamily === Family.V4;
        const isrc = t[iv4 ? 'ip.src' : 'ipv6.src'];
        const idst = t[iv4 ? 'ip.dst' : 'ipv6.dst'];
        expect(Array.from(pkt.innerSrc), `${at} quoted src`).toEqual(words(pkt.innerFamily, isrc[isrc.length - 1]));
        expect(Array.from(pkt.innerDst), `${at} quoted dst`).toEqual(words(pkt.innerFamily, idst[idst.length - 1]));
        if (pkt.innerProto === IpProto.TCP || pkt.innerProto === IpProto.UDP) {
          const l4 = pkt.innerProto === IpProto.TCP ? 'tcp' : 'udp';
          expect(pkt.innerSrcPort, `${at} quoted src port`).toBe(num(t[`${l4}.srcport`][0]));
          expect(pkt.innerDstPort, `${at} quoted dst port`).toBe(num(t[`${l4}.dstport`][0]));
        }
        did('icmp-quoted');
      }
    } else {
      expect([pkt.srcPort, pkt.dstPort], `${at} other protocol ${proto}`).toEqual([0, 0]);
      did('other-proto');
    }
  }
  return tally;
}

const run = haveCaptures && haveTshark ? describe : describe.skip;

run('decode vs tshark on real captures', () => {
  it('vlan_qinqinq_zeek.pcap: triple VLAN stacks', () => {
    const t = compareWithTshark('vlan_qinqinq_zeek.pcap');
    expect(t.fates).toEqual({ flow: 14 });
    expect(t.compared['tcp-fields']).toBe(14);
  });

  it('vlan_mpls_mixed_zeek.pcap: MPLS, VLAN and F5 trailers', () => {
    const t = compareWithTshark('vlan_mpls_mixed_zeek.pcap');
    expect(t.fates).toEqual({ flow: 47 });
    expect(t.compared['tcp-fields']).toBe(47);
  });

  it('sll2_mixed_zeek.pcap: SLL2 with ARP, ICMP and ICMPv6', () => {
    const t = compareWithTshark('sll2_mixed_zeek.pcap');
    expect(t.fates).toEqual({ flow: 4, non_ip_frame: 2 });
    expect(t.compared['icmp-type']).toBe(4);
  });

  it('sll_mixed_ppp.pcap and sll_nanosec_tcp_tcpdump.pcap: SLL v1', () => {
    const t = compareWithTshark('sll_mixed_ppp.pcap');
    expect(t.fates).toEqual({ flow: 511, non_ip_frame: 7 });
    expect(t.compared['tcp-fields']).toBeGreaterThan(400);
    expect(compareWithTshark('sll_nanosec_tcp_tcpdump.pcap').fates).toEqual({ flow: 3 });
  });

  it('raw IP: linktype_ipv6_ppp.pcap (229), linktype_ipv4_tcpdump.pcap (228), rawip_ocs_ndpi.pcap (101)', () => {
    expect(compareWithTshark('linktype_ipv6_ppp.pcap').compared['tcp-fields']).toBe(1);
    expect(compareWithTshark('linktype_ipv4_tcpdump.pcap').compared['udp-ports']).toBe(1);
    const ocs = compareWithTshark('rawip_ocs_ndpi.pcap');
    expect(ocs.fates).toEqual({ flow: 946 });
  });

  it('ipv6_fragments_udp_heplify.pcap: IPv6 fragment headers, the non-first fragments get the UDP ports', () => {
    const t = compareWithTshark('ipv6_fragments_udp_heplify.pcap');
    expect(t.fates).toEqual({ flow: 6 });
    expect(t.compared['fragment-ports']).toBe(3);
  });

  it('sip_ipv6frag_sll_sngrep.pcap: SIP over fragmented IPv6 in SLL', () => {
    const t = compareWithTshark('sip_ipv6frag_sll_sngrep.pcap');
    expect(t.fates).toEqual({ flow: 34 });
    expect(t.compared['fragment-ports']).toBeGreaterThan(0);
  });

  it('ipv4_fragments_large_ppp.pcap: 1859 IPv4 fragments and ICMP errors', () => {
    const t = compareWithTshark('ipv4_fragments_large_ppp.pcap');
    expect(t.compared['fragment-ports']).toBeGreaterThan(800);
    expect(t.fates.ip_fragment_unattributed ?? 0).toBeLessThan(5);
    expect(t.compared['icmp-quoted']).toBeGreaterThan(0);
  });

  it('ipv4_fragments_garbage_ndpi.pcap: overlapping garbage fragments', () => {
    const t = compareWithTshark('ipv4_fragments_garbage_ndpi.pcap');
    // The 4 first fragments carry 16 bytes of TCP. Two declare data offsets of 16 and 8 bytes: invalid
    // headers (tshark: "Bogus TCP header length"), fates, so the 312 later fragments of their datagram
    // have no ports. Two declare 24 and 28 bytes: their header continues in the next fragment (RFC 1858
    // tiny fragments, tshark reads their ports too), so they and their 936 later fragments are in flows.
    expect(t.fates).toEqual({ tcp_bad_data_offset: 2, ip_fragment_unattributed: 312, flow: 938 });
    expect(t.compared['tcp-bad-offset']).toBe(2);
    expect(t.compared['tcp-tiny-fragment']).toBe(2);
  });

  it('large_mixed_capture2_mercury.pcap and skype_legacy_ndpi.pcap: ICMP errors quoting flows, ARP, IPv6', () => {
    const t = compareWithTshark('large_mixed_capture2_mercury.pcap');
    expect(t.compared['icmp-quoted']).toBeGreaterThan(10);
    expect(t.compared['non-ip']).toBe(33);
    const s = compareWithTshark('skype_legacy_ndpi.pcap');
    expect(s.compared['icmp-quoted']).toBeGreaterThan(0);
    expect(s.compared['non-ip']).toBe(215);
  });

  it('truncated and malformed: snaplen-cut TCP, cut IPv4 header, tiny frame, bad data offset, unknown link type', () => {
    const snap = compareWithTshark('truncated_snaplen_tcp_zeek.pcap');
    expect(snap.fates).toEqual({ flow: 24 });
    expect(snap.compared['tcp-fields']).toBe(24);
    expect(snap.compared['tcp-header-cut']).toBe(1); // frame 1: a SYN with 40 bytes of header, 34 captured
    expect(compareWithTshark('truncated_ip4_hdr_zeek.pcap').fates).toEqual({ ipv4_truncated: 1 });
    expect(compareWithTshark('truncated_pkt_hdr_zeek.pcap').fates).toEqual({ link_truncated: 1 });
    const bad = compareWithTshark('malformed_tcp_ppp.pcap'); // data offset 7 (28 bytes) in a 20-byte segment
    expect(bad.fates).toEqual({ tcp_bad_data_offset: 2 });
    expect(bad.compared['tcp-bad-offset']).toBe(2);
    expect(compareWithTshark('unsupported_linktype_tcpdump.pcap').fates).toEqual({ unknown_link_type: 1 });
  });

  it('large_mixed_vlan_ppp.pcap and tls_many_sni_v4v6_ppp.pcap: VLAN, IPv4 + IPv6 at volume', () => {
    const v = compareWithTshark('large_mixed_vlan_ppp.pcap');
    expect(v.flows).toBeGreaterThan(4600);
    const tls = compareWithTshark('tls_many_sni_v4v6_ppp.pcap');
    expect(tls.fates).toEqual({ flow: 7451 });
    expect(tls.compared['tcp-fields']).toBe(7451);
  });
});
