/** Role inference on the project's sample captures, checked against their truth files: never a wrong role. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { topologyFromJson } from '../../src/catalog/topology.js';
import { inferRolesDetailed } from '../../src/classify/infer-roles.js';
import { inferredTopologyJson } from '../../src/classify/infer-topology.js';
import { addressWords } from '../../src/classify/roles.js';
import { SAMPLES } from '../helpers/environment.js';

interface Truth {
  roles: Record<string, string[]>;
}

/** Address -> roles, from a truth file's role -> addresses. */
function truthRoles(name: string): Map<string, string[]> {
  const truth = JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as Truth;
  const out = new Map<string, string[]>();
  for (const [role, ips] of Object.entries(truth.roles)) for (const ip of ips) out.set(ip, [...(out.get(ip) ?? []), role]);
  return out;
}

const catalog = loadCatalog();

describe.each(['edge-dmz.pcapng', 'edge-dmz.pcap'])('samples/%s', (file) => {
  it('gives only roles the truth gives, and decides the A/V edge', async () => {
    const report = await analyze([join(SAMPLES, file)]);
    const truth = truthRoles('edge-dmz.truth.json');
    const { roles, undecided } = inferRolesDetailed(report.flows, catalog);
    for (const [ip, e] of roles) {
      expect(e.source).toBe('inferred');
      for (const r of e.roles) expect(truth.get(ip) ?? [], `${ip} inferred ${r}`).toContain(r);
      expect(e.evidence?.length, ip).toBeGreaterThan(0);
    }
    // What the capture supports: 131.107.10.12 answers MS-TURN on udp/3478 from
    // two internet hosts (flows 7, 8) and relays RTP from its own range (flows 10, 11).
    // Every other address has a single peer per service, shared ports, or
    // unanswered flows only, and must stay unknown.
    expect([...roles.keys()]).toEqual(['131.107.10.12']);
    expect(roles.get('131.107.10.12')!.roles).toEqual(['edge-av']);
    expect(roles.get('131.107.10.12')!.evidence![0]).toMatch(/flows 7, 8\b.*flows 10, 11\b/);
    expect(undecided.size).toBe(0);

    // The --infer-topology file of this run is a valid topology giving the same answer.
    const topo = topologyFromJson(inferredTopologyJson(roles), 'inferred.json');
    const a = addressWords('131.107.10.12')!;
    expect(topo.roleOf(a.family, a.words)).toEqual(['edge-av']);
    const b = addressWords('10.0.2.1')!;
    expect(topo.roleOf(b.family, b.words)).toEqual([]);
  });
});
