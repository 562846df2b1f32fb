/**
 * Payload inspection in a worker thread (AnalyzeOptions.inspectionWorker, the
 * default for large inputs) gives the same report, byte for byte, as in the
 * main thread: on every sample, on every shared capture, and on all samples read
 * as one run (inputs in turn, each with its own anomaly counts). Runs the
 * built library (dist/), since the worker is a compiled module.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze as analyzeFromSources } from '../../src/analyze.js';
import type * as Library from '../../src/index.js';
import { EtherType, ethernet, ipv6, IpProto, tcpSegment, TcpFlag } from '../../samples/generator/packets.js';
import { PcapngWriter } from '../helpers/capture-builders.js';
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

  it('takes a TCP payload of 6 MB (a pcapng block, IPv6 payload length 0) as the main thread does', async () => {
    // The queue to the worker once waited for room it could never have for a payload this large.
    const payload = Buffer.alloc(6_000_000, 0x41);
    payload.set([0x16, 0x03, 0x01], 0); // looks like TLS: the inspector examines it
    const segment = tcpSegment('2001:db8::1', '2001:db8::2', { sport: 50000, dport: 443, seq: 1, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, window: 512 }, payload);
    // Payload length 0 (GSO-style: the frame's length counts), the header written for an empty payload.
    const packet = Buffer.concat([ipv6({ src: '2001:db8::1', dst: '2001:db8::2', ttl: 64 }, IpProto.TCP, Buffer.alloc(0)), segment]);
    const frame = ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, EtherType.IPv6, packet);
    const path = join(mkdtempSync(join(tmpdir(), 'flowaudit-')), 'jumbo.pcapng');
    writeFileSync(path, new PcapngWriter().section().iface(1, { snaplen: 0 }).epb(0, 1_700_000_000_000_000, frame).toBuffer());
    const { inline, worker } = await bothWays([path]);
    expect(worker).toBe(inline);
    expect(JSON.parse(inline).totals.packets).toBe(1);
  });

  it('is refused when asked for where its module is not built (running from the TypeScript sources)', async () => {
    await expect(analyzeFromSources([samples[0]], { inspectionWorker: true })).rejects.toThrow(/inspection worker module is not built/);
  });

  it('stops with the capture error, not a hang, when an input fails mid-run', async () => {
    const notACapture = join(REPO_ROOT, 'package.json');
    await expect(lib.analyze([samples[0], notACapture], { orderByFirstPacket: false, inspectionWorker: true })).rejects.toThrow(/package\.json/);
  });
});
