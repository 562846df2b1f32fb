import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Family } from '../../src/decode/packet-view.js';
import { decodeFrame, hex } from './helpers/frames.js';
import { V4_UDP, V6_TCP_SYN } from './helpers/fixtures.js';

describe('raw IP link types', () => {
  it('LINKTYPE_RAW (101) and DLT_RAW 12/14: the version nibble decides', () => {
    for (const lt of [LinkType.RAW, LinkType.RAW_BSD12, LinkType.RAW_BSD14]) {
      const v4 = decodeFrame(lt, V4_UDP);
      expect([v4.fate, v4.pkt.family, v4.pkt.l3Off - v4.base, v4.pkt.srcPort]).toEqual([-1, Family.V4, 0, 5060]);
      const v6 = decodeFrame(lt, V6_TCP_SYN);
      expect([v6.fate, v6.pkt.family, v6.pkt.dstPort]).toEqual([-1, Family.V6, 443]);
    }
  });

  it('LINKTYPE_RAW with a version nibble of neither 4 nor 6 is a bad IP version; an empty frame is link-truncated', () => {
    const v5 = Buffer.from(V4_UDP);
    v5[0] = 0x55;
    expect(decodeFrame(LinkType.RAW, v5).fate).toBe(A.Ipv4BadVersion);
    expect(decodeFrame(LinkType.RAW, hex``).fate).toBe(A.LinkTruncated);
  });

  it('LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) decode their family and check the nibble', () => {
    expect(decodeFrame(LinkType.IPV4, V4_UDP).fate).toBe(-1);
    expect(decodeFrame(LinkType.IPV6, V6_TCP_SYN).fate).toBe(-1);
    expect(decodeFrame(LinkType.IPV4, V6_TCP_SYN).fate).toBe(A.Ipv4BadVersion);
    expect(decodeFrame(LinkType.IPV6, V4_UDP).fate).toBe(A.Ipv4BadVersion);
  });
});
