/**
 * WorkerInspection, the main thread's side of the inspection worker: the
 * payloads of a capture given to it find what InlineInspection finds in this
 * thread (anomalies per call, per-flow apps, the STUN section and the media
 * section); a worker whose module fails to load leaves the work to this
 * thread, with packets queued or without. Runs the built module (dist/),
 * since the worker is compiled code.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { newAnomalyCounters } from '../../../src/anomalies.js';
import { InlineInspection, type InspectionResult, type PacketInspection } from '../../../src/inspect/inspection.js';
import { appsOf, buildStunReport } from '../../../src/inspect/stun-report.js';
import type * as WorkerInspectionModule from '../../../src/inspect/thread/worker-inspection.js';
import { REPO_ROOT, SAMPLES } from '../../helpers/environment.js';
import { forEachPayload, TCP_OR_UDP } from '../media/feed-capture.js';

const { WorkerInspection } = (await import(pathToFileURL(join(REPO_ROOT, 'dist', 'inspect', 'thread', 'worker-inspection.js')).href)) as typeof WorkerInspectionModule;

/** A worker module that throws as it loads. */
const BROKEN_WORKER = new URL(`data:text/javascript,${encodeURIComponent("throw new Error('no worker today')")}`);

/** Every TCP and UDP payload of the capture to both, in capture order; returns how many. */
async function feedBoth(path: string, a: PacketInspection, b: PacketInspection): Promise<number> {
  let n = 0;
  await forEachPayload(path, TCP_OR_UDP, ({ pkt, flow, dir }) => {
    a.onPacket(flow, dir, pkt);
    b.onPacket(flow, dir, pkt);
    n++;
  });
  return n;
}

function anomaliesOf(inspection: PacketInspection): Float64Array {
  const counts = newAnomalyCounters();
  inspection.settleAnomalies(counts);
  return counts;
}

/** What the report takes from a result (the record-dependent parts of the STUN section left out). */
async function reported(result: InspectionResult) {
  const flows = result.flows.inspected();
  return {
    flows: flows.map((st) => st.flow),
    apps: flows.map((st) => appsOf(result.flows.state(st.flow))),
    stun: buildStunReport(result.flows, []),
    media: await result.media,
  };
}

describe('WorkerInspection', () => {
  it('inspects in the worker and finds what this thread finds', async () => {
    for (const name of ['av-rtp-quality.pcap', 'av-msturn-tcp.pcap', 'av-msturn-udp.pcap', 'av-turn-errors.pcap', 'hostile-strings.pcap', 'edge-dmz.pcap']) {
      const worker = new WorkerInspection({ startupWaitMs: 60_000 });
      const inline = new InlineInspection();
      expect(await feedBoth(join(SAMPLES, name), worker, inline), name).toBeGreaterThan(5);
      expect(anomaliesOf(worker), name).toEqual(anomaliesOf(inline));
      const fromWorker = await reported(await worker.finish());
      expect(worker.ranInWorker, name).toBe(true);
      const here = await reported(await inline.finish());
      expect(fromWorker, name).toEqual(here);
      if (name === 'av-msturn-tcp.pcap') expect(here.stun.allocations.length).toBeGreaterThan(0);
      if (name === 'av-rtp-quality.pcap') expect(here.media.streams.length).toBeGreaterThan(0);
    }
  });

  it('does the work in this thread when the worker cannot start, with packets queued', async () => {
    const worker = new WorkerInspection({ workerUrl: BROKEN_WORKER, startupWaitMs: 200 });
    const inline = new InlineInspection();
    await feedBoth(join(SAMPLES, 'av-msturn-udp.pcap'), worker, inline);
    expect(anomaliesOf(worker)).toEqual(anomaliesOf(inline));
    const result = await reported(await worker.finish());
    expect(worker.ranInWorker).toBe(false);
    expect(result).toEqual(await reported(await inline.finish()));
    expect(result.media.streams.length).toBeGreaterThan(0);
  });

  it('does the work in this thread when the worker cannot start, with nothing queued', async () => {
    const worker = new WorkerInspection({ workerUrl: BROKEN_WORKER, startupWaitMs: 200 });
    const result = await worker.finish();
    expect(worker.ranInWorker).toBe(false);
    expect(result.flows.inspected()).toEqual([]);
    expect((await result.media).streams).toEqual([]);
  });
});
