/**
 * Where `analyze()` spends its time on one capture, run in this process by bench/run.ts:
 * the per-packet loop with and without payload inspection (the foundation's throughput
 * against the full pipeline), building the records and sections, and classification.
 * Prints one JSON object: the best run of each stage, in milliseconds.
 *
 * Usage: tsx bench/stages.ts CAPTURE RUNS
 */
import { analyze, type AnalyzeTimings } from '../dist/index.js';

async function bestTimings(capture: string, runs: number, inspectPayloads: boolean): Promise<AnalyzeTimings> {
  let best: AnalyzeTimings | undefined;
  for (let i = 0; i < runs; i++) {
    const timings = { readLoop: 0, records: 0, classify: 0 };
    await analyze([capture], { inspectPayloads, timings });
    if (best === undefined) best = timings;
    else for (const k of Object.keys(timings) as (keyof AnalyzeTimings)[]) best[k] = Math.min(best[k], timings[k]);
  }
  return best!;
}

const [capture, runs] = process.argv.slice(2);
if (!capture) throw new Error('usage: tsx bench/stages.ts CAPTURE [RUNS]');
const n = Number(runs ?? 3);
// Flows only first: it warms the code shared by both before the full pipeline is timed.
const flowsOnly = await bestTimings(capture, n, false);
const full = await bestTimings(capture, n, true);
console.log(JSON.stringify({ flowsOnly, full }));
