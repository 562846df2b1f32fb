/**
 * `flowaudit catalog validate`: checks users' rule files and topology files
 * before a long analysis does. The kind is decided by content: a file with a
 * top-level "roles" is a topology (topology.schema.json), anything else a rule
 * file (catalog.schema.json), which is loaded on top of the chosen packs so
 * that overrides and `disable` ids are checked against them too. The error
 * lines are the ones `analyze --catalog-file/--topology` would give.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, parseJsonText } from './errors.js';
import { loadCatalog } from './load.js';
import { topologyFromJson } from './topology.js';

export type ConfigFileKind = 'rules' | 'topology';

export interface ValidatedFile {
  readonly file: string;
  /** Absent when the file could not be read or parsed, so its kind is unknown. */
  readonly kind?: ConfigFileKind;
  readonly ok: boolean;
  /** One line each, `FILE: /json/pointer: message`. */
  readonly errors: readonly string[];
  /** Rule file: its pack id, rule count, the loaded rules it replaces, the ids it disables. */
  readonly pack?: string;
  readonly rules?: number;
  readonly replaces?: readonly string[];
  readonly disables?: readonly string[];
  /** Topology: distinct roles and address entries. */
  readonly roles?: number;
  readonly addresses?: number;
}

export interface ValidateContext {
  /** Packs the rule files are loaded on top of (default: the default-enabled packs). */
  readonly packs?: readonly string[];
  /** User rule files loaded before each validated rule file. */
  readonly extraFiles?: readonly string[];
  readonly catalogDir?: string;
}

function configErrorLines(e: unknown): readonly string[] {
  if (e instanceof ConfigError) return e.lines;
  throw e;
}

/** Top-level "roles" marks a topology file; rule files may not have that property. */
export function kindOf(data: unknown): ConfigFileKind {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && Object.hasOwn(data, 'roles') ? 'topology' : 'rules';
}

export function validateConfigFile(file: string, context: ValidateContext = {}): ValidatedFile {
  const errors: string[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, ok: false, errors: [`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`] };
  }
  const data = parseJsonText(file, text, errors);
  if (errors.length > 0) return { file, ok: false, errors };
  const kind = kindOf(data);

  if (kind === 'topology') {
    try {
      const t = topologyFromJson(data, file, context.catalogDir === undefined ? {} : { catalogDir: context.catalogDir });
      return { file, kind, ok: true, errors: [], roles: new Set(t.entries.map((e) => e.role)).size, addresses: t.entries.length };
    } catch (e) {
      return { file, kind, ok: false, errors: configErrorLines(e) };
    }
  }

  const self = resolve(file);
  const before = (context.extraFiles ?? []).filter((f) => resolve(f) !== self);
  try {
    const catalog = loadCatalog({ ...context, extraFiles: [...before, file] });
    const info = catalog.packs.find((p) => p.user && p.file === file);
    const disable = (data as { disable?: unknown }).disable;
    return {
      file,
      kind,
      ok: true,
      errors: [],
      pack: info?.id,
      rules: info?.ruleCount ?? 0,
      replaces: catalog.rules.filter((r) => r.file === file && r.overrides !== undefined).map((r) => r.id),
      disables: Array.isArray(disable) ? disable.map(String) : [],
    };
  } catch (e) {
    return { file, kind, ok: false, errors: configErrorLines(e) };
  }
}
