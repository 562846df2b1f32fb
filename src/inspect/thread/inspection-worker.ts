/**
 * The inspection worker's thread (worker-inspection.ts): the run's payload
 * inspection for the packets the main thread queues, then the flows' state
 * and the media section sent back, in that order. Anything that fails after the ring is
 * claimed is reported through the ring, where the main thread, blocked
 * waiting for this worker, can see it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingConsumer } from './ring.js';
import { coreOn, type InspectionWorkerData, type WorkerMessage } from './worker-inspection.js';

const data = workerData as InspectionWorkerData;
const consumer = new RingConsumer(data.ring);
const core = coreOn(data.shared, data.maxStreams);
if (consumer.claim()) {
  try {
    consumer.run(core.sinks);
    const states = core.inspector.inspected();
    for (const st of states) st.tcp = null; // reassembly state: the report does not read it, and cloning its buffers costs
    const flows: WorkerMessage = { flows: states };
    parentPort?.postMessage(flows);
    const media: WorkerMessage = { media: core.streams.report() };
    parentPort?.postMessage(media);
  } catch (err) {
    consumer.fail(err);
    throw err;
  }
} else {
  parentPort?.postMessage(null); // the main thread gave up waiting and inspects its queue itself
}
