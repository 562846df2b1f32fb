import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Family } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, hex } from './helpers/frames.js';
import { V4_UDP, V6_TCP_SYN } from './helpers/fixtures.js';

/** LINKTYPE_LINUX_SLL header with the given ARPHRD_ type and protocol (hex strings). */
const sll = (hatype: string, protocol: string) => hex`
  00 00                     # packet type 0: to us
  ${hatype}                 # ARPHRD_ type
  00 06                     # link-layer address length 6
  66 77 88 99 aa bb 00 00   # address, zero padded to 8
  ${protocol}               # protocol type
`;

/** LINKTYPE_LINUX_SLL2 header. */
const sll2 = (protocol: string, hatype = '00 01') => hex`
  ${protocol}               # protocol type
  00 00                     # reserved
  00 00 00 02               # interface index 2
  ${hatype}                 # ARPHRD_ type
  00                        # packet type: to us
  06                        # address length 6
  66 77 88 99 aa bb 00 00   # address
`;

describe('Linux cooked capture v1 (SLL, 113)', () => {
  it('finds IPv4 after the 16-byte header', () => {
    const r = decodeFrame(LinkType.LINUX_SLL, cat(sll('00 01', '08 00'), V4_UDP));
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(16);
    expect([r.pkt.srcPort, r.pkt.dstPort]).toEqual([5060, 3389]);
  });

  it('finds IPv6, and follows a VLAN tag the kernel left in place', () => {
    const v6 = decodeFrame(LinkType.LINUX_SLL, cat(sll('00 01', '86 dd'), V6_TCP_SYN));
    expect(v6.fate).toBe(-1);
    expect(v6.pkt.family).toBe(Family.V6);
    const tagged = decodeFrame(LinkType.LINUX_SLL, cat(sll('00 01', '81 00'), hex`00 64 08 00`, V4_UDP));
    expect(tagged.fate).toBe(-1);
    expect(tagged.pkt.l3Off - tagged.base).toBe(20);
  });

  it('decodes ETH_P_802_2 (LLC/SNAP) payloads', () => {
    const r = decodeFrame(LinkType.LINUX_SLL, cat(sll('00 01', '00 04'), hex`aa aa 03 00 00 00 08 00`, V4_UDP));
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(24);
  });

  it('reports ARP, small non-EtherType protocols and netlink as non-IP', () => {
    expect(decodeFrame(LinkType.LINUX_SLL, cat(sll('00 01', '08 06'), Buffer.alloc(28))).fate).toBe(A.NonIpFrame);
    expect(decodeFrame(LinkType.LINUX_SLL, cat(sll('00 01', '00 03'), V4_UDP)).fate).toBe(A.NonIpFrame);
    // ARPHRD_NETLINK (824): the protocol field is a netlink family, even when it reads 0x0800.
    expect(decodeFrame(LinkType.LINUX_SLL, cat(sll('03 38', '08 00'), V4_UDP)).fate).toBe(A.NonIpFrame);
  });

  it('reports a header shorter than 16 bytes as link-truncated', () => {
    const frame = cat(sll('00 01', '08 00'), V4_UDP);
    for (let n = 0; n < 16; n++) expect(decodeFrame(LinkType.LINUX_SLL, frame.subarray(0, n)).fate).toBe(A.LinkTruncated);
  });
});

describe('Linux cooked capture v2 (SLL2, 276)', () => {
  it('reads the protocol at offset 0 and IP after 20 bytes', () => {
    const r = decodeFrame(LinkType.LINUX_SLL2, cat(sll2('08 00'), V4_UDP));
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3Off - r.base).toBe(20);
    expect(r.pkt.dstPort).toBe(3389);
    const v6 = decodeFrame(LinkType.LINUX_SLL2, cat(sll2('86 dd'), V6_TCP_SYN));
    expect([v6.fate, v6.pkt.family, v6.pkt.dstPort]).toEqual([-1, Family.V6, 443]);
  });

  it('reports ARP and netlink as non-IP, a short header as link-truncated', () => {
    expect(decodeFrame(LinkType.LINUX_SLL2, cat(sll2('08 06'), Buffer.alloc(28))).fate).toBe(A.NonIpFrame);
    expect(decodeFrame(LinkType.LINUX_SLL2, cat(sll2('08 00', '03 38'), V4_UDP)).fate).toBe(A.NonIpFrame);
    const frame = cat(sll2('08 00'), V4_UDP);
    for (let n = 0; n < 20; n++) expect(decodeFrame(LinkType.LINUX_SLL2, frame.subarray(0, n)).fate).toBe(A.LinkTruncated);
  });
});
