/**
 * JSON Schema validation of packs, user rule files and topology files with
 * ajv (draft 2020-12). The schemas are the files shipped in catalog/schema/,
 * compiled once per path.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { schemaPath } from './paths.js';
import { formatAjvErrors } from './errors.js';

const compiled = new Map<string, ValidateFunction>();

function validator(catalogDir: string, name: 'catalog' | 'topology'): ValidateFunction {
  const path = schemaPath(catalogDir, name);
  let v = compiled.get(path);
  if (v === undefined) {
    // verbose: errors carry the offending value, which the one-line messages quote.
    // strictRequired off: the citation's anyOf of `required` names properties declared one level up.
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
    v = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
    compiled.set(path, v);
  }
  return v;
}

/** Validates `data` read from `file` against the named schema; returns the error lines (none when valid). */
export function schemaErrors(catalogDir: string, name: 'catalog' | 'topology', file: string, data: unknown): string[] {
  const v = validator(catalogDir, name);
  return v(data) ? [] : formatAjvErrors(file, v.errors ?? []);
}
