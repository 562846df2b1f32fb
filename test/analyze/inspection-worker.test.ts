/**
 * Payload inspection in a worker thread (AnalyzeOptions.inspectionWorker, the
 * default for large inputs) gives the same report, byte for byte, as in the
 * main thread: on every sample, on every shared capture, and on all samples read
 * as one run (inputs in turn, each with its own anomaly counts). Runs the
 * built library (dist/), since the worker is a compiled module.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze as analyzeFromSources } from '../../src/analyze.js';
import type * as Library from '../../src/index.js';
import { hasSharedCaptures, REPO_ROOT, SAMPLES, SHARED_CAPTURES, sharedCaptures, skipNote } from '../helpers/environment.js';

const lib = (await import(pathToFileURL(join(REPO_ROOT, 'dist', 'index.js')).href)) as typeof Library;

async function bothWays(paths: string[]): Promise<{ inline: string; worker: string }> {
  const options = { orderByFirstPacket: false };
  const inline = lib.reportToJson(await lib.analyze(paths, { ...options, inspectionWorker: false }));
  const worker = lib.reportToJson(await lib.analyze(paths, { ...options, inspectionWorker: true }));
  return { inline, worker };
}

const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.pcap')).sort().map((f) => join(SAMPLES, f));

describe('inspection worker', () => {
  it('gives the same report as the main thread on every sample', async () => {
    let streams = 0;
    for (const path of samples) {
      const { inline, worker } = await bothWays([path]);
      expect(worker, path).toBe(inline);
      streams += (JSON.parse(worker) as { media: { streams: unknown[] } }).media.streams.length;
    }
    expect(streams).toBeGreaterThan(0); // the comparison covered media
  });

  it('gives the same report on all samples read as one run', async () => {
    const { inline, worker } = await bothWays(samples);
    expect(worker).toBe(inline);
  });

  skipNote('inspection worker on the shared captures', hasSharedCaptures ? [] : ['../shared/captures']);
  it.skipIf(!hasSharedCaptures)('gives the same report on every shared capture', async () => {
    for (const file of sharedCaptures()) {
      const { inline, worker } = await bothWays([join(SHARED_CAPTURES, file)]);
      expect(worker, file).toBe(inline);
    }
  });

  it('is refused when asked for where its module is not built (running from the TypeScript sources)', async () => {
    await expect(analyzeFromSources([samples[0]], { inspectionWorker: true })).rejects.toThrow(/inspection worker module is not built/);
  });

  it('stops with the capture error, not a hang, when an input fails mid-run', async () => {
    const notACapture = join(REPO_ROOT, 'package.json');
    await expect(lib.analyze([samples[0], notACapture], { orderByFirstPacket: false, inspectionWorker: true })).rejects.toThrow(/package\.json/);
  });
});
