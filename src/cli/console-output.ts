/**
 * What `analyze` shows a person: the progress line on stderr while reading
 * (terminal only, not with --quiet), then warnings on stderr and the summary
 * on stdout (on stderr when a report goes to stdout), coloured only on a
 * terminal (cli/colour.ts).
 */
import { statSync } from 'node:fs';
import type { Report } from '../report/model.js';
import { outputLines, summaryLines, warningLines } from '../report/text.js';
import { styleFor } from './colour.js';
import { ProgressBar } from './progress.js';

/**
 * Sum of the inputs' sizes as stored (gzip files count compressed, as the
 * reader's progress does); undefined when one is standard input or not a
 * regular file, whose size is not known in advance.
 */
export function totalInputBytes(captures: readonly string[]): number | undefined {
  let total = 0;
  for (const path of captures) {
    if (path === '-') return undefined;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) return undefined;
      total += stat.size;
    } catch {
      return undefined; // the analysis reports the unreadable file itself
    }
  }
  return total;
}

/** A progress line on stderr when it is a terminal and the run is not quiet; undefined otherwise. */
export function startProgress(captures: readonly string[], quiet: boolean | undefined,
  stderr: NodeJS.WriteStream = process.stderr): ProgressBar | undefined {
  if (quiet || !stderr.isTTY) return undefined;
  return new ProgressBar(stderr, { total: totalInputBytes(captures) });
}

export interface SummaryOptions {
  quiet?: boolean;
  /** A report went to standard output: the summary moves to stderr so that stdout stays parseable. */
  reportOnStdout: boolean;
  /** Reports written, in the order shown ("JSON report", "Protobuf flow records", ...). */
  outputs: readonly { what: string; path: string }[];
  /** Last lines, after the outputs (why the exit code is not 0). */
  notes?: readonly string[];
}

/** Warnings (always) and the summary (unless quiet), each stream coloured only if it is a terminal. */
export function printSummary(report: Report, options: SummaryOptions,
  stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr,
  env: Readonly<Record<string, string | undefined>> = process.env): void {
  const errStyle = styleFor(env, stderr.isTTY === true);
  for (const line of warningLines(report, errStyle)) stderr.write(`${line}\n`);
  if (options.quiet) return;
  const out = options.reportOnStdout ? stderr : stdout;
  const style = options.reportOnStdout ? errStyle : styleFor(env, stdout.isTTY === true);
  let text = '';
  for (const line of summaryLines(report, style)) text += `${line}\n`;
  for (const line of outputLines(options.outputs.filter((o) => o.path !== '-'))) text += `${line}\n`;
  for (const line of options.notes ?? []) text += `${style.strong(line)}\n`;
  out.write(text);
}
