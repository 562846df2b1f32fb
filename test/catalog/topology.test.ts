/** Topology files: role lookup for IPv4 and IPv6 addresses and prefixes. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Family } from '../../src/decode/packet-view.js';
import { parsePrefix } from '../../src/catalog/address.js';
import { loadTopology, topologyFromJson } from '../../src/catalog/topology.js';
import { defaultCatalogDir } from '../../src/catalog/paths.js';
import { tempDir, writeFiles } from './fixtures.js';

/** The 4 words of an address as PacketView holds them. */
function words(text: string): [number, Uint32Array] {
  const p = parsePrefix(text);
  if (typeof p === 'string') throw new Error(p);
  return [p.family, p.words];
}

describe('topology', () => {
  const topo = topologyFromJson(
    {
      roles: {
        'edge-av': ['131.107.10.12'],
        'edge-access': ['131.107.10.10', '2001:db8:e::10'],
        'front-end': ['10.0.2.0/28', '2001:db8:2::/64'],
        mediation: ['10.0.2.4'],
        'internal-client': ['10.0.0.0/8', '2001:db8::/32'],
        director: ['10.0.2.4', '10.0.3.5/32'],
      },
    },
    'site.json',
  );
  const roleOf = (a: string): readonly string[] => topo.roleOf(...words(a));

  it('matches IPv4 hosts and CIDRs', () => {
    expect(roleOf('131.107.10.12')).toEqual(['edge-av']);
    expect(roleOf('10.0.2.0')).toEqual(['front-end']);
    expect(roleOf('10.0.2.15')).toEqual(['front-end']);
    expect(roleOf('10.0.3.5')).toEqual(['director']);
    expect(roleOf('131.107.10.13')).toEqual([]);
  });

  it('gives the most specific prefix only', () => {
    expect(roleOf('10.0.2.16')).toEqual(['internal-client']); // just outside the /28
    expect(roleOf('10.200.1.1')).toEqual(['internal-client']);
    expect(roleOf('2001:db8:2::1234')).toEqual(['front-end']);
    expect(roleOf('2001:db8:3::1')).toEqual(['internal-client']);
  });

  it('gives every role listed for the same address', () => {
    expect(roleOf('10.0.2.4')).toEqual(['mediation', 'director']);
  });

  it('matches IPv6 hosts, and IPv4-mapped IPv6 against the IPv4 prefixes', () => {
    expect(roleOf('2001:db8:e::10')).toEqual(['edge-access']);
    expect(roleOf('2001:db8:e::11')).toEqual(['internal-client']);
    expect(roleOf('2001:db9::1')).toEqual([]);
    expect(roleOf('::ffff:131.107.10.10')).toEqual(['edge-access']);
    expect(roleOf('::131.107.10.10')).toEqual([]); // not mapped: an IPv6 address
  });

  it('never confuses families: IPv4 word 3 equal to an IPv6 address word is not a match', () => {
    const t = topologyFromJson({ roles: { 'edge-av': ['::1.2.3.4'] } }, 't.json');
    expect(t.roleOf(Family.V4, new Uint32Array([0, 0, 0, 0x01020304]))).toEqual([]);
    expect(t.roleOf(Family.V6, new Uint32Array([0, 0, 0, 0x01020304]))).toEqual(['edge-av']);
    expect(t.roleOf(Family.None, new Uint32Array(4))).toEqual([]);
  });

  it('matches /0 prefixes and returns shared arrays (no allocation per call)', () => {
    const t = topologyFromJson({ roles: { 'external-client': ['0.0.0.0/0', '::/0'], 'edge-av': ['131.107.10.12'] } }, 't.json');
    const [f, w] = words('8.8.8.8');
    expect(t.roleOf(f, w)).toEqual(['external-client']);
    expect(t.roleOf(f, w)).toBe(t.roleOf(...words('1.1.1.1')));
    expect(t.roleOf(...words('2606:4700::1111'))).toEqual(['external-client']);
    expect(Object.isFrozen(t.roleOf(f, w))).toBe(true);
  });

  it('loads the sample topology with the roles of the edge-dmz sample', () => {
    const t = loadTopology(join(defaultCatalogDir(), '..', 'samples', 'topology.example.json'));
    expect(t.roleOf(...words('131.107.10.11'))).toEqual(['edge-webconf']);
    expect(t.roleOf(...words('10.0.2.3'))).toEqual(['front-end']);
    expect(t.roleOf(...words('10.0.2.20'))).toEqual([]); // the scenario's undocumented SQL server
    expect(t.roleOf(...words('2001:db8:10::10'))).toEqual(['edge-access']);
    expect(t.roleOf(...words('198.51.100.10'))).toEqual(['federation-partner']);
    expect(t.name).toBe('edge-dmz sample site');
  });

  it('loads from a file and keeps the entries as written', () => {
    const f = writeFiles(tempDir(), { 't.json': { roles: { 'edge-internal': [' 10.0.1.10 ', '2001:DB8:1::10'] } } })['t.json'];
    const t = loadTopology(f);
    expect(t.file).toBe(f);
    expect(t.entries.map((e) => e.text)).toEqual([' 10.0.1.10 ', '2001:DB8:1::10']);
    expect(t.roleOf(...words('2001:db8:1::10'))).toEqual(['edge-internal']);
  });
});
