/**
 * Text for the `flowaudit catalog` commands: the packs, one rule in full, the
 * rules holding a port, the outcome of validating users' files. Plain lines,
 * no process access, so that tests call these directly.
 */
import {
  BROAD_CONDITION,
  BROAD_MEANING,
  formatQuery,
  formatRanges,
  INFERRED_MEANING,
  type LookupGroup,
  type LookupHit,
  type LookupResult,
  lookupHitCount,
  LOOKUP_GROUPS,
  type PackListing,
  PORT_SIDE_MEANING,
  type RuleDetail,
  rulePorts,
  ruleSource,
} from '../catalog/describe.js';
import type { ValidatedFile } from '../catalog/validate-files.js';
import type { Catalog, CatalogRule, Citation, MediaPath, SourceTableInfo } from '../catalog/types.js';

const LOOKUP_HEADINGS = {
  server: `Server side: ${PORT_SIDE_MEANING.server}`,
  client: `Client side: ${PORT_SIDE_MEANING.client}`,
  either: `Either side: ${PORT_SIDE_MEANING.either}`,
  broad: `Broad media ranges: these document a flow ${BROAD_CONDITION}`,
} as const satisfies Record<LookupGroup, string>;

const GROUP_WORDS = { server: 'server side', client: 'client side', either: 'either side', broad: 'broad' } as const satisfies Record<LookupGroup, string>;

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

/** Where a citation's source is: a seed file, a reference document, or another document. */
function citedSource(c: Citation): string {
  return c.file ?? c.reference ?? c.document ?? '(no source)';
}

/** One line: `003_93df49e990053d98.txt, table "Required server ports (by server role)", row 5: "프런트 엔드 서버"`. */
export function citationShort(c: Citation, table?: SourceTableInfo): string {
  const parts = [citedSource(c)];
  if (c.table !== undefined) parts.push(`table ${JSON.stringify(table?.title ?? c.table)}`);
  else if (c.section !== undefined) parts.push(`section ${JSON.stringify(c.section)}`);
  let s = parts.join(', ');
  if (c.row !== undefined) s += `, row ${c.row}`;
  if (c.cell !== undefined) s += `: ${JSON.stringify(c.cell)}`;
  return s;
}

export function packListLines(packs: readonly PackListing[]): string[] {
  const lines: string[] = [];
  for (const p of packs) {
    const state = [p.loaded ? 'loaded' : 'not loaded', p.user ? `user file ${p.file}` : p.defaultEnabled ? 'enabled by default' : 'off by default', plural(p.ruleCount, 'rule')];
    lines.push(`${p.id}  (${state.join(', ')})`);
    lines.push(`    ${p.title}`);
    const where = p.source.file ?? p.source.reference;
    lines.push(`    source: ${p.source.document}${where !== undefined ? ` [${where}]` : ''}`);
  }
  const loaded = packs.filter((p) => p.loaded);
  const off = packs.filter((p) => !p.loaded && !p.user).map((p) => p.id);
  lines.push('');
  lines.push(`${plural(loaded.length, 'pack')} loaded${off.length > 0 ? `; not loaded: ${off.join(', ')} (choose packs with --catalog a,b,...)` : ''}`);
  return lines;
}

/** What a rule line adds after its service: side and breadth when not a plain server port, and a user override. */
function ruleFlags(rule: CatalogRule): string {
  const flags: string[] = [];
  if (rule.portSide !== 'server') flags.push(`${rule.portSide} side`);
  if (rule.broad) flags.push('broad');
  if (rule.overrides !== undefined) flags.push(`from ${rule.pack}, replacing the rule of ${rule.overrides}`);
  return flags.length > 0 ? `  [${flags.join(', ')}]` : '';
}

/** One line per rule: id, transport/ports, from -> to, protocol, service. */
export function ruleListLines(rules: readonly CatalogRule[]): string[] {
  const idWidth = Math.max(0, ...rules.map((r) => r.id.length));
  const portWidth = Math.max(0, ...rules.map((r) => rulePorts(r).length));
  return rules.map((r) => `${pad(r.id, idWidth)}  ${pad(rulePorts(r), portWidth)}  ${r.from.join(',')} -> ${r.to.join(',')}  ${r.protocol}  ${r.service}${ruleFlags(r)}`);
}

function citationLines(c: Citation, table: SourceTableInfo | null, indent: string): string[] {
  const lines: string[] = [];
  if (c.file !== undefined) lines.push(`${indent}seed file:  ${c.file}`);
  if (c.reference !== undefined) lines.push(`${indent}reference:  ${c.reference}`);
  if (c.document !== undefined) lines.push(`${indent}document:   ${c.document}`);
  if (c.section !== undefined) lines.push(`${indent}section:    ${c.section}`);
  if (c.table !== undefined) {
    lines.push(`${indent}table:      ${table?.title !== undefined ? `${table.title} (${c.table})` : c.table}`);
    if (table !== null) lines.push(`${indent}heading:    ${table.heading}`);
  }
  if (c.row !== undefined) lines.push(`${indent}row:        ${c.row}${table !== null ? ` of ${table.rows}` : ''}`);
  if (c.cell !== undefined) lines.push(`${indent}cell:       ${c.cell}`);
  if (c.cells !== undefined) lines.push(`${indent}cells:      ${c.cells.join(' | ')}`);
  return lines;
}

/** Everything about one rule, for `flowaudit catalog show`. */
export function ruleDetailLines(d: RuleDetail): string[] {
  const r = d.rule;
  const roleWidth = Math.max(0, ...Object.keys(d.roles).map((id) => id.length));
  const roleLines = Object.entries(d.roles).map(([id, text]) => `  ${pad(id, roleWidth)}  ${text}`);
  const lines = [
    r.id,
    `  service:    ${r.service}`,
    `  protocol:   ${r.protocol}`,
    `  ports:      ${rulePorts(r)}`,
    `  port side:  ${r.portSide}: ${d.meaning.portSide}`,
    `  from:       ${r.from.join(', ')}`,
    `  to:         ${r.to.join(', ')}`,
    `  broad:      ${r.broad ? `yes (${BROAD_MEANING.yes})` : `no (${BROAD_MEANING.no})`}`,
    `  inferred:   ${r.inferred.length > 0 ? `${r.inferred.join(', ')} (${INFERRED_MEANING})` : 'nothing: every field is read from the source'}`,
  ];
  if (r.notes !== undefined) lines.push(`  notes:      ${r.notes}`);
  lines.push(`  pack:       ${r.pack}${d.pack !== null ? ` (${d.pack.title})` : ''}`);
  lines.push(`  file:       ${r.file}`);
  if (r.overrides !== undefined) lines.push(`  overrides:  the rule of the same id in ${r.overrides}`);
  lines.push('citation:', ...citationLines(r.citation, d.table, '  '));
  if (roleLines.length > 0) lines.push('roles:', ...roleLines);
  return lines;
}

/** A media path (documented without ports, e.g. seed 003's IPsec exceptions). */
export function mediaPathLines(catalog: Catalog, m: MediaPath): string[] {
  const pack = catalog.packs.find((p) => p.id === m.pack);
  const table = m.citation.table === undefined ? undefined : pack?.tables.find((t) => t.id === m.citation.table);
  const lines = [
    `${m.id}  (media path: documented without ports)`,
    `  name:       ${m.name}`,
    `  transports: ${m.transports.join(', ')}`,
    `  from:       ${m.from.join(', ')}`,
    `  to:         ${m.to.join(', ')}`,
    `  src ports:  ${m.sourcePorts}`,
    `  dst ports:  ${m.destinationPorts}`,
  ];
  if (m.authentication !== undefined) lines.push(`  auth:       ${m.authentication}`);
  if (m.notes !== undefined) lines.push(`  notes:      ${m.notes}`);
  lines.push(`  pack:       ${m.pack}${pack !== undefined ? ` (${pack.title})` : ''}`);
  lines.push('citation:', ...citationLines(m.citation, table ?? null, '  '));
  return lines;
}

function hitLines(catalog: Catalog, hit: LookupHit, q: LookupResult['query']): string[] {
  const r = hit.rule;
  const { table } = ruleSource(catalog, r);
  const partial = q.lo !== q.hi ? `; holds ${formatRanges(hit.ports)} of the query` : '';
  const side = r.broad && r.portSide !== 'server' ? `, ${r.portSide} side` : '';
  return [
    `  ${r.id}`,
    `      ${r.protocol}  ${r.from.join(', ')} -> ${r.to.join(', ')}  (${rulePorts(r)}${side}${partial})`,
    `      ${r.service}`,
    `      cited: ${citationShort(r.citation, table)}`,
  ];
}

/**
 * `flowaudit catalog lookup`: the rules holding the queried port(s) by group.
 * `elsewhere`: shipped packs not loaded that document the port.
 */
export function lookupLines(catalog: Catalog, result: LookupResult, elsewhere: readonly { pack: string; rules: readonly string[] }[] = []): string[] {
  const q = formatQuery(result.query);
  const n = lookupHitCount(result);
  const counts = LOOKUP_GROUPS.filter((g) => result.groups[g].length > 0).map((g) => `${result.groups[g].length} ${GROUP_WORDS[g]}`);
  const specific = n - result.groups.broad.length;
  const lines: string[] = [];
  if (n === 0) lines.push(`${q}: documented by no rule in the chosen packs`);
  else if (specific === 0) lines.push(`${q}: documented by no specific rule in the chosen packs; only ${plural(n, 'broad media range')} ${n === 1 ? 'holds' : 'hold'} it`);
  else lines.push(`${q}: documented by ${plural(n, 'rule')} in the chosen packs (${counts.join(', ')})`);
  if (result.query.lo !== result.query.hi && n > 0) {
    if (result.undocumented.length > 0) lines.push(`  no rule holds: ${formatRanges(result.undocumented)}`);
    if (result.broadOnly.length > 0) lines.push(`  only broad media ranges hold: ${formatRanges(result.broadOnly)}`);
  }
  lines.push(`  packs: ${result.packs.join(', ')}`);
  for (const g of LOOKUP_GROUPS) {
    if (result.groups[g].length === 0) continue;
    lines.push('', `${LOOKUP_HEADINGS[g]}:`);
    for (const hit of result.groups[g]) lines.push(...hitLines(catalog, hit, result.query));
  }
  if (elsewhere.length > 0) {
    lines.push('', 'Not loaded, but documenting it:');
    for (const e of elsewhere) lines.push(`  pack ${e.pack}: ${e.rules.join(', ')}`);
  }
  return lines;
}

/** `FILE: ok (rule file, 6 rules, disables 10)`, or a heading naming the kind and the error lines. */
export function validateLines(results: readonly ValidatedFile[]): string[] {
  const lines: string[] = [];
  for (const v of results) {
    if (v.ok && v.kind === 'topology') {
      lines.push(`${v.file}: ok (topology, ${plural(v.roles ?? 0, 'role')}, ${plural(v.addresses ?? 0, 'address', 'addresses')})`);
    } else if (v.ok) {
      const extra: string[] = [];
      const replaces = v.replaces ?? [];
      if (replaces.length > 0) extra.push(`replaces ${replaces.length <= 3 ? replaces.join(', ') : plural(replaces.length, 'rule')}`);
      if ((v.disables ?? []).length > 0) extra.push(`disables ${v.disables!.length}`);
      lines.push(`${v.file}: ok (rule file, ${plural(v.rules ?? 0, 'rule')}${extra.map((e) => `, ${e}`).join('')})`);
    } else {
      if (v.kind !== undefined) {
        const why = v.kind === 'topology' ? 'top-level "roles"' : 'no top-level "roles"';
        lines.push(`${v.file}: invalid ${v.kind === 'topology' ? 'topology' : 'rule file'} (${why}), ${plural(v.errors.length, 'problem')}:`);
      }
      lines.push(...v.errors);
    }
  }
  return lines;
}
