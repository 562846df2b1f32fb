import { describe, expect, it } from 'vitest';
import { Family } from '../../src/decode/packet-view.js';
import { formatIp, formatIpv4, formatIpv6 } from '../../src/flow/ip-format.js';

function words(groups: number[]): Uint32Array {
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0;
  return w;
}

describe('formatIpv4', () => {
  it('writes a dotted quad from one word', () => {
    expect(formatIpv4(0x0a000001)).toBe('10.0.0.1');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
    expect(formatIpv4(0)).toBe('0.0.0.0');
    expect(formatIpv4(0xc0a80a7f)).toBe('192.168.10.127');
  });

  it('reads word 3 for Family.V4', () => {
    expect(formatIp(Family.V4, new Uint32Array([0, 0, 0, 0xcb007101]))).toBe('203.0.113.1');
    const many = new Uint32Array(8);
    many[7] = 0x01020304;
    expect(formatIp(Family.V4, many, 4)).toBe('1.2.3.4');
  });
});

describe('formatIpv6 (RFC 5952)', () => {
  // [groups, canonical text], each case citing the rule it checks.
  const cases: [number[], string][] = [
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'], // §4.2.1 longest run compressed
    [[0x2001, 0x0db8, 0, 0, 0, 0, 2, 1], '2001:db8::2:1'], // §4.1 leading zeros suppressed
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'], // §4.2.2 a single 0 field is not shortened
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'], // §4.2.3 the longest run
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'], // §4.2.3 the first of equal runs
    [[0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa], '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'], // §4.3 lowercase
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
    [[0xfe80, 0, 0, 0, 0x0211, 0x22ff, 0xfe33, 0x4455], 'fe80::211:22ff:fe33:4455'],
    [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], '::ffff:192.0.2.1'], // §5 IPv4-mapped keeps the dotted tail
    [[0, 0, 0, 0, 0, 0, 0xc000, 0x0201], '::c000:201'], // IPv4-compatible (deprecated): plain hex
    [[0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201], '64:ff9b::c000:201'], // NAT64 prefix: plain hex (RFC 5952 §5 leaves it optional)
  ];
  for (const [groups, text] of cases) {
    it(text, () => {
      expect(formatIpv6(words(groups))).toBe(text);
      expect(formatIp(Family.V6, words(groups))).toBe(text);
    });
  }

  it('agrees with the WHATWG URL serializer (same compression rules) on random addresses', () => {
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    for (let n = 0; n < 5000; n++) {
      // Mostly zero fields, so that runs of every length and position occur.
      const groups = Array.from({ length: 8 }, () => (rand() % 3 === 0 ? rand() & 0xffff : 0));
      if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) continue; // §5 mapped form differs by design
      const hex = groups.map((g) => g.toString(16)).join(':');
      const expected = new URL(`http://[${hex}]/`).hostname.slice(1, -1);
      expect(formatIpv6(words(groups))).toBe(expected);
    }
  });
});
