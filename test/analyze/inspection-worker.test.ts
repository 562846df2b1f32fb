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
import { EtherType, ethernet, ipv6, IpProto, tcpSegment, TcpFlag, udpDatagram } from '../../samples/generator/packets.js';
import { PcapngWriter } from '../helpers/capture-builders.js';
import { prng } from '../helpers/prng.js';
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

  it('counts HTTP keep-alive flows as the main thread does, body segments skipped by the positions the worker publishes', async () => {
    // Interleaved flows with long Content-Length bodies (the main thread stops copying their segments
    // once the worker said where the next response starts), chunked bodies, repeated and lost segments.
    const rnd = prng(0x7e47);
    const writer = new PcapngWriter().section().iface(1, { snaplen: 0 });
    let t = 1_700_000_000_000_000;
    const emit = (src: string, dst: string, sport: number, dport: number, seq: number, payload: Buffer) => {
      const seg = tcpSegment(src, dst, { sport, dport, seq, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH, window: 512 }, payload);
      const frame = ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, EtherType.IPv6, Buffer.concat([ipv6({ src, dst, ttl: 64 }, IpProto.TCP, seg)]));
      writer.epb(0, (t += 10), frame);
    };
    // First some unrelated UDP, so that the worker has started and keeps up when the bodies come.
    for (let i = 0; i < 150_000; i++) {
      const frame = ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, EtherType.IPv6, ipv6({ src: '2001:db8::7', dst: '2001:db8::8', ttl: 64 }, IpProto.UDP, udpDatagram('2001:db8::7', '2001:db8::8', 5000 + (i % 50), 161, Buffer.alloc(8))));
      writer.epb(0, (t += 10), frame);
    }
    const flows = Array.from({ length: 8 }, (_, f) => {
      const client = `2001:db8::${f + 10}`;
      const requests: Buffer[] = [];
      const responses: Buffer[] = [];
      for (let k = 0; k < 4; k++) {
        requests.push(Buffer.from(`GET /f${f}/${k} HTTP/1.1\r\nHost: fe${k}.contoso.com\r\n\r\n`));
        const len = 1000 + Math.floor(rnd() * 2_000_000);
        responses.push(k === 1
          ? Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${`7d0\r\n${'c'.repeat(2000)}\r\n`.repeat(3)}0\r\n\r\n`)
          : Buffer.concat([Buffer.from(`HTTP/1.1 ${k === 3 ? '503 Service Unavailable' : '200 OK'}\r\nContent-Length: ${len}\r\n\r\n`), Buffer.alloc(len, 0x61)]));
      }
      return { client, sport: 40000 + f, isn: Math.floor(rnd() * 2 ** 32), req: Buffer.concat(requests), res: Buffer.concat(responses), at: 0, sent: false };
    });
    for (let left = true; left;) {
      left = false;
      for (const f of flows) {
        if (!f.sent) { emit(f.client, '2001:db8::2', f.sport, 8080, 1, f.req); f.sent = true; }
        if (f.at >= f.res.length) continue;
        left = true;
        const n = Math.min(200 + Math.floor(rnd() * 1300), f.res.length - f.at);
        const seg = f.res.subarray(f.at, f.at + n);
        if (rnd() > 0.002) emit('2001:db8::2', f.client, 8080, f.sport, f.isn + f.at, seg); // a few lost
        if (rnd() < 0.02) emit('2001:db8::2', f.client, 8080, f.sport, f.isn + f.at, seg); // some sent again
        f.at += n;
      }
    }
    const path = join(process.env.KEEP_CAPTURE ?? mkdtempSync(join(tmpdir(), 'flowaudit-')), 'http-keepalive.pcapng');
    writeFileSync(path, writer.toBuffer());
    const { inline, worker } = await bothWays([path]);
    expect(worker).toBe(inline);
    const http = (JSON.parse(inline) as { flows: { apps?: { protocol: string; messages?: number }[] }[] }).flows
      .flatMap((f) => f.apps ?? []).filter((a) => a.protocol === 'http');
    expect(http.length).toBe(8);
    expect(http.reduce((n, a) => n + (a.messages ?? 0), 0)).toBeGreaterThan(8 * 5); // most requests and responses read despite the losses
  }, 60_000);

  it('is refused when asked for where its module is not built (running from the TypeScript sources)', async () => {
    await expect(analyzeFromSources([samples[0]], { inspectionWorker: true })).rejects.toThrow(/inspection worker module is not built/);
  });

  it('stops with the capture error, not a hang, when an input fails mid-run', async () => {
    const notACapture = join(REPO_ROOT, 'package.json');
    await expect(lib.analyze([samples[0], notACapture], { orderByFirstPacket: false, inspectionWorker: true })).rejects.toThrow(/package\.json/);
  });
});
