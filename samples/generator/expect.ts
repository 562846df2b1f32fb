/**
 * The expected catalog verdict of every sample flow, for the truth files.
 *
 * Each scenario declares by hand what it means each flow to be (verdict and
 * confidence with and without its topology); this module applies the binding
 * classification spec (ARCHITECTURE.md "Classification semantics" and the
 * binding decisions shared with the classifier; summarized in
 * samples/README.md) to the catalog JSON on its own, fills in the rule ids,
 * and refuses to generate when the two disagree. It reads catalog/*.json
 * directly and shares no code with src/ (the classifier under test).
 *
 * Where the spec can be read two ways (see READINGS), the primary reading is
 * the one consistent with ARCHITECTURE.md ("the listening endpoint's role is
 * known to fit"); the truth records the literal reading's result too where
 * it differs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isV6 } from './bytes.js';

export const CATALOG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../catalog');

export type Verdict = 'documented' | 'misdirected' | 'undocumented';
export type Confidence = 'role' | 'port';
export type Failure = 'tcp-unanswered' | 'tcp-refused' | 'icmp-unreachable' | 'icmp-admin-prohibited';
/** Hand-declared "verdict/confidence", e.g. "misdirected/role". */
export type Declared = `${Verdict}/${Confidence}`;

export interface Expectation {
  verdict: Verdict;
  confidence: Confidence;
  /** Sorted; compare as a set. */
  ruleIds: string[];
}

/**
 * - listening: a broad rule qualifies through a role only when the host holding its port
 *   is the listening end (the server), or the rule's own port side is 'client' (the A/V
 *   edge's relay range, checked against `from`); the wrong-direction check uses non-broad rules.
 * - literal: the spec word for word: the host holding the port checked against `to`, for
 *   either end, and the wrong-direction check uses every rule.
 */
export type Reading = 'listening' | 'literal';

export const READINGS: Record<Reading, string> = {
  listening:
    "Primary. A broad rule is a candidate with media payload evidence, or when the host holding its port is known to fit and is the flow's " +
    "listening end (server), or the rule's portSide is 'client' (the host holding the port, the flow's client, checked against `from`). " +
    "A client's port falling in a broad 'either' range (1024-65535, 49152-65535) qualifies it only with media, and only when the server's port is a peer's media port (a broad range holds it, no other rule documents it as a service's). " +
    'The wrong-direction check (ports match only with client and server swapped) uses non-broad rules only.',
  literal:
    'The spec word for word: a broad rule is a candidate when the host holding the port, whichever end, checked against `to` is yes. ' +
    "Then every TCP/UDP flow a configured client or server opens from an ephemeral port (>= 1024 / >= 49152) is 'documented' by the " +
    "client media or conferencing rows, whatever its destination port: recorded per flow as `literalReading` where it differs.",
};

export interface RefRule {
  id: string;
  transport: 'tcp' | 'udp';
  ranges: [number, number][];
  portSide: 'server' | 'client' | 'either';
  from: string[];
  to: string[];
  broad: boolean;
}

interface PackFile {
  pack: string;
  defaultEnabled: boolean;
  rules: { id: string; transport: 'tcp' | 'udp'; ports: (number | [number, number])[]; portSide?: RefRule['portSide']; from: string[]; to: string[]; broad?: boolean }[];
}

function readPacks(): PackFile[] {
  return readdirSync(CATALOG_DIR).filter((n) => n.endsWith('.json')).sort()
    .map((n) => JSON.parse(readFileSync(join(CATALOG_DIR, n), 'utf8')) as PackFile)
    .filter((p) => Array.isArray(p.rules));
}

/** Ids of the packs with "defaultEnabled": true. */
export function defaultPacks(): string[] {
  return readPacks().filter((p) => p.defaultEnabled).map((p) => p.pack);
}

export function loadRules(packs: string[]): RefRule[] {
  const all = readPacks();
  return packs.flatMap((id) => {
    const p = all.find((x) => x.pack === id);
    if (!p) throw new Error(`no catalog pack ${id}`);
    return p.rules.map((r) => ({
      // Defaults as in catalog/schema/catalog.schema.json: the port is the server's, the rule is not broad.
      id: r.id, transport: r.transport, portSide: r.portSide ?? 'server', from: r.from, to: r.to, broad: r.broad ?? false,
      ranges: r.ports.map((x): [number, number] => (typeof x === 'number' ? [x, x] : x)),
    }));
  });
}

function groups(): Map<string, string[]> {
  const roles = JSON.parse(readFileSync(join(CATALOG_DIR, 'roles.json'), 'utf8')) as { roles: { id: string; members?: string[] }[] };
  return new Map(roles.roles.filter((r) => r.members).map((r) => [r.id, r.members!]));
}

function v4(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

/** Roles of an address in a scenario topology: those of its most specific prefix (IPv4 CIDR, or exact address). */
export function topologyRoles(roles: Record<string, string[]>): (ip: string) => string[] {
  const entries = Object.entries(roles).flatMap(([role, list]) => list.map((text) => {
    const [addr, len] = text.split('/');
    if (len !== undefined && isV6(addr)) throw new Error(`IPv6 prefixes are not supported by the sample generator: ${text}`);
    return { role, addr, len: len === undefined ? (isV6(addr) ? 128 : 32) : Number(len) };
  }));
  return (ip) => {
    let best = -1;
    let out: string[] = [];
    for (const e of entries) {
      const hit = isV6(ip) ? e.addr === ip : !isV6(e.addr) && (e.len === 0 || v4(ip) >>> (32 - e.len) === v4(e.addr) >>> (32 - e.len));
      if (!hit || e.len < best) continue;
      if (e.len > best) out = [];
      best = e.len;
      if (!out.includes(e.role)) out.push(e.role);
    }
    return out;
  };
}

type Fit = 'yes' | 'no' | 'unknown';
type Outcome = 'match' | 'possible' | 'mismatch';

export interface FlowEnds {
  transport: 'tcp' | 'udp';
  client: { ip: string; port: number };
  server: { ip: string; port: number };
}

export interface EvalOptions {
  rules: RefRule[];
  /** Roles per address; null = no topology (every role unknown). */
  roleOf: ((ip: string) => string[]) | null;
  /** The flow carries media payload evidence (STUN, RTP, ...). */
  media: boolean;
  reading: Reading;
}

const RANK: Record<Outcome, number> = { match: 3, possible: 2, mismatch: 1 };

export class Evaluator {
  private readonly groups = groups();

  fits(host: string[], ruleRoles: string[]): Fit {
    if (ruleRoles.includes('any')) return 'yes';
    if (host.length === 0) return 'unknown';
    const expanded = ruleRoles.flatMap((r) => [r, ...(this.groups.get(r) ?? [])]);
    return host.some((h) => expanded.includes(h)) ? 'yes' : 'no';
  }

  /** The rule's best outcome for the flow oriented as given, or null when it is no candidate. */
  private outcome(rule: RefRule, c: { roles: string[]; port: number }, s: { roles: string[]; port: number }, media: boolean, reading: Reading,
    peerMediaPort = false): Outcome | null {
    const inRange = (p: number) => rule.ranges.some(([lo, hi]) => p >= lo && p <= hi);
    const orientations: { checks: Fit[]; holder: Fit; listening: boolean }[] = [];
    if (rule.portSide === 'server' && inRange(s.port)) {
      orientations.push({ checks: [this.fits(c.roles, rule.from), this.fits(s.roles, rule.to)], holder: this.fits(s.roles, rule.to), listening: true });
    } else if (rule.portSide === 'client' && inRange(c.port)) {
      const holder = reading === 'literal' ? this.fits(c.roles, rule.to) : this.fits(c.roles, rule.from);
      orientations.push({ checks: [this.fits(c.roles, rule.from), this.fits(s.roles, rule.to)], holder, listening: true });
    } else if (rule.portSide === 'either') {
      if (inRange(s.port)) orientations.push({ checks: [this.fits(s.roles, rule.to), this.fits(c.roles, rule.from)], holder: this.fits(s.roles, rule.to), listening: true });
      if (inRange(c.port)) orientations.push({ checks: [this.fits(c.roles, rule.to), this.fits(s.roles, rule.from)], holder: this.fits(c.roles, rule.to), listening: false });
    }
    let best: Outcome | null = null;
    for (const o of orientations) {
      // The opener's own port in a broad 'either' range: only with media, to a peer's media port.
      if (rule.broad && reading === 'listening' && !o.listening && !(media && peerMediaPort)) continue;
      if (rule.broad && !media && !(o.holder === 'yes' && (o.listening || reading === 'literal'))) continue;
      const out: Outcome = o.checks.every((x) => x === 'yes') ? 'match' : o.checks.includes('no') ? 'mismatch' : 'possible';
      if (best === null || RANK[out] > RANK[best]) best = out;
    }
    return best;
  }

  evaluate(flow: FlowEnds, opt: EvalOptions): Expectation {
    const cRoles = opt.roleOf?.(flow.client.ip) ?? [];
    const sRoles = opt.roleOf?.(flow.server.ip) ?? [];
    const c = { roles: cRoles, port: flow.client.port };
    const s = { roles: sRoles, port: flow.server.port };
    const rules = opt.rules.filter((r) => r.transport === flow.transport);
    // The server's port is a peer's media port when a broad range holds it and no rule documents it as a service.
    const atServer = rules.filter((r) => r.ranges.some(([lo, hi]) => s.port >= lo && s.port <= hi));
    const peerMediaPort = atServer.some((r) => r.broad) && atServer.every((r) => r.broad || r.portSide === 'client');
    const cands = rules.map((rule) => ({ rule, out: this.outcome(rule, c, s, opt.media, opt.reading, peerMediaPort) })).filter((x) => x.out !== null);
    const ids = (out: Outcome) => cands.filter((x) => x.out === out).map((x) => x.rule.id).sort();
    const bothKnown = cRoles.length > 0 && sRoles.length > 0;
    if (ids('match').length) return { verdict: 'documented', confidence: bothKnown ? 'role' : 'port', ruleIds: ids('match') };
    if (ids('possible').length) return { verdict: 'documented', confidence: 'port', ruleIds: ids('possible') };
    if (ids('mismatch').length) return { verdict: 'misdirected', confidence: 'role', ruleIds: ids('mismatch') };
    // Wrong direction: the ports match a rule only with client and server swapped.
    const swapped = rules.filter((r) => opt.reading === 'literal' || !r.broad)
      .filter((rule) => this.outcome(rule, s, c, opt.media, opt.reading) !== null).map((r) => r.id).sort();
    if (swapped.length) return { verdict: 'misdirected', confidence: bothKnown ? 'role' : 'port', ruleIds: swapped };
    return { verdict: 'undocumented', confidence: 'port', ruleIds: [] };
  }
}

export const declared = (e: Expectation): Declared => `${e.verdict}/${e.confidence}`;

export const sameExpectation = (a: Expectation, b: Expectation) =>
  a.verdict === b.verdict && a.confidence === b.confidence && a.ruleIds.join(' ') === b.ruleIds.join(' ');

/** What a scenario declares by hand for one flow. */
export interface FlowExpect {
  /** With the scenario's topology, no payload evidence. */
  topo: Declared;
  /** No topology and no role inference (every role unknown), no payload evidence: port only. */
  bare: Declared;
  /** Required for flows whose payload is media (STUN, RTP, MS-TURN over TCP): the same two with media evidence. */
  media?: { topo: Declared; bare: Declared };
  /** With the topology, per pack variant of the scenario (name -> declared). */
  variants?: Record<string, Declared>;
  /** How the flow failed, if it did; checked against its TCP state and ICMP errors. */
  failure?: Failure;
  /** Where the spec leaves the case open: what is assumed and what the alternative would be. */
  ambiguity?: string;
}

/** Per flow: keyed by label, or by `label:serverPort` for flows sharing a label (scans). */
export type ExpectTable = Record<string, FlowExpect>;

/** A set of packs other than the default ones, for which the truth also gives the expected verdicts. */
export interface PackVariant {
  name: string;
  packs: string[];
  description: string;
}
