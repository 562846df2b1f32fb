/**
 * The README's quick start must stay true: its two commands are the main job
 * on the bundled sample and the test command, and the main job runs.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/environment.js';
import { flowaudit } from '../helpers/cli.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const quickStart = /## Quick start[\s\S]*?\n\n((?: {4}.+\n)+)/.exec(readme)?.[1].trim().split('\n').map((l) => l.trim()) ?? [];

describe('README quick start', () => {
  it('has two commands: the main job on a bundled sample, and npm test', () => {
    expect(quickStart).toHaveLength(2);
    expect(quickStart[0]).toMatch(/^npm ci && npx flowaudit analyze samples\/\S+/);
    expect(quickStart[1]).toBe('npm test');
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.test).toBeDefined();
  });

  it('its main job runs on the bundled sample and writes the report it names', () => {
    const args = quickStart[0].replace(/^npm ci && npx flowaudit /, '').split(/\s+/);
    const out = mkdtempSync(join(tmpdir(), 'flowaudit-readme-'));
    const json = args.indexOf('--json');
    if (json >= 0) args[json + 1] = join(out, args[json + 1]);
    const r = flowaudit(args.map((a) => (a.startsWith('samples/') ? join(REPO_ROOT, a) : a)));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/flows/);
    if (json >= 0) expect(existsSync(args[json + 1])).toBe(true);
  });
});
