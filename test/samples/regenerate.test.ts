/** The committed samples are exactly what the generator produces: byte for byte, from the CLI too. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSamples } from '../../samples/generator/samples.js';
import { SAMPLES, generator } from './tools.js';

const GENERATED = /\.(pcap|pcapng)$|\.(truth|topology)\.json$/;

describe('committed samples', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-samples-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('are identical to a fresh in-process generation, and no generated-looking file is stale', () => {
    const fresh = generateSamples();
    for (const [name, data] of fresh) {
      const committed = readFileSync(join(SAMPLES, name));
      expect(committed.equals(data), `${name} differs from the generator's output: run npm run samples`).toBe(true);
    }
    const onDisk = readdirSync(SAMPLES).filter((n) => GENERATED.test(n)).sort();
    expect(onDisk).toEqual([...fresh.keys()].sort());
  });

  it('are what the CLI writes into another directory (npm run samples -- --out DIR)', () => {
    const r = generator(['--out', tmp]);
    expect(r.stderr.replace(/npm warn.*\n?/g, '')).toBe('');
    expect(r.status).toBe(0);
    const names = readdirSync(tmp).sort();
    expect(names).toEqual(readdirSync(SAMPLES).filter((n) => GENERATED.test(n)).sort());
    for (const n of names) expect(readFileSync(join(tmp, n)).equals(readFileSync(join(SAMPLES, n))), n).toBe(true);
  });

  it('do not depend on anything but the seed (two generations in one process agree)', () => {
    const a = generateSamples();
    const b = generateSamples();
    for (const [name, data] of a) expect(b.get(name)!.equals(data), name).toBe(true);
  });
});
