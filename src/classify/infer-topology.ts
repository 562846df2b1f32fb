/**
 * `--infer-topology FILE`: the inferred roles written as a topology file
 * (catalog/schema/topology.schema.json, the format of
 * samples/topology.example.json), for the user to check, correct and pass
 * back with --topology. The schema allows no extra keys, so the evidence
 * goes into `description`, one line per address and sentence.
 */
import { compareAddresses, type EndpointRoles } from './roles.js';

/** The topology file's JSON shape (the keys the schema allows that this writer uses). */
export interface TopologyFileJson {
  name: string;
  description: string;
  roles: Record<string, string[]>;
}

const INTRO =
  'Roles inferred from traffic by flowaudit, not configured: check every address before using this file with --topology, ' +
  'then add the roles inference could not decide (those addresses were reported as unknown). Evidence per address:';

/**
 * A topology file holding the inferred roles of `inferred` (entries whose
 * source is not 'inferred', or with no roles, are left out; the wildcard
 * 'any' never appears). Roles and addresses are sorted, so equal inputs give
 * equal files.
 */
export function inferredTopologyJson(inferred: ReadonlyMap<string, EndpointRoles>, name = 'inferred by flowaudit'): TopologyFileJson {
  const roles: Record<string, string[]> = {};
  const lines: string[] = [INTRO];
  const addresses = [...inferred.keys()].sort(compareAddresses);
  for (const ip of addresses) {
    const e = inferred.get(ip)!;
    if (e.source !== 'inferred') continue;
    const held = e.roles.filter((r) => r !== 'any');
    if (held.length === 0) continue;
    for (const r of held) (roles[r] ??= []).push(ip);
    lines.push(`${ip} (${held.join(', ')}):`);
    for (const s of e.evidence ?? []) lines.push(`  - ${s}`);
  }
  const sorted: Record<string, string[]> = {};
  for (const r of Object.keys(roles).sort()) sorted[r] = roles[r];
  if (lines.length === 1) lines.push('(none: no address had strong enough evidence)');
  return { name, description: lines.join('\n'), roles: sorted };
}

/** The file's text: inferredTopologyJson as indented JSON with a final newline. */
export function inferredTopologyText(inferred: ReadonlyMap<string, EndpointRoles>, name?: string): string {
  return `${JSON.stringify(inferredTopologyJson(inferred, name), null, 2)}\n`;
}
