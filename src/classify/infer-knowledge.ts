/**
 * What role inference knows about ports and roles. Port knowledge comes only
 * from the catalog's rules (transport, ranges, portSide, from, to, broad), so
 * a user's rule file that moves a service moves the inference with it; the
 * code holds role ids of catalog/roles.json, never a port number.
 */
import type { Catalog, CatalogRule, RoleInfo, Transport } from '../catalog/types.js';

/**
 * Roles of the vocabulary (catalog/roles.json) that sit on the internet, not
 * in the deployment: their descriptions say "on the internet", "of federated
 * organizations", "providers", "partners' servers", "Microsoft 365". A rule
 * whose `from` lists one of them (or `any`) documents traffic that an
 * external peer may send.
 */
export const EXTERNAL_ROLES: ReadonlySet<string> = new Set([
  'external-client',
  'federation-partner',
  'public-im-partner',
  'xmpp-partner',
  'microsoft-cloud',
]);

/**
 * Roles one address may hold together; any other pair on one address is a
 * conflict and leaves the address unknown.
 */
export const COMPATIBLE_ROLES: readonly (readonly string[])[] = [
  // A consolidated Edge Server with a single external address carries the
  // Access, Web Conferencing and A/V Edge services (catalog/examples/single-ip-edge.json).
  ['edge-access', 'edge-webconf', 'edge-av'],
  // A Front End Server with a collocated Mediation Server (catalog/roles.json
  // "front-end"; a topology may list one prefix under both).
  ['front-end', 'mediation'],
];

/** True when the roles may all be held by one address: one role, or all inside one COMPATIBLE_ROLES group. */
export function rolesCompatible(roles: readonly string[]): boolean {
  if (roles.length <= 1) return true;
  return COMPATIBLE_ROLES.some((g) => roles.every((r) => g.includes(r)));
}

/** Which end of a flow holds a rule's port: `from` for portSide client (an edge's relay source range), `to` otherwise. */
export function holderRoles(rule: CatalogRule): readonly string[] {
  return rule.portSide === 'client' ? rule.from : rule.to;
}

function inRanges(rule: CatalogRule, port: number): boolean {
  for (const [lo, hi] of rule.ranges) if (lo <= port && port <= hi) return true;
  return false;
}

/** Ranges as compact text: "50000-59999", "3478". */
export function rangeText(rule: CatalogRule): string {
  return rule.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
}

/**
 * The catalog's rules sorted into the questions inference asks. Built once per
 * inference run (a few hundred rules); answers are memoized per port.
 */
export class PortKnowledge {
  private readonly vocabulary: readonly RoleInfo[];
  private readonly specific: Record<Transport, readonly CatalogRule[]>;
  private readonly broad: Record<Transport, readonly CatalogRule[]>;
  private readonly serviceMemo = new Map<string, readonly CatalogRule[]>();
  private readonly mediaMemo = new Map<number, readonly CatalogRule[]>();
  private readonly expandMemo = new WeakMap<readonly string[], ReadonlySet<string> | undefined>();
  /** Per transport, 1 for each port a non-broad rule documents: asked twice per flow, mostly of ephemeral ports. */
  private readonly documented: Record<Transport, Uint8Array>;

  constructor(readonly catalog: Catalog) {
    this.vocabulary = catalog.roles;
    const pick = (t: Transport, broad: boolean): readonly CatalogRule[] =>
      catalog.rules.filter((r) => r.transport === t && r.broad === broad);
    this.specific = { tcp: pick('tcp', false), udp: pick('udp', false) };
    this.broad = { tcp: pick('tcp', true), udp: pick('udp', true) };
    const bitmap = (rules: readonly CatalogRule[]): Uint8Array => {
      const ports = new Uint8Array(65536);
      for (const r of rules) for (const [lo, hi] of r.ranges) ports.fill(1, lo, hi + 1);
      return ports;
    };
    this.documented = { tcp: bitmap(this.specific.tcp), udp: bitmap(this.specific.udp) };
  }

  /**
   * Non-broad rules under which the server end of a flow on (transport, port)
   * holds the port: portSide 'server' (the listening port) and 'either' (the
   * `to` host's own port, whichever side opened). Empty: not a documented service port.
   */
  serviceRules(transport: Transport, port: number): readonly CatalogRule[] {
    const key = `${transport}/${port}`;
    let rules = this.serviceMemo.get(key);
    if (rules === undefined) {
      rules = this.specific[transport].filter((r) => r.portSide !== 'client' && inRanges(r, port));
      this.serviceMemo.set(key, rules);
    }
    return rules;
  }

  /** True when a non-broad rule documents the port on any side: such a port is a service, not a media relay port. */
  isDocumentedPort(transport: Transport, port: number): boolean {
    return this.documented[transport][port] === 1;
  }

  /**
   * Broad (media range) rules under which a host holds `port` at its own end.
   * `end` is the host's end of the flow; for UDP it is ignored, since which
   * side sent the first datagram of a media flow says nothing about who relays.
   * For TCP a portSide 'client' rule needs the host to be the client, 'server'
   * the server; 'either' takes both.
   */
  mediaRules(transport: Transport, port: number, end: 'client' | 'server'): readonly CatalogRule[] {
    // Asked once per answered media flow end: memoized by (transport, port, end) as one number.
    const key = (transport === 'udp' ? 0 : end === 'client' ? 1 : 2) * 65536 + port;
    let rules = this.mediaMemo.get(key);
    if (rules === undefined) {
      rules = this.broad[transport].filter(
        (r) => inRanges(r, port) && (transport === 'udp' || r.portSide === 'either' || r.portSide === end),
      );
      this.mediaMemo.set(key, rules);
    }
    return rules;
  }

  /** The concrete roles a rule side stands for: groups expanded to members; undefined when it lists the wildcard. */
  expand(listed: readonly string[]): ReadonlySet<string> | undefined {
    // Rule sides are the catalog's own arrays, asked about again and again: memoized by identity.
    if (this.expandMemo.has(listed)) return this.expandMemo.get(listed);
    const out = this.expandUncached(listed);
    this.expandMemo.set(listed, out);
    return out;
  }

  private expandUncached(listed: readonly string[]): Set<string> | undefined {
    const out = new Set<string>();
    for (const id of listed) {
      const info = this.vocabulary.find((r) => r.id === id);
      if (info?.wildcard || id === 'any') return undefined;
      if (info?.members !== undefined) for (const m of info.members) out.add(m);
      else out.add(id);
    }
    return out;
  }

  /** True for a role that an address can be given: in the vocabulary, not a group, not the wildcard. */
  isConcrete(role: string): boolean {
    const info = this.vocabulary.find((r) => r.id === role);
    return info !== undefined && !info.wildcard && info.members === undefined;
  }

  /** Position of a role in the vocabulary, for a stable order of roles in answers. */
  order(role: string): number {
    const i = this.vocabulary.findIndex((r) => r.id === role);
    return i < 0 ? this.vocabulary.length : i;
  }

  /**
   * The one concrete role that every rule lists in `to` (a group counting as
   * its members); undefined when they share none or several, or when there
   * are no rules. A rule whose `to` is the wildcard lists no particular role,
   * so it makes the port evidence of nothing.
   */
  commonRole(rules: readonly CatalogRule[]): string | undefined {
    if (rules.length === 0) return undefined;
    let common: ReadonlySet<string> | undefined;
    for (const r of rules) {
      const roles = this.expand(r.to);
      if (roles === undefined) return undefined;
      common = common === undefined ? roles : new Set([...common].filter((x) => roles.has(x)));
    }
    const concrete = [...common!].filter((x) => this.isConcrete(x));
    return concrete.length === 1 ? concrete[0] : undefined;
  }
}

/** True when a rule documents traffic an external peer may send: its `from` lists the wildcard or an external role. */
export function admitsExternalSender(rule: CatalogRule): boolean {
  return rule.from.some((r) => r === 'any' || EXTERNAL_ROLES.has(r));
}

/** True when a rule's `from` names an external role explicitly: the source expects internet hosts there, not merely anyone. */
export function namesExternalSender(rule: CatalogRule): boolean {
  return rule.from.some((r) => EXTERNAL_ROLES.has(r));
}
