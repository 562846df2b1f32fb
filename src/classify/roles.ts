/**
 * Roles of a flow's endpoints, as the classifier sees them: configured (the
 * user's topology lists the address), inferred (role inference decided from
 * the traffic, only for addresses the topology does not list), or unknown
 * (neither; the report says "unknown", never a guessed role).
 */
import { parsePrefix, prefixContains } from '../catalog/address.js';
import type { Topology } from '../catalog/topology.js';

/** Where an endpoint's roles come from. */
export type RoleSource = 'configured' | 'inferred' | 'unknown';

/** Roles of one address. Part of the JSON report (`client.role`, `server.role`, `topology`). */
export interface EndpointRoles {
  /**
   * Role ids of catalog/roles.json, in the order the source gave them; empty
   * when `source` is 'unknown'. Never contains the wildcard 'any'.
   */
  roles: string[];
  /**
   * 'configured': from the user's topology file (the address lies in a listed
   * address or prefix; the most specific prefix wins). 'inferred': from role
   * inference over the traffic, for an address the topology does not list.
   * 'unknown': neither; matching with this endpoint is by transport and port only.
   */
  source: RoleSource;
  /**
   * Why the roles were given, one plain sentence each: for 'configured', the
   * topology entries that hold the address (`topology site.json: front-end 10.0.2.0/29`);
   * for 'inferred', the traffic that convinced role inference. Absent for 'unknown'.
   */
  evidence?: string[];
}

/** Roles of an address given as report text (dotted IPv4 or RFC 5952 IPv6). */
export type RoleResolver = (ip: string) => EndpointRoles;

/** The one shared unknown value; frozen, so no caller can give it roles by accident. */
export const UNKNOWN_ROLES: EndpointRoles = Object.freeze({ roles: Object.freeze([]) as unknown as string[], source: 'unknown' as const });

/** True when the endpoint has roles from the topology or inference. */
export function isKnown(e: EndpointRoles): boolean {
  return e.source !== 'unknown' && e.roles.length > 0;
}

/**
 * Parses an address as FlowRecord writes it into the (family, 4 words) form
 * `Topology.roleOf` takes; undefined for text that is not an address (or a prefix).
 */
export function addressWords(ip: string): { family: number; words: Uint32Array } | undefined {
  if (ip.includes('/')) return undefined;
  const p = parsePrefix(ip);
  return typeof p === 'string' ? undefined : { family: p.family, words: p.words };
}

/** Orders report addresses: IPv4 before IPv6, then numerically; text order for anything unparsable, after the rest. */
export function compareAddresses(a: string, b: string): number {
  const x = addressWords(a);
  const y = addressWords(b);
  if (x === undefined || y === undefined) return x === y ? a.localeCompare(b) : x === undefined ? 1 : -1;
  if (x.family !== y.family) return x.family - y.family;
  for (let i = 0; i < 4; i++) if (x.words[i] !== y.words[i]) return x.words[i] - y.words[i];
  return 0;
}

/** The configured roles of `ip` in `topology`, with the entries that gave them; undefined when it lists no prefix holding it. */
function configuredRoles(topology: Topology, ip: string): EndpointRoles | undefined {
  const a = addressWords(ip);
  if (a === undefined) return undefined;
  const roles = topology.roleOf(a.family, a.words);
  if (roles.length === 0) return undefined;
  // roleOf picked the most specific prefix; its entries are those of these roles that hold the address at that length.
  const holding = topology.entries.filter((e) => roles.includes(e.role) && prefixContains(e.prefix, a.family, a.words));
  const longest = Math.max(...holding.map((e) => e.prefix.len));
  const evidence = holding.filter((e) => e.prefix.len === longest).map((e) => `topology ${topology.file}: ${e.role} ${e.text}`);
  return { roles: [...roles], source: 'configured', evidence };
}

/**
 * A resolver: the topology wins for the addresses it lists, inference answers
 * for the others (its 'unknown' entries stay unknown), and everything else is
 * unknown. Answers are memoized per address text: a capture has far fewer
 * hosts than flows, and equal answers share one object.
 */
export function resolverFor(topology?: Topology, inferred?: ReadonlyMap<string, EndpointRoles>): RoleResolver {
  const memo = new Map<string, EndpointRoles>();
  return (ip: string): EndpointRoles => {
    let r = memo.get(ip);
    if (r === undefined) {
      r = (topology !== undefined ? configuredRoles(topology, ip) : undefined) ?? inferredRoles(inferred, ip) ?? UNKNOWN_ROLES;
      memo.set(ip, r);
    }
    return r;
  };
}

function inferredRoles(inferred: ReadonlyMap<string, EndpointRoles> | undefined, ip: string): EndpointRoles | undefined {
  const r = inferred?.get(ip);
  if (r === undefined || r.source === 'unknown' || r.roles.length === 0) return undefined;
  // Inference reports its own answers as inferred, whatever the map says: never as configured.
  const roles = r.roles.filter((x) => x !== 'any');
  if (roles.length === 0) return undefined;
  return { roles, source: 'inferred', ...(r.evidence !== undefined ? { evidence: [...r.evidence] } : {}) };
}
