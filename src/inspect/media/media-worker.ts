/**
 * The media worker's thread (media-thread.ts): RTP stream statistics for the
 * packets the main thread queues, then the streams sent back once. Anything
 * that fails after the ring is claimed is reported through the ring, where the
 * main thread, blocked waiting for this worker, can see it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingConsumer } from './rtp-ring.js';
import { RtpStreams } from './rtp-streams.js';
import type { MediaWorkerData } from './media-thread.js';

const data = workerData as MediaWorkerData;
const consumer = new RingConsumer(data.memory);
const streams = new RtpStreams(data.maxStreams, new Uint32Array(data.anomalies));
if (consumer.claim()) {
  try {
    consumer.run(streams);
    parentPort?.postMessage(streams.rtpPart());
  } catch (err) {
    consumer.fail(err);
    throw err;
  }
} else {
  parentPort?.postMessage(null); // the main thread gave up waiting and consumes its queue itself
}
