/**
 * Validation of a JSON report against the shipped schema/report.schema.json
 * (draft 2020-12, ajv). The schema is the contract of report/model.ts written
 * for consumers in other languages; this module lets tests and callers prove
 * that a report honours it. Compiled once; ajv is loaded on first use, as in
 * catalog/schema.ts, so a run that never validates does not pay for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';

const SCHEMA_FILE = join('schema', 'report.schema.json');

let cachedPath: string | undefined;

/**
 * The shipped report schema. The package root is the nearest directory above
 * this module holding schema/report.schema.json: src/report/ under tsx or
 * vitest, dist/report/ after `tsc`, node_modules/flowaudit/dist/report/ when
 * installed (package.json "files" ships schema/).
 */
export function reportSchemaPath(): string {
  if (cachedPath !== undefined) return cachedPath;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return (cachedPath = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`flowaudit: no ${SCHEMA_FILE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    // verbose: errors carry the offending value, which the one-line messages quote.
    // strictRequired off: the if/then of a flow requires `tcp`, declared one level up.
    const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
    compiled = ajv.compile(JSON.parse(readFileSync(reportSchemaPath(), 'utf8')) as object);
  }
  return compiled;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Patterns too long to quote usefully, said in words instead (keyed by the end of ajv's schemaPath). */
const PATTERN_WORDS: Record<string, string> = {
  '/$defs/ip/pattern': 'must be an IPv4 dotted quad or RFC 5952 IPv6 text',
  '/tcp/properties/history/pattern': 'must be Zeek history letters SHADFRTWQI (lowercase from the server), each at most once per direction, \'^\' only first',
};

function patternWords(schemaPath: string): string | undefined {
  for (const [end, words] of Object.entries(PATTERN_WORDS)) if (schemaPath.endsWith(end)) return words;
  return undefined;
}

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required property ${show(p.missingProperty)}`;
    case 'additionalProperties':
      return `unknown property ${show(p.additionalProperty)}`;
    case 'type':
      return `must be ${String(p.type).split(',').join(' or ')} (got ${show(e.data)})`;
    case 'const':
      return `must be ${show(p.allowedValue)} (got ${show(e.data)})`;
    case 'enum':
      if (e.propertyName !== undefined) return `unknown property name ${show(e.propertyName)}`;
      return `must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')} (got ${show(e.data)})`;
    case 'pattern':
      if (e.propertyName !== undefined) {
        if (e.schemaPath.endsWith('/anomalyName/pattern')) return `bad anomaly name ${show(e.propertyName)} (lower case words joined by underscores)`;
        return `invalid property name ${show(e.propertyName)}: must match /${String(p.pattern)}/`;
      }
      return `invalid value ${show(e.data)}: ${patternWords(e.schemaPath) ?? `must match /${String(p.pattern)}/`}`;
    case 'minimum':
    case 'maximum':
      return `${e.message ?? e.keyword} (got ${show(e.data)})`;
    case 'false schema':
      return 'must not be present';
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * One line per problem, `/json/pointer: what is wrong` (the root written as
 * `/`). ajv's wrapper errors are dropped: `propertyNames` (its enum or pattern
 * child names the property) and `if` (its `then`/`else` child says what failed).
 */
function formatErrors(errs: readonly ErrorObject[]): string[] {
  const lines: string[] = [];
  for (const e of errs) {
    if (e.keyword === 'propertyNames' || e.keyword === 'if') continue;
    const line = `${e.instancePath === '' ? '/' : e.instancePath}: ${message(e)}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

/** Validates a parsed JSON report against schema/report.schema.json; returns the error lines (none when valid). */
export function validateReport(report: unknown): string[] {
  const v = validator();
  return v(report) ? [] : formatErrors(v.errors ?? []);
}
