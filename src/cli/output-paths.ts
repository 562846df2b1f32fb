/**
 * Output files are checked before any capture is read: a report path in a
 * missing or read-only directory should fail in a second, not after an hour
 * of reading a capture. Nothing is created here; the files are written at the end.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** An output option and its value, e.g. ['--json', 'report.json']. "-" (standard output) is always writable. */
export type OutputPath = readonly [option: string, path: string];

/** One line per output path that cannot be written: "cannot write PATH (--json): why". */
export function unwritableOutputs(outputs: readonly OutputPath[]): string[] {
  const problems: string[] = [];
  for (const [option, path] of outputs) {
    if (path === '-') continue;
    const why = whyUnwritable(path);
    if (why !== undefined) problems.push(`cannot write ${path} (${option}): ${why}`);
  }
  return problems;
}

function whyUnwritable(path: string): string | undefined {
  const existing = statOrUndefined(path);
  if (existing?.isDirectory()) return 'it is a directory';
  if (existing !== undefined) return canWrite(path) ? undefined : 'permission denied';
  const dir = dirname(resolve(path));
  const parent = statOrUndefined(dir);
  if (parent === undefined) return `no such directory ${dir}`;
  if (!parent.isDirectory()) return `${dir} is not a directory`;
  return canWrite(dir) ? undefined : `permission denied in ${dir}`;
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
