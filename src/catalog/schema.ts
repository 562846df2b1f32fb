/**
 * JSON Schema validation of packs, user rule files and topology files with
 * ajv (draft 2020-12). The schemas are the files shipped in catalog/schema/,
 * compiled once per path. ajv is loaded on first use: importing and compiling
 * costs about a quarter of a second, which a run that reads only the shipped
 * packs (checked by the test suite) does not pay.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { schemaPath } from './paths.js';
import { formatAjvErrors } from './errors.js';

const compiled = new Map<string, ValidateFunction>();

function validator(catalogDir: string, name: 'catalog' | 'topology'): ValidateFunction {
  const path = schemaPath(catalogDir, name);
  let v = compiled.get(path);
  if (v === undefined) {
    // verbose: errors carry the offending value, which the one-line messages quote.
    // strictRequired off: the citation's anyOf of `required` names properties declared one level up.
    const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
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
