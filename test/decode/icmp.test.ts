import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Family, IpProto } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, hex, ipv4Word, ipv6Words, patch } from './helpers/frames.js';
import {
  V4_ADMIN_PROHIBITED,
  V4_ECHO_REPLY,
  V4_ECHO_REQUEST,
  V4_FRAG_LAST,
  V4_PORT_UNREACHABLE,
  V4_UDP,
  V6_DST,
  V6_ECHO_REQUEST,
  V6_SRC,
  V6_TCP_SYN,
  V6_UNREACHABLE_TCP,
} from './helpers/fixtures.js';

const raw = (frame: Buffer, wireLen?: number) => decodeFrame(LinkType.RAW, frame, { wireLen });

/** The flow key a bidirectional flow table would see, as a comparable string. */
const key = (r: ReturnType<typeof raw>) => {
  const p = r.pkt;
  return `${p.proto} ${Array.from(p.src)}:${p.srcPort} > ${Array.from(p.dst)}:${p.dstPort}`;
};
const reversedKey = (r: ReturnType<typeof raw>) => {
  const p = r.pkt;
  return `${p.proto} ${Array.from(p.dst)}:${p.dstPort} > ${Array.from(p.src)}:${p.srcPort}`;
};

describe('ICMP echo', () => {
  it('request: srcPort = type 8, dstPort = identifier', () => {
    const r = raw(V4_ECHO_REQUEST);
    expect(r.fate).toBe(-1);
    expect(r.pkt.proto).toBe(IpProto.ICMP);
    expect([r.pkt.icmpType, r.pkt.icmpCode, r.pkt.srcPort, r.pkt.dstPort]).toEqual([8, 0, 8, 0x1234]);
    expect([r.pkt.icmpIsError, r.pkt.payloadLen, r.pkt.payloadOff - r.base]).toEqual([false, 4, 28]);
  });

  it('reply: srcPort = identifier, dstPort = 8, so it is the request key seen from the other end', () => {
    const req = raw(V4_ECHO_REQUEST);
    const reqKey = key(req);
    const rep = raw(V4_ECHO_REPLY);
    expect([rep.pkt.icmpType, rep.pkt.srcPort, rep.pkt.dstPort]).toEqual([0, 0x1234, 8]);
    expect(reversedKey(rep)).toBe(reqKey);
    // Another identifier (another ping run) is another flow.
    expect(key(raw(patch(V4_ECHO_REQUEST, { 24: 0x99 })))).not.toBe(reqKey);
  });

  it('ICMPv6 echo request 128 / reply 129 pair the same way', () => {
    const req = raw(V6_ECHO_REQUEST);
    expect([req.fate, req.pkt.proto, req.pkt.srcPort, req.pkt.dstPort]).toEqual([-1, IpProto.ICMPV6, 128, 0x42]);
    const reply = cat(
      patch(V6_ECHO_REQUEST.subarray(0, 8), {}),
      V6_ECHO_REQUEST.subarray(24, 40), // source 2001:db8::2
      V6_ECHO_REQUEST.subarray(8, 24), // destination 2001:db8::1
      hex`81 00 00 00  00 42 00 07   # type 129 echo reply, identifier 0x42`,
    );
    const rep = raw(reply);
    expect([rep.pkt.srcPort, rep.pkt.dstPort]).toEqual([0x42, 128]);
    expect(reversedKey(rep)).toBe(key(req));
  });

  it('an echo too short for its identifier, or any ICMP under 4 bytes, is icmp_truncated', () => {
    expect(raw(V4_ECHO_REQUEST.subarray(0, 25), 32).fate).toBe(A.IcmpTruncated);
    expect(raw(V4_ECHO_REQUEST.subarray(0, 26), 32).fate).toBe(-1);
    expect(raw(V4_PORT_UNREACHABLE.subarray(0, 23), 56).fate).toBe(A.IcmpTruncated);
    expect(raw(V4_PORT_UNREACHABLE.subarray(0, 24), 56).fate).toBe(-1);
  });
});

describe('other ICMP types', () => {
  it('timestamp reply (14) maps to the request type 13 with the swap', () => {
    const r = raw(patch(V4_ECHO_REPLY, { 20: 14 }));
    expect([r.pkt.icmpType, r.pkt.srcPort, r.pkt.dstPort]).toEqual([14, 0, 13]);
  });

  it('redirect (5) is not an error: ports = type/code, nothing quoted', () => {
    const r = raw(patch(V4_PORT_UNREACHABLE, { 20: 5, 21: 1 }));
    expect([r.pkt.icmpIsError, r.pkt.srcPort, r.pkt.dstPort, r.pkt.innerFamily]).toEqual([false, 5, 1, Family.None]);
  });

  it('ICMP (1) inside IPv6 is just another protocol (ports 0)', () => {
    const r = raw(patch(V6_ECHO_REQUEST, { 6: 1 }));
    expect([r.fate, r.pkt.proto, r.pkt.srcPort, r.pkt.dstPort, r.pkt.l4Off]).toEqual([-1, 1, 0, 0, -1]);
  });
});

describe('ICMP errors quoting a datagram', () => {
  it('port unreachable quoting UDP: own flow (3/3) and the quoted key, as the original sender sent it', () => {
    const r = raw(V4_PORT_UNREACHABLE);
    expect(r.fate).toBe(-1);
    const p = r.pkt;
    expect([p.srcPort, p.dstPort, p.icmpIsError]).toEqual([3, 3, true]);
    expect(p.innerFamily).toBe(Family.V4);
    expect(p.innerProto).toBe(IpProto.UDP);
    expect(Array.from(p.innerSrc)).toEqual([0, 0, 0, ipv4Word('192.168.1.10')]);
    expect(Array.from(p.innerDst)).toEqual([0, 0, 0, ipv4Word('10.0.0.1')]);
    expect([p.innerSrcPort, p.innerDstPort]).toEqual([5060, 3389]);
    expect(r.counted).toEqual({});
    // The quoted key is the key of the datagram itself.
    const udp = raw(V4_UDP);
    expect([udp.pkt.srcPort, udp.pkt.dstPort, udp.pkt.src[3], udp.pkt.dst[3]]).toEqual([
      p.innerSrcPort,
      p.innerDstPort,
      p.innerSrc[3],
      p.innerDst[3],
    ]);
  });

  it('administratively prohibited (3/13) from a firewall quoting a TCP SYN', () => {
    const r = raw(V4_ADMIN_PROHIBITED);
    const p = r.pkt;
    expect([p.icmpType, p.icmpCode, p.srcPort, p.dstPort, p.icmpIsError]).toEqual([3, 13, 3, 13, true]);
    expect([p.innerProto, p.innerSrcPort, p.innerDstPort]).toEqual([IpProto.TCP, 50001, 443]);
    expect(p.src[3]).toBe(ipv4Word('10.0.0.254'));
  });

  it('time exceeded (11), parameter problem (12) and source quench (4) are errors too', () => {
    for (const type of [11, 12, 4]) {
      const r = raw(patch(V4_PORT_UNREACHABLE, { 20: type, 21: 0 }));
      expect([r.pkt.icmpIsError, r.pkt.innerSrcPort], `type ${type}`).toEqual([true, 5060]);
    }
  });

  it('a quote too short for the ports: the ICMP flow stands, icmp_error_truncated_inner, no inner key', () => {
    for (const n of [28, 30, 47, 48, 51]) {
      const r = raw(V4_PORT_UNREACHABLE.subarray(0, n), 56);
      expect(r.fate, `${n} bytes`).toBe(-1);
      expect(r.pkt.icmpIsError).toBe(true);
      expect(r.pkt.innerFamily).toBe(Family.None);
      expect(r.counted.icmp_error_truncated_inner).toBe(1);
    }
    expect(raw(V4_PORT_UNREACHABLE.subarray(0, 52), 56).pkt.innerFamily).toBe(Family.V4);
  });

  it('a quoted non-first fragment names no flow', () => {
    const r = raw(cat(patch(V4_PORT_UNREACHABLE.subarray(0, 28), { 3: 28 + 28 }), V4_FRAG_LAST.subarray(0, 28)));
    expect([r.fate, r.pkt.innerFamily, r.counted.icmp_error_truncated_inner]).toEqual([-1, Family.None, 1]);
  });

  it('an error quoting an echo request gives the echo flow key (8, identifier)', () => {
    const quoted = cat(patch(V4_PORT_UNREACHABLE.subarray(0, 28), { 3: 28 + 28, 21: 1 }), V4_ECHO_REQUEST.subarray(0, 28));
    const r = raw(quoted);
    expect([r.pkt.innerProto, r.pkt.innerSrcPort, r.pkt.innerDstPort]).toEqual([IpProto.ICMP, 8, 0x1234]);
  });

  it('ICMPv6 destination unreachable quoting TCP', () => {
    const r = raw(V6_UNREACHABLE_TCP);
    expect(r.fate).toBe(-1);
    const p = r.pkt;
    expect([p.proto, p.srcPort, p.dstPort, p.icmpIsError]).toEqual([IpProto.ICMPV6, 1, 4, true]);
    expect(p.innerFamily).toBe(Family.V6);
    expect(Array.from(p.innerSrc)).toEqual(ipv6Words(V6_SRC));
    expect(Array.from(p.innerDst)).toEqual(ipv6Words(V6_DST));
    expect([p.innerProto, p.innerSrcPort, p.innerDstPort]).toEqual([IpProto.TCP, 54321, 443]);
    const syn = raw(V6_TCP_SYN);
    expect([syn.pkt.srcPort, syn.pkt.dstPort]).toEqual([p.innerSrcPort, p.innerDstPort]);
  });

  it('ICMPv6 packet too big (2), time exceeded (3), parameter problem (4) are errors; 128+ are not', () => {
    for (const type of [2, 3, 4]) expect(raw(patch(V6_UNREACHABLE_TCP, { 40: type })).pkt.icmpIsError).toBe(true);
    expect(raw(patch(V6_UNREACHABLE_TCP, { 40: 135 })).pkt.icmpIsError).toBe(false);
  });

  it('an ICMPv6 quote cut inside the quoted header counts icmp_error_truncated_inner', () => {
    const r = raw(V6_UNREACHABLE_TCP.subarray(0, 40 + 8 + 39), 108);
    expect([r.fate, r.pkt.innerFamily, r.counted.icmp_error_truncated_inner]).toEqual([-1, Family.None, 1]);
  });
});
