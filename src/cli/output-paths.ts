/**
 * Output files, and whether the inputs can be opened, are checked before any
 * capture is read: a report path in a missing or read-only directory should
 * fail in a second, not after an hour of reading a capture. Nothing is created
 * here; the files are written at the end.
 */
import { accessSync, constants, existsSync, fstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** An output option and its value, e.g. ['--json', 'report.json']. "-" (standard output) is always writable. */
export type OutputPath = readonly [option: string, path: string];

/**
 * One line per output path that cannot be written: "cannot write PATH (--json): why". An input
 * capture counts as unwritable: `--json edge.pcap` would replace the capture with its report; so
 * does a second output to the same file, which would replace the first.
 */
export function unwritableOutputs(outputs: readonly OutputPath[], inputs: readonly string[]): string[] {
  const inputFiles = new Set(inputs.map(identity));
  const written = new Map<string, string>(); // file identity -> the option writing it
  const problems: string[] = [];
  for (const [option, path] of outputs) {
    if (path === '-') continue;
    if (path === '') {
      problems.push(`${option} needs a file name, or - for standard output`);
      continue;
    }
    const id = identity(path);
    const why = inputFiles.has(id) ? 'it is one of the input captures'
      : written.has(id) ? `${written.get(id)} writes it too`
      : whyUnwritable(path);
    // A device (/dev/null, a terminal) takes any number of outputs: only files are replaced.
    const stat = statOrUndefined(path);
    if (stat === undefined || stat.isFile()) written.set(id, written.get(id) ?? option);
    if (why !== undefined) problems.push(`cannot write ${path} (${option}): ${why}`);
  }
  return problems;
}

/**
 * One line per input capture that cannot be opened (missing, a directory, not readable), so that
 * every such problem is told at once with those of the outputs. A file that is no capture is
 * found when it is read.
 */
export function unreadableInputs(inputs: readonly string[]): string[] {
  const problems: string[] = [];
  for (const path of inputs) {
    if (path === '-') continue;
    const stat = statOrUndefined(path);
    const why = stat === undefined ? (existsSync(dirname(resolve(path))) ? 'no such file or directory' : `no such directory ${dirname(resolve(path))}`)
      : stat.isDirectory() ? 'it is a directory'
      : may(path, constants.R_OK) ? undefined : 'permission denied';
    if (why !== undefined) problems.push(`cannot read ${path}: ${why}`);
  }
  return problems;
}

/**
 * One line per input capture given more than once (by the same path, a link, or `-` twice):
 * its packets would be counted twice, and every flow would show them duplicated.
 */
export function repeatedInputs(inputs: readonly string[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const path of inputs) {
    const id = identity(path);
    const first = seen.get(id);
    if (first === undefined) seen.set(id, path);
    else problems.push(first === path ? `${path} is given twice` : `${path} is ${first}, given already`);
  }
  return problems;
}

/**
 * What names a file whatever the path to it: device and inode of an existing file (a symlink or a
 * hard link to a capture is the capture; "-" is whatever standard input is, a file redirected to it
 * or a pipe, as /dev/stdin is), else the real path of its directory and its name.
 */
function identity(path: string): string {
  const stat = path === '-' ? fstatOrUndefined(0) : statOrUndefined(path);
  if (stat !== undefined) return `inode ${stat.dev}:${stat.ino}`;
  if (path === '-') return '-';
  try {
    return join(realpathSync(dirname(resolve(path))), basename(path));
  } catch {
    return resolve(path);
  }
}

function fstatOrUndefined(fd: number): ReturnType<typeof statSync> | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

function whyUnwritable(path: string): string | undefined {
  const existing = statOrUndefined(path);
  if (existing?.isDirectory()) return 'it is a directory';
  if (existing !== undefined) return may(path, constants.W_OK) ? undefined : 'permission denied';
  const dir = dirname(resolve(path));
  const parent = statOrUndefined(dir);
  if (parent === undefined) return `no such directory ${dir}`;
  if (!parent.isDirectory()) return `${dir} is not a directory`;
  return may(dir, constants.W_OK) ? undefined : `permission denied in ${dir}`;
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether this process may read (constants.R_OK) or write (W_OK) `path`. */
function may(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
