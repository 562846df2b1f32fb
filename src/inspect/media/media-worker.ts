/**
 * The media worker's thread (media-thread.ts): RTP stream statistics for the
 * packets the main thread queues, then the streams sent back once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingConsumer } from './rtp-ring.js';
import { RtpStreams } from './rtp-streams.js';
import type { MediaWorkerData } from './media-thread.js';

const data = workerData as MediaWorkerData;
const consumer = new RingConsumer(data.memory);
if (consumer.claim()) {
  const streams = new RtpStreams(data.maxStreams, new Uint32Array(data.anomalies));
  consumer.run(streams);
  parentPort?.postMessage(streams.rtpPart());
} else {
  parentPort?.postMessage(null); // the main thread gave up waiting and consumes its queue itself
}
