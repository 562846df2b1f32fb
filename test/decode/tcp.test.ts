import { describe, it, expect } from 'vitest';
import { A, newAnomalyCounters } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { IpProto, PacketView, TcpFlag } from '../../src/decode/packet-view.js';
import { Decode } from '../../src/decode/status.js';
import { decodeTcp } from '../../src/decode/tcp.js';
import { countedNames, decodeFrame, patch } from './helpers/frames.js';
import { V4_TCP_OPTIONS, V4_UDP, V6_TCP_SYN } from './helpers/fixtures.js';

const raw = (frame: Buffer, wireLen?: number, pkt?: PacketView) => decodeFrame(LinkType.RAW, frame, { wireLen, pkt });
const TCP = 20; // offset of the TCP header in V4_TCP_OPTIONS

describe('TCP header', () => {
  it('reads ports, seq, ack, flags, window and skips 20 bytes of options to the payload', () => {
    const r = raw(V4_TCP_OPTIONS);
    expect(r.fate).toBe(-1);
    const p = r.pkt;
    expect(p.proto).toBe(IpProto.TCP);
    expect(p.l4Off - r.base).toBe(TCP);
    expect([p.srcPort, p.dstPort]).toEqual([50000, 5061]);
    expect(p.tcpSeq).toBe(0x11223344);
    expect(p.tcpAck).toBe(0x55667788);
    expect(p.tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
    expect(p.tcpWindow).toBe(64240);
    expect(p.payloadOff - r.base).toBe(TCP + 40);
    expect(p.payloadEnd - p.payloadOff).toBe(5);
    expect(p.payloadLen).toBe(5);
    expect(p.buf.toString('latin1', p.payloadOff, p.payloadEnd)).toBe('hello');
    expect(r.counted).toEqual({});
  });

  it('reads an IPv6 SYN without options', () => {
    const r = raw(V6_TCP_SYN);
    expect([r.pkt.srcPort, r.pkt.dstPort, r.pkt.tcpFlags, r.pkt.tcpSeq, r.pkt.payloadLen]).toEqual([54321, 443, TcpFlag.SYN, 1, 0]);
  });

  it('data offset below 5: tcp_bad_data_offset fate (no flow), not counted by the decoder', () => {
    const r = raw(patch(V4_TCP_OPTIONS, { [TCP + 12]: 0x40 }));
    expect(r.fate).toBe(A.TcpBadDataOffset);
    expect(r.counted).toEqual({});
    for (const byte of [0x00, 0x10, 0x20, 0x30]) expect(raw(patch(V4_TCP_OPTIONS, { [TCP + 12]: byte })).fate).toBe(A.TcpBadDataOffset);
  });

  it('data offset past the segment: tcp_bad_data_offset fate', () => {
    const r = raw(patch(V4_TCP_OPTIONS, { [TCP + 12]: 0xf0 })); // 60 bytes > 45-byte segment
    expect(r.fate).toBe(A.TcpBadDataOffset);
    expect(r.counted).toEqual({});
  });

  it('data offset against the segment length per the IP header: equal is a flow, one byte over is a fate', () => {
    const exact = raw(patch(V4_TCP_OPTIONS, { 3: 60 })); // 40-byte segment, 40-byte header; the 5 extra bytes are trimmed
    expect(exact.fate).toBe(-1);
    expect([exact.pkt.tcpFlags, exact.pkt.payloadLen, exact.pkt.payloadEnd - exact.pkt.payloadOff]).toEqual([0x12, 0, 0]);
    expect(exact.counted).toEqual({});
    const over = raw(patch(V4_TCP_OPTIONS, { 3: 59 })); // 39-byte segment, 40-byte header
    expect(over.fate).toBe(A.TcpBadDataOffset);
    expect(over.counted).toEqual({});
  });

  it('a segment too short for any TCP header (IP says 10 bytes) is a tcp_bad_data_offset fate', () => {
    const r = raw(patch(V4_TCP_OPTIONS, { 3: 30 }).subarray(0, 30));
    expect(r.fate).toBe(A.TcpBadDataOffset);
    expect(r.counted).toEqual({});
    // The same segment cut by the snaplen after the ports: still invalid, not a cut header.
    const cut = raw(patch(V4_TCP_OPTIONS, { 3: 30 }).subarray(0, TCP + 6), 30);
    expect(cut.fate).toBe(A.TcpBadDataOffset);
    expect(cut.counted).toEqual({ snaplen_truncated: 1 });
  });

  it('a bad data offset wins over a capture cut inside the options', () => {
    const r = raw(patch(V4_TCP_OPTIONS, { [TCP + 12]: 0xf0 }).subarray(0, 54), 65);
    expect(r.fate).toBe(A.TcpBadDataOffset);
    expect(r.counted).toEqual({ snaplen_truncated: 1 });
  });

  it('decodeTcp answers Malformed for an invalid data offset and leaves the counting to the caller', () => {
    const pkt = new PacketView();
    const counters = newAnomalyCounters();
    const below5 = patch(V4_TCP_OPTIONS, { [TCP + 12]: 0x40 });
    pkt.payloadLen = 45;
    expect(decodeTcp(below5, TCP, 65, pkt, counters)).toBe(Decode.Malformed);
    pkt.payloadLen = 39;
    expect(decodeTcp(V4_TCP_OPTIONS, TCP, 59, pkt, counters)).toBe(Decode.Malformed);
    pkt.payloadLen = 10;
    expect(decodeTcp(V4_TCP_OPTIONS, TCP, 30, pkt, counters)).toBe(Decode.Malformed);
    expect(countedNames(counters)).toEqual({});
    pkt.payloadLen = 45;
    expect(decodeTcp(V4_TCP_OPTIONS, TCP, 65, pkt, counters)).toBe(Decode.Ok);
    expect(pkt.payloadLen).toBe(5);
  });

  it('capture cut after the ports: ports kept, flags/seq/ack zeroed, tcp_header_truncated', () => {
    const pkt = new PacketView();
    raw(V4_TCP_OPTIONS, undefined, pkt); // leaves seq/ack/window set in the reused view
    const r = raw(V4_TCP_OPTIONS.subarray(0, TCP + 10), 65, pkt);
    expect(r.fate).toBe(-1);
    expect([r.pkt.srcPort, r.pkt.dstPort]).toEqual([50000, 5061]);
    expect([r.pkt.tcpFlags, r.pkt.tcpSeq, r.pkt.tcpAck, r.pkt.tcpWindow, r.pkt.payloadLen]).toEqual([0, 0, 0, 0, 0]);
    expect(r.counted).toEqual({ tcp_header_truncated: 1, snaplen_truncated: 1 });
  });

  it('capture cut inside the options (snaplen): fixed header kept, payload empty as captured, payloadLen per headers, tcp_header_truncated', () => {
    const r = raw(V4_TCP_OPTIONS.subarray(0, 54), 65);
    expect(r.fate).toBe(-1);
    expect([r.pkt.srcPort, r.pkt.dstPort, r.pkt.tcpFlags]).toEqual([50000, 5061, 0x12]);
    expect([r.pkt.tcpSeq, r.pkt.tcpAck, r.pkt.tcpWindow]).toEqual([0x11223344, 0x55667788, 64240]);
    expect(r.pkt.payloadOff).toBe(r.pkt.payloadEnd);
    expect(r.pkt.payloadEnd - r.base).toBe(54);
    expect(r.pkt.payloadLen).toBe(5);
    expect(r.counted).toEqual({ snaplen_truncated: 1, tcp_header_truncated: 1 });
  });

  it('truncation sweep: tcp_header_truncated exactly while the capture stops inside the 40-byte header', () => {
    const HDR_END = TCP + 40;
    for (let n = TCP + 4; n <= V4_TCP_OPTIONS.length; n++) {
      const r = raw(V4_TCP_OPTIONS.subarray(0, n), 65);
      const at = `${n} bytes`;
      expect(r.fate, at).toBe(-1);
      expect([r.pkt.srcPort, r.pkt.dstPort], at).toEqual([50000, 5061]);
      expect(r.pkt.tcpFlags, at).toBe(n < TCP + 20 ? 0 : 0x12);
      expect(r.pkt.payloadLen, at).toBe(n < TCP + 20 ? 0 : 5);
      expect(r.pkt.payloadEnd - r.base, at).toBe(n);
      expect(r.pkt.payloadOff - r.base, at).toBe(n < HDR_END ? n : HDR_END);
      const counted: Record<string, number> = {};
      if (n < HDR_END) counted.tcp_header_truncated = 1;
      if (n < V4_TCP_OPTIONS.length) counted.snaplen_truncated = 1;
      expect(r.counted, at).toEqual(counted);
    }
  });

  it('fewer than 4 bytes of TCP: tcp_truncated fate', () => {
    for (let n = 0; n < 4; n++) expect(raw(V4_TCP_OPTIONS.subarray(0, TCP + n), 65).fate).toBe(A.TcpTruncated);
    expect(raw(V4_TCP_OPTIONS.subarray(0, TCP + 4), 65).fate).toBe(-1);
  });

  it('does not mistake UDP for TCP', () => {
    expect(raw(V4_UDP).pkt.tcpFlags).toBe(0);
  });
});
