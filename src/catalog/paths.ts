/**
 * Where the shipped catalog lives. The package root is the nearest directory
 * above this module holding catalog/roles.json: src/catalog/ when run with
 * tsx or vitest, dist/catalog/ after `tsc`, node_modules/flowaudit/dist/...
 * when installed (package.json "files" ships catalog/).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function defaultCatalogDir(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'catalog');
    if (existsSync(join(candidate, 'roles.json'))) return (cached = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`flowaudit: no catalog/roles.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function schemaPath(catalogDir: string, name: 'catalog' | 'topology'): string {
  return join(catalogDir, 'schema', `${name}.schema.json`);
}
