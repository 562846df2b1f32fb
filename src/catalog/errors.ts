/**
 * Configuration errors (catalog packs, user rule files, topology files).
 *
 * Every problem becomes one line, `FILE: /json/pointer: what is wrong`, and all
 * the problems of one load are thrown together as a ConfigError, so the CLI can
 * print `err.lines` and exit with status 2 without a stack trace.
 */
import type { ErrorObject } from 'ajv';
import { findJsonSyntaxError } from './json-syntax.js';

export class ConfigError extends Error {
  readonly lines: readonly string[];
  constructor(lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
    this.lines = lines;
  }
}

/** `FILE: /path: message`, the root path written as `/`. */
export function errorLine(file: string, pointer: string, message: string): string {
  return `${file}: ${pointer === '' ? '/' : pointer}: ${message}`;
}

/** Reads JSON text, turning a syntax error into one line with its line and column. */
export function parseJsonText(file: string, text: string, errors: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const found = findJsonSyntaxError(text);
    errors.push(
      found === undefined
        ? `${file}: invalid JSON: ${(e as Error).message.split('\n')[0]}`
        : `${file}: invalid JSON: ${found.message} (line ${found.line}, column ${found.column})`,
    );
    return undefined;
  }
}

const ROLE_HINT = '(the roles are listed in catalog/roles.json)';

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function isRoleEnum(e: ErrorObject): boolean {
  return e.schemaPath.includes('/role/') || e.schemaPath.includes('roles/propertyNames');
}

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown property ${show(p.additionalProperty)}`;
    case 'required':
      return `missing required property ${show(p.missingProperty)}`;
    case 'enum':
      if (isRoleEnum(e) && e.propertyName === 'any') return 'the wildcard role "any" matches every address and cannot be assigned';
      if (isRoleEnum(e)) return `unknown role ${show(e.propertyName ?? e.data)} ${ROLE_HINT}`;
      if (e.propertyName !== undefined) return `unknown property name ${show(e.propertyName)}`;
      return `must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')} (got ${show(e.data)})`;
    case 'type':
      return `must be ${String(p.type).split(',').join(' or ')} (got ${show(e.data)})`;
    case 'minimum':
    case 'maximum':
      if (/\/ports\/\d+(\/\d)?$/.test(e.instancePath)) return `port ${show(e.data)} is out of range 1-65535`;
      return `${e.message} (got ${show(e.data)})`;
    case 'minItems':
    case 'maxItems':
      if (/\/ports\/\d+$/.test(e.instancePath)) return `a port range must be [lo, hi] (got ${show(e.data)})`;
      return e.message ?? e.keyword;
    case 'pattern':
      return `invalid value ${show(e.data)}: must match ${show(p.pattern)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * One line per ajv error (ajv must run with `allErrors` and `verbose`). An
 * `anyOf` of `required` alternatives becomes a single "must have one of" line
 * instead of one line per alternative.
 */
export function formatAjvErrors(file: string, errs: readonly ErrorObject[]): string[] {
  const dropped = new Set<ErrorObject>();
  const replaced = new Map<ErrorObject, string>();
  for (const e of errs) {
    if (e.keyword === 'propertyNames') dropped.add(e); // its enum child names the property
    if (e.keyword !== 'anyOf') continue;
    const base = e.schemaPath + '/';
    const kids = errs.filter((k) => k !== e && k.instancePath === e.instancePath && k.schemaPath.startsWith(base));
    for (const k of kids) dropped.add(k);
    if (kids.length > 0 && kids.every((k) => k.keyword === 'required')) {
      const names = kids.map((k) => show((k.params as { missingProperty: string }).missingProperty));
      replaced.set(e, `must have one of the properties ${names.join(', ')}`);
    }
  }
  const lines: string[] = [];
  for (const e of errs) {
    if (dropped.has(e)) continue;
    const line = errorLine(file, e.instancePath, replaced.get(e) ?? message(e));
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}
