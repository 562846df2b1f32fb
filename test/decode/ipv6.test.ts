import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { Family, IpProto } from '../../src/decode/packet-view.js';
import { cat, decodeFrame, hex, ipv6Words, patch } from './helpers/frames.js';
import { V6_DST, V6_EXT_CHAIN_UDP, V6_SRC, V6_TCP_SYN } from './helpers/fixtures.js';

const raw = (frame: Buffer, wireLen?: number) => decodeFrame(LinkType.RAW, frame, { wireLen });

/** An IPv6 header (src 2001:db8::1, dst ::2) with the given payload length and next header, then `rest`. */
const v6 = (nextHeader: number, rest: Buffer) =>
  cat(
    hex`
      60 00 00 00
      ${(rest.length >> 8).toString(16).padStart(2, '0')} ${(rest.length & 0xff).toString(16).padStart(2, '0')}   # payload length
      ${nextHeader.toString(16).padStart(2, '0')} 40   # next header, hop limit
    `,
    V6_TCP_SYN.subarray(8, 40),
    rest,
  );

const UDP_12 = hex`
  13 c6 13 c4     # UDP 5062 -> 5060
  00 0c 00 00     # length 12
  de ad be ef     # payload
`;

describe('IPv6 fixed header', () => {
  it('fills the four address words, protocol and payload', () => {
    const r = raw(V6_TCP_SYN);
    expect(r.fate).toBe(-1);
    expect(r.pkt.family).toBe(Family.V6);
    expect(Array.from(r.pkt.src)).toEqual(ipv6Words(V6_SRC));
    expect(Array.from(r.pkt.dst)).toEqual(ipv6Words(V6_DST));
    expect(r.pkt.proto).toBe(IpProto.TCP);
    expect(r.pkt.l4Off - r.base).toBe(40);
    expect(r.pkt.l3End - r.base).toBe(60);
  });

  it('reports a header shorter than 40 bytes as ipv6_truncated', () => {
    for (let n = 1; n < 40; n++) expect(raw(V6_TCP_SYN.subarray(0, n), 60).fate).toBe(A.Ipv6Truncated);
  });

  it('payload length beyond the wire: uses the wire length and counts it', () => {
    const r = raw(patch(V6_TCP_SYN, { 4: 0x01, 5: 0x00 }));
    expect(r.fate).toBe(-1);
    expect(r.counted).toEqual({ ipv6_bad_payload_length: 1 });
    expect(r.pkt.l3End - r.base).toBe(60);
  });

  it('payload length 0 (jumbogram / GSO): uses the wire length and counts ipv6_jumbo', () => {
    const r = raw(patch(V6_TCP_SYN, { 5: 0 }));
    expect(r.fate).toBe(-1);
    expect(r.counted).toEqual({ ipv6_jumbo: 1 });
    expect(r.pkt.dstPort).toBe(443);
    // With an RFC 2675 Jumbo Payload option in a hop-by-hop header.
    const jumbo = v6(0, cat(hex`06 00 c2 04 00 00 00 1c   # hop-by-hop: next TCP, Jumbo Payload option, length 28`, V6_TCP_SYN.subarray(40)));
    const j = raw(patch(jumbo, { 4: 0, 5: 0 }));
    expect([j.fate, j.pkt.proto, j.pkt.dstPort, j.pkt.l4Off - j.base]).toEqual([-1, IpProto.TCP, 443, 48]);
  });
});

describe('IPv6 extension headers', () => {
  it('skips hop-by-hop, destination options, routing and AH to UDP', () => {
    const r = raw(V6_EXT_CHAIN_UDP);
    expect(r.fate).toBe(-1);
    expect(r.pkt.proto).toBe(IpProto.UDP);
    expect(r.pkt.l4Off - r.base).toBe(40 + 8 + 8 + 24 + 16);
    expect([r.pkt.srcPort, r.pkt.dstPort, r.pkt.payloadLen]).toEqual([5062, 5060, 4]);
  });

  for (const [name, nh, header] of [
    ['hop-by-hop', 0, hex`11 00 01 04 00 00 00 00   # next UDP, 8 bytes, PadN`],
    ['routing', 43, hex`11 00 00 00 00 00 00 00   # next UDP, 8 bytes, type 0, segments left 0`],
    ['destination options', 60, hex`11 01 01 0c 00 00 00 00 00 00 00 00 00 00 00 00   # next UDP, len 1 = 16 bytes`],
    ['AH', 51, hex`11 01 00 00 00 00 00 01 00 00 00 05   # next UDP, len 1 = (1+2)*4 = 12 bytes`],
    ['atomic fragment', 44, hex`11 00 00 00 00 00 00 09   # next UDP, offset 0, M 0 (RFC 6946)`],
  ] as const) {
    it(`skips a lone ${name} header`, () => {
      const r = raw(v6(nh, cat(header, UDP_12)));
      expect(r.fate).toBe(-1);
      expect(r.pkt.l4Off - r.base).toBe(40 + header.length);
      expect([r.pkt.srcPort, r.pkt.dstPort]).toEqual([5062, 5060]);
      expect(r.pkt.isFragment).toBe(false);
    });
  }

  it('stops at No Next Header (59) and at ESP (50): flows with ports 0', () => {
    const none = raw(v6(59, Buffer.alloc(0)));
    expect([none.fate, none.pkt.proto, none.pkt.srcPort, none.pkt.payloadLen]).toEqual([-1, 59, 0, 0]);
    const esp = raw(v6(50, hex`00 00 01 00 00 00 00 01 aa bb cc dd`));
    expect([esp.fate, esp.pkt.proto, esp.pkt.payloadLen]).toEqual([-1, 50, 12]);
  });

  it('reports an extension header cut short or past the payload as ipv6_ext_header_truncated', () => {
    const chain = V6_EXT_CHAIN_UDP;
    // Cut by the capture inside the routing header.
    expect(raw(chain.subarray(0, 70), chain.length).fate).toBe(A.Ipv6ExtHeaderTruncated);
    // A header length pointing past the payload length.
    expect(raw(v6(0, hex`11 05 01 04 00 00 00 00`)).fate).toBe(A.Ipv6ExtHeaderTruncated);
    // A fragment header cut short.
    expect(raw(v6(44, hex`11 00 00 01 00 00`)).fate).toBe(A.Ipv6ExtHeaderTruncated);
  });

  it('gives up after 8 extension headers', () => {
    const dest = hex`3c 00 01 04 00 00 00 00   # destination options, next: destination options`;
    const eight = v6(60, cat(...Array(7).fill(dest), hex`11 00 01 04 00 00 00 00`, UDP_12));
    expect(raw(eight).fate).toBe(-1);
    const nine = v6(60, cat(...Array(8).fill(dest), hex`11 00 01 04 00 00 00 00`, UDP_12));
    expect(raw(nine).fate).toBe(A.Ipv6ExtHeaderTruncated);
  });
});
