/**
 * Protobuf export of the report (`--pb FILE`): a ReportHeader, then one
 * length-delimited FlowRecord per flow, as laid out in proto/flowaudit.proto
 * ("flowaudit-flows/1"). The .proto shipped in the package is loaded at run
 * time with protobufjs' reflection (no generated code, no build step).
 *
 * The message field names are the JSON report's in snake_case, and protobufjs
 * maps them to the JSON's camelCase names, so a flow record is encoded as it
 * stands; only the payload-inspection `apps` entries are reshaped (their
 * protocol details travel as JSON text, see App.details_json).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { FlowRecord } from '../flow/flow-record.js';
import type { Report } from './model.js';

/** The `format` of the header and the name of the file layout. */
export const PB_FORMAT = 'flowaudit-flows/1';
const PROTO_FILE = join('proto', 'flowaudit.proto');
/** Flows encoded into one buffer before it is handed to the stream (bounded memory for millions of flows). */
const FLOWS_PER_PIECE = 2000;

/**
 * Parts of the report added by classification and payload inspection. They
 * are optional here so that the export works with reports from before and
 * after those parts exist; the round-trip test proves every present field
 * is carried.
 */
interface OptionalReportParts {
  totals: { verdicts?: Record<string, number> };
  catalog?: { packs?: readonly string[]; files?: readonly string[] };
  topology?: { file?: string | null };
}

/** One payload-inspection entry of a flow (report flows[].apps). */
export interface AppEntry {
  protocol: string;
  confidence?: string;
  evidenceFrames?: readonly number[];
  [detail: string]: unknown;
}

type ExportedFlow = FlowRecord & { apps?: readonly AppEntry[] };

export interface FlowauditProto {
  root: protobuf.Root;
  ReportHeader: protobuf.Type;
  FlowRecord: protobuf.Type;
}

let cachedPath: string | undefined;
let cachedProto: FlowauditProto | undefined;

/**
 * Absolute path of the shipped proto/flowaudit.proto: the nearest directory
 * above this module holding it (src/report/ under tsx or vitest, dist/report/
 * after tsc, node_modules/flowaudit/dist/report/ when installed).
 */
export function protoPath(): string {
  if (cachedPath !== undefined) return cachedPath;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, PROTO_FILE);
    if (existsSync(candidate)) return (cachedPath = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`flowaudit: no ${PROTO_FILE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The message types of the shipped .proto (parsed once per process). */
export function loadProto(): FlowauditProto {
  if (cachedProto !== undefined) return cachedProto;
  const root = protobuf.loadSync(protoPath());
  cachedProto = {
    root,
    ReportHeader: root.lookupType('flowaudit.v1.ReportHeader'),
    FlowRecord: root.lookupType('flowaudit.v1.FlowRecord'),
  };
  return cachedProto;
}

/** The ReportHeader message (as a plain object in protobufjs' camelCase) of a report. */
export function headerMessage(report: Report): Record<string, unknown> {
  const extra = report as Report & OptionalReportParts;
  const header: Record<string, unknown> = {
    format: PB_FORMAT,
    schema: report.schema,
    tool: report.tool,
    // Inputs and totals have the message's fields by name; a null first/last packet is left out, as protobufjs skips nulls.
    inputs: report.inputs,
    totals: report.totals,
    catalogPacks: extra.catalog?.packs ?? [],
    catalogFiles: extra.catalog?.files ?? [],
  };
  const topologyFile = extra.topology?.file;
  if (typeof topologyFile === 'string') header.topologyFile = topologyFile;
  return header;
}

/** The FlowRecord message of a flow: the record itself, with its apps' details folded into JSON text. */
export function flowMessage(flow: FlowRecord): FlowRecord | Record<string, unknown> {
  const apps = (flow as ExportedFlow).apps;
  if (apps === undefined || apps.length === 0) return flow;
  return { ...flow, apps: apps.map(appMessage) };
}

function appMessage(app: AppEntry): Record<string, unknown> {
  const { protocol, confidence, evidenceFrames, ...details } = app;
  const message: Record<string, unknown> = { protocol, confidence: confidence ?? '', evidenceFrames: evidenceFrames ?? [] };
  if (Object.keys(details).length > 0) message.detailsJson = JSON.stringify(details);
  return message;
}

/** The file in pieces: the delimited header, then delimited flows in buffers of up to 2000 flows. */
export function* protobufPieces(report: Report): Generator<Uint8Array> {
  const proto = loadProto();
  yield proto.ReportHeader.encodeDelimited(headerMessage(report)).finish();
  const flows = report.flows;
  for (let i = 0; i < flows.length; i += FLOWS_PER_PIECE) {
    const writer = protobuf.Writer.create();
    const end = Math.min(flows.length, i + FLOWS_PER_PIECE);
    for (let j = i; j < end; j++) proto.FlowRecord.encodeDelimited(flowMessage(flows[j]), writer);
    yield writer.finish();
  }
}

/** The whole file in one buffer (tests, small reports). */
export function reportToProtobuf(report: Report): Buffer {
  return Buffer.concat([...protobufPieces(report)]);
}

/** Writes the export to a file path, or to `stdout` for "-", honouring back-pressure. */
export async function writeProtobufReport(report: Report, dest: string, stdout: Writable): Promise<void> {
  const source = Readable.from(protobufPieces(report), { objectMode: false });
  if (dest === '-') {
    await pipeline(source, stdout, { end: false });
  } else {
    await pipeline(source, createWriteStream(dest));
  }
}
