import { describe, expect, it } from 'vitest';
import { isLocalGroupAddress } from '../../src/classify/infer-address.js';

describe('isLocalGroupAddress', () => {
  it('takes site-local multicast and the limited broadcast, in every written form of them', () => {
    for (const ip of ['224.0.0.251', '224.0.0.0', '239.255.255.250', '255.255.255.255', 'ff02::fb', 'FF02::1:2', 'ff15::1', 'ff08::1', '::ffff:224.0.0.251', '::FFFF:239.1.2.3']) {
      expect(isLocalGroupAddress(ip), ip).toBe(true);
    }
  });

  it('leaves unicast, global multicast and near misses of the text check alone', () => {
    for (const ip of ['224.0.1.1', '233.252.0.1', '255.255.255.254', '22.4.0.1', '2240::1', '203.0.113.9', 'ff0e::1', 'fe80::1', '::ffff:10.0.0.1', '::1', 'not an address']) {
      expect(isLocalGroupAddress(ip), ip).toBe(false);
    }
  });
});
