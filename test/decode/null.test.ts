import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Family } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, hex } from './helpers/frames.js';
import { V4_UDP, V6_TCP_SYN } from './helpers/fixtures.js';

describe('BSD loopback, LINKTYPE_NULL (0): family in the capturing host byte order', () => {
  it('accepts AF_INET written little-endian (x86 host) and big-endian (SPARC, PowerPC host)', () => {
    const le = decodeFrame(LinkType.NULL, cat(hex`02 00 00 00   # AF_INET, little-endian`, V4_UDP));
    const be = decodeFrame(LinkType.NULL, cat(hex`00 00 00 02   # AF_INET, big-endian`, V4_UDP));
    for (const r of [le, be]) {
      expect(r.fate).toBe(-1);
      expect(r.pkt.family).toBe(Family.V4);
      expect(r.pkt.l3Off - r.base).toBe(4);
      expect(r.pkt.dstPort).toBe(3389);
    }
  });

  it('accepts the three BSD values of AF_INET6 (24, 28, 30) in both orders', () => {
    for (const af of [24, 28, 30]) {
      const b = af.toString(16).padStart(2, '0');
      for (const header of [hex`${b} 00 00 00`, hex`00 00 00 ${b}`]) {
        const r = decodeFrame(LinkType.NULL, cat(header, V6_TCP_SYN));
        expect(r.fate, `AF ${af}`).toBe(-1);
        expect(r.pkt.family).toBe(Family.V6);
        expect(r.pkt.dstPort).toBe(443);
      }
    }
  });

  it('reports other families (AF_LINK 18, Linux AF_INET6 10) as non-IP and a short header as truncated', () => {
    expect(decodeFrame(LinkType.NULL, cat(hex`12 00 00 00`, V4_UDP)).fate).toBe(A.NonIpFrame);
    expect(decodeFrame(LinkType.NULL, cat(hex`0a 00 00 00`, V6_TCP_SYN)).fate).toBe(A.NonIpFrame);
    expect(decodeFrame(LinkType.NULL, hex`02 00 00`).fate).toBe(A.LinkTruncated);
  });
});

describe('OpenBSD loopback, LINKTYPE_LOOP (108): family in network order', () => {
  it('decodes AF_INET and AF_INET6 (24) in network order only', () => {
    expect(decodeFrame(LinkType.LOOP, cat(hex`00 00 00 02`, V4_UDP)).fate).toBe(-1);
    const v6 = decodeFrame(LinkType.LOOP, cat(hex`00 00 00 18`, V6_TCP_SYN));
    expect([v6.fate, v6.pkt.family]).toEqual([-1, Family.V6]);
    expect(decodeFrame(LinkType.LOOP, cat(hex`02 00 00 00`, V4_UDP)).fate).toBe(A.NonIpFrame);
    expect(decodeFrame(LinkType.LOOP, hex`00 00`).fate).toBe(A.LinkTruncated);
  });
});
