import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { IpProto } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, hex, patch } from './helpers/frames.js';
import { V4_UDP, V6_TCP_SYN } from './helpers/fixtures.js';

const raw = (frame: Buffer, wireLen?: number) => decodeFrame(LinkType.RAW, frame, { wireLen });
const UDP = 20; // offset of the UDP header in V4_UDP

describe('UDP header', () => {
  it('reads ports and the payload per the UDP length', () => {
    const r = raw(V4_UDP);
    expect(r.fate).toBe(-1);
    expect(r.pkt.proto).toBe(IpProto.UDP);
    expect([r.pkt.l4Off - r.base, r.pkt.srcPort, r.pkt.dstPort]).toEqual([UDP, 5060, 3389]);
    expect([r.pkt.payloadOff - r.base, r.pkt.payloadEnd - r.base, r.pkt.payloadLen]).toEqual([28, 36, 8]);
    expect(r.counted).toEqual({});
  });

  it('a UDP length shorter than the IP payload is consistent: the payload ends where UDP says', () => {
    const r = raw(patch(V4_UDP, { [UDP + 5]: 12 }));
    expect([r.pkt.payloadLen, r.pkt.payloadEnd - r.pkt.payloadOff]).toEqual([4, 4]);
    expect(r.counted).toEqual({});
  });

  it('a UDP length past the IP payload or below 8: udp_bad_length, IP payload used, ports kept', () => {
    for (const len of [17, 200, 7, 0]) {
      const r = raw(patch(V4_UDP, { [UDP + 4]: len >> 8, [UDP + 5]: len & 0xff }));
      expect(r.fate, `length ${len}`).toBe(-1);
      expect(r.pkt.dstPort).toBe(3389);
      expect(r.pkt.payloadLen).toBe(8);
      expect(r.pkt.payloadEnd - r.base).toBe(36);
      expect(r.counted).toEqual({ udp_bad_length: 1 });
    }
  });

  it('fewer than 4 bytes: udp_truncated fate; 4-7 bytes: ports, length from the IP header', () => {
    for (let n = 0; n < 4; n++) expect(raw(V4_UDP.subarray(0, UDP + n), 36).fate).toBe(A.UdpTruncated);
    const r = raw(V4_UDP.subarray(0, UDP + 6), 36);
    expect([r.fate, r.pkt.srcPort, r.pkt.dstPort, r.pkt.payloadLen]).toEqual([-1, 5060, 3389, 8]);
    expect(r.pkt.payloadOff).toBe(r.pkt.payloadEnd);
    expect(r.counted).toEqual({ snaplen_truncated: 1 });
  });

  it('accepts UDP length 0 in an IPv6 jumbogram (RFC 2675)', () => {
    const udp = hex`
      13 c4 13 c4     # UDP 5060 -> 5060
      00 00 00 00     # length 0: see the jumbo payload length
      00 00 00 00
    `;
    const jumbo = cat(patch(V6_TCP_SYN.subarray(0, 40), { 4: 0, 5: 0, 6: 17 }), udp);
    const r = raw(jumbo, 40 + 70000);
    expect(r.fate).toBe(-1);
    expect(r.pkt.payloadLen).toBe(70000 - 8);
    expect(r.counted).toEqual({ ipv6_jumbo: 1, snaplen_truncated: 1 });
  });
});
