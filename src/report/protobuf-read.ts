/**
 * Reading a flowaudit-flows/1 file back (proto/flowaudit.proto) into the JSON
 * report's shapes, streaming: chunks in, one header and then flow records out,
 * holding at most one message plus one chunk in memory. For Node consumers
 * and for the round-trip tests; other languages read the .proto directly.
 *
 * Where protobuf cannot tell "absent" from "empty" (proto3 repeated and map
 * fields), the JSON's convention is restored: a flow without classification
 * has no `verdict` (and so no rules, confidence, explanation or findings), an
 * empty `icmpErrors` or `apps` list is left out, an endpoint without
 * `roleSource` has no `roles`, an empty `totals.verdicts` is left out, and
 * the topology (only its `file` travels) is present when the catalog is.
 */
import type { FlowRecord } from '../flow/flow-record.js';
import type { InputReport, Report, Totals } from './model.js';
import { loadProto, PB_FORMAT } from './protobuf.js';

/** The report without its flows, as the header carries it. */
export interface ProtobufHead {
  format: string;
  schema: Report['schema'];
  tool: Report['tool'];
  inputs: InputReport[];
  totals: Totals & { verdicts?: Record<string, number> };
  catalog?: { packs: string[]; files: string[] };
  topology?: { file: string | null };
}

export type ProtobufMessage = { header: ProtobufHead } | { flow: FlowRecord };

/** A varint longer than 5 bytes or a message larger than this is corruption, not a reason to buffer more. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

const CONVERSION = { longs: Number, defaults: true, arrays: true, objects: true } as const;

export class ProtobufFormatError extends Error {}

/**
 * Decodes the delimited messages of `chunks`: first `{ header }`, then one
 * `{ flow }` per flow. Throws ProtobufFormatError when the first message is
 * not a flowaudit-flows/1 header or the data ends inside a message.
 */
export async function* readProtobufExport(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ProtobufMessage> {
  const proto = loadProto();
  let pending: Buffer = Buffer.alloc(0);
  let seenHeader = false;
  for await (const chunk of chunks) {
    const buf = pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([pending, chunk]);
    let off = 0;
    for (;;) {
      const frame = delimited(buf, off);
      if (frame === undefined) break;
      const body = buf.subarray(frame.start, frame.end);
      if (!seenHeader) {
        const header = proto.ReportHeader.toObject(proto.ReportHeader.decode(body), CONVERSION);
        if (header.format !== PB_FORMAT) throw new ProtobufFormatError(`not a ${PB_FORMAT} file (format "${String(header.format)}")`);
        seenHeader = true;
        yield { header: headFromMessage(header) };
      } else {
        yield { flow: flowFromMessage(proto.FlowRecord.toObject(proto.FlowRecord.decode(body), CONVERSION)) };
      }
      off = frame.end;
    }
    // Copy the partial message: the source may reuse its chunk buffer.
    pending = Buffer.from(buf.subarray(off));
  }
  if (pending.length > 0) throw new ProtobufFormatError(`the file ends inside a message (${pending.length} bytes left)`);
  if (!seenHeader) throw new ProtobufFormatError('empty file: no header');
}

/** Start and end of the message at `off`, or undefined when the bytes are not all there yet. */
function delimited(buf: Buffer, off: number): { start: number; end: number } | undefined {
  let len = 0;
  for (let i = 0; i < 5; i++) {
    if (off + i >= buf.length) return undefined;
    const b = buf[off + i];
    len += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (len > MAX_MESSAGE_BYTES) throw new ProtobufFormatError(`message length ${len} is implausible`);
      const start = off + i + 1;
      return start + len <= buf.length ? { start, end: start + len } : undefined;
    }
  }
  throw new ProtobufFormatError('message length varint longer than 5 bytes');
}

// Decoded messages are protobufjs plain objects (toObject with defaults); the round-trip tests check their shape.
function headFromMessage(h: any): ProtobufHead {
  const totals = { ...h.totals };
  if (Object.keys(totals.verdicts).length === 0) delete totals.verdicts;
  const head: ProtobufHead = {
    format: h.format,
    schema: h.schema,
    tool: h.tool,
    inputs: h.inputs.map(inputFromMessage),
    totals,
  };
  if (h.catalogPacks.length > 0 || h.catalogFiles.length > 0) head.catalog = { packs: h.catalogPacks, files: h.catalogFiles };
  // A classified report always has a topology, whose file is null without --topology.
  if (h.topologyFile !== undefined || head.catalog !== undefined) head.topology = { file: h.topologyFile ?? null };
  return head;
}

function inputFromMessage(i: any): InputReport {
  const input: InputReport = {
    path: i.path,
    format: i.format,
    compressed: i.compressed,
    linkTypes: i.linkTypes,
    packets: i.packets,
    bytes: i.bytes,
    capturedBytes: i.capturedBytes,
    packetsInFlows: i.packetsInFlows,
    firstPacket: i.firstPacket ?? null,
    lastPacket: i.lastPacket ?? null,
    anomalies: i.anomalies,
  };
  if (i.stopped !== undefined) input.stopped = i.stopped;
  return input;
}

function endpointFromMessage(e: any): any {
  const endpoint: any = { ip: e.ip, port: e.port };
  if (e.roleSource !== undefined) { endpoint.roles = e.roles; endpoint.roleSource = e.roleSource; }
  return endpoint;
}

/** A decoded FlowRecord message in the JSON report's shape and key order. */
export function flowFromMessage(f: any): FlowRecord {
  const flow: any = {
    id: f.id,
    transport: f.transport,
    client: endpointFromMessage(f.client),
    server: endpointFromMessage(f.server),
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    frames: f.frames,
    packets: f.packets,
    bytes: f.bytes,
    payloadBytes: f.payloadBytes,
    orientedBy: f.orientedBy,
    endedBy: f.endedBy,
  };
  if (f.linkBroadcast === true) flow.linkBroadcast = true;
  if (f.tcp !== undefined) flow.tcp = f.tcp;
  if (f.icmpErrors.length > 0) flow.icmpErrors = f.icmpErrors;
  if (f.fragments !== undefined) flow.fragments = f.fragments;
  if (f.verdict !== undefined) {
    flow.verdict = f.verdict;
    flow.rules = f.rules;
    if (f.confidence !== undefined) flow.confidence = f.confidence;
    if (f.explanation !== undefined) flow.explanation = f.explanation;
    flow.findings = f.findings;
  }
  if (f.apps.length > 0) {
    flow.apps = f.apps.map((a: any) => ({
      protocol: a.protocol,
      confidence: a.confidence,
      evidenceFrames: a.evidenceFrames,
      ...(a.detailsJson !== undefined ? JSON.parse(a.detailsJson) : {}),
    }));
  }
  return flow as FlowRecord;
}
