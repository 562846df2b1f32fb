/** Running tshark/capinfos and the generator CLI from the sample tests. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');
export const SAMPLES = join(ROOT, 'samples');

export function has(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr without the warning tshark prints when run as root. */
export function realErrors(stderr: string): string {
  return stderr.split('\n').filter((l) => l.trim() && !l.includes('Running as user "root"')).join('\n');
}

/** The generator CLI through tsx, as `npm run samples` runs it. */
export function generator(args: string[]): Run {
  return run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(SAMPLES, 'generator/main.ts'), ...args]);
}
