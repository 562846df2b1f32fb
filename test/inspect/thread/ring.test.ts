/**
 * The ring that carries jobs from the main thread to the inspection worker
 * (src/inspect/thread/ring.ts): every RTP job and every packet job arrives
 * once, in the order they were queued, with its fields and bytes intact,
 * across many wraps of both areas (packets up to the largest frame); a
 * consumer that throws stops the producer with its error; one that dies
 * silently stops it once its heartbeat stands still; a worker that never
 * starts makes the producer consume its own jobs. The cross-thread cases run
 * the built module (dist/), as the CLI does.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PacketView } from '../../../src/decode/packet-view.js';
import { newRingMemory, RING_JOBS, RingProducer, type RingMemory, type RingSinks } from '../../../src/inspect/thread/ring.js';
import { REPO_ROOT } from '../../helpers/environment.js';

/** A loaded CI machine may take a while to start a worker; these tests are about what comes after. */
const SLOW_START = { startupWaitMs: 60_000 };

/** A small packet area, so that it wraps often; the largest packet job below takes most of it. */
const PACKET_AREA = 1 << 20;

const RING_MODULE = pathToFileURL(join(REPO_ROOT, 'dist', 'inspect', 'thread', 'ring.js')).href;

/**
 * Job i: mostly RTP jobs, with SSRCs above 2^31, negative int32 timestamps, frame numbers above 2^32
 * (and a step of 2^34 at job 100,000; RTP jobs carry only their low 32 bits) and sub-microsecond
 * times; every 61st a packet job, its payload bytes a function of i, a few of them large, some
 * larger than half of PACKET_AREA. Self-contained: the workers below get its source text.
 */
function job(i: number) {
  const frameOf = (n: number) => 2 ** 32 + n * 3 + (n >= 100_000 ? 2 ** 34 : 0);
  if (i % 61 === 30) return { kind: 'end' as const, flow: i % 7919 }; // a flow ended (FLOW_END)
  if (i % 61 === 7) {
    const p = (i - 7) / 61; // the packet job's number
    const captured = p % 1500 === 750 ? 900_000 : p % 300 === 0 ? 262_000 : (i * 37) % 1600; // a few large, some larger than half the area
    return {
      kind: 'packet' as const,
      flow: i % 7919,
      dir: i & 1,
      proto: i % 3 === 0 ? 6 : 17,
      ts: 1.7e9 + i * 0.020000123,
      frameNo: frameOf(i),
      tcpSeq: (0x9e3779b1 * i) >>> 0,
      tcpFlags: i % 3 === 0 ? (i * 13) & 0xff : 0,
      payloadLen: captured + (i % 5),
      bytes: Array.from({ length: captured }, (_, k) => (i + k * 7) & 0xff),
    };
  }
  return {
    kind: 'rtp' as const,
    flowDir: i % 7919,
    ssrc: (0x9e3779b1 * (i % 1000)) >>> 0,
    seq: i & 0xffff,
    rtpTs: Math.imul(i, 160) | 0,
    b1: i & 0xff,
    len: i % 1400,
    frameNo: frameOf(i),
    ts: 1.7e9 + i * 0.020000123,
  };
}
type Job = ReturnType<typeof job>;

function pushAll(producer: RingProducer, n: number): void {
  const pkt = new PacketView();
  pkt.buf = Buffer.alloc(1_000_000);
  for (let i = 0; i < n; i++) {
    const j = job(i);
    if (j.kind === 'rtp') {
      producer.arrival[0] = j.ts;
      producer.addRtp(j.flowDir, j.ssrc | 0, j.seq, j.rtpTs, j.b1, j.len, j.frameNo);
    } else if (j.kind === 'end') {
      producer.addFlowEnd(j.flow);
    } else {
      pkt.proto = j.proto;
      pkt.ts = j.ts;
      pkt.frameNo = j.frameNo;
      pkt.tcpSeq = j.tcpSeq;
      pkt.tcpFlags = j.tcpFlags;
      pkt.payloadLen = j.payloadLen;
      pkt.payloadOff = 100 + (i % 8); // anywhere in the capture's buffer
      pkt.payloadEnd = pkt.payloadOff + j.bytes.length;
      pkt.buf.set(j.bytes, pkt.payloadOff);
      producer.addPacket(j.flow, j.dir, pkt);
    }
  }
}

/** Records every job it is given, as job() describes them. */
function recordingSinks(): RingSinks & { jobs: Job[] } {
  const jobs: Job[] = [];
  const arrival = new Float64Array(1);
  return {
    jobs,
    rtp: {
      arrival,
      addRtp(flowDir, ssrc, seq, rtpTs, b1, len, frameNo) {
        jobs.push({ kind: 'rtp', flowDir, ssrc: ssrc >>> 0, seq, rtpTs, b1, len, frameNo, ts: arrival[0] });
      },
    },
    packets: {
      packet(flow, dir, pkt) {
        const bytes = [...pkt.buf.subarray(pkt.payloadOff, pkt.payloadEnd)];
        jobs.push({ kind: 'packet', flow, dir, proto: pkt.proto, ts: pkt.ts, frameNo: pkt.frameNo, tcpSeq: pkt.tcpSeq, tcpFlags: pkt.tcpFlags, payloadLen: pkt.payloadLen, bytes });
      },
      flowEnded(flow) {
        jobs.push({ kind: 'end', flow });
      },
    },
  };
}

/**
 * A worker that claims the ring and checks every job against job(i), in order. `throwAt`: the job
 * whose sink call throws (reported through the ring, as inspection-worker.ts does); `exitAt`: the
 * job at which the thread ends without a word.
 */
function checkingWorker(memory: RingMemory, throwAt = -1, exitAt = -1): { done: Promise<{ seen: number; wrong: number }> } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.module).then(({ RingConsumer }) => {
      const job = ${job.toString()};
      const consumer = new RingConsumer(workerData.memory);
      if (!consumer.claim()) throw new Error('not claimed');
      let seen = 0, wrong = 0;
      const next = () => {
        if (seen === workerData.throwAt) throw new Error('sink failed on purpose');
        if (seen === workerData.exitAt) process.exit(0);
        return job(seen++);
      };
      const arrival = new Float64Array(1);
      const sinks = {
        rtp: { arrival, addRtp(flowDir, ssrc, seq, rtpTs, b1, len, frameNo) {
          const j = next();
          if (j.kind !== 'rtp' || flowDir !== j.flowDir || (ssrc >>> 0) !== j.ssrc || seq !== j.seq || rtpTs !== j.rtpTs || b1 !== j.b1 || len !== j.len || frameNo !== j.frameNo || arrival[0] !== j.ts) wrong++;
        } },
        packets: { packet(flow, dir, pkt) {
          const j = next();
          let same = j.kind === 'packet' && flow === j.flow && dir === j.dir && pkt.proto === j.proto && pkt.ts === j.ts && pkt.frameNo === j.frameNo
            && pkt.tcpSeq === j.tcpSeq && pkt.tcpFlags === j.tcpFlags && pkt.payloadLen === j.payloadLen && pkt.payloadEnd - pkt.payloadOff === j.bytes.length;
          for (let k = 0; same && k < j.bytes.length; k++) same = pkt.buf[pkt.payloadOff + k] === j.bytes[k];
          if (!same) wrong++;
        }, flowEnded(flow) {
          const j = next();
          if (j.kind !== 'end' || flow !== j.flow) wrong++;
        } },
      };
      try {
        consumer.run(sinks);
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

/** Enough jobs to wrap the RTP area `rtpWraps` times; the packet area wraps more often. */
function jobsFor(rtpWraps: number): number {
  return Math.ceil(RING_JOBS * rtpWraps * (61 / 59)) + 7;
}

describe('RingProducer without a worker', () => {
  it('consumes its own jobs, in order and intact, once no worker claimed the ring', () => {
    const sinks = recordingSinks();
    const producer = new RingProducer(newRingMemory(PACKET_AREA), () => sinks, { startupWaitMs: 20 });
    const n = jobsFor(2); // fills the ring (the producer then gives up waiting), then wraps
    pushAll(producer, n);
    producer.finish();
    expect(producer.consumingInline).toBe(true);
    expect(sinks.jobs.length).toBe(n);
    const packets = sinks.jobs.filter((j) => j.kind === 'packet');
    expect(packets.reduce((bytes, j) => bytes + j.bytes.length, 0)).toBeGreaterThan(PACKET_AREA * 8); // the packet area wrapped too
    for (let i = 0; i < n; i += i % 61 === 7 ? 1 : 997) expect(sinks.jobs[i], `job ${i}`).toEqual(job(i));
    expect(sinks.jobs.every((j, i) => j.kind === job(i).kind && j.frameNo === job(i).frameNo)).toBe(true);
  });
});

describe('RingProducer with a worker', () => {
  it('delivers every job once, in queue order, with its fields and bytes intact, across many wraps', async () => {
    const memory = newRingMemory(PACKET_AREA);
    const { done } = checkingWorker(memory);
    const producer = new RingProducer(memory, () => recordingSinks(), SLOW_START);
    const n = jobsFor(5);
    pushAll(producer, n);
    producer.drain(); // what analyze() does at the end of each input
    producer.finish();
    expect(producer.consumingInline).toBe(false);
    expect(await done).toEqual({ seen: n, wrong: 0 });
  });

  it('stops the producer with an error when the worker fails', async () => {
    const memory = newRingMemory(PACKET_AREA);
    const { done } = checkingWorker(memory, 1000);
    const producer = new RingProducer(memory, () => recordingSinks(), SLOW_START);
    expect(() => {
      pushAll(producer, RING_JOBS * 3);
      producer.finish();
    }).toThrow(/the inspection worker failed: Error: sink failed on purpose/);
    await expect(done).rejects.toThrow(/sink failed on purpose/);
  });

  it('stops the producer when the worker dies without a word', async () => {
    const memory = newRingMemory(PACKET_AREA);
    const { done } = checkingWorker(memory, -1, 1000);
    const producer = new RingProducer(memory, () => recordingSinks(), { ...SLOW_START, livenessMs: 500 });
    expect(() => {
      pushAll(producer, RING_JOBS * 3);
      producer.finish();
    }).toThrow(/the inspection worker stopped without an error: no sign of life for 0.5 s/);
    await expect(done).rejects.toThrow(/worker exited \(code 0\) without a result/);
  });
});
