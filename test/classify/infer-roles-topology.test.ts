/** The --infer-topology writer: a topology file the loader accepts, with the evidence in its description. */
import { describe, expect, it } from 'vitest';
import { topologyFromJson } from '../../src/catalog/topology.js';
import { inferredTopologyJson, inferredTopologyText } from '../../src/classify/infer-topology.js';
import { addressWords, type EndpointRoles } from '../../src/classify/roles.js';

function rolesOf(topoJson: unknown, ip: string): readonly string[] {
  const topo = topologyFromJson(topoJson, 'inferred.json');
  const a = addressWords(ip)!;
  return topo.roleOf(a.family, a.words);
}

const map = new Map<string, EndpointRoles>([
  ['2001:db8:10::10', { roles: ['edge-access'], source: 'inferred', evidence: ['edge-access: accepts tcp/5061 from 2 external peers'] }],
  ['131.107.10.12', { roles: ['edge-av'], source: 'inferred', evidence: ['edge-av: answers udp/3478 (flows 7, 8)'] }],
  ['131.107.10.10', { roles: ['edge-access', 'edge-av'], source: 'inferred', evidence: ['edge-access: a', 'edge-av: b'] }],
  ['10.0.2.1', { roles: ['front-end'], source: 'configured', evidence: ['topology site.json: front-end 10.0.2.0/29'] }],
  ['10.0.2.2', { roles: [], source: 'unknown' }],
  ['10.0.2.3', { roles: ['any'], source: 'inferred' }],
]);

describe('inferredTopologyJson', () => {
  it('maps roles to addresses, sorted, leaving out configured, unknown and wildcard entries', () => {
    const json = inferredTopologyJson(map);
    expect(json.roles).toEqual({
      'edge-access': ['131.107.10.10', '2001:db8:10::10'],
      'edge-av': ['131.107.10.10', '131.107.10.12'],
    });
    expect(Object.keys(json)).toEqual(['name', 'description', 'roles']);
  });

  it('validates as a topology and gives back the inferred roles', () => {
    const json = inferredTopologyJson(map);
    expect(rolesOf(json, '131.107.10.12')).toEqual(['edge-av']);
    expect([...rolesOf(json, '131.107.10.10')].sort()).toEqual(['edge-access', 'edge-av']);
    expect(rolesOf(json, '2001:db8:10::10')).toEqual(['edge-access']);
    expect(rolesOf(json, '10.0.2.1')).toEqual([]);
    // Also after a round trip through the text a user would edit.
    expect(rolesOf(JSON.parse(inferredTopologyText(map)), '131.107.10.12')).toEqual(['edge-av']);
  });

  it('keeps the evidence per address in the description, saying the roles are inferred', () => {
    const { description } = inferredTopologyJson(map);
    const lines = description.split('\n');
    expect(lines[0]).toMatch(/inferred from traffic.*not configured/);
    expect(lines).toContain('131.107.10.12 (edge-av):');
    expect(lines).toContain('  - edge-av: answers udp/3478 (flows 7, 8)');
    expect(lines.indexOf('131.107.10.10 (edge-access, edge-av):')).toBeLessThan(lines.indexOf('131.107.10.12 (edge-av):'));
    expect(description).not.toContain('10.0.2.1');
  });

  it('writes a valid, empty topology when nothing was inferred', () => {
    const json = inferredTopologyJson(new Map());
    expect(json.roles).toEqual({});
    expect(json.description).toContain('(none');
    expect(() => topologyFromJson(json, 'inferred.json')).not.toThrow();
  });

  it('ends the text with a newline and is deterministic', () => {
    const text = inferredTopologyText(map, 'site');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text).name).toBe('site');
    expect(inferredTopologyText(new Map([...map].reverse()), 'site')).toBe(text);
  });
});
