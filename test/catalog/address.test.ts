/** Address and prefix parsing into PacketView's 4-word layout. */
import { describe, expect, it } from 'vitest';
import { Family } from '../../src/decode/packet-view.js';
import { formatPrefix, parsePrefix, prefixContains, type Prefix } from '../../src/catalog/address.js';

function ok(text: string): Prefix {
  const p = parsePrefix(text);
  if (typeof p === 'string') throw new Error(p);
  return p;
}
const hex = (p: Prefix): string[] => [...p.words].map((w) => w.toString(16).padStart(8, '0'));

describe('parsePrefix', () => {
  it('puts IPv4 in word 3 with words 0-2 zero', () => {
    const p = ok('131.107.10.12');
    expect(p.family).toBe(Family.V4);
    expect(p.len).toBe(32);
    expect(hex(p)).toEqual(['00000000', '00000000', '00000000', '836b0a0c']);
    expect(ok('255.255.255.255').words[3]).toBe(0xffffffff);
    expect(ok('10.0.0.0/8').len).toBe(8);
  });

  it('parses IPv6 forms: full, compressed, leading/trailing ::, embedded IPv4, upper case', () => {
    expect(hex(ok('2001:0db8:0000:0000:0000:ff00:0042:8329'))).toEqual(['20010db8', '00000000', '0000ff00', '00428329']);
    expect(hex(ok('2001:db8::ff00:42:8329'))).toEqual(['20010db8', '00000000', '0000ff00', '00428329']);
    expect(hex(ok('::1'))).toEqual(['00000000', '00000000', '00000000', '00000001']);
    expect(hex(ok('fe80::'))).toEqual(['fe800000', '00000000', '00000000', '00000000']);
    expect(hex(ok('::'))).toEqual(['00000000', '00000000', '00000000', '00000000']);
    expect(hex(ok('::ffff:192.0.2.1'))).toEqual(['00000000', '00000000', '0000ffff', 'c0000201']);
    expect(hex(ok('2001:DB8::A'))).toEqual(['20010db8', '00000000', '00000000', '0000000a']);
    expect(ok('2001:db8::/32')).toMatchObject({ family: Family.V6, len: 32 });
  });

  it('rejects what is not an address', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '1::2::3', '12345::', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', '::1.2.3', 'fe80::1%eth0', '[::1]', 'host.example']) {
      expect(typeof parsePrefix(bad), bad).toBe('string');
    }
    expect(parsePrefix('1.2.3.4/')).toBe('"1.2.3.4/" has an invalid prefix length');
    expect(parsePrefix('1.2.3.4/08')).toBe('"1.2.3.4/08" has an invalid prefix length');
    expect(parsePrefix('10.1.0.0/15')).toBe('"10.1.0.0/15" has host bits set (did you mean 10.0.0.0/15?)');
    expect(parsePrefix('2001:db8::8000:0/96')).toBe('"2001:db8::8000:0/96" has host bits set (did you mean 2001:db8::/96?)');
    expect(typeof parsePrefix('2001:db8::8000:0/97')).toBe('object');
  });
});

describe('prefixContains', () => {
  it('checks the prefix bits across word boundaries', () => {
    const p = ok('2001:db8:0:8000::/49');
    expect(prefixContains(p, Family.V6, ok('2001:db8:0:8000::1').words)).toBe(true);
    expect(prefixContains(p, Family.V6, ok('2001:db8:0:ffff:ffff::').words)).toBe(true);
    expect(prefixContains(p, Family.V6, ok('2001:db8:0:7fff::').words)).toBe(false);
    expect(prefixContains(ok('10.0.2.0/28'), Family.V4, ok('10.0.2.15').words)).toBe(true);
    expect(prefixContains(ok('10.0.2.0/28'), Family.V4, ok('10.0.2.16').words)).toBe(false);
    expect(prefixContains(ok('0.0.0.0/0'), Family.V4, ok('203.0.113.9').words)).toBe(true);
    expect(prefixContains(ok('0.0.0.0/0'), Family.V6, ok('::1').words)).toBe(false);
  });
});

describe('formatPrefix', () => {
  it('writes RFC 5952 text', () => {
    for (const [input, out] of [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:1:2:3:4:0:5', '2001:db8:1:2:3:4:0:5'],
      ['::', '::'],
      ['10.0.2.0/28', '10.0.2.0/28'],
      ['2001:db8::/64', '2001:db8::/64'],
    ]) {
      expect(formatPrefix(ok(input)), input).toBe(out);
    }
  });
});
