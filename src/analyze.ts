/**
 * The pipeline, in one direction: bytes -> records -> decoded packet -> flow.
 * `analyze()` is the library entry point; the CLI is a thin shell over it.
 */
import { statSync } from 'node:fs';
import { A, anomaliesToRecord, newAnomalyCounters, type AnomalyCounters } from './anomalies.js';
import { CaptureFormatError } from './capture/errors.js';
import { LINK_FRAME_ONLY, LINK_UNKNOWN_INTERFACE } from './capture/pcapng.js';
import { readCapture } from './capture/reader.js';
import { MAX_PACKET_BYTES } from './capture/record-parser.js';
import { isStreamPath, openSource } from './capture/source.js';
import { Decoder } from './decode/packet.js';
import { IpProto, PacketView } from './decode/packet-view.js';
import { flowRecord, type FlowRecord } from './flow/flow-record.js';
import { FlowTable, type FlowTableOptions, type ServicePorts } from './flow/flow-table.js';
import type { InspectionResult, PacketInspection } from './inspect/inspection.js';
import { mediaApps } from './inspect/media-apps.js';
import { appsOf, buildStunReport } from './inspect/stun-report.js';
import { inspectionWorkerAvailable, startInspection } from './inspect/thread/worker-inspection.js';
import { loadCatalog, servicePortBitmaps, type LoadCatalogOptions } from './catalog/load.js';
import type { Topology } from './catalog/topology.js';
import type { Catalog } from './catalog/types.js';
import { classifyForReport } from './classify/classify-report.js';
import { REPORT_SCHEMA, type InputReport, type Report } from './report/model.js';
import type { AppRecord } from './inspect/stun-report.js';
import { TOOL_VERSION } from './version.js';

export interface AnalyzeOptions {
  /** Stream read for the input "-" (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Flow table limits (live-flow cap, idle timeouts, service ports). */
  flows?: Partial<FlowTableOptions>;
  /**
   * Process files in the order of their first packet's timestamp, so that
   * ring-buffer files (`tcpdump -C/-G`: name, name1, ..., name10) form one
   * continuous capture whatever order the shell listed them in. Default true;
   * standard input is never reordered.
   */
  orderByFirstPacket?: boolean;
  /**
   * Catalog packs and user rule files (default: the packs enabled by default).
   * Flows are classified against it, and its documented service ports orient
   * flows whose start was not captured (ARCHITECTURE.md, flow orientation;
   * `flows.servicePorts`, when given, takes their place for orientation).
   */
  catalog?: LoadCatalogOptions;
  /**
   * Progress, called between chunks of input (about every 128 KiB), never per
   * packet: bytes read from the sources so far in this run (as stored: for
   * gzip input the compressed bytes, comparable with the file sizes), and
   * packets read so far. Must be cheap; it runs inside the read loop.
   */
  onProgress?: (bytesRead: number, packets: number) => void;
  /** The user's topology (loadTopology): roles of addresses, which win over inferred ones. */
  topology?: Topology;
  /** Infer roles from the traffic for the addresses the topology does not list (default true). */
  inferRoles?: boolean;
  /**
   * Inspect payloads (STUN/TURN, RTP/RTCP, TLS, DTLS, SIP, HTTP; default true). Off, flows are
   * tracked by ports alone, as the benchmark measures the foundation's throughput: no apps, no
   * stun or media sections, and flows on broad media ranges lose the payload evidence that
   * documents them.
   */
  inspectPayloads?: boolean;
  /**
   * Payload inspection in a worker thread, on the other core (inspect/thread/worker-inspection.ts);
   * the report is the same either way. Default: for standard input and for inputs of 384 MiB or
   * more. True fails when the worker's module is not built (running from TypeScript sources).
   */
  inspectionWorker?: boolean;
  /** Filled with where the run spent its time, when given (the benchmark's stage breakdown). */
  timings?: AnalyzeTimings;
}

/** Wall time of analyze()'s stages, in milliseconds. */
export interface AnalyzeTimings {
  /** Reading, decoding, flow tracking and payload inspection: the per-packet loop over every input. */
  readLoop: number;
  /** Flow records, apps and the media and STUN sections, built from the finished tables. */
  records: number;
  /** Role inference, verdicts, findings and the checklist. */
  classify: number;
}

/**
 * Input size from which inspection runs in a worker by default (AnalyzeOptions.inspectionWorker).
 * Measured end to end on the bench capture cut short (medians of 6-8 runs): the worker costs
 * ~35 ms at 200 MB and ~20 ms at 300 MB (its start, and handing its state back), and saves ~60 ms
 * at 600 MB and ~120 ms at 1 GB.
 */
const INSPECTION_WORKER_MIN_BYTES = 384 * 1024 * 1024;

/** The shipped packs cannot change while the process runs, so their catalog and bitmaps are kept; user files are read every time. */
const shippedCatalogs = new Map<string, { catalog: Catalog; ports: ServicePorts }>();

function catalogOf(options: LoadCatalogOptions): { catalog: Catalog; ports: ServicePorts } {
  const shipped = !options.extraFiles?.length && !options.catalogDir;
  const key = JSON.stringify(options.packs ?? null);
  let loaded = shipped ? shippedCatalogs.get(key) : undefined;
  if (loaded === undefined) {
    const catalog = loadCatalog(options);
    loaded = { catalog, ports: servicePortBitmaps(catalog) };
    if (shipped) shippedCatalogs.set(key, loaded);
  }
  return loaded;
}

// Module-local copies for the per-packet path: V8 reads an imported binding through a cell, with a
// hole check, at every use (see inspect/media/rtp-header.ts).
const UDP = IpProto.UDP;
const TCP = IpProto.TCP;
const FRAME_ONLY = LINK_FRAME_ONLY;

/** Per-input counters the hot loop updates; reset for each input. */
class InputCounters {
  packets = 0;
  bytes = 0;
  capturedBytes = 0;
  packetsInFlows = 0;
  firstPacket = 0;
  lastPacket = 0;
  anomalies: AnomalyCounters = newAnomalyCounters();
}

class Pipeline {
  readonly pkt = new PacketView();
  readonly decoder = new Decoder();
  readonly flows: FlowTable;
  frameNo = 0;
  input = new InputCounters();

  constructor(flowOptions: Partial<FlowTableOptions>, private readonly inspectPayloads: boolean, readonly inspection: PacketInspection) {
    const { onFinish } = flowOptions;
    // Inspection drops what it holds for a flow (TCP reassembly) when the flow ends, so that it is bounded by live flows.
    const ended = inspectPayloads ? (flow: number) => { onFinish?.(flow); inspection.flowEnded(flow); } : onFinish;
    this.flows = new FlowTable({ ...flowOptions, onFinish: ended });
  }

  startInput(): InputCounters {
    this.input = new InputCounters();
    this.flows.anomalies = this.input.anomalies;
    return this.input;
  }

  /** The per-packet path: no allocation, no exceptions. */
  readonly onPacket = (pkt: PacketView): void => {
    const input = this.input;
    pkt.frameNo = ++this.frameNo;
    if (pkt.linkType === FRAME_ONLY) return; // a pcapng block Wireshark numbers as a frame: no packet
    if (pkt.wireLen > MAX_PACKET_BYTES) {
      // No link carries such a frame: the record is damaged. Its captured bytes are the honest count.
      input.anomalies[A.WireLengthImplausible]++;
      pkt.wireLen = pkt.frameEnd - pkt.frameStart;
    }
    input.packets++;
    input.bytes += pkt.wireLen;
    input.capturedBytes += pkt.frameEnd - pkt.frameStart;
    if (input.packets === 1) input.firstPacket = pkt.ts;
    input.lastPacket = pkt.ts;
    if (pkt.linkType < 0) {
      // Pseudo link types of pcapng packets that cannot be decoded (see capture/pcapng.ts).
      input.anomalies[pkt.linkType === LINK_UNKNOWN_INTERFACE ? A.PcapngUnknownInterface : A.PcapngMalformedPacketBlock]++;
      return;
    }
    const fate = this.decoder.decode(pkt, input.anomalies);
    if (fate >= 0) {
      input.anomalies[fate]++;
      return;
    }
    input.packetsInFlows++;
    const flow = this.flows.add(pkt);
    // Payload inspection: TCP/UDP packets with captured payload (non-first fragments have none).
    if (this.inspectPayloads && pkt.payloadEnd > pkt.payloadOff && (pkt.proto === UDP || pkt.proto === TCP)) {
      this.inspection.onPacket(flow, this.flows.lastDir, pkt);
    }
    if (pkt.icmpIsError) {
      const quoted = this.flows.findQuoted(pkt);
      if (quoted >= 0) this.flows.recordIcmpError(quoted, pkt);
      else input.anomalies[A.IcmpErrorUnmatched]++;
    }
  };
}

/** Reads every input through the pipeline, in order: per input, its report entry and counters. */
async function readInputs(pipeline: Pipeline, ordered: readonly string[], options: AnalyzeOptions): Promise<{ inputs: InputReport[]; counters: InputCounters[] }> {
  const inputs: InputReport[] = [];
  const counters: InputCounters[] = [];
  let bytesBefore = 0; // raw bytes of the inputs already read, for onProgress
  let packetsBefore = 0; // and their packets (not frame numbers: a pcapng block may take one without being a packet)
  for (const path of ordered) {
    const source = await openSource(path, options.stdin);
    const c = pipeline.startInput();
    const progress = options.onProgress;
    const onChunk = progress && (() => progress(bytesBefore + source.rawBytesRead(), packetsBefore + c.packets));
    const result = await readCapture(source, pipeline.pkt, pipeline.onPacket, { anomalies: c.anomalies, onChunk });
    bytesBefore += source.rawBytesRead();
    packetsBefore += c.packets;
    pipeline.inspection.settleAnomalies(c.anomalies);
    counters.push(c);
    const input: InputReport = {
      path,
      format: result.format,
      compressed: source.compressed,
      linkTypes: result.linkTypes,
      packets: c.packets,
      bytes: c.bytes,
      capturedBytes: c.capturedBytes,
      packetsInFlows: c.packetsInFlows,
      firstPacket: c.packets > 0 ? c.firstPacket : null,
      lastPacket: c.packets > 0 ? c.lastPacket : null,
      anomalies: {},
    };
    if (result.stopped) input.stopped = { ...result.stopped };
    inputs.push(input);
  }
  return { inputs, counters };
}

/** A flow's apps by protocol name (a stable sort: a protocol's entries keep their order). */
function sortApps(apps: AppRecord[]): AppRecord[] {
  return apps.sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
}

/**
 * Whether inspection runs in a worker thread (inspect/thread/worker-inspection.ts): as asked, or by
 * default for standard input and for files of INSPECTION_WORKER_MIN_BYTES or more, where the
 * worker's start (a few tens of milliseconds) pays off.
 */
function useInspectionWorker(paths: readonly string[], asked: boolean | undefined): boolean {
  if (asked === true && !inspectionWorkerAvailable()) throw new Error('inspectionWorker: the inspection worker module is not built (dist/inspect/thread/inspection-worker.js)');
  if (asked !== undefined) return asked;
  if (!inspectionWorkerAvailable()) return false;
  let bytes = 0;
  for (const path of paths) {
    if (isStreamPath(path)) return true; // of unknown size
    try {
      bytes += statSync(path).size;
    } catch {
      // Missing or unreadable: openSource reports it.
    }
  }
  return bytes >= INSPECTION_WORKER_MIN_BYTES;
}

/** A run read to its end: the pipeline's tables, per input its report entry and counters, and what inspection found on its way. */
interface Run {
  pipeline: Pipeline;
  inputs: InputReport[];
  counters: InputCounters[];
  catalog: Catalog;
  catalogOptions: LoadCatalogOptions;
  clock: StageClock;
  /** An inspection worker sends its result while this thread builds the records. */
  inspected: Promise<InspectionResult>;
}

async function readRun(paths: readonly string[], options: AnalyzeOptions, inspect: boolean, inspection: PacketInspection): Promise<Run> {
  // A stream can be read once: no peek at its first packet.
  const ordered = options.orderByFirstPacket === false || paths.some(isStreamPath)
    ? [...paths]
    : await orderByFirstPacket(paths);
  // The catalog is loaded (and a bad user file reported) before any capture is read.
  const catalogOptions = options.catalog ?? {};
  const { catalog, ports } = catalogOf(catalogOptions);
  const flowOptions = { ...options.flows };
  flowOptions.servicePorts ??= ports;
  const pipeline = new Pipeline(flowOptions, inspect, inspection);
  const clock = stageClock(options.timings);
  const { inputs, counters } = await readInputs(pipeline, ordered, options);
  // Every packet is counted by now (each input ends with a drain of the inspection queue).
  const inspected = inspection.finish();
  inspected.catch(() => {}); // awaited after the records are built; a failure meanwhile must not go unhandled
  return { pipeline, inputs, counters, catalog, catalogOptions, clock, inspected };
}

export async function analyze(paths: readonly string[], options: AnalyzeOptions = {}): Promise<Report> {
  if (paths.length === 0) throw new CaptureFormatError('(none)', 'no capture given');
  if (paths.filter((p) => p === '-').length > 1) throw new CaptureFormatError('-', 'standard input given more than once');
  const inspect = options.inspectPayloads !== false;
  // Started first: an inspection worker loads while the catalog is read and the inputs are ordered.
  const inspection = startInspection(inspect && useInspectionWorker(paths, options.inspectionWorker));
  let run: Run;
  try {
    run = await readRun(paths, options, inspect, inspection);
  } catch (err) {
    await inspection.close();
    throw err;
  }
  const { pipeline, inputs, counters, catalog, catalogOptions, clock } = run;
  // Flows still alive are finished at the end of the run, not evicted; the last input's counters stay current.
  pipeline.flows.finish();
  clock('readLoop');
  for (let i = 0; i < inputs.length; i++) inputs[i].anomalies = anomaliesToRecord(counters[i].anomalies);

  const records: (FlowRecord & { apps?: AppRecord[] })[] = [];
  const byTransport: Record<string, number> = {};
  for (let i = 0; i < pipeline.flows.store.count; i++) {
    const record: FlowRecord & { apps?: AppRecord[] } = flowRecord(pipeline.flows, i);
    byTransport[record.transport] = (byTransport[record.transport] ?? 0) + 1;
    records.push(record);
  }
  const { flows: inspectedFlows, media: mediaReport } = await run.inspected;
  for (const st of inspectedFlows.inspected()) {
    const apps = appsOf(st);
    if (apps.length > 0) records[st.flow].apps = sortApps(apps);
  }
  const stun = buildStunReport(inspectedFlows, records);
  const media = await mediaReport;
  for (const [id, apps] of mediaApps(media)) {
    const record = records[id - 1];
    record.apps = sortApps([...(record.apps ?? []), ...apps]);
  }
  clock('records');
  const classified = classifyForReport(records, {
    catalog,
    catalogFiles: catalogOptions.extraFiles,
    topology: options.topology,
    inferRoles: options.inferRoles,
    payload: inspect ? { stun, media } : undefined,
  });
  clock('classify');
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'flowaudit', version: TOOL_VERSION },
    inputs,
    totals: {
      packets: sum(inputs, (i) => i.packets),
      bytes: sum(inputs, (i) => i.bytes),
      flows: records.length,
      flowsByTransport: sortedKeys(byTransport),
      flowsEvicted: pipeline.flows.evictedCount,
      peakLiveFlows: pipeline.flows.peakLiveFlows,
      verdicts: classified.verdicts,
    },
    catalog: classified.catalog,
    topology: classified.topology,
    flows: classified.flows,
    findings: classified.findings,
    checklist: classified.checklist,
    stun,
    media,
  };
}

/**
 * Orders files by their first packet's timestamp; ties keep the given order and
 * files without packets go last. Peeking also proves that every file is a
 * capture before any work is done.
 */
async function orderByFirstPacket(paths: readonly string[]): Promise<string[]> {
  const firsts: { path: string; ts: number; index: number }[] = [];
  for (let index = 0; index < paths.length; index++) {
    const path = paths[index];
    const source = await openSource(path);
    let ts = Number.POSITIVE_INFINITY;
    const probe = new PacketView();
    // Records that are not readable packets (negative pseudo link types: a frame-only block, an unknown
    // interface's packet) carry no timestamp of their own.
    await readCapture(source, probe, (p) => { if (p.linkType >= 0) ts = p.ts; }, {
      anomalies: newAnomalyCounters(),
      shouldStop: () => ts !== Number.POSITIVE_INFINITY,
    });
    firsts.push({ path, ts, index });
  }
  if (paths.length < 2) return [...paths];
  // Infinity - Infinity is NaN, so two empty files fall through to their index.
  firsts.sort((a, b) => (a.ts - b.ts) || (a.index - b.index));
  return firsts.map((f) => f.path);
}

/** A function that adds the time since its last call to a stage of `timings` (a no-op without them). */
type StageClock = (stage: keyof AnalyzeTimings) => void;

function stageClock(timings: AnalyzeTimings | undefined): StageClock {
  if (timings === undefined) return () => {};
  timings.readLoop = timings.records = timings.classify = 0;
  let last = performance.now();
  return (stage) => {
    const now = performance.now();
    timings[stage] += now - last;
    last = now;
  };
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += of(item);
  return n;
}

function sortedKeys(record: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}
