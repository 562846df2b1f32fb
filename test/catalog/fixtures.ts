/** Test helper: throwaway catalog directories and files, and ConfigError capture. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../../src/catalog/errors.js';
import { defaultCatalogDir } from '../../src/catalog/paths.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'flowaudit-catalog-'));
}

/** Writes `files` (objects as JSON, strings verbatim) into `dir`; returns their paths by name. */
export function writeFiles(dir: string, files: Record<string, unknown>): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return paths;
}

/** A catalog directory with the shipped roles.json and schemas and the given packs. */
export function makeCatalogDir(packs: Record<string, unknown>): { dir: string; paths: Record<string, string> } {
  const dir = tempDir();
  const shipped = defaultCatalogDir();
  cpSync(join(shipped, 'roles.json'), join(dir, 'roles.json'));
  mkdirSync(join(dir, 'schema'));
  cpSync(join(shipped, 'schema'), join(dir, 'schema'), { recursive: true });
  return { dir, paths: writeFiles(dir, packs) };
}

/** Runs `fn`, which must throw a ConfigError; returns its lines. */
export function configErrorLines(fn: () => unknown): readonly string[] {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const lines = (caught as ConfigError).lines;
  for (const l of lines) expect(l).not.toMatch(/\n|^\s+at /);
  expect((caught as ConfigError).message).toBe(lines.join('\n'));
  return lines;
}

/** A valid rule for hand-made packs; override fields as needed. */
export function rule(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    transport: 'tcp',
    ports: [5061],
    from: ['any'],
    to: ['front-end'],
    service: 'test service',
    protocol: 'SIP/TLS',
    citation: { document: 'test' },
    ...extra,
  };
}

export function pack(id: string, rules: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { pack: id, title: `pack ${id}`, source: { document: 'test' }, defaultEnabled: true, rules, ...extra };
}
