/**
 * One verdict per flow: which catalog rules document it, and how sure that is.
 * Semantics: ARCHITECTURE.md "Classification semantics" and the classifier
 * spec; in short, for each rule holding one of the flow's ports on the side
 * the rule says, check the client against `from` and the server against `to`:
 * both fit -> match, one unknown -> possible, one does not fit -> mismatch.
 * Runs once per flow (not per packet) over a catalog compiled once.
 */
import type { Catalog } from '../catalog/types.js';
import type { FlowRecord } from '../flow/flow-record.js';
import { compileCatalogIndex, fit, holdsPort, UNKNOWN, YES, type CatalogIndex, type IndexedRule, type RoleSet } from './catalog-index.js';
import { explainDocumented, explainMisdirected, explainUnclassified, explainUndocumented, type Explainer } from './explain.js';
import { isKnown, type EndpointRoles, type RoleResolver } from './roles.js';

/**
 * Application protocols whose presence makes a flow media for the broad
 * ranges (ARCHITECTURE.md, "Broad ranges"). Compared lowercase with
 * `apps[].protocol`, which payload inspection will fill.
 */
export const MEDIA_PROTOCOLS: readonly string[] = ['stun', 'rtp', 'rtcp', 'srtp', 'channeldata', 'ms-turn-tcp', 'dtls'];

/** What payload inspection saw in a flow (one entry per protocol detected). */
export interface AppEvidence {
  /** Lowercase protocol name ("stun", "rtp", "tls", "sip"...). */
  readonly protocol: string;
  /** Frames that showed it (the report's apps entries have them). */
  readonly evidenceFrames?: readonly number[];
  /** SIP: responses by status code, with the frame and reason phrase of each code's first (inspect/apps/sip-stream.ts SipCounts). */
  readonly responses?: readonly { readonly code: number; readonly count: number; readonly firstFrame: number; readonly reason?: string; readonly inCall?: number }[];
}

/** A flow as the classifier takes it: the report's flow record, plus the payload inspectors' findings when there are any. */
export type ClassifiableFlow = FlowRecord & { readonly apps?: readonly AppEvidence[] };

/**
 * - documented: a rule documents the port, and (with known roles) the roles and direction.
 * - misdirected: a rule documents the port, but not between these roles or in this direction.
 * - undocumented: no rule documents the port on either side (broad media ranges count only as the rules say).
 * - unclassified: not a TCP or UDP flow (ICMP, other IP protocols); the catalog has no ports for it.
 */
export type Verdict = 'documented' | 'misdirected' | 'undocumented' | 'unclassified';

/**
 * 'role': the verdict rests on roles. For documented, both endpoints have
 * known roles (configured or inferred) and the rules matched them; for
 * misdirected, a known role fits none of the rules documenting the port (the
 * other end may be unknown), or, for a flow whose ports fit only the other
 * direction, both ends have known roles. 'port': the verdict rests on
 * transport and port because a role it needed is unknown. Undocumented and
 * unclassified verdicts are always 'port'.
 */
export type Confidence = 'role' | 'port';

export interface FlowVerdict {
  verdict: Verdict;
  /**
   * Catalog rule ids behind the verdict: for documented, the rules that match
   * (or, with 'port' confidence, could match); for misdirected, the rules that
   * document the port for other roles or the other direction; empty otherwise.
   * Rules holding the server's port first, then those holding the client's;
   * within each, specific rules before broad media ranges, in catalog order.
   * Frozen and shared by the flows of the same case: copy before changing.
   */
  rules: readonly string[];
  confidence: Confidence;
  /**
   * One to three plain sentences: which rules, which roles, and what did not
   * fit. Names ports and roles but not addresses (the flow record has them).
   * English; not for parsing.
   */
  explanation: string;
  /** Roles of the flow's client (the side that opened it). */
  client: EndpointRoles;
  /** Roles of the flow's server (the side it was opened to). */
  server: EndpointRoles;
}

/** Candidate rules of one flow by outcome; arrays are created on first use. */
export interface Candidates {
  match?: IndexedRule[];
  possible?: IndexedRule[];
  mismatch?: IndexedRule[];
  /** Mismatched rules whose roles fit with client and server exchanged. */
  reversed?: IndexedRule[];
  /** Specific rules holding the ports only with client and server exchanged. */
  swapped?: IndexedRule[];
  /** Broad rules holding the server's port that were not admitted (no media, listener not known to fit). */
  gatedAtServer: number;
  /** The first of them, for the explanation. */
  firstGated?: IndexedRule;
  /** A broad 'either' rule held the client's port and was not counted (see candidatesOf), for the explanation. */
  gatedAtClient?: IndexedRule;
}

function add(list: IndexedRule[] | undefined, r: IndexedRule): IndexedRule[] {
  if (list === undefined) return [r];
  list.push(r);
  return list;
}

function record(c: Candidates, r: IndexedRule, outcome: number, reversedFits: boolean): void {
  if (outcome === YES) c.match = add(c.match, r);
  else if (outcome === UNKNOWN) c.possible = add(c.possible, r);
  else {
    c.mismatch = add(c.mismatch, r);
    if (reversedFits) c.reversed = add(c.reversed, r);
  }
}

/** The opener (client) against `from`, the other end against `to`. */
function forward(r: IndexedRule, client: EndpointRoles, server: EndpointRoles): number {
  const a = fit(client, r.from);
  const b = fit(server, r.to);
  return a < b ? a : b;
}

/** Both roles fit with client and server exchanged (the rule documents the other direction). */
function backward(r: IndexedRule, client: EndpointRoles, server: EndpointRoles): boolean {
  return fit(server, r.from) === YES && fit(client, r.to) === YES;
}

/** A broad rule is admitted by media payload, or by the known role of the host holding its port. */
function holderFits(host: EndpointRoles, side: RoleSet): boolean {
  return isKnown(host) && fit(host, side) === YES;
}

/**
 * Evaluates the catalog against one flow's ports and roles. Broad ranges
 * count only with media payload, or when the listening end (the server; for a
 * 'client' rule the opener, whose own relay range the rule documents) is
 * known to fit. An opener's port in a broad 'either' range (the clients'
 * 1024-65535, the servers' 49152-65535) counts only with media, and only when
 * the port the flow was opened to is a peer's media port: one a broad range
 * holds and no specific rule documents (a PSTN gateway's RTP port, which only
 * the Mediation Server's own range documents). Nearly every source port is in
 * such a range: counted whatever the other port, it would document media to
 * any port at all (STUN to an edge's UDP 443), and cite firewall rules the
 * flow does not need beside those of the service it went to (3478).
 */
export function candidatesOf(index: CatalogIndex, transport: 'tcp' | 'udp', cport: number, sport: number, client: EndpointRoles, server: EndpointRoles, media: boolean): Candidates {
  const t = index[transport];
  const c: Candidates = { gatedAtServer: 0 };

  const atServer = t.sets[t.slot[sport]];
  const openerMedia = media && isPeerMediaPort(atServer);
  for (let i = 0; i < atServer.length; i++) {
    const r = atServer[i];
    const broad = r.rule.broad;
    const side = r.rule.portSide;
    if (side === 'server') {
      if (!broad || media || holderFits(server, r.to)) record(c, r, forward(r, client, server), backward(r, client, server));
      else if (c.gatedAtServer++ === 0) c.firstGated = r;
    } else if (side === 'either') {
      let outcome = -1;
      if (!broad || media || holderFits(server, r.to)) outcome = forward(r, client, server);
      else if (c.gatedAtServer++ === 0) c.firstGated = r;
      // The same rule may hold the client's port too: that end's own port, `to` checked on the client.
      if ((!broad || openerMedia) && holdsPort(r.rule, cport)) outcome = Math.max(outcome, forward(r, server, client));
      if (outcome >= 0) record(c, r, outcome, false);
    } else if (!broad) c.swapped = add(c.swapped, r);
  }

  const atClient = t.sets[t.slot[cport]];
  for (let i = 0; i < atClient.length; i++) {
    const r = atClient[i];
    const broad = r.rule.broad;
    const side = r.rule.portSide;
    if (side === 'client') {
      if (!broad || media || holderFits(client, r.from)) record(c, r, forward(r, client, server), backward(r, client, server));
    } else if (side === 'either') {
      if ((!broad || openerMedia) && !holdsPort(r.rule, sport)) record(c, r, forward(r, server, client), false);
      else if (broad && c.gatedAtClient === undefined) c.gatedAtClient = r;
    } else if (!broad) c.swapped = add(c.swapped, r);
  }
  return c;
}

/** True when the rules holding a port (all of them, any side) make it a media port: a broad range holds it, and no specific rule documents it as a service's. */
function isPeerMediaPort(rules: readonly IndexedRule[]): boolean {
  let broad = false;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i].rule;
    if (rule.broad) broad = true;
    else if (rule.portSide !== 'client') return false;
  }
  return broad;
}

/** True when payload inspection found a media protocol in the flow. */
export function hasMedia(flow: ClassifiableFlow): boolean {
  const apps = flow.apps;
  if (apps === undefined) return false;
  for (let i = 0; i < apps.length; i++) if (MEDIA_PROTOCOLS.includes(apps[i].protocol.toLowerCase())) return true;
  return false;
}

/** A verdict without the flow's own ports: shared by every flow of the same case. */
interface Case {
  readonly verdict: Verdict;
  readonly confidence: Confidence;
  readonly rules: readonly string[];
  readonly explain: Explainer;
}

/**
 * Cases already decided, per compiled catalog and role resolver. A case is
 * fixed by the transport, the rule lists holding each port (their slots in the
 * index), both ends' role classes and media evidence, so it is a number.
 */
interface CaseCache {
  readonly cases: Map<number, Case>;
  /** Role class of each resolved EndpointRoles object, by identity. */
  readonly classOf: Map<EndpointRoles, number>;
  /** Role class by content ("source|roles"). */
  readonly classIds: Map<string, number>;
  readonly slots: number;
}

/** Role classes beyond this are not cached (the key would not fit a double exactly). */
const MAX_ROLE_CLASSES = 4096;
const caches = new WeakMap<CatalogIndex, WeakMap<RoleResolver, CaseCache>>();

function cacheFor(index: CatalogIndex, roles: RoleResolver): CaseCache {
  let byResolver = caches.get(index);
  if (byResolver === undefined) caches.set(index, (byResolver = new WeakMap()));
  let cache = byResolver.get(roles);
  if (cache === undefined) {
    const slots = Math.max(index.tcp.sets.length, index.udp.sets.length);
    cache = { cases: new Map(), classOf: new Map(), classIds: new Map(), slots };
    byResolver.set(roles, cache);
  }
  return cache;
}

function roleClass(cache: CaseCache, e: EndpointRoles): number {
  let id = cache.classOf.get(e);
  if (id === undefined) {
    const key = isKnown(e) ? `${e.source}|${e.roles.join(',')}` : '';
    id = cache.classIds.get(key);
    if (id === undefined) cache.classIds.set(key, (id = cache.classIds.size));
    cache.classOf.set(e, id);
  }
  return id;
}

const NO_RULES: readonly string[] = Object.freeze([]);

function ids(list: readonly IndexedRule[]): readonly string[] {
  return Object.freeze(list.map((r) => r.rule.id));
}

/**
 * True when one of the rules holds the server's port (rather than only the client's). A client-side
 * rule documents the client's port, even when its range holds the server's too (relay to relay).
 */
function heldAtServer(index: CatalogIndex, transport: 'tcp' | 'udp', sport: number, rules: readonly IndexedRule[]): boolean {
  const t = index[transport];
  const at = t.sets[t.slot[sport]];
  return rules.some((r) => r.rule.portSide !== 'client' && at.includes(r));
}

function decide(index: CatalogIndex, transport: 'tcp' | 'udp', cport: number, sport: number, client: EndpointRoles, server: EndpointRoles, media: boolean): Case {
  const c = candidatesOf(index, transport, cport, sport, client, server, media);
  const k = { client, server, media };
  const bothKnown = isKnown(client) && isKnown(server);
  if (c.match !== undefined) {
    const confidence: Confidence = bothKnown ? 'role' : 'port';
    return { verdict: 'documented', confidence, rules: ids(c.match), explain: explainDocumented(k, c.match, confidence, heldAtServer(index, transport, sport, c.match)) };
  }
  if (c.possible !== undefined) {
    return { verdict: 'documented', confidence: 'port', rules: ids(c.possible), explain: explainDocumented(k, c.possible, 'port', heldAtServer(index, transport, sport, c.possible)) };
  }
  if (c.mismatch !== undefined) {
    // A known role that no rule allows decides it, whatever the other end turns out to be: a role verdict.
    return { verdict: 'misdirected', confidence: 'role', rules: ids(c.mismatch), explain: explainMisdirected(k, c, heldAtServer(index, transport, sport, c.mismatch)) };
  }
  if (c.swapped !== undefined) {
    // The ports alone say the flow runs backwards; roles were checked only if both ends have one.
    return { verdict: 'misdirected', confidence: bothKnown ? 'role' : 'port', rules: ids(c.swapped), explain: explainMisdirected(k, c, false) };
  }
  return { verdict: 'undocumented', confidence: 'port', rules: NO_RULES, explain: explainUndocumented(k, c) };
}

/** Classifies flows against one compiled catalog and one role resolver, sharing their case cache. */
export type FlowClassifier = (flow: ClassifiableFlow) => FlowVerdict;

/**
 * A classifier bound to a catalog and a resolver: what classify() runs per
 * flow. Flows of the same case (ports in the same rule lists, same role
 * classes, same media evidence) share the work; only the explanation's port
 * numbers are per flow.
 */
export function flowClassifier(catalog: Catalog | CatalogIndex, roles: RoleResolver): FlowClassifier {
  const index = 'rules' in catalog ? compileCatalogIndex(catalog) : catalog;
  const cache = cacheFor(index, roles);
  const n = cache.slots;
  return (flow) => {
    const client = roles(flow.client.ip);
    const server = roles(flow.server.ip);
    const transport = flow.transport;
    if (transport !== 'tcp' && transport !== 'udp') {
      return { verdict: 'unclassified', rules: NO_RULES, confidence: 'port', explanation: explainUnclassified(transport), client, server };
    }
    const media = hasMedia(flow);
    const cport = flow.client.port;
    const sport = flow.server.port;
    const rc = roleClass(cache, client);
    const rs = roleClass(cache, server);
    const t = index[transport];
    let found: Case | undefined;
    let key = -1;
    if (rc < MAX_ROLE_CLASSES && rs < MAX_ROLE_CLASSES) {
      key = ((((transport === 'tcp' ? 0 : 1) * n + t.slot[sport]) * n + t.slot[cport]) * MAX_ROLE_CLASSES + rc) * MAX_ROLE_CLASSES * 2 + rs * 2 + (media ? 1 : 0);
      found = cache.cases.get(key);
    }
    if (found === undefined) {
      found = decide(index, transport, cport, sport, client, server, media);
      if (key >= 0) cache.cases.set(key, found);
    }
    return { verdict: found.verdict, rules: found.rules, confidence: found.confidence, explanation: found.explain(transport, cport, sport), client, server };
  };
}

/**
 * The verdict of one flow. `catalog` may be given compiled
 * (compileCatalogIndex); a plain Catalog is compiled once and cached. For many
 * flows, flowClassifier() saves two cache lookups per flow.
 */
export function classifyFlow(flow: ClassifiableFlow, catalog: Catalog | CatalogIndex, roles: RoleResolver): FlowVerdict {
  return flowClassifier(catalog, roles)(flow);
}
