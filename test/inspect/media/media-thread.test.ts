/**
 * WorkerMedia, the main thread's side of the media worker: the payloads of a
 * capture fed to it give the report RtpStreams gives in one thread, with the
 * streams computed in the worker; a worker whose module fails to load leaves
 * the work to this thread, with RTP queued or without. Runs the built module
 * (dist/), since the worker is compiled code.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IpProto } from '../../../src/decode/packet-view.js';
import type * as MediaThreadModule from '../../../src/inspect/media/media-thread.js';
import { RtpStreams } from '../../../src/inspect/media/rtp-streams.js';
import { REPO_ROOT, SAMPLES } from '../../helpers/environment.js';
import { forEachPayload } from './feed-capture.js';

const { WorkerMedia } = (await import(pathToFileURL(join(REPO_ROOT, 'dist', 'inspect', 'media', 'media-thread.js')).href)) as typeof MediaThreadModule;

/** A worker module that throws as it loads. */
const BROKEN_WORKER = new URL(`data:text/javascript,${encodeURIComponent("throw new Error('no worker today')")}`);

async function feedBoth(path: string, media: InstanceType<typeof WorkerMedia>): Promise<{ taken: number; inline: RtpStreams }> {
  const inline = new RtpStreams();
  let taken = 0;
  await forEachPayload(path, IpProto.UDP, ({ pkt, flow, dir }) => {
    media.arrival[0] = pkt.ts;
    const a = media.feed(flow, dir, pkt.frameNo, pkt.buf, pkt.payloadOff, pkt.payloadEnd);
    inline.arrival[0] = pkt.ts;
    const b = inline.feed(flow, dir, pkt.frameNo, pkt.buf, pkt.payloadOff, pkt.payloadEnd);
    expect(a).toBe(b); // the inspector learns the same at once
    if (a) taken++;
  });
  return { taken, inline };
}

describe('WorkerMedia', () => {
  it('computes the streams in the worker and reports what one thread reports', async () => {
    for (const name of ['av-rtp-quality.pcap', 'av-msturn-udp.pcap', 'edge-dmz.pcap']) {
      const media = new WorkerMedia({ startupWaitMs: 60_000 });
      const { taken, inline } = await feedBoth(join(SAMPLES, name), media);
      expect(media.anomalyCounts()).toEqual(inline.anomalies);
      const report = await media.finish();
      expect(media.ranInWorker, name).toBe(true);
      expect(report, name).toEqual(inline.report());
      if (name === 'av-rtp-quality.pcap') expect(taken).toBeGreaterThan(100);
    }
  });

  it('does the work in this thread when the worker cannot start, with RTP queued', async () => {
    const media = new WorkerMedia({ workerUrl: BROKEN_WORKER, startupWaitMs: 200 });
    const { taken, inline } = await feedBoth(join(SAMPLES, 'av-rtp-quality.pcap'), media);
    expect(taken).toBeGreaterThan(100);
    const report = await media.finish();
    expect(media.ranInWorker).toBe(false);
    expect(report).toEqual(inline.report());
  });

  it('does the work in this thread when the worker cannot start, with nothing queued', async () => {
    const media = new WorkerMedia({ workerUrl: BROKEN_WORKER, startupWaitMs: 200 });
    const report = await media.finish();
    expect(media.ranInWorker).toBe(false);
    expect(report.streams).toEqual([]);
  });
});
