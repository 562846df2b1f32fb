/**
 * Payload inspection in a worker thread, on the other core, for large inputs.
 *
 * Why: inspection costs the per-packet loop most where it is rare and cold
 * (the first packets of every flow: STUN, TLS and SIP hellos, framing; about
 * 10 us each, 4,500 flows in the bench capture) and where it is constant (a
 * media capture's RTP, nearly every packet). The worker runs the whole
 * inspector (InspectionCore); the main thread keeps only what decides where a
 * packet goes:
 * - a flow the worker has skipped (FlowMode.Skip, read from shared memory):
 *   nothing;
 * - RTP on UDP: the main thread classifies it and queues its header fields
 *   (32 bytes), marked when the worker had not made the flow active yet (it
 *   then does: InspectionCore.addRtp). Before the worker has started, no flow
 *   is active, and most packets are RTP: the RTP area holds about 60 ms of
 *   them;
 * - anything else: the packet is queued whole, for the inspector to see as
 *   it would in one thread. The worker decides a few milliseconds behind the
 *   main thread, and a TCP flow's data would be copied meanwhile for nothing:
 *   the main thread counts the unframed payloads of an undecided TCP flow,
 *   and stops queuing them after TCP_UNFRAMED_PACKETS, when the worker is
 *   bound to skip the flow. A payload that starts a SIP message is not one
 *   of them: the worker keeps a SIP flow active, to count its messages.
 * The ring (ring.ts) keeps the queue's order, so the worker sees the packets
 * in capture order, as InlineInspection does; the report is the same byte for
 * byte, which tests check on every sample and shared capture.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ANOMALY_COUNT, type AnomalyCounters } from '../../anomalies.js';
import { IpProto, TcpFlag, type PacketView } from '../../decode/packet-view.js';
import { restoreFlowInspection, type FlowInspection } from '../flow-state.js';
import { AnomalyMover, InlineInspection, InspectionCore, type InspectedFlows, type InspectionResult, type PacketInspection } from '../inspection.js';
import { FlowMode, RTP_FIRST, RTP_LAST, TCP_UNFRAMED_PACKETS, unframedTcpPayload } from '../inspector.js';
import type { MediaReport } from '../media/media-report.js';
import { NOT_RTP, rtpHeaderBytes } from '../media/rtp-header.js';
import { StunMessage } from '../stun.js';
import { DEFAULT_MAX_STREAMS, MEDIA_ANOMALIES } from '../media/rtp-streams.js';
import { newRingMemory, RingProducer, type RingMemory, type RingOptions } from './ring.js';

/**
 * Flows whose mode the main thread can read: 16 MiB of address space, touched only as far as flows
 * go (the flow table needs about 200 bytes per flow, so 3 GB at this many). Past it the worker's
 * inspector moves its modes to memory of its own: the main thread then sees none of the decisions
 * made afterwards and queues every packet of an undecided-looking flow whole (the same report,
 * slower).
 */
const SHARED_MODE_FLOWS = 1 << 24;
/**
 * Flows whose SIP or HTTP message positions the main thread can read (16 MiB of address space, touched
 * only as far as flows go): it does not copy a segment that lies wholly in a body the worker is
 * skipping (a download on a reverse proxy's 8080 took 2.3 times the flows-only loop when every
 * segment was copied). Past it, every segment of such a flow is copied (the same report, slower).
 */
const TEXT_POSITION_FLOWS = 1 << 20;

// onPacket runs for every packet, so it reads module-local copies of what it imports: V8 reads an
// imported binding through a cell, with a hole check, at every use (see media/rtp-header.ts).
const SKIP = FlowMode.Skip;
const ACTIVE = FlowMode.Active;
const UNDECIDED = FlowMode.Undecided;
const TCP = IpProto.TCP;
const SYN = TcpFlag.SYN;
const UDP = IpProto.UDP;
const FIRST_RTP_BYTE = RTP_FIRST;
const LAST_RTP_BYTE = RTP_LAST;
const IS_NOT_RTP = NOT_RTP;
const headerBytes = rtpHeaderBytes;

// Per flow, what the main thread knows of an undecided TCP flow's fate: unframed payloads queued (0 to
// TCP_UNFRAMED_PACKETS - 1), or one of these.
const TCP_SKIPPED = 254;
const TCP_FRAMED = 255;

/** Memory the worker's InspectionCore counts in and the main thread reads. */
export interface SharedInspectionMemory {
  mode: SharedArrayBuffer;
  /** Inspector.textPositions, for the first TEXT_POSITION_FLOWS flows. */
  textPositions: SharedArrayBuffer;
  anomalies: SharedArrayBuffer;
  mediaAnomalies: SharedArrayBuffer;
}

/** What the worker is started with. */
export interface InspectionWorkerData {
  ring: RingMemory;
  shared: SharedInspectionMemory;
  maxStreams: number;
}

/**
 * What the worker sends back after the last packet, in two messages: the flows' state, then the
 * media section (the main thread reads the first while the worker builds the second). Null: it
 * never claimed the ring.
 */
export type WorkerMessage = { flows: FlowInspection[] } | { media: MediaReport } | null;

/** An InspectionCore counting in `shared` (in the worker, or in the main thread when the worker never starts). */
export function coreOn(shared: SharedInspectionMemory, maxStreams: number): InspectionCore {
  return new InspectionCore(maxStreams, {
    mode: new Uint8Array(shared.mode),
    textPositions: new Float64Array(shared.textPositions),
    anomalies: new Float64Array(shared.anomalies),
    mediaAnomalies: new Uint32Array(shared.mediaAnomalies),
  });
}

const WORKER_URL = new URL('./inspection-worker.js', import.meta.url);

/** True when the worker's compiled module exists (not when running from TypeScript sources). */
export function inspectionWorkerAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

export interface WorkerInspectionOptions extends RingOptions {
  maxStreams?: number;
  /** The worker's module (tests give one that fails). */
  workerUrl?: URL;
}

/** Flow states received from the worker, by flow index. */
class ReceivedFlows implements InspectedFlows {
  private readonly byFlow = new Map<number, FlowInspection>();

  constructor(private readonly list: FlowInspection[]) {
    for (const st of list) this.byFlow.set(st.flow, restoreFlowInspection(st));
  }

  inspected(): FlowInspection[] {
    return this.list;
  }

  state(flow: number): FlowInspection | undefined {
    return this.byFlow.get(flow);
  }
}

/** The main thread's side of the inspection worker. */
export class WorkerInspection implements PacketInspection {
  private readonly mode: Uint8Array;
  private readonly textPositions: Float64Array;
  private readonly tcpUndecided = new Uint8Array(SHARED_MODE_FLOWS);
  private readonly scratch = new StunMessage();
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewBuf: Buffer | null = null;
  private readonly anomalies: Float64Array;
  private readonly mediaAnomalies: Uint32Array;
  private readonly mover = new AnomalyMover();
  private readonly ring: RingProducer;
  private readonly worker: Worker;
  private readonly flowsSent: Promise<FlowInspection[] | null>;
  private readonly mediaSent: Promise<MediaReport>;
  /** The core this thread runs if the worker never starts. */
  private local: InspectionCore | null = null;
  private workerDidIt = false;
  private finishing = false;

  constructor(options: WorkerInspectionOptions = {}) {
    const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    const shared: SharedInspectionMemory = {
      mode: new SharedArrayBuffer(SHARED_MODE_FLOWS),
      textPositions: new SharedArrayBuffer(TEXT_POSITION_FLOWS * 2 * 8),
      anomalies: new SharedArrayBuffer(ANOMALY_COUNT * 8),
      mediaAnomalies: new SharedArrayBuffer(MEDIA_ANOMALIES.length * 4),
    };
    this.mode = new Uint8Array(shared.mode);
    this.textPositions = new Float64Array(shared.textPositions);
    this.anomalies = new Float64Array(shared.anomalies);
    this.mediaAnomalies = new Uint32Array(shared.mediaAnomalies);
    const ring = newRingMemory();
    this.ring = new RingProducer(ring, () => (this.local = coreOn(shared, maxStreams)).sinks, options);
    const data: InspectionWorkerData = { ring, shared, maxStreams };
    this.worker = new Worker(options.workerUrl ?? WORKER_URL, { workerData: data });
    let flowsSent!: (flows: FlowInspection[] | null) => void;
    let mediaSent!: (media: MediaReport) => void;
    const flows = new Promise<FlowInspection[] | null>((resolve) => (flowsSent = resolve));
    const media = new Promise<MediaReport>((resolve) => (mediaSent = resolve));
    const failed = new Promise<never>((_resolve, reject) => {
      this.worker.on('message', (message: WorkerMessage) => {
        if (message === null) flowsSent(null);
        else if ('flows' in message) flowsSent(message.flows);
        else mediaSent(message.media);
      });
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the inspection worker exited (code ${code}) before it sent its result`)));
    });
    // Whichever comes first; a failure after both were sent changes nothing.
    this.flowsSent = Promise.race([flows, failed]);
    this.mediaSent = Promise.race([media, failed]);
    this.flowsSent.catch(() => {}); // read by finish(); an early failure must not be an unhandled rejection
    this.mediaSent.catch(() => {});
  }

  /** True when the finished run's inspection came from the worker (false: it never started, and this thread did the work). */
  get ranInWorker(): boolean {
    return this.workerDidIt;
  }

  onPacket(flow: number, dir: number, pkt: PacketView): void {
    const mode = flow < SHARED_MODE_FLOWS ? this.mode[flow] : UNDECIDED;
    if (mode === SKIP) return; // the inspector would return at once
    if (pkt.proto === TCP) {
      if (mode === UNDECIDED && flow < SHARED_MODE_FLOWS && this.skippedTcp(flow, pkt)) return;
      if (mode === ACTIVE && flow < TEXT_POSITION_FLOWS && this.inBody(flow, dir, pkt)) return;
    } else if (pkt.proto === UDP) {
      // What the inspector does with RTP-range payloads (activeMedia, udp()), up to the RTP module's classification.
      const buf = pkt.buf;
      const off = pkt.payloadOff;
      const b0 = buf[off];
      if (b0 >= FIRST_RTP_BYTE && b0 <= LAST_RTP_BYTE) {
        const end = pkt.payloadEnd;
        const header = headerBytes(buf, off, end);
        if (header >= 0) {
          // RtpStreams.feed's fields, big-endian words read at once.
          const view = this.viewOf(buf);
          const ring = this.ring;
          ring.arrival[0] = pkt.ts;
          const flowDir = flow * 2 + dir;
          ring.addRtp(mode === ACTIVE ? flowDir : ~flowDir, view.getInt32(off + 8), view.getUint16(off + 2), view.getInt32(off + 4), buf[off + 1], end - off - header, pkt.frameNo);
          return;
        }
        if (header === IS_NOT_RTP && mode === ACTIVE) return; // taken by activeMedia, used by nothing
        // RTCP goes whole, to the worker's RTP module; so does what an undecided flow's inspector must count.
      }
    }
    this.ring.addPacket(flow, dir, pkt);
  }

  flowEnded(flow: number): void {
    if (!this.finishing) this.ring.addFlowEnd(flow);
  }

  /** A view of the capture buffer `buf` (one per chunk the reader hands out). */
  private viewOf(buf: Buffer): DataView<ArrayBufferLike> {
    if (buf !== this.viewBuf) {
      this.viewBuf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }

  /**
   * True when this TCP segment of a SIP or HTTP flow ends at or before where the worker last said the
   * direction's next message starts: body bytes or bytes read already, which the inspector would only
   * note as seen (apps/message-stream.ts). The worker is behind, so its position is at most the
   * inspector's at this packet: nothing is skipped that it would read.
   */
  private inBody(flow: number, dir: number, pkt: PacketView): boolean {
    const next = this.textPositions[flow * 2 + dir];
    if (next === 0) return false;
    const seq = (pkt.tcpFlags & SYN) !== 0 ? pkt.tcpSeq + 1 : pkt.tcpSeq; // data on a SYN starts after it
    return ((next - 1 - (seq + pkt.payloadLen)) | 0) >= 0;
  }

  /** True when the worker is bound to skip this TCP payload's flow (see the top of this file). */
  private skippedTcp(flow: number, pkt: PacketView): boolean {
    const n = this.tcpUndecided[flow];
    if (n === TCP_SKIPPED) return true;
    if (n !== TCP_FRAMED) {
      if (!unframedTcpPayload(pkt.buf, pkt.payloadOff, pkt.payloadEnd, this.scratch)) this.tcpUndecided[flow] = TCP_FRAMED;
      else this.tcpUndecided[flow] = n + 1 >= TCP_UNFRAMED_PACKETS ? TCP_SKIPPED : n + 1;
    }
    return false; // this one the worker must see
  }

  settleAnomalies(into: AnomalyCounters): void {
    this.ring.drain();
    this.mover.move(this.anomalies, this.mediaAnomalies, into);
  }

  async finish(): Promise<InspectionResult> {
    this.finishing = true;
    try {
      this.ring.finish();
      if (!this.ring.consumingInline) {
        try {
          const flows = await this.flowsSent;
          if (flows !== null) {
            this.workerDidIt = true;
            const media = this.mediaSent.finally(() => void this.worker.terminate());
            media.catch(() => {}); // awaited by the caller, after the flows
            return { flows: new ReceivedFlows(flows), media };
          }
        } catch (err) {
          // A worker that never claimed the ring (it could not start): nothing is queued, this thread has it all.
          if (this.ring.takeOver() === null) throw err;
        }
      }
    } catch (err) {
      void this.worker.terminate(); // a worker that failed or hangs must not keep the process alive
      throw err;
    }
    void this.worker.terminate();
    return this.local!.result();
  }

  async close(): Promise<void> {
    this.ring.abort();
    await this.worker.terminate();
  }
}

/** The inspection of a run: in a worker when asked (analyze.ts checks that its module is built), else in this thread. */
export function startInspection(useWorker: boolean, maxStreams = DEFAULT_MAX_STREAMS): PacketInspection {
  return useWorker ? new WorkerInspection({ maxStreams }) : new InlineInspection(maxStreams);
}
