/**
 * Where `analyze()` spends its time on one capture, for bench/run.ts: one run in a
 * fresh process (cold, as the CLI pays it), with or without payload inspection.
 * Prints the stage timings (AnalyzeTimings) as JSON, in milliseconds.
 *
 * Usage: tsx bench/stages.ts CAPTURE full|flows-only
 */
import { analyze, type AnalyzeTimings } from '../dist/index.js';

const [capture, mode] = process.argv.slice(2);
if (!capture || (mode !== 'full' && mode !== 'flows-only')) throw new Error('usage: tsx bench/stages.ts CAPTURE full|flows-only');
const timings: AnalyzeTimings = { readLoop: 0, records: 0, classify: 0 };
await analyze([capture], { inspectPayloads: mode === 'full', timings });
console.log(JSON.stringify(timings));
