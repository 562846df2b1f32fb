/**
 * The ring that carries RTP header fields from the main thread to the media
 * worker (src/inspect/media/rtp-ring.ts): every job arrives once, in order,
 * with its fields intact, across many wraps of the ring; a consumer that
 * throws stops the producer with its error; one that dies silently stops it
 * once its heartbeat stands still; a worker that never starts makes the
 * producer consume its own jobs. The cross-thread cases run the built module
 * (dist/), as the CLI does.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { newRingMemory, RING_JOBS, RingProducer, type RingMemory, type RtpJobSink } from '../../../src/inspect/media/rtp-ring.js';
import { REPO_ROOT } from '../../helpers/environment.js';

/** A loaded CI machine may take a while to start a worker; these tests are about what comes after. */
const SLOW_START = { startupWaitMs: 60_000 };

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
    producer.addRtp(j.flowDir, j.ssrc | 0, j.seq, j.rtpTs, j.b1, j.len, j.frameNo);
  }
}

class RecordingSink implements RtpJobSink {
  readonly arrival = new Float64Array(1);
  readonly jobs: ReturnType<typeof job>[] = [];
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void {
    this.jobs.push({ flowDir, ssrc: ssrc >>> 0, seq, rtpTs, b1, len, frameNo, ts: this.arrival[0] });
  }
}

/**
 * A worker that claims the ring and checks every job against job(i). `throwAt`: the job whose sink
 * call throws (reported through the ring, as media-worker.ts does); `exitAt`: the job at which the
 * thread ends without a word.
 */
function checkingWorker(memory: RingMemory, throwAt = -1, exitAt = -1): { done: Promise<{ seen: number; wrong: number }> } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.module).then(({ RingConsumer }) => {
      const job = ${job.toString()};
      const consumer = new RingConsumer(workerData.memory);
      if (!consumer.claim()) throw new Error('not claimed');
      let seen = 0, wrong = 0;
      const sink = { arrival: new Float64Array(1), addRtp(flowDir, ssrc, seq, rtpTs, b1, len, frameNo) {
        if (seen === workerData.throwAt) throw new Error('sink failed on purpose');
        if (seen === workerData.exitAt) process.exit(0);
        const j = job(seen++);
        if (flowDir !== j.flowDir || (ssrc >>> 0) !== j.ssrc || seq !== j.seq || rtpTs !== j.rtpTs || b1 !== j.b1 || len !== j.len || frameNo !== j.frameNo || this.arrival[0] !== j.ts) wrong++;
      } };
      try {
        consumer.run(sink);
      } catch (err) {
        consumer.fail(err);
        throw err;
      }
      parentPort.postMessage({ seen, wrong });
    });`;
  const worker = new Worker(code, { eval: true, workerData: { memory, module: RING_MODULE, throwAt, exitAt } });
  const done = new Promise<{ seen: number; wrong: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (code ${code}) without a result`)));
  });
  done.catch(() => {});
  return { done };
}

describe('RingProducer without a worker', () => {
  it('consumes its own jobs, in order and intact, once no worker claimed the ring', () => {
    const sink = new RecordingSink();
    const producer = new RingProducer(newRingMemory(), sink, { startupWaitMs: 20 });
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
    const producer = new RingProducer(memory, new RecordingSink(), SLOW_START);
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
    const producer = new RingProducer(memory, new RecordingSink(), SLOW_START);
    expect(() => {
      pushAll(producer, RING_JOBS * 3);
      producer.finish();
    }).toThrow(/the media worker failed: Error: sink failed on purpose/);
    await expect(done).rejects.toThrow(/sink failed on purpose/);
  });

  it('stops the producer when the worker dies without a word', async () => {
    const memory = newRingMemory();
    const { done } = checkingWorker(memory, -1, 1000);
    const producer = new RingProducer(memory, new RecordingSink(), { ...SLOW_START, livenessMs: 500 });
    expect(() => {
      pushAll(producer, RING_JOBS * 3);
      producer.finish();
    }).toThrow(/the media worker stopped without an error: no sign of life for 0.5 s/);
    await expect(done).rejects.toThrow(/worker exited \(code 0\) without a result/);
  });
});
