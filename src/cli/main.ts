#!/usr/bin/env node
/**
 * The command line: parse options, call the library, render, set the exit
 * code. The only code that touches process.* .
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { analyze } from '../analyze.js';
import { CaptureFormatError } from '../capture/errors.js';
import { ConfigError } from '../catalog/errors.js';
import { DEFAULT_IDLE_TIMEOUTS } from '../flow/flow-options.js';
import { writeJsonReport } from '../report/json.js';
import { summaryLines, warningLines } from '../report/text.js';
import { TOOL_VERSION } from '../version.js';
import { addCatalogCommand } from './catalog-command.js';
import { HtmlReportJob } from './html-output.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';

interface AnalyzeCliOptions {
  json?: string;
  html?: string;
  quiet?: boolean;
  keepOrder?: boolean;
  maxLiveFlows?: number;
  tcpIdle?: number;
  udpIdle?: number;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('flowaudit')
    .description('Audit the flows of a packet capture against the documented ports of Lync Server 2013 / Skype for Business Server 2015.')
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);

  program
    .command('analyze')
    .description('read captures (pcap, pcapng, optionally gzip-compressed; "-" for standard input) and report every flow')
    .argument('<captures...>', 'capture files, or "-" for standard input; several files are read as one continuous capture')
    .option('--json <file>', 'write the JSON report to <file> ("-" for standard output)')
    .option('--html <file>', 'write the HTML report to <file>: one self-contained page (no network access needed), with charts')
    .option('-q, --quiet', 'print no summary')
    .option('--keep-order', 'read files in the order given instead of by their first packet time')
    .addOption(new Option('--max-live-flows <n>', 'live-flow cap; older flows are finished early (and still reported) beyond it').argParser(positiveInteger))
    .addOption(new Option('--tcp-idle <seconds>', `finish an established TCP flow idle for this long, in seconds of capture time (default ${DEFAULT_IDLE_TIMEOUTS.tcpEstablished}; unanswered and closed ones sooner)`).argParser(positiveNumber))
    .addOption(new Option('--udp-idle <seconds>', `finish a UDP, ICMP or other flow idle for this long, in seconds of capture time (default ${DEFAULT_IDLE_TIMEOUTS.udp})`).argParser(positiveNumber))
    .addHelpText('after', `
Examples:
  flowaudit analyze samples/edge-dmz.pcapng
  flowaudit analyze edge.pcapng --json report.json
  flowaudit analyze edge.pcapng --html report.html --json report.json
  flowaudit analyze ring.pcap*                    # tcpdump -C/-G ring buffer, in time order
  tcpdump -i eth0 -w - | flowaudit analyze - --json -

${EXIT_CODES_HELP}`)
    .action(async (captures: string[], opts: AnalyzeCliOptions) => {
      process.exitCode = await runAnalyze(captures, opts);
    });
  addCatalogCommand(program);
  return program;
}

async function runAnalyze(captures: string[], opts: AnalyzeCliOptions): Promise<number> {
  // Started first: its worker loads the chart libraries while the capture is read.
  const html = opts.html !== undefined ? new HtmlReportJob() : undefined;
  try {
    return await analyzeAndReport(captures, opts, html);
  } finally {
    await html?.close();
  }
}

async function analyzeAndReport(captures: string[], opts: AnalyzeCliOptions, html: HtmlReportJob | undefined): Promise<number> {
  const report = await analyze(captures, {
    orderByFirstPacket: !opts.keepOrder,
    flows: {
      ...(opts.maxLiveFlows !== undefined && { maxLiveFlows: opts.maxLiveFlows }),
      idleTimeouts: {
        // --tcp-idle bounds every live TCP state: the established timeout, and the shorter ones never exceed it.
        ...(opts.tcpIdle !== undefined && {
          tcpEstablished: opts.tcpIdle,
          tcpOther: Math.min(opts.tcpIdle, DEFAULT_IDLE_TIMEOUTS.tcpOther),
          tcpClosed: Math.min(opts.tcpIdle, DEFAULT_IDLE_TIMEOUTS.tcpClosed),
        }),
        ...(opts.udpIdle !== undefined && { udp: opts.udpIdle, other: opts.udpIdle }),
      },
    },
  });
  // With the JSON on stdout, the human summary moves to stderr so that stdout stays parseable.
  const say = opts.json === '-' ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => process.stdout.write(`${line}\n`);
  if (opts.json) await writeJsonReport(report, opts.json, process.stdout);
  if (html !== undefined && opts.html !== undefined) await html.write(report, opts.html);
  for (const line of warningLines(report)) process.stderr.write(`${line}\n`);
  if (!opts.quiet) {
    for (const line of summaryLines(report)) say(line);
    if (opts.json && opts.json !== '-') say(`JSON report: ${opts.json}`);
    if (opts.html !== undefined) say(`HTML report: ${opts.html}`);
  }
  return ExitCode.Ok;
}

/** One line for errors the user can act on; a stack only for bugs. */
function errorExit(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.UsageOrInput;
  if (err instanceof ConfigError) {
    for (const line of err.lines) process.stderr.write(`flowaudit: ${line}\n`);
    return ExitCode.UsageOrInput;
  }
  if (err instanceof CaptureFormatError) {
    process.stderr.write(`flowaudit: ${err.message}\n`);
    return ExitCode.UsageOrInput;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM' || code === 'ENOTDIR') {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`flowaudit: cannot read ${e.path ?? ''}: ${e.message.replace(/^[A-Z]+: /, '')}\n`);
    return ExitCode.UsageOrInput;
  }
  if (code === 'EPIPE') return ExitCode.Ok; // the reader of our stdout went away (e.g. `| head`)
  process.stderr.write(`flowaudit: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.Internal;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that goes away (`flowaudit --help | head -3`) is not an error of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.Ok);
    throw err;
  });
  const program = buildProgram();
  program.exitOverride();
  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = errorExit(err);
  }
}

await main(process.argv);
