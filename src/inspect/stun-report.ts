/**
 * The report's `stun` section and the flows' `apps` entries from payload
 * inspection: part of the public JSON contract (report/model.ts), each field
 * documented here with its unit and caveats. Built once at the end of the
 * run, never per packet. Ordering is stable: flows by id, message types by
 * dialect then direction then type code, methods by code, error codes
 * ascending, allocations by flow then request frame.
 */
import type { FlowRecord } from '../flow/flow-record.js';
import { Allocation, FlowInspection, type AppHello, type RelayConnection } from './flow-state.js';
import type { InspectedFlows } from './inspection.js';
import { Dialect, DIALECT_NAMES, ERROR_REASONS, hex4, messageTypeName, type DialectName } from './stun-constants.js';
import { FRAMING_NAMES } from './tcp-framing.js';
import { sameTid } from './stun.js';
import { httpCounts } from './apps/http-stream.js';
import { sipCounts } from './apps/sip-stream.js';
import type { MethodStats, TransactionTable, UnmatchedResponse } from './transactions.js';

/** One protocol detected in a flow's payload. */
export interface AppRecord {
  /** Lowercase protocol name: 'stun', 'channeldata', 'ms-turn-tcp', 'rtp', 'rtcp', 'dtls', 'tls', 'sip', 'http'... (the classifier reads it, see classify/verdict.ts MEDIA_PROTOCOLS). */
  protocol: string;
  /** 'payload': the bytes were parsed as this protocol (structure checked, not the port). 'port': only the port suggests it. */
  confidence: 'payload' | 'port';
  /** Frame numbers of the first packets that showed it (at most 3), ascending. */
  evidenceFrames: number[];
  /**
   * Protocol-specific details (STUN: dialects, messages, framing; TLS: sni..., or midSession and
   * recordVersion when the capture began after the hellos; ms-turn-tcp: messages; SIP: the first
   * messages' fields, apps/sip.ts, and counts of all its messages, apps/sip-stream.ts SipCounts). When the flow shows
   * both sides' hellos (a TLS ClientHello and ServerHello, a SIP request and its response), the later
   * one adds the fields the first lacks (selectedVersion, cipherSuite; statusCode, reason).
   */
  [detail: string]: unknown;
}

/** Count of one STUN message type in one direction of a flow. */
export interface StunTypeCount {
  /** Message type as 4 hex digits with 0x ("0x0003"), as tshark prints stun.type. */
  type: string;
  /** Name in the message's dialect ("Allocate Request"; MS-TURN "Send Request", "Data Indication"). */
  name: string;
  dialect: DialectName;
  /** Which side of the flow sent them. */
  direction: 'fromClient' | 'fromServer';
  count: number;
}

/** Transactions of one method on one flow. */
export interface StunMethodSummary {
  /** 12-bit method as 3 hex digits with 0x ("0x003"), and its RFC name (MS-TURN 0x004 is Send, 0x005 Data, 0x006 Set Active Destination when the dialect is MS-TURN). */
  method: string;
  name: string;
  /** Distinct requests (transaction ids). */
  requests: number;
  /** Requests sent again with the same transaction id (RFC 8489 §6.2.1). */
  retransmissions: number;
  /** Requests answered by a success response. */
  success: number;
  /** Requests answered by an error response. */
  errors: number;
  /**
   * Requests never answered in the capture: on UDP the evidence of a blocked
   * path (or of a capture that ended before the answer; requests in the last
   * seconds of a capture may be unanswered for that reason only).
   */
  unanswered: number;
  /** Frame numbers of the first unanswered requests (at most 5). */
  unansweredFrames: number[];
  /** Indications (no response expected), including MS-TURN Send requests and Data indications. */
  indications: number;
  /** Responses whose request was not in the capture (it started mid-transaction). */
  unmatchedResponses: number;
  /**
   * Requests answered by a response captured on another flow: sent to the same client address and
   * port by another server address (a relay answering from another of its addresses). Counted in
   * success or errors as well.
   */
  answeredOnOtherFlow: number;
  /** Extra responses to a request already answered. */
  duplicateResponses: number;
  /** Time from the first request to its response, milliseconds (3 decimals); null when nothing was answered. */
  responseTimeMs: { min: number; mean: number; max: number } | null;
  /** Error responses by ERROR-CODE, ascending by code, with the frame of the first of each. */
  errorCodes: { code: number; reason: string; count: number; firstFrame: number }[];
}

/** STUN/TURN seen on one flow. */
export interface StunFlowReport {
  /** Flow id (report.flows[].id). */
  flow: number;
  /** Dialects of its messages (see stun.ts): 'rfc5389' (cookie), 'ms-turn' (MAGIC-COOKIE attribute), 'rfc3489' (classic). */
  dialects: DialectName[];
  /** TCP only: how the messages were framed: 'turn-tcp' (RFC 6062/8656, back to back), 'rfc4571' (2-byte length), 'ms-turn-tcp' (4-byte MS-TURN header). */
  framing?: 'turn-tcp' | 'rfc4571' | 'ms-turn-tcp';
  /** TCP only: the MS-TURN pseudo-TLS handshake was seen (not real TLS). */
  pseudoTls?: boolean;
  /**
   * TCP only: an RFC 6062 data connection. The frame of the ConnectionBind success response after which
   * the connection carries the peer's data as is (not framed, nor counted as STUN).
   */
  dataConnectionFrame?: number;
  /**
   * TCP only, RFC 6062: the CONNECTION-ID its ConnectionBind request named, and the flow of the TCP
   * allocation whose control connection the server named it on (a Connect success or a
   * ConnectionAttempt to the same server address and port), when the capture holds it.
   */
  connectionId?: number;
  allocationFlow?: number;
  /** STUN messages parsed (malformed ones included; not those tunnelled in TURN data). */
  messages: number;
  /** Messages by type and direction. */
  types: StunTypeCount[];
  /** Transactions by method, ascending by method code. */
  transactions: StunMethodSummary[];
  /** TURN ChannelData messages (RFC 8656 §12) and Microsoft multiplexed TURN (channel 0xFF10), when seen. */
  channelData?: { messages: number; multiplexedTurn: number; channels: number[] };
  /** STUN messages found inside ChannelData, TURN DATA attributes or MS-TURN TCP data frames (ICE checks relayed by TURN). */
  tunneledStun: number;
  /** SOFTWARE of the first message that had one (bounded to 256 characters; data, not trusted). */
  software?: string;
  /** REALM of the first message that had one (MS-TURN: attribute 0x0015). */
  realm?: string;
  /** FINGERPRINT attributes checked: right and wrong CRC-32. */
  fingerprints: { ok: number; mismatched: number };
  /** Messages with MESSAGE-INTEGRITY (SHA-1 or SHA-256); not verified (no credentials). */
  withIntegrity: number;
  /** ICE connectivity checks: Binding requests with PRIORITY (RFC 8445 §7.1.1), of which USE-CANDIDATE, ICE-CONTROLLING, ICE-CONTROLLED. */
  ice?: { checks: number; useCandidate: number; controlling: number; controlled: number };
  /** Microsoft attributes seen: MS-VERSION values, MS-SERVICE-QUALITY stream types, IMPLEMENTATION-VERSION values, messages with CANDIDATE-IDENTIFIER, bandwidth reservation attributes, SIP Call-IDs (0x8062, at most 8). */
  microsoft?: { versions: number[]; streamTypes: string[]; implementationVersions: number[]; candidateIdentifiers: number; bandwidthReservation: boolean; callIds: string[] };
  /** Attributes this version does not decode, by type ("0x8037": count), at most 32 types. */
  unknownAttributes?: Record<string, number>;
}

/** One TURN Allocate transaction and what followed it on its 5-tuple. */
export interface TurnAllocationReport {
  /** Flow id of the client <-> TURN server 5-tuple. */
  flow: number;
  dialect: DialectName;
  /** Frame and capture time of the first Allocate request. */
  requestFrame: number;
  requestTime: number;
  /** Requests sent with this transaction id (1 + retransmissions). */
  attempts: number;
  /** 'success', 'error' (see errorCode), or 'unanswered'. */
  outcome: 'success' | 'error' | 'unanswered';
  errorCode?: number;
  /** Reason phrase of the error response as sent (bounded to 256 characters). */
  errorReason?: string;
  responseFrame?: number;
  /** Milliseconds from the first request to the response (3 decimals). */
  responseTimeMs?: number;
  /** Relayed transport address "ip:port" (RFC: XOR-RELAYED-ADDRESS; MS-TURN: MAPPED-ADDRESS of the response). */
  relayed?: string;
  /** Server-reflexive address "ip:port" (XOR-MAPPED-ADDRESS). */
  reflexive?: string;
  /** LIFETIME granted, seconds. */
  lifetime?: number;
  /** REQUESTED-TRANSPORT protocol number (17 UDP, 6 TCP). */
  requestedTransport?: number;
  /** MS-VERSION of the request or response, and MS-SERVICE-QUALITY stream type ('audio', 'video'...). */
  msVersion?: number;
  streamType?: string;
  /** USERNAME of the request and REALM of the response (bounded; data, not trusted). */
  username?: string;
  realm?: string;
  /**
   * Refresh requests, of which errors; true when one asked for lifetime 0 (deallocation). In MS-TURN,
   * which has no Refresh method, these are the Allocate requests sent on the 5-tuple of a live allocation.
   */
  refreshes: number;
  refreshErrors: number;
  deleted: boolean;
  /** CreatePermission requests and their peers (at most 8). */
  permissions: number;
  peers: string[];
  /** ChannelBind requests and the channels bound (at most 8). */
  channelBinds: number;
  channels: { channel: number; peer: string | null }[];
  /** MS-TURN Set Active Destination requests and the last destination. */
  setActiveDestination: number;
  destination?: string;
  /** Send and Data indications (MS-TURN: Send requests, Data indications). */
  sendIndications: number;
  dataIndications: number;
  /** Ids of other flows with the relayed address and port as an endpoint, on the relayed transport (REQUESTED-TRANSPORT, else the allocation flow's): the media relayed for this allocation, when the capture holds it. */
  relayFlows: number[];
  /**
   * RFC 6062 TCP allocations, when any was seen: Connect requests (the client asks the server to
   * connect to a peer), ConnectionAttempts (the server says a peer connected to the relayed
   * address), and the peer connections they named (at most 8), each with the flow of the data
   * connection the client bound to it (ConnectionBind), null when the capture does not hold it.
   */
  connects?: number;
  connectionAttempts?: number;
  connections?: { connectionId: number; peer: string | null; initiatedBy: 'client' | 'peer'; frame: number; dataConnectionFlow: number | null }[];
  /**
   * True on a 401 or 438 error after which an Allocate from the same client address and port
   * succeeded, on this flow or another (Teams asks again at another address of the relay): the
   * normal authentication step (a challenge, or a stale nonce), not a failure. Absent otherwise.
   */
  challenge?: true;
}

export interface StunReport {
  /** STUN messages parsed across the run, and by dialect. */
  messages: number;
  byDialect: { rfc5389: number; 'ms-turn': number; rfc3489: number };
  /** Flows with STUN, TURN or ChannelData. */
  flows: number;
  /** Totals of the per-flow transaction summaries. */
  requests: number;
  unanswered: number;
  /** Error responses by code across flows, ascending. */
  errorCodes: { code: number; reason: string; count: number }[];
  /** Per flow, ascending by flow id. */
  perFlow: StunFlowReport[];
  allocations: TurnAllocationReport[];
}

const STREAM_TYPES: Readonly<Record<number, string>> = { 1: 'audio', 2: 'video', 3: 'supplemental-video', 4: 'data' }; // [MS-TURN] §2.2.2.18

const RFC_METHOD_NAMES: Readonly<Record<number, string>> = {
  0x001: 'Binding', 0x002: 'SharedSecret', 0x003: 'Allocate', 0x004: 'Refresh', 0x005: 'Data (MS-TURN)', 0x006: 'Send', 0x007: 'Data',
  0x008: 'CreatePermission', 0x009: 'ChannelBind', 0x00a: 'Connect', 0x00b: 'ConnectionBind', 0x00c: 'ConnectionAttempt',
};

function ms3(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

function reasonOf(code: number): string {
  return ERROR_REASONS[code] ?? '';
}

/** Builds the `stun` section. Call once, after the capture was read; it closes the open transactions. */
export function buildStunReport(inspector: InspectedFlows, flows: readonly FlowRecord[]): StunReport {
  const perFlow: StunFlowReport[] = [];
  const allocations: TurnAllocationReport[] = [];
  const byDialect = { rfc5389: 0, 'ms-turn': 0, rfc3489: 0 };
  const errorTotals = new Map<number, number>();
  let messages = 0;
  let requests = 0;
  let unanswered = 0;
  let endpoints: Map<string, number[]> | null = null;
  answerAcrossFlows(inspector.inspected(), flows);
  const bound = boundConnections(inspector.inspected(), flows);
  for (const st of inspector.inspected()) {
    if (st.stunMessages === 0 && st.channelData === 0) continue;
    st.tx?.finish();
    const flowReport = flowSummary(st, flows[st.flow], bound.allocationFlow.get(st.flow));
    perFlow.push(flowReport);
    messages += st.stunMessages;
    for (const t of flowReport.types) byDialect[t.dialect] += t.count;
    for (const m of flowReport.transactions) {
      requests += m.requests;
      unanswered += m.unanswered;
      for (const e of m.errorCodes) errorTotals.set(e.code, (errorTotals.get(e.code) ?? 0) + e.count);
    }
    if (st.allocations.length > 0 && endpoints === null) endpoints = endpointIndex(flows, relayedPorts(inspector));
    const dialect: DialectName = (st.dialects & (1 << 2)) !== 0 ? 'ms-turn' : (st.dialects & (1 << 1)) !== 0 ? 'rfc5389' : 'rfc3489';
    const carrier = flows[st.flow]?.transport;
    for (const a of st.allocations) allocations.push(allocationReport(st.flow + 1, dialect, a, endpoints!, relayTransport(a, carrier), bound.dataConnectionFlow));
  }
  markChallenges(allocations, flows);
  return {
    messages,
    byDialect,
    flows: perFlow.length,
    requests,
    unanswered,
    errorCodes: [...errorTotals].sort((a, b) => a[0] - b[0]).map(([code, count]) => ({ code, reason: reasonOf(code), count })),
    perFlow,
    allocations,
  };
}

/**
 * Matches the responses no request of their flow was waiting for with requests still pending on
 * another flow: same transport, sent from the address and port the response went to (or from that
 * address, naming that port in RESPONSE-PORT), same method and transaction id. Teams' relays answer an
 * Allocate sent to one of their addresses from another (msturn_teams_ndpi.pcap: frame 1250 to .141,
 * answered by frame 1275 from .123); an RFC 5780 server answers a CHANGE-REQUEST from its other
 * address and port, and to the client's RESPONSE-PORT. The request would otherwise read unanswered,
 * the evidence of blocked UDP.
 */
function answerAcrossFlows(states: readonly FlowInspection[], flows: readonly FlowRecord[]): void {
  const keyOf = (record: FlowRecord, side: 0 | 1, method: number, tid: number[], port = -1) => {
    const at = side === 0 ? record.client : record.server;
    return `${record.transport}|${at.ip}|${port >= 0 ? port : at.port}|${method}|${tid.join(',')}`;
  };
  const waiting = new Map<string, { tx: TransactionTable; response: UnmatchedResponse }>();
  for (const st of states) {
    const record = flows[st.flow];
    if (st.tx === null || record === undefined) continue;
    // A response goes to the side that did not send it.
    for (const response of st.tx.unmatched) waiting.set(keyOf(record, response.dir === 0 ? 1 : 0, response.method, response.tid), { tx: st.tx, response });
  }
  if (waiting.size === 0) return;
  for (const st of states) {
    const record = flows[st.flow];
    if (st.tx === null || record === undefined) continue;
    for (const request of st.tx.pending()) {
      // RESPONSE-PORT is comprehension-required, but a server that ignored it answers the source port.
      let key = keyOf(record, request.dir as 0 | 1, request.method, request.tid, request.responsePort);
      if (request.responsePort >= 0 && !waiting.has(key)) key = keyOf(record, request.dir as 0 | 1, request.method, request.tid);
      const found = waiting.get(key);
      if (found === undefined || found.tx === st.tx) continue;
      waiting.delete(key);
      st.tx.answerFromOtherFlow(request.slot, found.response);
      found.tx.answeredElsewhere(found.response);
      const a = st.allocations.find((x) => x.outcome === 0 && sameTid(x.tid, request.tid));
      const answer = found.response.allocation;
      if (a !== undefined && answer !== undefined) {
        a.outcome = answer.outcome;
        a.errorCode = answer.errorCode;
        a.errorReason = answer.errorReason;
        a.responseFrame = answer.responseFrame;
        a.responseTime = Math.max(0, found.response.ts - request.ts);
        a.relayed = answer.relayed;
        a.relayedIp = answer.relayedIp;
        a.relayedPort = answer.relayedPort;
        a.reflexive = answer.reflexive;
        a.lifetime = answer.lifetime;
        if (a.msVersion < 0) a.msVersion = answer.msVersion;
        a.realm = answer.realm ?? a.realm;
        if (a.outcome === 1 && (st.dialects & (1 << Dialect.MsTurn)) !== 0) foldRefreshes(st, a);
      }
    }
  }
}

/**
 * RFC 6062 data connections and the peer connections they carry: a ConnectionBind that succeeded
 * names a CONNECTION-ID that a Connect success or a ConnectionAttempt gave on a TCP allocation's
 * control connection to the same server address and port (the id is the server's, so unique only
 * there). A bind refused or unanswered carries nothing, and links nothing. Flow ids, both ways.
 */
function boundConnections(states: readonly FlowInspection[], flows: readonly FlowRecord[]): {
  allocationFlow: Map<number, number>;
  dataConnectionFlow: Map<RelayConnection, number>;
} {
  const allocationFlow = new Map<number, number>(); // data connection's flow index -> allocation's flow id
  const dataConnectionFlow = new Map<RelayConnection, number>();
  const keyOf = (record: FlowRecord, connectionId: number) => `${record.server.ip}|${record.server.port}|${connectionId}`;
  const named = new Map<string, { flow: number; connection: RelayConnection }>();
  for (const st of states) {
    const record = flows[st.flow];
    if (record?.transport !== 'tcp') continue;
    for (const a of st.allocations) for (const c of a.connections) named.set(keyOf(record, c.connectionId), { flow: st.flow + 1, connection: c });
  }
  if (named.size === 0) return { allocationFlow, dataConnectionFlow };
  for (const st of states) {
    const record = flows[st.flow];
    if (st.boundConnectionId < 0 || st.dataConnectionFrame === 0 || record?.transport !== 'tcp') continue;
    const found = named.get(keyOf(record, st.boundConnectionId));
    if (found === undefined) continue;
    allocationFlow.set(st.flow, found.flow);
    if (!dataConnectionFlow.has(found.connection)) dataConnectionFlow.set(found.connection, st.flow + 1);
  }
  return { allocationFlow, dataConnectionFlow };
}

/**
 * An MS-TURN allocation found live only at report time (answered on another flow): the Allocates its
 * flow sent after it were its refreshes, and a release (LIFETIME 0), not new allocations, as the
 * inspector counts them when it knows the allocation is live (inspector.ts turn()).
 */
function foldRefreshes(st: FlowInspection, live: Allocation): void {
  const at = st.allocations.indexOf(live) + 1;
  while (at < st.allocations.length && !live.deleted) {
    const later = st.allocations[at];
    live.refreshes++;
    if (later.outcome === 2) live.refreshErrors++;
    else if (later.lifetime === 0) live.deleted = true;
    st.allocations.splice(at, 1);
  }
}

/** `allocationFlow`: the flow of the allocation whose peer connection this data connection carries (boundConnections). */
function flowSummary(st: FlowInspection, record: FlowRecord | undefined, allocationFlow: number | undefined): StunFlowReport {
  const dialects: DialectName[] = [];
  for (let d = 1; d <= 3; d++) if (st.dialects & (1 << d)) dialects.push(DIALECT_NAMES[d] as DialectName);
  const types: StunTypeCount[] = [...st.typeCounts].sort((a, b) => a[0] - b[0]).map(([key, count]) => {
    const dialect = key >>> 20;
    const type = key & 0xffff;
    return {
      type: `0x${hex4(type)}`,
      name: messageTypeName(dialect, type),
      dialect: DIALECT_NAMES[dialect] as DialectName,
      direction: ((key >>> 16) & 0xf) === 0 ? 'fromClient' as const : 'fromServer' as const,
      count,
    };
  });
  const out = { flow: st.flow + 1, dialects } as StunFlowReport; // the rest in contract key order below
  if (record?.transport === 'tcp' && st.framing !== 0) {
    out.framing = FRAMING_NAMES[st.framing] as StunFlowReport['framing'];
    out.pseudoTls = st.pseudoTls;
    if (st.dataConnectionFrame > 0) out.dataConnectionFrame = st.dataConnectionFrame;
    if (st.boundConnectionId >= 0) out.connectionId = st.boundConnectionId;
    if (allocationFlow !== undefined) out.allocationFlow = allocationFlow;
  }
  out.messages = st.stunMessages;
  out.types = types;
  out.transactions = st.tx === null ? [] : [...st.tx.byMethod].sort((a, b) => a[0] - b[0]).map(([method, m]) => methodSummary(method, m, st.dialects));
  if (st.channelData > 0) out.channelData = { messages: st.channelData, multiplexedTurn: st.multiplexedTurn, channels: [...st.channels].sort((a, b) => a - b) };
  out.tunneledStun = st.tunneledStun;
  if (st.software !== undefined) out.software = st.software;
  if (st.realm !== undefined) out.realm = st.realm;
  out.fingerprints = { ok: st.fingerprintsOk, mismatched: st.fingerprintsBad };
  out.withIntegrity = st.integrity;
  if (st.iceChecks > 0) out.ice = { checks: st.iceChecks, useCandidate: st.useCandidate, controlling: st.controlling, controlled: st.controlled };
  if (st.msVersions.length + st.msStreamTypes.length + st.msImplementationVersions.length + st.msCandidateIds + st.callIds.length > 0 || st.msBandwidthReservation) {
    out.microsoft = {
      versions: [...st.msVersions].sort((a, b) => a - b),
      streamTypes: [...st.msStreamTypes].sort((a, b) => a - b).map((t) => STREAM_TYPES[t] ?? `unknown-${t}`),
      implementationVersions: [...st.msImplementationVersions].sort((a, b) => a - b),
      candidateIdentifiers: st.msCandidateIds,
      bandwidthReservation: st.msBandwidthReservation,
      callIds: [...st.callIds],
    };
  }
  if (st.unknownAttributes.size > 0) {
    const unknown: Record<string, number> = {};
    for (const [t, n] of [...st.unknownAttributes].sort((a, b) => a[0] - b[0])) unknown[`0x${hex4(t)}`] = n;
    out.unknownAttributes = unknown;
  }
  return out;
}

function methodSummary(method: number, m: MethodStats, dialects: number): StunMethodSummary {
  let name = RFC_METHOD_NAMES[method] ?? 'Unknown';
  if (method === 0x004 && dialects === 1 << 2) name = 'Send (MS-TURN)';
  if (method === 0x006 && dialects === 1 << 2) name = 'Set Active Destination (MS-TURN)';
  return {
    method: `0x${method.toString(16).padStart(3, '0')}`,
    name,
    requests: m.requests,
    retransmissions: m.retransmissions,
    success: m.success,
    errors: m.errors,
    unanswered: m.unanswered,
    unansweredFrames: [...m.unansweredFrames],
    indications: m.indications,
    unmatchedResponses: m.unmatchedResponses,
    answeredOnOtherFlow: m.answeredOnOtherFlow,
    duplicateResponses: m.duplicateResponses,
    responseTimeMs: m.rttCount === 0 ? null : { min: ms3(m.rttMin), mean: ms3(m.rttSum / m.rttCount), max: ms3(m.rttMax) },
    errorCodes: [...m.errorCodes].sort((a, b) => a[0] - b[0]).map(([code, count]) => ({ code, reason: reasonOf(code), count, firstFrame: m.errorFrames.get(code)! })),
  };
}

/**
 * The transport of an allocation's relayed address: REQUESTED-TRANSPORT (17 UDP; 6 TCP, RFC 6062),
 * else that of the flow the allocation was made on (MS-TURN asks for none).
 */
function relayTransport(a: Allocation, carrier: string | undefined): string | undefined {
  return a.requestedTransport === 17 ? 'udp' : a.requestedTransport === 6 ? 'tcp' : carrier;
}

/** Error codes a TURN client answers by asking again: a challenge (401) or a stale nonce (438, RFC 8656 §7.2). */
const RETRIED_ERRORS: ReadonlySet<number> = new Set([401, 438]);

/** Sets `challenge` on the 401 and 438 errors an Allocate of the same client address and port later got past. */
export function markChallenges(allocations: TurnAllocationReport[], flows: readonly FlowRecord[]): void {
  const clientOf = (a: TurnAllocationReport) => {
    const f = flows[a.flow - 1];
    return f === undefined ? `flow ${a.flow}` : `${f.transport}|${f.client.ip}|${f.client.port}`;
  };
  const lastSuccess = new Map<string, number>(); // by client: the request frame of its last successful Allocate
  for (const a of allocations) if (a.outcome === 'success') lastSuccess.set(clientOf(a), Math.max(lastSuccess.get(clientOf(a)) ?? 0, a.requestFrame));
  for (const a of allocations) {
    if (a.outcome === 'error' && RETRIED_ERRORS.has(a.errorCode ?? 0) && (lastSuccess.get(clientOf(a)) ?? 0) > a.requestFrame) a.challenge = true;
  }
}

/**
 * The ledger's Allocate transactions by what they came to, for summaries: `challenged` are the 401
 * and 438 errors an Allocate of the same client later got past (`challenge`: the normal
 * authentication step, not a failure); `error` the other errors.
 */
export const ALLOCATION_OUTCOME_LABELS = { success: 'success', challenged: 'challenged (401/438, then success)', error: 'error', unanswered: 'unanswered' } as const;

export function allocationOutcomes(allocations: readonly TurnAllocationReport[]): { success: number; challenged: number; error: number; unanswered: number } {
  const counts = { success: 0, challenged: 0, error: 0, unanswered: 0 };
  for (const a of allocations) counts[a.outcome === 'error' && a.challenge === true ? 'challenged' : a.outcome]++;
  return counts;
}

function allocationReport(flow: number, dialect: DialectName, a: Allocation, endpoints: Map<string, number[]>, transport: string | undefined,
  dataConnectionFlow: ReadonlyMap<RelayConnection, number>): TurnAllocationReport {
  const r: TurnAllocationReport = {
    flow,
    dialect,
    requestFrame: a.requestFrame,
    requestTime: a.requestTs,
    attempts: a.attempts,
    outcome: a.outcome === 1 ? 'success' : a.outcome === 2 ? 'error' : 'unanswered',
  } as TurnAllocationReport;
  if (a.outcome === 2) {
    r.errorCode = a.errorCode;
    if (a.errorReason !== undefined) r.errorReason = a.errorReason;
  }
  if (a.outcome !== 0) {
    r.responseFrame = a.responseFrame;
    r.responseTimeMs = ms3(a.responseTime);
  }
  if (a.relayed !== undefined) r.relayed = a.relayed;
  if (a.reflexive !== undefined) r.reflexive = a.reflexive;
  if (a.lifetime >= 0) r.lifetime = a.lifetime;
  if (a.requestedTransport >= 0) r.requestedTransport = a.requestedTransport;
  if (a.msVersion >= 0) r.msVersion = a.msVersion;
  if (a.streamType >= 0) r.streamType = STREAM_TYPES[a.streamType] ?? `unknown-${a.streamType}`;
  if (a.username !== undefined) r.username = a.username;
  if (a.realm !== undefined) r.realm = a.realm;
  r.refreshes = a.refreshes;
  r.refreshErrors = a.refreshErrors;
  r.deleted = a.deleted;
  r.permissions = a.permissions;
  r.peers = [...a.peers];
  r.channelBinds = a.channelBinds;
  r.channels = a.channels.map((c) => ({ ...c }));
  r.setActiveDestination = a.setActiveDestination;
  if (a.destination !== undefined) r.destination = a.destination;
  r.sendIndications = a.sendIndications;
  r.dataIndications = a.dataIndications;
  r.relayFlows = a.relayedIp === undefined ? [] : (endpoints.get(`${transport}|${a.relayedIp}|${a.relayedPort}`) ?? []).filter((id) => id !== flow);
  if (a.connects + a.connectionAttempts + a.connections.length > 0) {
    r.connects = a.connects;
    r.connectionAttempts = a.connectionAttempts;
    r.connections = a.connections.map((c) => ({ ...c, dataConnectionFlow: dataConnectionFlow.get(c) ?? null }));
  }
  return r;
}

/** The ports of the run's relayed addresses: the only endpoints endpointIndex needs to hold. */
function relayedPorts(inspector: InspectedFlows): Set<number> {
  const ports = new Set<number>();
  for (const st of inspector.inspected()) for (const a of st.allocations) if (a.relayedIp !== undefined) ports.add(a.relayedPort);
  return ports;
}

/** "ip|port" of the flow endpoints on one of `ports` -> flow ids, ascending. */
function endpointIndex(flows: readonly FlowRecord[], ports: ReadonlySet<number>): Map<string, number[]> {
  const index = new Map<string, number[]>();
  const add = (transport: string, ip: string, port: number, id: number): void => {
    const key = `${transport}|${ip}|${port}`;
    const ids = index.get(key);
    if (ids === undefined) index.set(key, [id]);
    else if (ids[ids.length - 1] !== id) ids.push(id);
  };
  for (const f of flows) {
    if (f.transport !== 'tcp' && f.transport !== 'udp') continue;
    if (ports.has(f.client.port)) add(f.transport, f.client.ip, f.client.port, f.id);
    if (ports.has(f.server.port)) add(f.transport, f.server.ip, f.server.port, f.id);
  }
  return index;
}

/**
 * The `apps` entries of one flow from STUN/TURN inspection and the
 * application parsers (media entries are added by the caller from the media
 * report). Ordered by protocol name.
 */
export function appsOf(st: FlowInspection | undefined): AppRecord[] {
  if (st === undefined) return [];
  const apps: AppRecord[] = [];
  if (st.stunMessages > 0) {
    const dialects: string[] = [];
    for (let d = 1; d <= 3; d++) if (st.dialects & (1 << d)) dialects.push(DIALECT_NAMES[d]);
    const stun: AppRecord = { protocol: 'stun', confidence: 'payload', evidenceFrames: [...st.stunFrames], dialects, messages: st.stunMessages, turn: st.turnSeen };
    if (st.framing !== 0) stun.framing = FRAMING_NAMES[st.framing];
    if (st.pseudoTls) stun.pseudoTls = true;
    apps.push(stun);
  }
  if (st.channelData > 0) {
    apps.push({ protocol: 'channeldata', confidence: 'payload', evidenceFrames: [...st.channelFrames], messages: st.channelData, multiplexedTurn: st.multiplexedTurn });
  }
  // MS-TURN over TCP opens with a fake TLS handshake (stun-turn-dialects.md): a protocol of its own, not TLS.
  if (st.pseudoTls) apps.push({ protocol: 'ms-turn-pseudo-tls', confidence: 'payload', evidenceFrames: [...st.pseudoTlsFrames] });
  // Its data frames alone, when the capture started after the handshake and the Allocate: no STUN entry shows the framing.
  if (st.msTurnDataFrames > 0 && st.stunMessages === 0 && !st.pseudoTls) {
    apps.push({ protocol: 'ms-turn-tcp', confidence: 'payload', evidenceFrames: [...st.msTurnDataFrameNos], messages: st.msTurnDataFrames });
  }
  for (const hello of st.apps) {
    const app = appRecord(hello);
    if (hello.protocol === 'sip' && st.sip !== null) Object.assign(app, sipCounts(st.sip));
    if (hello.protocol === 'http' && st.http !== null) Object.assign(app, httpCounts(st.http));
    apps.push(app);
  }
  return apps;
}

function appRecord(hello: AppHello): AppRecord {
  const { protocol, evidenceFrames, ...details } = hello;
  return { protocol, confidence: 'payload', evidenceFrames: evidenceFrames ?? [], ...details };
}
