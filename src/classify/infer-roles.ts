/**
 * Role inference: which catalog role an address holds, from the traffic alone,
 * for captures analysed without a topology (or for addresses it does not list).
 *
 * It is deliberately conservative ("where inference cannot decide, the report
 * says unknown, never a wrong role"): an address gets a role only when one of
 * the heuristics below names exactly one role from strong evidence, and
 * nothing else the address does contradicts it. Everything else is absent
 * from the answer. Port knowledge comes from the catalog (infer-knowledge.ts):
 * a heuristic asks which roles the rules put at a port, never which port a
 * role uses.
 *
 * Evidence is only what a server really did:
 * - a service: the address answered a flow on a port that a non-broad rule
 *   documents at the server end (portSide server or either). Answered = TCP
 *   handshake completed (Zeek states SF, S1, S2, S3, RSTO, RSTR), UDP with
 *   packets both ways. For UDP, whose orientation may be a guess, the holder
 *   is the end whose port is a service port while the other's is not.
 * - a media flow: an answered flow where neither port is documented by a
 *   non-broad rule; each end's own port is weighed against the broad media
 *   ranges (the edge relay range, the clients' and servers' media ranges).
 *
 * The heuristics:
 * 1. Unique service port. Answering (transport, port) from at least
 *    MIN_PEERS distinct peers, when every non-broad rule documenting it lists
 *    the same single role R in `to` (a group counts as its members; a rule to
 *    `any` names no particular role, so it spoils the port as evidence).
 *    Example: lync2013-edge/int-i1-xmpp-mtls-23456 is the only rule of its
 *    port, to edge-internal; the SQL browser rules
 *    (sfb2015-servers/all-sql-browser-*) list all-internal-servers and
 *    edge-internal, so their port says nothing.
 * 2. A/V relay. Answering a UDP service port from at least MIN_PEERS external
 *    peers (below) and from no private one, and relaying media on its own
 *    ports: of the roles the port's rules admitting external senders put at
 *    the server end, exactly one also holds the media range of the relay flow.
 *    Example: udp 3478 from outside is documented to edge-av and edge-internal
 *    (lync2013-edge/ext-e14-stun-udp-in-3478, int-i6-stun-udp-3478,
 *    sfb2015-servers/client-stun-msturn-udp-3478; ext-e13 to `any` is sent by
 *    edge-av, not by an external host); of those only edge-av holds the relay
 *    range (ext-e9..e12, portSide client/server with edge-av at its own end),
 *    while the clients' and servers' media ranges that overlap it
 *    (media-ranges/*, sfb2015-servers/*-media-*) belong to clients, front
 *    ends, mediation and branch servers. Hence "a host answering STUN that
 *    relays on the relay range is an A/V edge".
 * 3. External service. Answering (transport, port) from at least MIN_PEERS
 *    external peers and from no private one, when every non-broad rule of the
 *    port that admits an external sender (`from` lists `any` or an external
 *    role) lists the same single role R in `to`, and one of them names an
 *    external role explicitly (a rule from `any` alone, such as
 *    reverse-proxy/ext-http-80, says the internet may connect, not that the
 *    internet is who connects: the site's own edges fetch CRLs over the same
 *    port, lync2013-edge/ext-e2-crl-http-80). Example: tcp 5061 is also
 *    documented to front ends, directors and the edge's internal interface,
 *    but from external hosts only to edge-access
 *    (lync2013-edge/ext-e6-sip-mtls-in-5061, lync2013-public-im/partner-to-access-sip-mtls-5061,
 *    and sfb2015-servers/client-sip-mtls-5061 which lists edge-access among
 *    its `to`). Hence "a host accepting 5061 from several external peers is
 *    an access edge".
 *
 * "External" means a public address (infer-address.ts) that answers no
 * documented service port itself in the capture: a public host that does
 * (the site's own edge, a federation partner's edge when both edges call
 * each other) may be a server of the site as well as a stranger, and two
 * servers talking prove nothing about which of them is the site's.
 *
 * Conflicts leave the address unknown: two heuristics naming roles that one
 * address cannot hold together (infer-knowledge.ts COMPATIBLE_ROLES), or an
 * answered service whose rules put none of the inferred roles (nor a role
 * compatible with them) at the server end.
 */
import type { Catalog, CatalogRule, Transport } from '../catalog/types.js';
import type { FlowRecord } from '../flow/flow-record.js';
import { isPublicAddress } from './infer-address.js';
import { COMPATIBLE_ROLES, PortKnowledge, admitsExternalSender, holderRoles, namesExternalSender, rangeText, rolesCompatible } from './infer-knowledge.js';
import type { EndpointRoles } from './roles.js';

/** Fewest distinct peers whose answered flows make a service evidence: one peer may be a probe or a misconfiguration. */
export const MIN_PEERS = 2;

/** Zeek conn_state values in which the server answered the SYN and the connection was established. */
const ANSWERED_TCP: ReadonlySet<string> = new Set(['SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR']);

/** Flow ids and addresses listed in one evidence sentence before "and N more". */
const MAX_LISTED = 8;

/** An address answering one documented service port. */
interface Service {
  readonly transport: Transport;
  readonly port: number;
  /** "tcp/5061" */
  readonly key: string;
  /** Peer address -> ids of the answered flows. */
  readonly peers: Map<string, number[]>;
}

/** An answered media flow and the address's own port in it. */
interface Relay {
  readonly flow: number;
  readonly transport: Transport;
  readonly port: number;
  readonly end: 'client' | 'server';
}

interface HostEvidence {
  readonly services: Map<string, Service>;
  readonly relays: Relay[];
}

interface Conclusion {
  readonly role: string;
  readonly evidence: string;
}

export interface RoleInference {
  /** Addresses (as FlowRecord writes them) with the roles inference decided; source always 'inferred'. */
  readonly roles: Map<string, EndpointRoles>;
  /** Addresses where heuristics found evidence that conflicted, with the evidence and the conflict; they stay unknown. */
  readonly undecided: Map<string, string[]>;
}

/**
 * Roles inferred from traffic: only addresses with strong, unambiguous
 * evidence appear; every other address is unknown. Each answer carries its
 * evidence as plain sentences citing flow ids, ports and catalog rule ids.
 */
export function inferRoles(flows: readonly FlowRecord[], catalog: Catalog): Map<string, EndpointRoles> {
  return inferRolesDetailed(flows, catalog).roles;
}

/** inferRoles, plus the addresses left unknown because their evidence conflicted. */
export function inferRolesDetailed(flows: readonly FlowRecord[], catalog: Catalog): RoleInference {
  const know = new PortKnowledge(catalog);
  const hosts = gather(flows, know);
  const servers = new Set([...hosts].filter(([, h]) => h.services.size > 0).map(([ip]) => ip));
  const roles = new Map<string, EndpointRoles>();
  const undecided = new Map<string, string[]>();
  const ctx: Context = { know, servers, publicMemo: new Map() };
  for (const host of [...hosts.keys()].sort()) {
    const ev = hosts.get(host)!;
    const found = [...uniqueServicePort(ctx, ev), ...avRelay(ctx, ev), ...externalService(ctx, ev)];
    if (found.length === 0) continue;
    const names = [...new Set(found.map((c) => c.role))].sort((a, b) => know.order(a) - know.order(b));
    const evidence = found.map((c) => `${c.role}: ${c.evidence}`);
    if (!rolesCompatible(names)) {
      undecided.set(host, [...evidence, `conflict: ${names.join(' and ')} cannot be one address`]);
      continue;
    }
    const contradictions = contradicting(ctx, ev, names);
    if (contradictions.length > 0) {
      undecided.set(host, [...evidence, ...contradictions]);
      continue;
    }
    roles.set(host, { roles: names, source: 'inferred', evidence });
  }
  return { roles, undecided };
}

interface Context {
  readonly know: PortKnowledge;
  /** Addresses that answered a documented service port. */
  readonly servers: ReadonlySet<string>;
  readonly publicMemo: Map<string, boolean>;
}

function answered(f: FlowRecord): boolean {
  if (f.transport === 'tcp') return f.tcp !== undefined && ANSWERED_TCP.has(f.tcp.state);
  return f.transport === 'udp' && f.packets.fromClient > 0 && f.packets.fromServer > 0;
}

function hostOf(hosts: Map<string, HostEvidence>, ip: string): HostEvidence {
  let h = hosts.get(ip);
  if (h === undefined) {
    h = { services: new Map(), relays: [] };
    hosts.set(ip, h);
  }
  return h;
}

function gather(flows: readonly FlowRecord[], know: PortKnowledge): Map<string, HostEvidence> {
  const hosts = new Map<string, HostEvidence>();
  const addService = (holder: string, peer: string, transport: Transport, port: number, flow: number) => {
    const key = `${transport}/${port}`;
    const h = hostOf(hosts, holder);
    let s = h.services.get(key);
    if (s === undefined) {
      s = { transport, port, key, peers: new Map() };
      h.services.set(key, s);
    }
    const ids = s.peers.get(peer);
    if (ids === undefined) s.peers.set(peer, [flow]);
    else ids.push(flow);
  };
  for (const f of flows) {
    if ((f.transport !== 'tcp' && f.transport !== 'udp') || !answered(f)) continue;
    const t = f.transport;
    const { client, server } = f;
    if (client.ip === server.ip) continue;
    const clientDocumented = know.isDocumentedPort(t, client.port);
    const serverDocumented = know.isDocumentedPort(t, server.port);
    if (t === 'tcp') {
      // The handshake says who listened.
      if (know.serviceRules(t, server.port).length > 0) addService(server.ip, client.ip, t, server.port, f.id);
    } else if (know.serviceRules(t, server.port).length > 0 && !clientDocumented) {
      addService(server.ip, client.ip, t, server.port, f.id);
    } else if (know.serviceRules(t, client.port).length > 0 && !serverDocumented) {
      // The first datagram seen was the service's answer.
      addService(client.ip, server.ip, t, client.port, f.id);
    }
    if (!clientDocumented && !serverDocumented) {
      hostOf(hosts, client.ip).relays.push({ flow: f.id, transport: t, port: client.port, end: 'client' });
      hostOf(hosts, server.ip).relays.push({ flow: f.id, transport: t, port: server.port, end: 'server' });
    }
  }
  return hosts;
}

function isPublic(ctx: Context, ip: string): boolean {
  let p = ctx.publicMemo.get(ip);
  if (p === undefined) ctx.publicMemo.set(ip, (p = isPublicAddress(ip)));
  return p;
}

/** Peers of a service split by address: external (public, serving nothing), public servers, and private. */
function peersOf(ctx: Context, s: Service): { external: string[]; servers: string[]; internal: string[] } {
  const external: string[] = [];
  const servers: string[] = [];
  const internal: string[] = [];
  for (const peer of s.peers.keys()) {
    if (!isPublic(ctx, peer)) internal.push(peer);
    else if (ctx.servers.has(peer)) servers.push(peer);
    else external.push(peer);
  }
  return { external, servers, internal };
}

// ---- heuristic 1: a port the catalog documents for one role only ----

function uniqueServicePort(ctx: Context, ev: HostEvidence): Conclusion[] {
  const byRole = new Map<string, { services: Service[]; rules: CatalogRule[] }>();
  for (const s of ev.services.values()) {
    const rules = ctx.know.serviceRules(s.transport, s.port);
    const role = ctx.know.commonRole(rules);
    if (role === undefined) continue;
    let e = byRole.get(role);
    if (e === undefined) byRole.set(role, (e = { services: [], rules: [] }));
    e.services.push(s);
    e.rules.push(...rules);
  }
  const out: Conclusion[] = [];
  for (const [role, e] of byRole) {
    const peers = new Set(e.services.flatMap((s) => [...s.peers.keys()]));
    if (peers.size < MIN_PEERS) continue;
    const flows = e.services.flatMap((s) => [...s.peers.values()].flat());
    const keys = e.services.map((s) => s.key).join(' and ');
    out.push({
      role,
      evidence:
        `answers ${keys} from ${peers.size} peers (${list([...peers])}; ${flowsText(flows)}); ` +
        `the catalog documents ${keys} only for ${role} (${ruleIds(e.rules)})`,
    });
  }
  return out;
}

// ---- heuristic 2: answers a UDP service from outside and relays media ----

function avRelay(ctx: Context, ev: HostEvidence): Conclusion[] {
  if (ev.relays.length === 0) return [];
  const know = ctx.know;
  const byRole = new Map<string, { service: Service; external: string[]; candidates: string[]; serviceRules: CatalogRule[]; relays: Relay[]; media: CatalogRule[] }[]>();
  for (const s of ev.services.values()) {
    if (s.transport !== 'udp') continue;
    const peers = peersOf(ctx, s);
    if (peers.internal.length > 0 || peers.external.length < MIN_PEERS) continue;
    const admitted = know.serviceRules(s.transport, s.port).filter(admitsExternalSender);
    const atServer = union(know, admitted.map((r) => r.to));
    if (atServer === undefined || atServer.size === 0) continue;
    const support = new Map<string, { relays: Relay[]; media: CatalogRule[] }>();
    for (const r of ev.relays) {
      const media = know.mediaRules(r.transport, r.port, r.end);
      const holders = union(know, media.map(holderRoles));
      if (holders === undefined) continue;
      const both = [...atServer].filter((x) => holders.has(x) && know.isConcrete(x));
      if (both.length !== 1) continue;
      let e = support.get(both[0]);
      if (e === undefined) support.set(both[0], (e = { relays: [], media: [] }));
      e.relays.push(r);
      e.media.push(...media.filter((m) => know.expand(holderRoles(m))?.has(both[0])));
    }
    // Relay flows pointing at different roles: the media does not single one out.
    if (support.size !== 1) continue;
    const [role, e] = [...support][0];
    let list = byRole.get(role);
    if (list === undefined) byRole.set(role, (list = []));
    list.push({ service: s, external: peers.external, candidates: [...atServer].sort((a, b) => know.order(a) - know.order(b)), serviceRules: admitted, ...e });
  }
  const out: Conclusion[] = [];
  for (const [role, items] of byRole) {
    for (const it of items) {
      const ranges = [...new Set(it.media.map((m) => `${m.transport}/${rangeText(m)}`))].join(', ');
      const relayFlows = it.relays.map((r) => r.flow);
      const ownPorts = [...new Set(it.relays.map((r) => r.port))].sort((a, b) => a - b);
      out.push({
        role,
        evidence:
          `answers ${it.service.key} from ${it.external.length} external peers (public addresses ${list(it.external)}; ` +
          `${flowsText(it.external.flatMap((p) => it.service.peers.get(p)!))}) and from no private address, ` +
          `and relays media on its own ${plural(ownPorts.length, 'port')} ${list(ownPorts.map(String))} inside ${ranges} (${flowsText(relayFlows)}); ` +
          `of the roles the catalog documents at ${it.service.key} for external senders (${it.candidates.join(', ')}), only ${role} holds that media range ` +
          `(${ruleIds([...it.serviceRules, ...it.media])})`,
      });
    }
  }
  return out;
}

// ---- heuristic 3: a port documented from external hosts for one role only ----

function externalService(ctx: Context, ev: HostEvidence): Conclusion[] {
  const know = ctx.know;
  const out: Conclusion[] = [];
  const byRole = new Map<string, { service: Service; external: string[]; servers: string[]; rules: CatalogRule[] }[]>();
  for (const s of ev.services.values()) {
    const rules = know.serviceRules(s.transport, s.port);
    if (know.commonRole(rules) !== undefined) continue; // heuristic 1 speaks for this port
    const peers = peersOf(ctx, s);
    if (peers.internal.length > 0 || peers.external.length === 0) continue;
    const admitted = rules.filter(admitsExternalSender);
    const role = know.commonRole(admitted);
    if (role === undefined || !admitted.some((r) => namesExternalSender(r) && know.expand(r.to)?.has(role))) continue;
    let items = byRole.get(role);
    if (items === undefined) byRole.set(role, (items = []));
    items.push({ service: s, external: peers.external, servers: peers.servers, rules: admitted });
  }
  for (const [role, items] of byRole) {
    const external = new Set(items.flatMap((it) => it.external));
    if (external.size < MIN_PEERS) continue;
    const keys = items.map((it) => it.service.key).join(' and ');
    const flows = items.flatMap((it) => it.external.flatMap((p) => it.service.peers.get(p)!));
    const servers = [...new Set(items.flatMap((it) => it.servers))];
    const notCounted = servers.length > 0 ? ` (not counted: ${list(servers)}, which ${servers.length > 1 ? 'answer' : 'answers'} documented service ports too)` : '';
    out.push({
      role,
      evidence:
        `accepts ${keys} from ${external.size} external peers (public addresses ${list([...external])}; ${flowsText(flows)})${notCounted} ` +
        `and from no private address; from external hosts the catalog documents ${keys} only for ${role} (${ruleIds(items.flatMap((it) => it.rules))})`,
    });
  }
  return out;
}

// ---- conflicts ----

/**
 * Answered services whose rules put none of `roles` (nor a role one address
 * may hold with them) at the server end: the address does something else too,
 * so the inferred role may be only part of the truth, or wrong.
 */
function contradicting(ctx: Context, ev: HostEvidence, roles: readonly string[]): string[] {
  const allowed = new Set(roles);
  for (const g of COMPATIBLE_ROLES) if (roles.some((r) => g.includes(r))) for (const r of g) allowed.add(r);
  const out: string[] = [];
  for (const s of ev.services.values()) {
    const rules = ctx.know.serviceRules(s.transport, s.port);
    const atServer = union(ctx.know, rules.map((r) => r.to));
    if (atServer === undefined) continue; // a rule to `any`: anyone may answer it
    if ([...atServer].some((r) => allowed.has(r))) continue;
    const flows = [...s.peers.values()].flat();
    out.push(
      `conflict: also answers ${s.key} (${flowsText(flows)}), which the catalog documents only for ${[...atServer].join(', ')} (${ruleIds(rules)})`,
    );
  }
  return out;
}

// ---- helpers ----

/** Union of rule sides with groups expanded; undefined when one lists the wildcard. */
function union(know: PortKnowledge, sides: readonly (readonly string[])[]): Set<string> | undefined {
  const out = new Set<string>();
  for (const side of sides) {
    const s = know.expand(side);
    if (s === undefined) return undefined;
    for (const r of s) out.add(r);
  }
  return out;
}

function ruleIds(rules: readonly CatalogRule[]): string {
  const ids = [...new Set(rules.map((r) => r.id))];
  return `${plural(ids.length, 'rule')} ${ids.join(', ')}`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function list(items: readonly string[]): string {
  if (items.length <= MAX_LISTED) return items.join(', ');
  return `${items.slice(0, MAX_LISTED).join(', ')} and ${items.length - MAX_LISTED} more`;
}

function flowsText(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  return `${plural(sorted.length, 'flow')} ${list(sorted.map(String))}`;
}
