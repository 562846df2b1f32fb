/**
 * Questions a user asks of the catalog when a verdict surprises them: which
 * rules document tcp/5061, what exactly does rule X say and where does it come
 * from, which rule id did I mean. Pure functions over a loaded Catalog; the
 * `flowaudit catalog` commands render their answers (src/report/catalog-text.ts)
 * or print them as JSON.
 */
import { lookup, parsePortSpec } from './compile.js';
import type { Catalog, CatalogRule, PackInfo, PortRange, PortSide, SourceTableInfo, Transport } from './types.js';

/** What each portSide means, in the words the CLI shows. */
export const PORT_SIDE_MEANING = {
  server: 'the destination (listening) port of a "to" host; the flow is opened by a "from" host',
  client: 'the source port of the "from" host that opens the flow (an edge\'s media relay range)',
  either: 'a port a "to" host uses at its own end, whichever side opens the flow (a media range)',
} as const satisfies Record<PortSide, string>;

/** When a broad range documents a flow (classify/verdict.ts candidatesOf), for `catalog show` and `catalog lookup`. */
export const BROAD_CONDITION = 'only when the payload is media (STUN, RTP/RTCP, SRTP, ChannelData, DTLS) or the listening endpoint\'s role is known to fit; the opener\'s port in an either-side range counts only for media sent to a peer\'s media port (not to an undocumented service port such as UDP 443)';

/** What `broad` means (ARCHITECTURE.md, "Broad ranges"). */
export const BROAD_MEANING = {
  yes: `a broad media range: it documents a flow ${BROAD_CONDITION}; otherwise it would document nearly every port`,
  no: 'a specific port: a flow on it is documented when transport, port and (with a topology) roles and direction match',
} as const;

export const INFERRED_MEANING = 'derived by the catalog, not stated in the source row';

/** A transport and an inclusive port range typed on the command line ("tcp/5061", "udp/50000-50010"). */
export interface PortQuery {
  readonly transport: Transport;
  readonly lo: number;
  readonly hi: number;
}

const QUERY_HINT = 'expected tcp/PORT, udp/PORT or a range such as udp/50000-50010';

/** Parses a port query; returns a one-line error message when malformed. */
export function parsePortQuery(spec: string): PortQuery | string {
  const single = parsePortSpec(spec);
  if (single !== undefined) return { transport: single.transport, lo: single.port, hi: single.port };
  const m = /^(tcp|udp)\/(\d{1,5})(?:-(\d{1,5}))?$/i.exec(spec.trim());
  if (m === null) return `invalid port ${JSON.stringify(spec)}: ${QUERY_HINT}`;
  const lo = Number(m[2]);
  const hi = m[3] === undefined ? lo : Number(m[3]);
  for (const p of [lo, hi]) if (p < 1 || p > 65535) return `invalid port ${JSON.stringify(spec)}: port ${p} is out of range 1-65535`;
  if (lo > hi) return `invalid port ${JSON.stringify(spec)}: range ${lo}-${hi} has lo > hi`;
  return { transport: m[1].toLowerCase() as Transport, lo, hi };
}

export function formatQuery(q: PortQuery): string {
  return `${q.transport}/${q.lo === q.hi ? q.lo : `${q.lo}-${q.hi}`}`;
}

/** "5061", "50000-59999", "80,443". */
export function formatRanges(ranges: readonly PortRange[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
}

/** "tcp/5061", "udp/50000-59999". */
export function rulePorts(rule: CatalogRule): string {
  return `${rule.transport}/${formatRanges(rule.ranges)}`;
}

/**
 * How `lookup` groups the rules holding a port: the listening side, the
 * opener's source port, either end, and broad media ranges (whatever their
 * side), which document a flow only under conditions.
 */
export type LookupGroup = 'server' | 'client' | 'either' | 'broad';
export const LOOKUP_GROUPS: readonly LookupGroup[] = ['server', 'client', 'either', 'broad'];

export function lookupGroupOf(rule: CatalogRule): LookupGroup {
  return rule.broad ? 'broad' : rule.portSide;
}

export interface LookupHit {
  readonly rule: CatalogRule;
  /** The part of the queried range this rule holds. */
  readonly ports: readonly PortRange[];
}

export interface LookupResult {
  readonly query: PortQuery;
  /** Ids of the packs and user files consulted. */
  readonly packs: readonly string[];
  /** Rules holding at least one queried port, in catalog order, by group. */
  readonly groups: Readonly<Record<LookupGroup, readonly LookupHit[]>>;
  /** Queried ports no rule holds. */
  readonly undocumented: readonly PortRange[];
  /** Queried ports only broad media ranges hold. */
  readonly broadOnly: readonly PortRange[];
}

function intersect(ranges: readonly PortRange[], lo: number, hi: number): PortRange[] {
  const out: PortRange[] = [];
  for (const [a, b] of ranges) {
    const x = Math.max(a, lo);
    const y = Math.min(b, hi);
    if (x <= y) out.push([x, y]);
  }
  return out;
}

/** Appends port `p` to a list of ranges built in ascending order. */
function addPort(list: [number, number][], p: number): void {
  const last = list[list.length - 1];
  if (last !== undefined && last[1] === p - 1) last[1] = p;
  else list.push([p, p]);
}

/** Every rule of `catalog` that documents a port of `q`, grouped as the user reads them. */
export function lookupPorts(catalog: Catalog, q: PortQuery): LookupResult {
  const undocumented: [number, number][] = [];
  const broadOnly: [number, number][] = [];
  const held = new Set<CatalogRule>();
  // Per port through the compiled index, so that the answer is the one the classifier gets.
  for (let p = q.lo; p <= q.hi; p++) {
    const rules = lookup(catalog, q.transport, p);
    if (rules.length === 0) addPort(undocumented, p);
    else if (rules.every((r) => r.broad)) addPort(broadOnly, p);
    for (const r of rules) held.add(r);
  }
  const groups: Record<LookupGroup, LookupHit[]> = { server: [], client: [], either: [], broad: [] };
  for (const rule of catalog.rules) {
    if (held.has(rule)) groups[lookupGroupOf(rule)].push({ rule, ports: intersect(rule.ranges, q.lo, q.hi) });
  }
  return { query: q, packs: catalog.packs.map((p) => p.id), groups, undocumented, broadOnly };
}

export function lookupHitCount(r: LookupResult): number {
  return LOOKUP_GROUPS.reduce((n, g) => n + r.groups[g].length, 0);
}

/** The pack (or user file) a rule came from, and the source table its citation names. */
export function ruleSource(catalog: Catalog, rule: CatalogRule): { pack: PackInfo | undefined; table: SourceTableInfo | undefined } {
  const pack = catalog.packs.find((p) => p.id === rule.pack);
  const table = rule.citation.table === undefined ? undefined : pack?.tables.find((t) => t.id === rule.citation.table);
  return { pack, table };
}

/** Everything `flowaudit catalog show` says about a rule, as plain data (its --json output). */
export interface RuleDetail {
  readonly rule: CatalogRule;
  readonly pack: PackInfo | null;
  readonly table: SourceTableInfo | null;
  readonly meaning: { readonly portSide: string; readonly broad: string; readonly inferred: string };
  /** Description of every role the rule names (catalog/roles.json). */
  readonly roles: Readonly<Record<string, string>>;
}

export function ruleDetail(catalog: Catalog, rule: CatalogRule): RuleDetail {
  const { pack, table } = ruleSource(catalog, rule);
  const roles: Record<string, string> = {};
  for (const id of [...rule.from, ...rule.to]) {
    const info = catalog.roles.find((r) => r.id === id);
    if (info !== undefined) roles[id] = info.members ? `${info.description} (${info.members.join(', ')})` : info.description;
  }
  return {
    rule,
    pack: pack ?? null,
    table: table ?? null,
    meaning: { portSide: PORT_SIDE_MEANING[rule.portSide], broad: rule.broad ? BROAD_MEANING.yes : BROAD_MEANING.no, inferred: INFERRED_MEANING },
    roles,
  };
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The part of a rule id after its pack prefix. */
function localPart(id: string): string {
  return id.slice(id.indexOf('/') + 1);
}

/**
 * Up to `max` ids close to `wanted`: the same id under another pack prefix
 * (or without one) first, then ids containing it, then small edit distances (typos).
 */
export function similarIds(ids: Iterable<string>, wanted: string, max = 3): string[] {
  const w = wanted.trim().toLowerCase();
  const wl = localPart(w);
  const scored: { id: string; score: number }[] = [];
  for (const id of ids) {
    const l = id.toLowerCase();
    const ll = localPart(l);
    let score: number | undefined;
    if (ll === wl) score = 0;
    else if (w.length >= 3 && (l.includes(w) || ll.includes(wl))) score = 1;
    else {
      // With a pack prefix typed, a typo is measured on the whole id; without one, on the part after it.
      const d = w.includes('/') ? distance(l, w) : distance(ll, wl);
      if (d <= Math.max(2, Math.floor(wl.length / 5))) score = 2 + d;
    }
    if (score !== undefined) scored.push({ id, score });
  }
  scored.sort((a, b) => a.score - b.score || a.id.length - b.id.length || (a.id < b.id ? -1 : 1));
  return scored.slice(0, max).map((s) => s.id);
}

/** "no rule X (did you mean: A, B?)", with a hint when X belongs to a shipped pack that was not chosen. */
export function unknownRuleMessage(catalog: Catalog, id: string, shippedPacks: readonly string[]): string {
  const near = similarIds([...catalog.ruleById.keys(), ...catalog.mediaPaths.map((m) => m.id)], id);
  const owner = id.includes('/') ? id.slice(0, id.indexOf('/')) : undefined;
  const notChosen = owner !== undefined && shippedPacks.includes(owner) && !catalog.packs.some((p) => p.id === owner);
  const packs = [...catalog.packs.filter((p) => !p.user).map((p) => p.id), owner].join(',');
  const hint = notChosen ? `; pack ${owner} is not loaded (use --catalog ${packs})` : '';
  return near.length > 0 ? `no rule ${id} (did you mean: ${near.join(', ')}?)${hint}` : `no rule ${id} in the chosen packs${hint}`;
}

/** A pack for `flowaudit catalog list`: every shipped pack, and the user files of this run. */
export interface PackListing extends PackInfo {
  /** Loaded in this run (chosen with --catalog, by default, or given with --catalog-file). */
  readonly loaded: boolean;
}

/** Shipped packs from `all` (a catalog of every pack), then the user files of `chosen`. */
export function packListing(all: Catalog, chosen: Catalog): PackListing[] {
  const loaded = new Set(chosen.packs.map((p) => p.id));
  return [
    ...all.packs.filter((p) => !p.user).map((p) => ({ ...p, loaded: loaded.has(p.id) })),
    ...chosen.packs.filter((p) => p.user).map((p) => ({ ...p, loaded: true })),
  ];
}

/** Shipped packs not loaded in `chosen` that document a port of `q`, with their rule ids. */
export function unloadedPacksDocumenting(all: Catalog, chosen: Catalog, q: PortQuery): { pack: string; rules: string[] }[] {
  const loaded = new Set(chosen.packs.map((p) => p.id));
  const out: { pack: string; rules: string[] }[] = [];
  for (const rule of all.rules) {
    if (loaded.has(rule.pack) || rule.transport !== q.transport || intersect(rule.ranges, q.lo, q.hi).length === 0) continue;
    const entry = out.find((e) => e.pack === rule.pack);
    if (entry === undefined) out.push({ pack: rule.pack, rules: [rule.id] });
    else entry.rules.push(rule.id);
  }
  return out;
}
