/**
 * Where `analyze()` spends its time on one capture, for bench/run.ts: one run in a
 * fresh process (cold, as the CLI pays it): with payload inspection (run
 * in a worker, the default on such a capture, or in the main thread) or
 * without. Prints the stage timings (AnalyzeTimings) as JSON, in milliseconds.
 *
 * Usage: tsx bench/stages.ts CAPTURE full|one-thread|flows-only
 */
import { analyze, type AnalyzeTimings } from '../dist/index.js';

const [capture, mode] = process.argv.slice(2);
const MODES = ['full', 'one-thread', 'flows-only'];
if (!capture || !MODES.includes(mode)) throw new Error(`usage: tsx bench/stages.ts CAPTURE ${MODES.join('|')}`);
const timings: AnalyzeTimings = { readLoop: 0, records: 0, classify: 0 };
await analyze([capture], { inspectPayloads: mode !== 'flows-only', inspectionWorker: mode === 'full', timings });
console.log(JSON.stringify(timings));
