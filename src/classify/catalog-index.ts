/**
 * The catalog compiled for the classifier, once per catalog: per transport a
 * port -> rules table (65536 slots into a few dozen shared rule lists, built
 * from the range boundaries, so a broad range spanning tens of thousands of
 * ports costs one boundary pair, not a list entry per port). Role lists are expanded to sets (groups to their members) so a role check
 * is a Set lookup instead of a walk over the vocabulary.
 */
import type { Catalog, CatalogRule, RoleInfo, Transport } from '../catalog/types.js';
import { isKnown, type EndpointRoles } from './roles.js';

const PORTS = 65536;

/** A rule side's roles with groups expanded; `any` when it lists the wildcard. */
export interface RoleSet {
  readonly any: boolean;
  /** The listed roles and, for a listed group, its members. */
  readonly roles: ReadonlySet<string>;
}

export interface IndexedRule {
  readonly rule: CatalogRule;
  readonly from: RoleSet;
  readonly to: RoleSet;
}

export interface TransportIndex {
  /** Per port, an index into `sets`. */
  readonly slot: Uint16Array;
  /**
   * Distinct lists of the rules holding a port: specific rules in catalog
   * order, then broad media ranges in catalog order; sets[0] is empty.
   */
  readonly sets: readonly (readonly IndexedRule[])[];
}

export interface CatalogIndex {
  readonly catalog: Catalog;
  readonly tcp: TransportIndex;
  readonly udp: TransportIndex;
}

function roleSet(vocabulary: readonly RoleInfo[], listed: readonly string[]): RoleSet {
  const roles = new Set<string>();
  let any = false;
  for (const id of listed) {
    const info = vocabulary.find((r) => r.id === id);
    if (info?.wildcard || id === 'any') any = true;
    roles.add(id);
    // Same meaning as catalog/roles.ts rolesFit: a group matches its members.
    for (const m of info?.members ?? []) roles.add(m);
  }
  return { any, roles };
}

function buildTransport(rules: readonly IndexedRule[]): TransportIndex {
  // Between two consecutive range boundaries the set of rules is constant;
  // equal sets share one frozen array. Broad ranges (tens of thousands of
  // ports each) add few boundaries, so the table stays small.
  const ordered = [...rules.filter((r) => !r.rule.broad), ...rules.filter((r) => r.rule.broad)];
  const cuts = new Set<number>([0, PORTS]);
  for (const r of ordered) for (const [lo, hi] of r.rule.ranges) cuts.add(lo).add(hi + 1);
  const points = [...cuts].sort((a, b) => a - b);
  const slot = new Uint16Array(PORTS);
  const sets: (readonly IndexedRule[])[] = [Object.freeze([])];
  const byKey = new Map<string, number>([['', 0]]);
  for (let k = 0; k + 1 < points.length; k++) {
    const p = points[k];
    const hits = ordered.filter((r) => r.rule.ranges.some(([lo, hi]) => lo <= p && p <= hi));
    const key = hits.map((r) => r.rule.id).join('\n');
    let i = byKey.get(key);
    if (i === undefined) {
      i = sets.push(Object.freeze(hits)) - 1;
      byKey.set(key, i);
    }
    slot.fill(i, p, points[k + 1]);
  }
  return { slot, sets };
}

// Role check results, ordered so that a candidate's outcome is the minimum of its two checks.
export const NO = 0;
export const UNKNOWN = 1;
export const YES = 2;

/** Does a host fit a rule side? YES for the wildcard or a fitting known role, UNKNOWN when its roles are unknown, NO otherwise. */
export function fit(host: EndpointRoles, set: RoleSet): number {
  if (set.any) return YES;
  if (!isKnown(host)) return UNKNOWN;
  const roles = host.roles;
  for (let i = 0; i < roles.length; i++) if (set.roles.has(roles[i])) return YES;
  return NO;
}

const compiled = new WeakMap<Catalog, CatalogIndex>();

/** Compiles (once; later calls return the same object) the lookup structures of `catalog`. */
export function compileCatalogIndex(catalog: Catalog): CatalogIndex {
  let idx = compiled.get(catalog);
  if (idx === undefined) {
    const all = catalog.rules.map((rule): IndexedRule => ({ rule, from: roleSet(catalog.roles, rule.from), to: roleSet(catalog.roles, rule.to) }));
    const of = (t: Transport): IndexedRule[] => all.filter((r) => r.rule.transport === t);
    idx = { catalog, tcp: buildTransport(of('tcp')), udp: buildTransport(of('udp')) };
    compiled.set(catalog, idx);
  }
  return idx;
}

/** True when `port` lies in one of the rule's ranges. */
export function holdsPort(rule: CatalogRule, port: number): boolean {
  const ranges = rule.ranges;
  for (let i = 0; i < ranges.length; i++) if (ranges[i][0] <= port && port <= ranges[i][1]) return true;
  return false;
}
