/**
 * Payload inspection for a run, as the pipeline sees it: one call per TCP or
 * UDP packet with payload, anomaly counts moved into each input's counters
 * when it ends, and the per-flow state and media section after the last
 * packet. InlineInspection runs the inspector in this thread;
 * thread/worker-inspection.ts runs the same InspectionCore in a worker, for
 * large inputs.
 */
import { A, ANOMALY_COUNT, newAnomalyCounters, type AnomalyCounters } from '../anomalies.js';
import type { PacketView } from '../decode/packet-view.js';
import { parseDtls, parseHttpRequest, parseHttpResponse, parseSip, parseTlsHello, parseTlsRecords } from './apps/index.js';
import type { FlowInspection } from './flow-state.js';
import { Inspector, type AppParsers } from './inspector.js';
import type { MediaReport } from './media/media-report.js';
import { DEFAULT_MAX_STREAMS, MEDIA_ANOMALIES, MediaAnomaly, RtpStreams } from './media/rtp-streams.js';
import type { PacketJobSink, RingSinks, RtpJobSink } from './thread/ring.js';

/** The application parsers tried on the first payloads of a flow. */
export const APP_PARSERS: AppParsers = {
  tcp: [parseTlsHello, parseSip, parseHttpRequest, parseHttpResponse],
  udp: [parseDtls, parseSip],
  tcpMidSession: [parseTlsRecords],
};

/** The flows inspection kept state for. */
export interface InspectedFlows {
  /** Ascending by flow index. */
  inspected(): FlowInspection[];
  state(flow: number): FlowInspection | undefined;
}

/** What inspection found in a run. */
export interface InspectionResult {
  flows: InspectedFlows;
  /** Later than the flows from a worker, which builds it after sending them. */
  media: Promise<MediaReport>;
}

/** The pipeline's side of payload inspection. */
export interface PacketInspection {
  /** One TCP or UDP packet with payload, attributed to `flow` in direction `dir` (0 = from the client). */
  onPacket(flow: number, dir: number, pkt: PacketView): void;
  /** The flow table ended `flow` while the capture was read (later calls, after finish(), are ignored). */
  flowEnded(flow: number): void;
  /** Adds the anomalies counted since the last call, every packet given until now included, to `into`. */
  settleAnomalies(into: AnomalyCounters): void;
  /** After the last packet. */
  finish(): Promise<InspectionResult>;
  /** Stops a worker, if any, when a run ends early. */
  close(): Promise<void>;
}

/** Where an InspectionCore counts, when another thread reads it (shared memory); else its own arrays. */
export interface CoreMemory {
  mode?: Uint8Array;
  /** Where the inspector says where each SIP or HTTP flow's next message starts (Inspector.textPositions). */
  textPositions?: Float64Array;
  anomalies?: AnomalyCounters;
  mediaAnomalies?: Uint32Array;
}

/** The inspector and the RTP module of a run, fed packet by packet, or by a ring's jobs. */
export class InspectionCore implements PacketJobSink, RtpJobSink {
  readonly streams: RtpStreams;
  readonly inspector: Inspector;
  readonly arrival: Float64Array;
  /** For a ring consumer: RTP jobs to addRtp(), packet jobs to packet(). */
  readonly sinks: RingSinks = { rtp: this, packets: this };

  constructor(maxStreams = DEFAULT_MAX_STREAMS, memory: CoreMemory = {}) {
    this.streams = new RtpStreams(maxStreams, memory.mediaAnomalies);
    this.arrival = this.streams.arrival;
    this.inspector = new Inspector(this.streams, APP_PARSERS, memory.mode, memory.textPositions);
    this.inspector.anomalies = memory.anomalies ?? newAnomalyCounters();
  }

  packet(flow: number, dir: number, pkt: PacketView): void {
    if (!this.inspector.activeMedia(flow, dir, pkt)) this.inspector.onPacket(flow, dir, pkt);
  }

  flowEnded(flow: number): void {
    this.inspector.flowEnded(flow);
  }

  /**
   * An RTP job. A negative `flowDir` (its complement) comes from a flow the queuing thread did not
   * know to be active: the inspector learns of the RTP first (Inspector.rtpSeen).
   */
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void {
    if (flowDir < 0) {
      flowDir = ~flowDir;
      if (!this.inspector.rtpSeen(flowDir >> 1)) return;
    }
    this.streams.addRtp(flowDir, ssrc, seq, rtpTs, b1, len, frameNo);
  }

  result(): InspectionResult {
    return { flows: this.inspector, media: Promise.resolve(this.streams.report()) };
  }
}

/** Moves what a core counted into an input's counters, remembering what was moved. */
export class AnomalyMover {
  private readonly moved = new Float64Array(ANOMALY_COUNT);
  private readonly movedMedia = new Uint32Array(MEDIA_ANOMALIES.length);

  move(anomalies: AnomalyCounters, mediaAnomalies: Uint32Array, into: AnomalyCounters): void {
    for (let i = 0; i < ANOMALY_COUNT; i++) {
      into[i] += anomalies[i] - this.moved[i];
      this.moved[i] = anomalies[i];
    }
    const ids = [A.RtpStreamTableFull, A.RtcpTableFull];
    for (const m of [MediaAnomaly.StreamTableFull, MediaAnomaly.RtcpTableFull]) {
      into[ids[m]] += mediaAnomalies[m] - this.movedMedia[m];
      this.movedMedia[m] = mediaAnomalies[m];
    }
  }
}

/** Inspection in this thread. */
export class InlineInspection implements PacketInspection {
  private readonly core: InspectionCore;
  private readonly mover = new AnomalyMover();
  private finished = false;

  constructor(maxStreams = DEFAULT_MAX_STREAMS) {
    this.core = new InspectionCore(maxStreams);
  }

  onPacket(flow: number, dir: number, pkt: PacketView): void {
    this.core.packet(flow, dir, pkt);
  }

  flowEnded(flow: number): void {
    if (!this.finished) this.core.flowEnded(flow);
  }

  settleAnomalies(into: AnomalyCounters): void {
    this.mover.move(this.core.inspector.anomalies, this.core.streams.anomalies, into);
  }

  async finish(): Promise<InspectionResult> {
    this.finished = true;
    return this.core.result();
  }

  async close(): Promise<void> {}
}
