/**
 * The ring that carries RTP header fields from the main thread to the media
 * worker (src/inspect/media/rtp-ring.ts): every job arrives once, in order,
 * with its fields intact, across many wraps of the ring; a consumer that
 * throws stops the producer with an error; a worker that never starts makes
 * the producer consume its own jobs. The cross-thread cases run the built
 * module (dist/), as the CLI does.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { newRingMemory, RING_JOBS, RingProducer, type RingMemory, type RtpJobSink } from '../../../src/inspect/media/rtp-ring.js';
import { REPO_ROOT } from '../../helpers/environment.js';

const RING_MODULE = pathToFileURL(join(REPO_ROOT, 'dist', 'inspect', 'media', 'rtp-ring.js')).href;

/** The fields of job i: SSRCs above 2^31, negative int32 timestamps, frame numbers above 2^32, sub-microsecond times. */
function job(i: number) {
  return {
    flowDir: i % 7919,
    ssrc: (0x9e3779b1 * (i % 1000)) >>> 0,
    seq: i & 0xffff,
    rtpTs: Math.imul(i, 160) | 0,
    b1: i & 0xff,
    len: i % 1400,
    frameNo: 2 ** 32 + i * 3,
    ts: 1.7e9 + i * 0.020000123,
  };
}

function pushAll(producer: RingProducer, n: number): void {
  for (let i = 0; i < n; i++) {
    const j = job(i);
    producer.arrival[0] = j.ts;
    producer.push(j.flowDir, j.ssrc | 0, j.seq, j.rtpTs, j.b1, j.len, j.frameNo);
  }
}

class RecordingSink implements RtpJobSink {
  readonly arrival = new Float64Array(1);
  readonly jobs: ReturnType<typeof job>[] = [];
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void {
    this.jobs.push({ flowDir, ssrc, seq, rtpTs, b1, len, frameNo, ts: this.arrival[0] });
  }
}

/** A worker that claims the ring and checks every job against job(i); `throwAt`: the job whose sink call throws. */
function checkingWorker(memory: RingMemory, throwAt = -1): { done: Promise<{ seen: number; wrong: number }> } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.module).then(({ RingConsumer }) => {
      const job = ${job.toString()};
      const consumer = new RingConsumer(workerData.memory);
      if (!consumer.claim()) throw new Error('not claimed');
      let seen = 0, wrong = 0;
      const sink = { arrival: new Float64Array(1), addRtp(flowDir, ssrc, seq, rtpTs, b1, len, frameNo) {
        if (seen === workerData.throwAt) throw new Error('sink failed on purpose');
        const j = job(seen++);
        if (flowDir !== j.flowDir || ssrc !== j.ssrc || seq !== j.seq || rtpTs !== j.rtpTs || b1 !== j.b1 || len !== j.len || frameNo !== j.frameNo || this.arrival[0] !== j.ts) wrong++;
      } };
      consumer.run(sink);
      parentPort.postMessage({ seen, wrong });
    });`;
  const worker = new Worker(code, { eval: true, workerData: { memory, module: RING_MODULE, throwAt } });
  const done = new Promise<{ seen: number; wrong: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  done.catch(() => {});
  return { done };
}

describe('RingProducer without a worker', () => {
  it('consumes its own jobs, in order and intact, once no worker claimed the ring', () => {
    const sink = new RecordingSink();
    const producer = new RingProducer(newRingMemory(), sink, 20);
    const n = RING_JOBS * 2 + 123; // fills the ring (the producer then gives up waiting), then wraps
    pushAll(producer, n);
    producer.finish();
    expect(producer.consumingInline).toBe(true);
    expect(sink.jobs.length).toBe(n);
    for (const i of [0, 1, RING_JOBS - 1, RING_JOBS, n - 1]) expect(sink.jobs[i], `job ${i}`).toEqual(job(i));
    expect(sink.jobs.every((j, i) => j.seq === (i & 0xffff) && j.frameNo === 2 ** 32 + i * 3)).toBe(true);
  });
});

describe('RingProducer with a worker', () => {
  it('delivers every job once, in order, with its fields intact, across many wraps', async () => {
    const memory = newRingMemory();
    const { done } = checkingWorker(memory);
    const producer = new RingProducer(memory, new RecordingSink());
    const n = RING_JOBS * 9 + 7;
    pushAll(producer, n);
    producer.drain(); // what analyze() does at the end of each input
    pushAll(producer, 0);
    producer.finish();
    expect(producer.consumingInline).toBe(false);
    expect(await done).toEqual({ seen: n, wrong: 0 });
  });

  it('stops the producer with an error when the worker fails', async () => {
    const memory = newRingMemory();
    const { done } = checkingWorker(memory, 1000);
    const producer = new RingProducer(memory, new RecordingSink());
    expect(() => {
      pushAll(producer, RING_JOBS * 3);
      producer.finish();
    }).toThrow(/the media worker failed: Error: sink failed on purpose/);
    await expect(done).rejects.toThrow(/sink failed on purpose/);
  });
});
