/**
 * Output files are checked before any capture is read: a report path in a
 * missing or read-only directory should fail in a second, not after an hour
 * of reading a capture. Nothing is created here; the files are written at the end.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** An output option and its value, e.g. ['--json', 'report.json']. "-" (standard output) is always writable. */
export type OutputPath = readonly [option: string, path: string];

/**
 * One line per output path that cannot be written: "cannot write PATH (--json): why". An input
 * capture counts as unwritable: `--json edge.pcap` would replace the capture with its report.
 */
export function unwritableOutputs(outputs: readonly OutputPath[], inputs: readonly string[]): string[] {
  const inputFiles = new Set(inputs.filter((i) => i !== '-').map(canonical));
  const problems: string[] = [];
  for (const [option, path] of outputs) {
    if (path === '-') continue;
    const why = inputFiles.has(canonical(path)) ? 'it is one of the input captures' : whyUnwritable(path);
    if (why !== undefined) problems.push(`cannot write ${path} (${option}): ${why}`);
  }
  return problems;
}

/** The real path of an existing file (through symlinks), else the absolute path. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
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
