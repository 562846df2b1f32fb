/** Compiled catalog forms: service-port bitmaps and the port -> rules index. */
import { describe, expect, it } from 'vitest';
import { lookup, parsePortSpec, servicePortBitmaps } from '../../src/catalog/compile.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { makeCatalogDir, pack, rule } from './fixtures.js';

function fixture() {
  const { dir } = makeCatalogDir({
    'p.json': pack('p', [
      rule('p/sip', { ports: [5061] }),
      rule('p/sip-too', { ports: [[5060, 5061]] }),
      rule('p/stun', { transport: 'udp', ports: [3478] }),
      rule('p/relay-out', { ports: [[50000, 59999]], portSide: 'client', broad: true, protocol: 'RTP' }),
      rule('p/media', { transport: 'udp', ports: [[49152, 65535]], portSide: 'either', broad: true, protocol: 'RTP' }),
      rule('p/either', { ports: [5081], portSide: 'either' }),
      rule('p/edges', { transport: 'udp', ports: [1, 65535] }),
    ]),
  });
  return loadCatalog({ catalogDir: dir });
}

describe('servicePortBitmaps', () => {
  it('marks the ports of non-broad server-side rules only', () => {
    const bm = servicePortBitmaps(fixture());
    expect(bm.tcp).toHaveLength(65536);
    expect(bm.udp).toHaveLength(65536);
    const on = (a: Uint8Array): number[] => [...a.keys()].filter((i) => a[i] === 1);
    expect(on(bm.tcp)).toEqual([5060, 5061]);
    expect(on(bm.udp)).toEqual([1, 3478, 65535]);
  });

  it('on the shipped defaults, marks SIP, STUN and web ports but no media range', () => {
    const bm = servicePortBitmaps(loadCatalog());
    for (const p of [443, 444, 5061, 5269, 8057, 4443, 8080]) expect(bm.tcp[p], `tcp ${p}`).toBe(1);
    for (const p of [3478, 53]) expect(bm.udp[p], `udp ${p}`).toBe(1);
    for (const p of [3389, 22, 1433, 50000, 52000, 57501, 65535]) expect(bm.tcp[p], `tcp ${p}`).toBe(0);
    for (const p of [50000, 49152, 1024]) expect(bm.udp[p], `udp ${p}`).toBe(0);
  });
});

describe('lookup', () => {
  it('returns every rule holding the port, in catalog order, broad ones included', () => {
    const c = fixture();
    const ids = (t: 'tcp' | 'udp', p: number): string[] => lookup(c, t, p).map((r) => r.id);
    expect(ids('tcp', 5061)).toEqual(['p/sip', 'p/sip-too']);
    expect(ids('tcp', 5060)).toEqual(['p/sip-too']);
    expect(ids('tcp', 5062)).toEqual([]);
    expect(ids('udp', 5061)).toEqual([]);
    expect(ids('tcp', 50000)).toEqual(['p/relay-out']);
    expect(ids('tcp', 59999)).toEqual(['p/relay-out']);
    expect(ids('tcp', 60000)).toEqual([]);
    expect(ids('udp', 65535)).toEqual(['p/media', 'p/edges']);
    expect(ids('udp', 1)).toEqual(['p/edges']);
    expect(ids('udp', 0)).toEqual([]);
    expect(ids('udp', 65536)).toEqual([]);
    expect(ids('udp', 1.5)).toEqual([]);
  });

  it('returns shared frozen arrays: no allocation per call after the first', () => {
    const c = fixture();
    expect(lookup(c, 'udp', 50000)).toBe(lookup(c, 'udp', 60000));
    expect(lookup(c, 'tcp', 1)).toBe(lookup(c, 'udp', 2));
    expect(Object.isFrozen(lookup(c, 'tcp', 5061))).toBe(true);
  });

  it('finds the shipped rules for tcp/5061 with their citations', () => {
    const c = loadCatalog();
    const hits = lookup(c, 'tcp', 5061).filter((r) => !r.broad);
    expect(hits.map((r) => r.id)).toContain('sfb2015-servers/fe-sip-tls-5061');
    expect(hits.map((r) => r.id)).toContain('lync2013-public-im/partner-to-access-sip-mtls-5061');
    for (const r of hits) expect(r.citation.row).toBeGreaterThan(0);
  });
});

describe('parsePortSpec', () => {
  it('reads transport/port', () => {
    expect(parsePortSpec('tcp/5061')).toEqual({ transport: 'tcp', port: 5061 });
    expect(parsePortSpec(' UDP/3478 ')).toEqual({ transport: 'udp', port: 3478 });
    for (const bad of ['tcp/0', 'tcp/65536', 'sctp/5061', 'tcp:5061', '5061', 'tcp/']) expect(parsePortSpec(bad), bad).toBeUndefined();
  });
});
