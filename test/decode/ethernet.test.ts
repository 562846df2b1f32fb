import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Family, IpProto } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, hex, ipv4Word } from './helpers/frames.js';
import { ETH_V4, V4_UDP, V6_TCP_SYN } from './helpers/fixtures.js';

const MACS = hex`
  00 11 22 33 44 55   # destination MAC
  66 77 88 99 aa bb   # source MAC
`;

const eth = (frame: Buffer) => decodeFrame(LinkType.ETHERNET, frame);

describe('Ethernet II', () => {
  it('finds IPv4 right after the 14-byte header', () => {
    const r = eth(cat(ETH_V4, V4_UDP));
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(14);
    expect(r.pkt.family).toBe(Family.V4);
    expect(r.pkt.src[3]).toBe(ipv4Word('192.168.1.10'));
    expect([r.pkt.srcPort, r.pkt.dstPort]).toEqual([5060, 3389]);
  });

  it('trims Ethernet padding and trailers to the IP total length', () => {
    const padded = cat(ETH_V4, V4_UDP, Buffer.alloc(10, 0)); // 60-byte minimum frame
    const r = eth(padded);
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3End - r.base).toBe(14 + 36);
    expect(r.pkt.payloadEnd - r.pkt.payloadOff).toBe(8);
    expect(r.counted).toEqual({});
  });

  it('reports ARP, LLDP and unknown EtherTypes as non-IP', () => {
    for (const type of ['08 06', '88 cc', '12 34', '05 ff']) {
      const r = eth(cat(MACS, hex`${type}`, Buffer.alloc(46)));
      expect(r.fate, type).toBe(A.NonIpFrame);
    }
  });

  it('reports a frame shorter than 14 bytes as link-truncated', () => {
    for (let n = 0; n < 14; n++) expect(eth(cat(ETH_V4, V4_UDP).subarray(0, n)).fate).toBe(A.LinkTruncated);
  });
});

describe('VLAN tags', () => {
  it('skips one 802.1Q tag', () => {
    const frame = cat(
      MACS,
      hex`
        81 00 00 64     # TPID 802.1Q, PCP 0, VLAN 100
        08 00           # EtherType IPv4
      `,
      V4_UDP,
    );
    const r = eth(frame);
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(18);
    expect(r.pkt.dstPort).toBe(3389);
  });

  it('skips QinQ (802.1ad S-tag + C-tag) to IPv6', () => {
    const frame = cat(
      MACS,
      hex`
        88 a8 00 0a     # TPID 802.1ad S-tag, VLAN 10
        81 00 00 14     # TPID 802.1Q C-tag, VLAN 20
        86 dd           # EtherType IPv6
      `,
      V6_TCP_SYN,
    );
    const r = eth(frame);
    expect(r.fate).toBe(-1);
    expect(r.pkt.family).toBe(Family.V6);
    expect(r.pkt.l3Off - r.base).toBe(22);
    expect([r.pkt.proto, r.pkt.srcPort, r.pkt.dstPort]).toEqual([IpProto.TCP, 54321, 443]);
  });

  it('skips QinQinQ with the pre-standard 0x9100 TPID', () => {
    const frame = cat(
      MACS,
      hex`
        91 00 00 01     # TPID 0x9100, VLAN 1
        88 a8 00 02     # TPID 802.1ad, VLAN 2
        81 00 00 03     # TPID 802.1Q, VLAN 3
        08 00           # IPv4
      `,
      V4_UDP,
    );
    const r = eth(frame);
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(26);
  });

  it('gives up on a stack of more than 8 tags (non-IP, not a loop)', () => {
    const tag = hex`81 00 00 01`;
    const eight = cat(MACS, ...Array(8).fill(tag), hex`08 00`, V4_UDP);
    expect(eth(eight).fate).toBe(-1);
    const nine = cat(MACS, ...Array(9).fill(tag), hex`08 00`, V4_UDP);
    expect(eth(nine).fate).toBe(A.NonIpFrame);
  });

  it('reports a tag cut short as link-truncated', () => {
    expect(eth(cat(MACS, hex`81 00 00`)).fate).toBe(A.LinkTruncated);
    expect(eth(cat(MACS, hex`81 00 00 64 08`)).fate).toBe(A.LinkTruncated);
  });
});

describe('802.3 length field + LLC/SNAP', () => {
  it('decodes IPv4 in SNAP with the RFC 1042 OUI', () => {
    const frame = cat(
      MACS,
      hex`
        00 2c           # 802.3 length 44 (8 SNAP + 36 IP)
        aa aa 03        # LLC: DSAP SNAP, SSAP SNAP, UI
        00 00 00        # OUI 0 (EtherType follows)
        08 00           # IPv4
      `,
      V4_UDP,
    );
    const r = eth(frame);
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(22);
    expect(r.pkt.srcPort).toBe(5060);
  });

  it('reports STP (LLC 42 42 03) and SNAP with a vendor OUI (CDP) as non-IP', () => {
    const stp = cat(MACS, hex`00 26  42 42 03  00 00 00 00 00`, Buffer.alloc(30));
    expect(eth(stp).fate).toBe(A.NonIpFrame);
    const cdp = cat(MACS, hex`00 26  aa aa 03  00 00 0c  20 00`, Buffer.alloc(30));
    expect(eth(cdp).fate).toBe(A.NonIpFrame);
    const snapArp = cat(MACS, hex`00 26  aa aa 03  00 00 00  08 06`, Buffer.alloc(30));
    expect(eth(snapArp).fate).toBe(A.NonIpFrame);
  });

  it('reports a SNAP header cut short as link-truncated', () => {
    expect(eth(cat(MACS, hex`00 26 aa aa`)).fate).toBe(A.LinkTruncated);
    expect(eth(cat(MACS, hex`00 26 aa aa 03 00 00 00 08`)).fate).toBe(A.LinkTruncated);
  });
});

describe('MPLS', () => {
  it('skips a two-label stack to IPv4 (nibble 4 after bottom of stack)', () => {
    const frame = cat(
      MACS,
      hex`
        88 47           # EtherType MPLS unicast
        00 01 00 40     # label 16, TC 0, S 0, TTL 64
        00 02 01 40     # label 32, TC 0, S 1 (bottom of stack), TTL 64
      `,
      V4_UDP,
    );
    const r = eth(frame);
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(22);
    expect(r.pkt.dstPort).toBe(3389);
  });

  it('skips a VLAN tag then MPLS multicast to IPv6', () => {
    const frame = cat(
      MACS,
      hex`
        81 00 00 64     # 802.1Q VLAN 100
        88 48           # MPLS multicast
        00 01 01 40     # label 16, S 1
      `,
      V6_TCP_SYN,
    );
    const r = eth(frame);
    expect(r.fate).toBe(-1);
    expect(r.pkt.family).toBe(Family.V6);
    expect(r.pkt.dstPort).toBe(443);
  });

  it('reports a pseudowire (control word, nibble 0) as non-IP', () => {
    const frame = cat(MACS, hex`88 47  00 01 01 40  00 00 00 00`, ETH_V4, V4_UDP);
    expect(eth(frame).fate).toBe(A.NonIpFrame);
  });

  it('reports a stack without bottom of stack in 8 labels as non-IP, a cut one as truncated', () => {
    const noBos = cat(MACS, hex`88 47`, ...Array(8).fill(hex`00 01 00 40`), V4_UDP);
    expect(eth(noBos).fate).toBe(A.NonIpFrame);
    expect(eth(cat(MACS, hex`88 47 00 01 00`)).fate).toBe(A.LinkTruncated);
    expect(eth(cat(MACS, hex`88 47 00 01 01 40`)).fate).toBe(A.LinkTruncated);
  });
});
