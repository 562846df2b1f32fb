/**
 * Where the run's RTP statistics are computed: in the main thread
 * (inlineMedia), or in a worker thread (WorkerMedia) on large inputs.
 *
 * Why a worker: in a media capture nearly every packet is RTP, and its stream
 * update (key lookup, sequence, jitter, series) is most of what payload
 * inspection costs per packet. The main thread still classifies each payload
 * (so the inspector learns at once whether it was media, as before) and keeps
 * RTCP, which is rare; it queues each RTP packet's header fields in a shared
 * ring (rtp-ring.ts) for the worker, on the other core. The worker consumes
 * the jobs in the order they were queued into the same RtpStreams code, so the
 * result is the same as in one thread; a test compares the two on every sample.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MediaSink } from '../inspector.js';
import type { MediaReport } from './media-report.js';
import { newRingMemory, RingProducer, type RingMemory, type RingOptions } from './rtp-ring.js';
import { DEFAULT_MAX_STREAMS, MEDIA_ANOMALIES, routePayload, RtpStreams, type RtpPart } from './rtp-streams.js';

/** The media module of a run, whichever thread computes it. */
export interface MediaModule {
  /** What the inspector feeds payloads to. */
  readonly sink: MediaSink;
  /** Counts per MEDIA_ANOMALIES entry so far, every packet fed until now included. */
  anomalyCounts(): Uint32Array;
  /** The `media` section, after the last packet. */
  finish(): Promise<MediaReport>;
  /** Stops the worker, if any, when a run ends early. */
  close(): Promise<void>;
}

/** What the worker is started with. */
export interface MediaWorkerData {
  memory: RingMemory;
  maxStreams: number;
  /** The worker's MEDIA_ANOMALIES counts, read by the main thread after a drain. */
  anomalies: SharedArrayBuffer;
}

const WORKER_URL = new URL('./media-worker.js', import.meta.url);

/** True when the worker's compiled module exists (not when running from TypeScript sources). */
export function mediaWorkerAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

function inlineMedia(maxStreams = DEFAULT_MAX_STREAMS): MediaModule {
  const streams = new RtpStreams(maxStreams);
  return {
    sink: streams,
    anomalyCounts: () => streams.anomalies,
    finish: async () => streams.report(),
    close: async () => {},
  };
}

export interface WorkerMediaOptions extends RingOptions {
  maxStreams?: number;
  /** The worker's module (tests give one that fails). */
  workerUrl?: URL;
}

/** The main thread's side of the media worker. */
export class WorkerMedia implements MediaModule, MediaSink {
  readonly sink: MediaSink = this;
  readonly arrival: Float64Array;
  /** RTCP here; RTP too if the worker never starts (the ring then consumes into it). */
  private readonly local: RtpStreams;
  private readonly ring: RingProducer;
  private readonly workerAnomalies: Uint32Array;
  private readonly counts = new Uint32Array(MEDIA_ANOMALIES.length);
  private readonly worker: Worker;
  private readonly result: Promise<RtpPart | null>;
  private workerDidIt = false;

  constructor(options: WorkerMediaOptions = {}) {
    const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.local = new RtpStreams(maxStreams);
    const memory = newRingMemory();
    this.ring = new RingProducer(memory, this.local, options);
    this.arrival = this.ring.arrival;
    const anomalies = new SharedArrayBuffer(MEDIA_ANOMALIES.length * 4);
    this.workerAnomalies = new Uint32Array(anomalies);
    const data: MediaWorkerData = { memory, maxStreams, anomalies };
    this.worker = new Worker(options.workerUrl ?? WORKER_URL, { workerData: data });
    this.result = new Promise<RtpPart | null>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the media worker exited (code ${code}) before it sent its streams`)));
    });
    this.result.catch(() => {}); // read by finish(); an early failure must not be an unhandled rejection
  }

  /** True when the streams of the finished run came from the worker (false: it never started, and this thread did the work). */
  get ranInWorker(): boolean {
    return this.workerDidIt;
  }

  /** MediaSink: classified here; RTCP kept here, RTP queued for the worker. */
  feed(flow: number, dir: number, frameNo: number, buf: Buffer, off: number, end: number): boolean {
    return routePayload(this.local, this.ring, flow * 2 + dir, frameNo, buf, off, end);
  }

  anomalyCounts(): Uint32Array {
    this.ring.drain();
    const local = this.local.anomalies;
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = local[i] + this.workerAnomalies[i];
    return this.counts;
  }

  async finish(): Promise<MediaReport> {
    this.ring.finish();
    if (!this.ring.consumingInline) {
      try {
        const rtp = await this.result;
        if (rtp !== null) {
          this.workerDidIt = true;
          return this.local.report(rtp);
        }
      } catch (err) {
        // A worker that never claimed the ring (it could not start): nothing is queued, this thread has it all.
        if (!this.ring.takeOver()) throw err;
      }
    }
    void this.worker.terminate();
    return this.local.report();
  }

  async close(): Promise<void> {
    this.ring.abort();
    await this.worker.terminate();
  }
}

/** The media module for a run: a worker when asked (analyze.ts checks that its module is built), else this thread. */
export function startMedia(useWorker: boolean, maxStreams = DEFAULT_MAX_STREAMS): MediaModule {
  return useWorker ? new WorkerMedia({ maxStreams }) : inlineMedia(maxStreams);
}
