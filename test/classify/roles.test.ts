/** Role resolution: topology first, then inference, else unknown. */
import { describe, expect, it } from 'vitest';
import { addressWords, resolverFor, UNKNOWN_ROLES, type EndpointRoles } from '../../src/classify/roles.js';
import { siteTopology } from './flows.js';

describe('resolverFor', () => {
  const topo = siteTopology({ mediation: ['10.0.2.4'] });

  it('gives configured roles with the topology entries as evidence, most specific prefix only', () => {
    const r = resolverFor(topo);
    expect(r('10.0.2.3')).toEqual({ roles: ['front-end'], source: 'configured', evidence: ['topology site.json: front-end 10.0.2.0/29'] });
    expect(r('10.0.2.4')).toEqual({ roles: ['mediation'], source: 'configured', evidence: ['topology site.json: mediation 10.0.2.4'] });
    expect(r('2001:db8:10::10').roles).toEqual(['edge-access']);
    // IPv4-mapped IPv6 text matches the IPv4 entries (Topology.roleOf).
    expect(r('::ffff:131.107.10.12').roles).toEqual(['edge-av']);
  });

  it('answers unknown for addresses nobody knows, and for text that is not an address', () => {
    const r = resolverFor(topo);
    expect(r('203.0.113.5')).toBe(UNKNOWN_ROLES);
    expect(r('not-an-ip')).toBe(UNKNOWN_ROLES);
    expect(resolverFor()('10.0.2.3')).toEqual({ roles: [], source: 'unknown' });
  });

  it('uses inference only where the topology is silent, and always reports it as inferred', () => {
    const inferred = new Map<string, EndpointRoles>([
      ['10.0.2.3', { roles: ['director'], source: 'inferred', evidence: ['x'] }],
      ['203.0.113.25', { roles: ['external-client'], source: 'configured', evidence: ['signed in'] }],
      ['203.0.113.26', { roles: [], source: 'unknown' }],
      ['203.0.113.27', { roles: ['any'], source: 'inferred' }],
    ]);
    const r = resolverFor(topo, inferred);
    expect(r('10.0.2.3').roles).toEqual(['front-end']);
    expect(r('203.0.113.25')).toEqual({ roles: ['external-client'], source: 'inferred', evidence: ['signed in'] });
    expect(r('203.0.113.26')).toBe(UNKNOWN_ROLES);
    expect(r('203.0.113.27')).toBe(UNKNOWN_ROLES);
    expect(resolverFor(undefined, inferred)('10.0.2.3')).toMatchObject({ roles: ['director'], source: 'inferred' });
  });

  it('memoizes per address', () => {
    const r = resolverFor(topo);
    expect(r('10.0.2.3')).toBe(r('10.0.2.3'));
  });
});

describe('addressWords', () => {
  it('parses report address text into PacketView words', () => {
    expect(addressWords('10.0.2.3')).toEqual({ family: 4, words: new Uint32Array([0, 0, 0, 0x0a000203]) });
    expect(addressWords('2001:db8::1')?.words[0]).toBe(0x20010db8);
    expect(addressWords('10.0.2.0/24')).toBeUndefined();
    expect(addressWords('')).toBeUndefined();
  });
});
