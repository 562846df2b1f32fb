/**
 * Loads the port catalog: the chosen packs of catalog/ (default: those with
 * `defaultEnabled`), then the user's rule files, which add rules, replace a
 * rule of the same id, or `disable` rules by id.
 *
 * Each file is validated against catalog/schema/catalog.schema.json, then for
 * what a schema cannot say (duplicate ids, a range with lo > hi, a citation
 * naming an undeclared table). All problems of one load are collected and
 * thrown as one ConfigError, one line each: `FILE: /json/pointer: message`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, errorLine, parseJsonText } from './errors.js';
import { defaultCatalogDir } from './paths.js';
import { loadRoles } from './roles.js';
import { schemaErrors } from './schema.js';
import type { Catalog, CatalogRule, Citation, MediaPath, PackInfo, PortRange, PortSide, SourceInfo, SourceTableInfo, Transport } from './types.js';

export { loadTopology } from './topology.js';
export { lookup, servicePortBitmaps } from './compile.js';

export interface LoadCatalogOptions {
  /** Pack ids (file names in catalog/ without .json). Default: every pack with `defaultEnabled`. */
  readonly packs?: readonly string[];
  /** User rule files, applied in order after the packs. */
  readonly extraFiles?: readonly string[];
  /** Directory holding the packs, roles.json and schema/. Default: the catalog shipped with flowaudit. */
  readonly catalogDir?: string;
}

/** The JSON shapes after schema validation (see catalog.schema.json). */
interface RuleJson {
  id: string;
  transport: Transport;
  ports: (number | [number, number])[];
  portSide?: PortSide;
  from: string[];
  to: string[];
  service: string;
  protocol: string;
  broad?: boolean;
  inferred?: string[];
  citation: Citation;
  notes?: string;
}
interface MediaPathJson extends Omit<MediaPath, 'pack' | 'sourcePorts' | 'destinationPorts'> {
  sourcePorts?: string;
  destinationPorts?: string;
}
interface PackJson {
  pack: string;
  title: string;
  source: SourceInfo;
  defaultEnabled?: boolean;
  tables?: SourceTableInfo[];
  rules: RuleJson[];
  mediaPaths?: MediaPathJson[];
  disable?: string[];
}

const NOT_PACKS = new Set(['roles.json']);

/** Ids of the packs in `catalogDir`, sorted. */
export function listPacks(catalogDir: string = defaultCatalogDir()): string[] {
  return readdirSync(catalogDir)
    .filter((f) => f.endsWith('.json') && !NOT_PACKS.has(f))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function readJson(file: string, errors: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    errors.push(`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return undefined;
  }
  return parseJsonText(file, text, errors);
}

/** Sorted, merged ranges; `lo > hi` is reported rather than swapped. */
function normalizePorts(file: string, at: string, ports: RuleJson['ports'], errors: string[]): PortRange[] {
  const raw: [number, number][] = [];
  ports.forEach((p, i) => {
    const [lo, hi] = typeof p === 'number' ? [p, p] : p;
    if (lo > hi) errors.push(errorLine(file, `${at}/ports/${i}`, `range [${lo}, ${hi}] has lo > hi`));
    else raw.push([lo, hi]);
  });
  raw.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of raw) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out.map((r) => Object.freeze(r) as PortRange);
}

/** Checks a citation's table and row against the tables the pack declares. */
function checkCitation(file: string, at: string, c: Citation, pack: PackJson, errors: string[]): void {
  if (pack.tables === undefined || c.table === undefined) return;
  const t = pack.tables.find((x) => x.id === c.table);
  if (t === undefined) {
    errors.push(errorLine(file, `${at}/citation/table`, `table ${JSON.stringify(c.table)} is not declared in /tables`));
  } else if (c.row !== undefined && c.row > t.rows) {
    errors.push(errorLine(file, `${at}/citation/row`, `row ${c.row} is beyond the ${t.rows} rows of table "${t.id}"`));
  }
}

interface Loaded {
  readonly info: PackInfo;
  readonly rules: CatalogRule[];
  readonly mediaPaths: MediaPath[];
  readonly disable: readonly string[];
}

/**
 * Reads, validates and normalizes one pack or user file; undefined when it has
 * errors. `trusted` skips the JSON Schema check for the packs shipped with
 * flowaudit, which test/catalog/packs.test.ts validates; the semantic checks
 * below run on every file.
 */
function loadFile(catalogDir: string, file: string, user: boolean, trusted: boolean, errors: string[]): Loaded | undefined {
  const data = readJson(file, errors);
  if (data === undefined) return undefined;
  const bad = trusted && !user ? [] : schemaErrors(catalogDir, 'catalog', file, data);
  if (bad.length > 0) {
    errors.push(...bad);
    return undefined;
  }
  const pack = data as PackJson;
  const before = errors.length;
  if (!user && pack.pack !== basename(file, '.json')) {
    errors.push(errorLine(file, '/pack', `pack id ${JSON.stringify(pack.pack)} must be the file name "${basename(file, '.json')}"`));
  }
  const seen = new Map<string, string>();
  const claim = (id: string, at: string): void => {
    const first = seen.get(id);
    if (first !== undefined) errors.push(errorLine(file, `${at}/id`, `duplicate id ${JSON.stringify(id)} (first at ${first})`));
    else seen.set(id, at);
  };
  const rules: CatalogRule[] = pack.rules.map((r, i) => {
    const at = `/rules/${i}`;
    claim(r.id, at);
    checkCitation(file, at, r.citation, pack, errors);
    return Object.freeze({
      id: r.id,
      pack: pack.pack,
      file,
      transport: r.transport,
      ranges: Object.freeze(normalizePorts(file, at, r.ports, errors)),
      portSide: r.portSide ?? 'server',
      from: Object.freeze([...r.from]),
      to: Object.freeze([...r.to]),
      service: r.service,
      protocol: r.protocol,
      broad: r.broad ?? false,
      inferred: Object.freeze([...(r.inferred ?? [])]),
      citation: Object.freeze({ ...r.citation }),
      ...(r.notes !== undefined ? { notes: r.notes } : {}),
    });
  });
  const mediaPaths: MediaPath[] = (pack.mediaPaths ?? []).map((m, i) => {
    const at = `/mediaPaths/${i}`;
    claim(m.id, at);
    checkCitation(file, at, m.citation, pack, errors);
    return Object.freeze({ ...m, pack: pack.pack, sourcePorts: m.sourcePorts ?? 'any', destinationPorts: m.destinationPorts ?? 'any' });
  });
  if (errors.length > before) return undefined;
  const info: PackInfo = Object.freeze({
    id: pack.pack,
    title: pack.title,
    file,
    source: pack.source,
    defaultEnabled: pack.defaultEnabled ?? false,
    user,
    ruleCount: rules.length,
    tables: Object.freeze((pack.tables ?? []).map((t) => Object.freeze({ ...t }))),
  });
  return { info, rules, mediaPaths, disable: pack.disable ?? [] };
}

/** Chooses the pack files to load, or reports unknown names. */
function selectPacks(catalogDir: string, known: readonly string[], names: readonly string[] | undefined, errors: string[]): string[] {
  if (names === undefined) {
    return known.filter((id) => {
      const data = readJson(join(catalogDir, `${id}.json`), errors) as { defaultEnabled?: unknown } | undefined;
      return data?.defaultEnabled === true;
    });
  }
  const out: string[] = [];
  for (const name of names) {
    if (!known.includes(name)) errors.push(`catalog: unknown pack ${JSON.stringify(name)} (known packs: ${known.join(', ')})`);
    else if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Loads and validates the catalog; throws ConfigError listing every problem found. */
export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  const dir = options.catalogDir ?? defaultCatalogDir();
  const errors: string[] = [];
  const roles = loadRoles(dir);
  const known = listPacks(dir);
  const files: [string, boolean][] = [
    ...selectPacks(dir, known, options.packs, errors).map((id): [string, boolean] => [join(dir, `${id}.json`), false]),
    ...(options.extraFiles ?? []).map((f): [string, boolean] => [f, true]),
  ];

  const packs: PackInfo[] = [];
  const rules = new Map<string, CatalogRule>();
  const mediaPaths = new Map<string, MediaPath>();
  const shipped = options.catalogDir === undefined;
  for (const [file, user] of files) {
    const loaded = loadFile(dir, file, user, shipped, errors);
    if (loaded === undefined) continue;
    const other = packs.find((p) => p.id === loaded.info.id);
    if (other !== undefined) {
      errors.push(errorLine(file, '/pack', `pack id ${JSON.stringify(loaded.info.id)} is already used by ${other.file}`));
      continue;
    }
    packs.push(loaded.info);
    loaded.rules.forEach((r, i) => {
      const prev = rules.get(r.id);
      if (prev === undefined) rules.set(r.id, r);
      else if (user) rules.set(r.id, Object.freeze({ ...r, overrides: prev.file }));
      else errors.push(errorLine(file, `/rules/${i}/id`, `rule id ${JSON.stringify(r.id)} is already defined in ${prev.file}`));
    });
    loaded.mediaPaths.forEach((m, i) => {
      const prev = mediaPaths.get(m.id);
      if (prev !== undefined && !user) {
        errors.push(errorLine(file, `/mediaPaths/${i}/id`, `media path id ${JSON.stringify(m.id)} is already defined in pack ${prev.pack}`));
      } else mediaPaths.set(m.id, m);
    });
    loaded.disable.forEach((id, i) => {
      if (rules.delete(id) || mediaPaths.delete(id)) return;
      // A rule of a shipped pack that was not chosen is simply absent; anything else is a typo.
      const owner = id.slice(0, id.indexOf('/'));
      if (known.includes(owner) && !packs.some((p) => p.id === owner)) return;
      errors.push(errorLine(file, `/disable/${i}`, `no loaded rule ${JSON.stringify(id)} to disable`));
    });
  }
  if (errors.length > 0) throw new ConfigError(errors);

  return Object.freeze({
    dir,
    packs: Object.freeze(packs),
    rules: Object.freeze([...rules.values()]),
    mediaPaths: Object.freeze([...mediaPaths.values()]),
    roles,
    ruleById: rules,
  });
}
