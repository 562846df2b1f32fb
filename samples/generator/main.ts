/**
 * Sample generator CLI.
 *
 *   tsx samples/generator/main.ts [--out DIR]
 *       regenerates every committed sample (default DIR: samples/), byte for byte
 *   tsx samples/generator/main.ts --bench FILE [--size-mb N] [--pcapng] [--seed S]
 *       streams a synthetic edge capture of about N MB (default 1024) to FILE
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBench } from './bench/bench.js';
import { generateSamples } from './samples.js';

const SAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  out: string;
  bench?: string;
  sizeMb: number;
  pcapng: boolean;
  seed: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { out: SAMPLES_DIR, sizeMb: 1024, pcapng: false, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--out') args.out = resolve(value());
    else if (a === '--bench') args.bench = resolve(value());
    else if (a === '--size-mb') args.sizeMb = Number(value());
    else if (a === '--pcapng') args.pcapng = true;
    else if (a === '--seed') args.seed = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log('usage: main.ts [--out DIR] | --bench FILE [--size-mb N] [--pcapng] [--seed S]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.sizeMb > 0)) throw new Error('--size-mb must be a positive number');
  if (!Number.isInteger(args.seed)) throw new Error('--seed must be an integer');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.bench) {
    const t0 = performance.now();
    const r = await writeBench(args.bench, { sizeBytes: Math.round(args.sizeMb * 1024 * 1024), pcapng: args.pcapng, seed: args.seed });
    const s = (performance.now() - t0) / 1000;
    console.log(`${args.bench}: ${r.packets} packets, ${r.flows} flows, ${(r.bytes / 1048576).toFixed(1)} MB in ${s.toFixed(1)} s`);
    return;
  }
  mkdirSync(args.out, { recursive: true });
  for (const [name, data] of generateSamples()) {
    writeFileSync(join(args.out, name), data);
    console.log(`${join(args.out, name)}: ${data.length} bytes`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
