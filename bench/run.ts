/**
 * `npm run bench`: throughput and peak memory of `flowaudit analyze` on a
 * synthetic edge capture of about 1 GB (generated once, cached in .cache/),
 * against ndpiReader, tshark's conversation tables and pcap-parser's
 * parse-only loop, in the same run, reported as ratios; then where analyze()
 * spends its time (bench/stages.ts): inspection and classification costs.
 *
 * Environment: BENCH_SIZE_MB (default 1024), BENCH_RUNS (default 3; the best
 * run of each tool counts), BENCH_SKIP (comma list: tshark,ndpi,pcap-parser).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.cache', 'bench');
const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 1024);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));

interface Measurement { seconds: number; peakRssMb: number; output: string }
type StageMode = 'full' | 'one-thread' | 'flows-only';
interface StageTimes { flowsOnly: Record<Stage, number>; full: Record<Stage, number>; oneThread: Record<Stage, number> }
type Stage = 'readLoop' | 'records' | 'classify';

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Runs a command under GNU time for wall time and peak RSS. */
function measure(cmd: string, args: string[]): Measurement {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const lines = r.stderr.trim().split('\n');
  const [secs, kb] = lines[lines.length - 1].split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status}: ${r.stderr.slice(-2000)}`);
  return { seconds: secs, peakRssMb: kb / 1024, output: r.stdout };
}

function best(cmd: string, args: string[], runs = RUNS): Measurement {
  let bestRun: Measurement | undefined;
  for (let i = 0; i < runs; i++) {
    const m = measure(cmd, args);
    if (!bestRun || m.seconds < bestRun.seconds) bestRun = m;
  }
  return bestRun!;
}

/**
 * The fastest of RUNS cold runs of bench/stages.ts per mode, stage by stage. The modes take turns,
 * so that a slow spell of this shared machine does not land on one of them only.
 */
function bestStages(capture: string): StageTimes {
  const best = new Map<StageMode, Record<Stage, number>>();
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ['flows-only', 'full', 'one-thread'] as const) {
      const run = JSON.parse(execFileSync('npx', ['tsx', join(ROOT, 'bench/stages.ts'), capture, mode], { encoding: 'utf8' })) as Record<Stage, number>;
      const b = best.get(mode);
      if (b === undefined) best.set(mode, run);
      else for (const k of Object.keys(run) as Stage[]) b[k] = Math.min(b[k], run[k]);
    }
  }
  return { flowsOnly: best.get('flows-only')!, full: best.get('full')!, oneThread: best.get('one-thread')! };
}

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

function main(): void {
  mkdirSync(CACHE, { recursive: true });
  const capture = join(CACHE, `edge-${SIZE_MB}mb.pcap`);
  if (!existsSync(capture)) {
    console.log(`generating ${capture} ...`);
    execFileSync('npx', ['tsx', join(ROOT, 'samples/generator/main.ts'), '--bench', capture, '--size-mb', String(SIZE_MB)], { stdio: 'inherit' });
  }
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const bytes = statSync(capture).size;
  // Warm the page cache so that every tool reads from memory, as the baselines were measured.
  execFileSync('sh', ['-c', `cat '${capture}' > /dev/null`]);

  const reportPath = join(CACHE, 'report.json');
  const rows: { tool: string; m: Measurement }[] = [];
  const ours = best('node', [join(ROOT, 'dist/cli/main.js'), 'analyze', capture, '--json', reportPath, '--quiet']);
  rows.push({ tool: 'flowaudit analyze (JSON report)', m: ours });
  // The same run writing the HTML report too: what --html adds (the budget: 10% at most, and a page under 10 MB).
  const htmlPath = join(CACHE, 'report.html');
  const withHtml = best('node', [join(ROOT, 'dist/cli/main.js'), 'analyze', capture, '--json', reportPath, '--html', htmlPath, '--quiet']);
  rows.push({ tool: 'flowaudit analyze (JSON + HTML)', m: withHtml });
  const htmlBytes = statSync(htmlPath).size;
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { totals: { packets: number; flows: number } };
  const packets = report.totals.packets;
  // Fixed costs (Node start, module and catalog loading, report writing) measured on a 40-packet capture,
  // so that the per-packet rate of reading, decoding and flow tracking can be told apart from them.
  const fixed = best('node', [join(ROOT, 'dist/cli/main.js'), 'analyze', join(ROOT, 'samples/edge-mini.pcap'), '--json', join(CACHE, 'mini.json'), '--quiet'], Math.max(RUNS, 3));

  if (!SKIP.has('pcap-parser')) {
    const m = best('node', [join(ROOT, 'bench/pcap-parser-loop.cjs'), capture]);
    const counted = (JSON.parse(m.output.trim()) as { packets: number }).packets;
    if (counted !== packets) console.warn(`pcap-parser counted ${counted} packets, flowaudit ${packets}`);
    rows.push({ tool: 'pcap-parser (parse only)', m });
  }
  if (!SKIP.has('ndpi') && has('ndpiReader')) rows.push({ tool: 'ndpiReader -i', m: best('ndpiReader', ['-i', capture, '-q', '-v', '0'], 1) });
  if (!SKIP.has('tshark') && has('tshark')) rows.push({ tool: 'tshark -z conv,tcp -z conv,udp', m: best('tshark', ['-q', '-n', '-r', capture, '-z', 'conv,tcp', '-z', 'conv,udp'], 1) });

  // Stage breakdown: what payload inspection and classification add to the per-packet work.
  const stages = bestStages(capture);

  const mb = bytes / 1e6;
  console.log(`\ncapture: ${capture}\n  ${(bytes / 2 ** 30).toFixed(2)} GiB, ${packets.toLocaleString('en-US')} packets, ${report.totals.flows.toLocaleString('en-US')} flows; best of ${RUNS} runs for flowaudit and pcap-parser, 1 for the others\n`);
  console.log('tool                                  seconds    MB/s  Mpkt/s  peak RSS MB  time vs flowaudit');
  for (const { tool, m } of rows) {
    console.log(`${tool.padEnd(36)} ${m.seconds.toFixed(2).padStart(8)} ${(mb / m.seconds).toFixed(0).padStart(7)} ${(packets / m.seconds / 1e6).toFixed(2).padStart(7)} ${m.peakRssMb.toFixed(0).padStart(12)} ${(m.seconds / ours.seconds).toFixed(2).padStart(10)}x`);
  }
  const steady = ours.seconds - fixed.seconds;
  console.log(`\nflowaudit fixed cost per run (40-packet capture): ${fixed.seconds.toFixed(2)} s; read+decode+flow at ${(packets / steady / 1e6).toFixed(2)} M packets/s once started (${steady.toFixed(2)} s for the capture)`);
  console.log(`HTML report: +${(withHtml.seconds - ours.seconds).toFixed(2)} s (${((withHtml.seconds / ours.seconds - 1) * 100).toFixed(1)}% of the JSON-only run), ${(htmlBytes / 1e6).toFixed(2)} MB`);
  const { flowsOnly, full, oneThread } = stages;
  const inspectionRatio = full.readLoop / flowsOnly.readLoop;
  const classifyShare = full.classify / 1000 / ours.seconds;
  console.log(`per-packet loop: ${sec(full.readLoop)} with payload inspection, ${sec(flowsOnly.readLoop)} flows only (${inspectionRatio.toFixed(2)}x); ${sec(oneThread.readLoop)} with inspection in the main thread (${(oneThread.readLoop / flowsOnly.readLoop).toFixed(2)}x)`);
  console.log(`after the loop: records and STUN/media sections ${sec(full.records)}; classification ${sec(full.classify)} (${(classifyShare * 100).toFixed(1)}% of the JSON-only run)`);
  const result = {
    date: new Date().toISOString(), capture: { bytes, packets, flows: report.totals.flows },
    html: { bytes: htmlBytes, addedSeconds: withHtml.seconds - ours.seconds, addedRatio: withHtml.seconds / ours.seconds - 1 },
    flowauditFixedSeconds: fixed.seconds, flowauditSteadyPacketsPerSecond: packets / steady,
    stagesMs: stages, inspectionLoopRatio: inspectionRatio, classificationShare: classifyShare,
    runs: rows.map(({ tool, m }) => ({ tool, seconds: m.seconds, peakRssMb: Math.round(m.peakRssMb), mbPerSecond: mb / m.seconds, packetsPerSecond: packets / m.seconds, ratioToFlowaudit: m.seconds / ours.seconds })),
  };
  writeFileSync(join(CACHE, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresults: ${join(CACHE, 'results.json')}`);
}

main();
