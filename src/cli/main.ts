#!/usr/bin/env node
/**
 * The command line: parse options, call the library, render, set the exit
 * code. The only code that touches process.* .
 */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { analyze } from '../analyze.js';
import { CaptureFormatError } from '../capture/errors.js';
import { ConfigError } from '../catalog/errors.js';
import { loadTopology, type Topology } from '../catalog/topology.js';
import { inferredHosts } from '../classify/classify-report.js';
import { inferredTopologyText } from '../classify/infer-topology.js';
import { severityAtLeast, SEVERITIES, type FailOnLevel } from '../classify/index.js';
import { DEFAULT_IDLE_TIMEOUTS } from '../flow/flow-options.js';
import { writeJsonReport } from '../report/json.js';
import { printable } from '../report/text.js';
import { TOOL_VERSION } from '../version.js';
import { addCatalogCommand } from './catalog-command.js';
import { addCatalogOptions, catalogLoadOptions, type CatalogCliOptions } from './catalog-options.js';
import { printSummary, startProgress } from './console-output.js';
import { HtmlReportJob } from './html-output.js';
import { repeatedInputs, unreadableInputs, unwritableOutputs, type OutputPath } from './output-paths.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';

interface AnalyzeCliOptions extends CatalogCliOptions {
  json?: string;
  pb?: string;
  topology?: string;
  inferRoles: boolean;
  inferTopology?: string;
  failOn: FailOnLevel;
  html?: string;
  quiet?: boolean;
  keepOrder?: boolean;
  maxLiveFlows?: number;
  tcpIdle?: number;
  udpIdle?: number;
}

/** How analyze talks to a person; kept in --help and the README. */
const CONSOLE_HELP = `Output:
  The summary goes to stdout (to stderr when a report or --infer-topology
  takes stdout).
  While reading, a progress line (bytes of total, packets/s, ETA) is drawn on
  stderr when it is a terminal; --quiet turns it and the summary off.
  Colours only on a terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 on.`;

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
    .addHelpText('after', `
Examples:
  flowaudit analyze edge.pcapng --json report.json
  flowaudit catalog lookup tcp/5061
  flowaudit help analyze

${EXIT_CODES_HELP}`);

  const analyzeCommand = program
    .command('analyze')
    .description('read captures (pcap, pcapng, optionally gzip-compressed; "-" for standard input) and report every flow')
    .argument('<captures...>', 'capture files, or "-" for standard input; several files are read as one continuous capture')
    .option('--json <file>', 'write the JSON report to <file> ("-" for standard output)')
    .option('--pb <file>', 'write the flow records as protobuf to <file> ("-" for standard output): a header, then one length-delimited FlowRecord per flow (proto/flowaudit.proto)')
    .option('--html <file>', 'write the HTML report to <file> ("-" for standard output): one self-contained page (no network access needed), with charts')
    .option('-q, --quiet', 'print no summary and no progress')
    .option('--keep-order', 'read files in the order given instead of by their first packet time')
    .addOption(new Option('--max-live-flows <n>', 'live-flow cap; older flows are finished early (and still reported) beyond it').argParser(positiveInteger))
    .addOption(new Option('--tcp-idle <seconds>', `finish an established TCP flow idle for this long, in seconds of capture time (default ${DEFAULT_IDLE_TIMEOUTS.tcpEstablished}; unanswered and closed ones sooner)`).argParser(positiveNumber))
    .addOption(new Option('--udp-idle <seconds>', `finish a UDP, ICMP or other flow idle for this long, in seconds of capture time (default ${DEFAULT_IDLE_TIMEOUTS.udp})`).argParser(positiveNumber))
    .option('--topology <file>', 'roles of your servers: {"roles": {"edge-av": ["131.107.10.12"], "front-end": ["10.0.2.0/28"]}} (see samples/topology.example.json)')
    .option('--no-infer-roles', 'do not infer roles from the traffic for addresses the topology does not list (they stay unknown: port-only verdicts)')
    .option('--infer-topology <file>', 'write the roles inferred from the traffic as a topology file ("-" for standard output), a starting point to check and pass back with --topology')
    .addOption(new Option('--fail-on <level>', 'exit with code 1 when a finding has this severity or above').choices([...SEVERITIES, 'none']).default('none'))
    .addHelpText('after', `
Examples:
  flowaudit analyze samples/edge-dmz.pcapng
  flowaudit analyze edge.pcapng --json report.json
  flowaudit analyze edge.pcapng --topology site.json --fail-on high   # a CI gate
  flowaudit analyze edge.pcapng --infer-topology site.json            # a topology to start from
  flowaudit analyze edge.pcapng --html report.html --json report.json
  flowaudit analyze ring.pcap*                    # tcpdump -C/-G ring buffer, in time order
  tcpdump -i eth0 -w - | flowaudit analyze - --json -
  flowaudit analyze edge.pcapng.gz --pb flows.pb   # flow records for a data pipeline

${CONSOLE_HELP}

${EXIT_CODES_HELP}`)
    .action(async (captures: string[], opts: AnalyzeCliOptions) => {
      process.exitCode = await runAnalyze(captures, opts);
    });
  addCatalogOptions(analyzeCommand);
  addCatalogCommand(program);
  return program;
}

/** The files analyze writes, by option; "-" is standard output. */
function outputPaths(opts: AnalyzeCliOptions): OutputPath[] {
  const all: [string, string | undefined][] = [['--json', opts.json], ['--pb', opts.pb], ['--html', opts.html], ['--infer-topology', opts.inferTopology]];
  return all.filter((o): o is [string, string] => o[1] !== undefined);
}

async function runAnalyze(captures: string[], opts: AnalyzeCliOptions): Promise<number> {
  const outputs = outputPaths(opts);
  const onStdout = outputs.filter(([, path]) => path === '-').map(([option]) => `${option} -`);
  if (onStdout.length > 1) return usageError(`${onStdout.slice(0, -1).join(', ')} and ${onStdout[onStdout.length - 1]} cannot ${onStdout.length === 2 ? 'both' : 'all'} use standard output`);
  if (opts.pb === '-' && process.stdout.isTTY) return usageError('--pb - would write binary data to the terminal; redirect it to a file or a pipe');
  const problems = [...unreadableInputs(captures), ...repeatedInputs(captures), ...unwritableOutputs(outputs, captures)];
  for (const line of problems) usageError(line);
  if (problems.length > 0) return ExitCode.UsageOrInput;
  // Configuration problems are reported before any capture is read.
  const topology = opts.topology !== undefined ? loadTopology(opts.topology) : undefined;
  // Started first: its worker loads the chart libraries while the capture is read.
  const html = opts.html !== undefined ? new HtmlReportJob() : undefined;
  try {
    return await analyzeAndReport(captures, opts, topology, html);
  } finally {
    await html?.close();
  }
}

async function analyzeAndReport(captures: string[], opts: AnalyzeCliOptions, topology: Topology | undefined, html: HtmlReportJob | undefined): Promise<number> {
  const progress = startProgress(captures, opts.quiet);
  const report = await analyze(captures, {
    ...(progress && { onProgress: (bytes: number, packets: number) => progress.update(bytes, packets) }),
    catalog: catalogLoadOptions(opts),
    topology,
    inferRoles: opts.inferRoles,
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
  }).finally(() => progress?.stop());
  const failed = severityAtLeast(report.findings, opts.failOn);
  settledExit = failed ? ExitCode.Findings : ExitCode.Ok;
  html?.start(report);
  if (opts.json) await writing('--json', opts.json, () => writeJsonReport(report, opts.json!, process.stdout));
  if (opts.pb) {
    // Loaded only when asked for: protobufjs and the .proto cost startup time that other runs need not pay.
    const { writeProtobufReport } = await import('../report/protobuf.js');
    await writing('--pb', opts.pb, () => writeProtobufReport(report, opts.pb!, process.stdout));
  }
  if (html !== undefined && opts.html !== undefined) await writing('--html', opts.html, () => html.write(opts.html!));
  if (opts.inferTopology !== undefined) {
    const topologyText = inferredTopologyText(inferredHosts(report.topology));
    if (opts.inferTopology === '-') process.stdout.write(topologyText);
    else await writing('--infer-topology', opts.inferTopology, async () => writeFileSync(opts.inferTopology!, topologyText));
  }
  printSummary(report, {
    quiet: opts.quiet,
    reportOnStdout: outputPaths(opts).some(([, path]) => path === '-'),
    outputs: [
      ...(opts.json ? [{ what: 'JSON report', path: opts.json }] : []),
      ...(opts.pb ? [{ what: 'Protobuf flow records', path: opts.pb }] : []),
      ...(opts.html !== undefined ? [{ what: 'HTML report', path: opts.html }] : []),
      ...(opts.inferTopology !== undefined ? [{ what: 'Inferred topology', path: opts.inferTopology }] : []),
    ],
    notes: failed ? [`Exit code 1: findings of severity ${opts.failOn} or above (--fail-on ${opts.failOn}).`] : [],
  });
  return failed ? ExitCode.Findings : ExitCode.Ok;
}

/**
 * The exit code of the run once its report is ready: what the reader of standard output going away
 * (`--json - --fail-on high | head`) must not turn into a pass.
 */
let settledExit: number = ExitCode.Ok;

/** An output that could not be written after all (a full disk, an I/O error): the user's to fix, not a bug. */
class OutputWriteError extends Error {}

/** Runs `write`, turning a system call's error into an OutputWriteError naming the output. */
async function writing(option: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // A system call's error (it has an errno: ENOSPC, EIO...), not one of Node's own (ERR_...), which is a bug.
    if (typeof e?.errno !== 'number' || e.code === 'EPIPE') throw err;
    throw new OutputWriteError(`cannot write ${path === '-' ? 'standard output' : path} (${option}): ${e.message.replace(/^[A-Z]+: /, '')}`);
  }
}

function usageError(message: string): number {
  process.stderr.write(`flowaudit: ${printable(message)}\n`);
  return ExitCode.UsageOrInput;
}

/** One line for errors the user can act on; a stack only for bugs. */
function errorExit(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.UsageOrInput;
  if (err instanceof ConfigError) {
    for (const line of err.lines) process.stderr.write(`flowaudit: ${printable(line)}\n`);
    return ExitCode.UsageOrInput;
  }
  if (err instanceof OutputWriteError) {
    process.stderr.write(`flowaudit: ${printable(err.message)}\n`);
    return ExitCode.UsageOrInput;
  }
  if (err instanceof CaptureFormatError) {
    process.stderr.write(`flowaudit: ${printable(err.message)}\n`);
    return ExitCode.UsageOrInput;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM' || code === 'ENOTDIR') {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`flowaudit: cannot read ${printable(e.path ?? '')}: ${printable(e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/s, ''))}\n`);
    return ExitCode.UsageOrInput;
  }
  if (code === 'EPIPE') return settledExit; // the reader of our stdout went away (e.g. `| head`)
  process.stderr.write(`flowaudit: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.Internal;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that goes away (`flowaudit --help | head -3`) is not an error of ours.
  // Any other failure to write it (a full disk behind a redirection) is the user's to fix: one line, exit 2.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(settledExit);
    process.stderr.write(`flowaudit: cannot write standard output: ${err.message.replace(/^[A-Z]+: /, '')}\n`);
    process.exit(ExitCode.UsageOrInput);
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
