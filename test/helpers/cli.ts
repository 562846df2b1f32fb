/** Runs the built CLI (dist/) the way a user does. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './environment.js';

export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export function flowaudit(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}
