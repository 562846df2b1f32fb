import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Family, IpProto, PacketView } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, ipv4Word, patch } from './helpers/frames.js';
import { ETH_V4, V4_GRE, V4_OPTIONS_UDP, V4_TCP_OPTIONS, V4_UDP, V6_TCP_SYN } from './helpers/fixtures.js';

const raw = (frame: Buffer, wireLen?: number) => decodeFrame(LinkType.RAW, frame, { wireLen });

describe('IPv4 header', () => {
  it('fills addresses (word 3 only), protocol and the IP payload', () => {
    const r = raw(V4_UDP);
    expect(r.fate).toBe(-1);
    expect(r.pkt.family).toBe(Family.V4);
    expect(r.pkt.proto).toBe(IpProto.UDP);
    expect(Array.from(r.pkt.src)).toEqual([0, 0, 0, ipv4Word('192.168.1.10')]);
    expect(Array.from(r.pkt.dst)).toEqual([0, 0, 0, ipv4Word('10.0.0.1')]);
    expect(r.pkt.l3End - r.base).toBe(36);
    expect(r.pkt.isFragment).toBe(false);
  });

  it('clears address words 0-2 left by a previous IPv6 packet in the same view', () => {
    const pkt = new PacketView();
    decodeFrame(LinkType.RAW, V6_TCP_SYN, { pkt });
    expect(pkt.src[0]).not.toBe(0);
    decodeFrame(LinkType.RAW, V4_UDP, { pkt });
    expect(Array.from(pkt.src)).toEqual([0, 0, 0, ipv4Word('192.168.1.10')]);
    expect(Array.from(pkt.dst)).toEqual([0, 0, 0, ipv4Word('10.0.0.1')]);
  });

  it('skips IP options (IHL 7): the transport header starts at 28', () => {
    const r = raw(V4_OPTIONS_UDP);
    expect(r.fate).toBe(-1);
    expect(r.pkt.l4Off - r.base).toBe(28);
    expect([r.pkt.srcPort, r.pkt.dstPort]).toEqual([1024, 53]);
    expect(r.pkt.payloadOff - r.base).toBe(36);
    expect(r.pkt.payloadLen).toBe(2);
  });

  it('trims bytes after the total length (Ethernet padding, F5 trailer) without remark', () => {
    const r = decodeFrame(LinkType.ETHERNET, cat(ETH_V4, V4_UDP, Buffer.alloc(40, 0xf5)));
    expect(r.fate).toBe(-1);
    expect(r.pkt.l3End - r.pkt.l3Off).toBe(36);
    expect(r.pkt.payloadEnd - r.pkt.payloadOff).toBe(8);
    expect(r.counted).toEqual({});
  });

  it('total length 0 (TSO capture): uses the wire length and counts ipv4_jumbo', () => {
    const tso = patch(V4_TCP_OPTIONS, { 2: 0, 3: 0 });
    const r = raw(tso);
    expect(r.fate).toBe(-1);
    expect(r.counted).toEqual({ ipv4_jumbo: 1 });
    expect(r.pkt.payloadLen).toBe(5);
    // The same cut by the snaplen: the length still comes from the wire.
    const cut = raw(tso.subarray(0, 60), 65 + 3000);
    expect(cut.pkt.payloadLen).toBe(3005);
    expect(cut.counted).toEqual({ ipv4_jumbo: 1, snaplen_truncated: 1 });
  });

  it('total length beyond the wire: uses the wire length and counts it', () => {
    const r = raw(patch(V4_TCP_OPTIONS, { 2: 0x00, 3: 0xc8 })); // 200 > 65
    expect(r.fate).toBe(-1);
    expect(r.counted).toEqual({ ipv4_total_length_beyond_frame: 1 });
    expect(r.pkt.payloadLen).toBe(5);
  });

  it('total length beyond the capture but within the wire is snaplen truncation, not an IPv4 anomaly', () => {
    // Cut inside the TCP payload, past the TCP header, so that no TCP remark (tcp_header_truncated) mixes in.
    const r = raw(V4_TCP_OPTIONS.subarray(0, 62), 65);
    expect(r.fate).toBe(-1);
    expect(r.counted).toEqual({ snaplen_truncated: 1 });
    expect(r.pkt.l3End - r.base).toBe(62);
    expect(r.pkt.payloadEnd - r.pkt.payloadOff).toBe(2);
    expect(r.pkt.payloadLen).toBe(5);
  });

  it('reports IHL < 5, total length < header, a cut header and a wrong version as fates', () => {
    expect(raw(patch(V4_UDP, { 0: 0x44 })).fate).toBe(A.Ipv4BadIhl);
    expect(raw(patch(V4_UDP, { 2: 0, 3: 19 })).fate).toBe(A.Ipv4BadTotalLength);
    expect(raw(V4_UDP.subarray(0, 19), 36).fate).toBe(A.Ipv4Truncated);
    expect(raw(V4_OPTIONS_UDP.subarray(0, 27), 38).fate).toBe(A.Ipv4Truncated);
    expect(decodeFrame(LinkType.ETHERNET, cat(ETH_V4, V6_TCP_SYN)).fate).toBe(A.Ipv4BadVersion);
    expect(decodeFrame(LinkType.ETHERNET, ETH_V4, { wireLen: 60 }).fate).toBe(A.Ipv4Truncated);
  });

  it('marks fragments (MF or offset) but not DF-only datagrams', () => {
    const df = raw(V4_TCP_OPTIONS); // DF set
    expect(df.pkt.isFragment).toBe(false);
    const mf = raw(patch(V4_UDP, { 4: 0xab, 5: 0xcd, 6: 0x20, 7: 0x00 }));
    expect([mf.pkt.isFragment, mf.pkt.fragOffset, mf.pkt.fragId]).toEqual([true, 0, 0xabcd]);
  });

  it('gives other protocols (GRE) a flow with ports 0 and the IP payload as payload', () => {
    const r = raw(V4_GRE);
    expect(r.fate).toBe(-1);
    expect(r.pkt.proto).toBe(47);
    expect([r.pkt.srcPort, r.pkt.dstPort, r.pkt.l4Off]).toEqual([0, 0, -1]);
    expect(r.pkt.payloadOff - r.base).toBe(20);
    expect(r.pkt.payloadLen).toBe(4);
  });
});
