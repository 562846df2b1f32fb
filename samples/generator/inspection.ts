/**
 * What payload inspection should find in a sample, computed from what the
 * generator meant to put in each frame (notes attached by the recipes when
 * they build a payload), never by parsing the bytes back and never with code
 * from src/: STUN messages and transactions, TURN allocations, RTP streams
 * with loss and RFC 3550 jitter, RTCP reports, and the strings a report must
 * show as text. Format documented in samples/README.md ("Inspection truth").
 */
import type { Frame, Trace } from './trace.js';

export type StunDialect = 'rfc5389' | 'ms-turn';

/** A STUN/TURN message the frame carries (one note per message). */
export interface StunNote {
  kind: 'stun';
  dialect: StunDialect;
  type: number;
  /** Transaction id, hex (12 bytes RFC 5389, 16 bytes MS-TURN). */
  txid: string;
  errorCode?: number;
  /** Allocate success: the relayed transport address and lifetime (s). */
  relayed?: { ip: string; port: number };
  lifetime?: number;
}

/** How an RTP packet travels: plain UDP, or wrapped in a TURN message or frame. */
export type RtpCarrier = 'udp' | 'turn-send-indication' | 'turn-data-indication' | 'channeldata' | 'ms-turn-send-request' | 'ms-turn-data-indication' | 'ms-turn-tcp-data';

export interface RtpNote {
  kind: 'rtp';
  ssrc: number;
  seq: number;
  ts: number;
  payloadType: number;
  clockRate: number;
  carrier: RtpCarrier;
}

export interface RtcpReportNote {
  type: 'SR' | 'RR';
  ssrc: number;
  sender?: { packetCount: number; octetCount: number; rtpTs: number };
  reports: { ssrc: number; fractionLost: number; cumulativeLost: number; extendedHighestSeq: number; jitter: number }[];
}

export interface RtcpNote {
  kind: 'rtcp';
  packets: RtcpReportNote[];
}

/** Any other payload an inspector recognises by its first bytes (TLS ClientHello, MS-TURN pseudo-TLS, SIP, ChannelData). */
export interface AppNote {
  kind: 'app';
  protocol: string;
}

/** A string copied from the packet that a report must show as data (hostile-strings sample). */
export interface StringNote {
  kind: 'string';
  field: string;
  value: string;
}

export type PayloadNote = StunNote | RtpNote | RtcpNote | AppNote | StringNote;

export function note(frame: Frame, ...notes: PayloadNote[]): Frame {
  (frame.notes ??= []).push(...notes);
  return frame;
}

// ---- STUN message names (dialects §2) ----

const RFC_METHODS: Record<number, string> = {
  0x001: 'Binding', 0x003: 'Allocate', 0x004: 'Refresh', 0x006: 'Send', 0x007: 'Data', 0x008: 'CreatePermission', 0x009: 'ChannelBind',
  0x00a: 'Connect', 0x00b: 'ConnectionBind', 0x00c: 'ConnectionAttempt',
}; // RFC 5389 §18.1, RFC 5766 §13, RFC 6062 §6.1
const CLASSES = ['request', 'indication', 'success response', 'error response'] as const; // RFC 5389 §6
const MS_NAMES: Record<number, string> = {
  0x0003: 'Allocate request', 0x0103: 'Allocate response', 0x0113: 'Allocate error response',
  0x0004: 'Send request', 0x0115: 'Data Indication',
  0x0006: 'Set Active Destination request', 0x0106: 'Set Active Destination response', 0x0116: 'Set Active Destination error response',
}; // MS-TURN §2.2.1

type StunClass = (typeof CLASSES)[number];

const rfcClass = (type: number): StunClass => CLASSES[((type >> 7) & 2) | ((type >> 4) & 1)];
const rfcMethod = (type: number): number => (type & 0x000f) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0f80);

/** Class of a message: MS-TURN's Send request and Data Indication expect no answer, like RFC indications. */
export function stunClass(dialect: StunDialect, type: number): StunClass {
  if (dialect === 'rfc5389') return rfcClass(type);
  if (type === 0x0004 || type === 0x0115) return 'indication';
  return ({ 0x00: 'request', 0x10: 'success response', 0x11: 'error response' } as Record<number, StunClass>)[type >> 4] ?? 'request';
}

export function stunName(dialect: StunDialect, type: number): string {
  if (dialect === 'ms-turn') return MS_NAMES[type] ?? `MS-TURN 0x${type.toString(16).padStart(4, '0')}`;
  return `${RFC_METHODS[rfcMethod(type)] ?? `method 0x${rfcMethod(type).toString(16)}`} ${rfcClass(type)}`;
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const round = (x: number, digits: number) => Number(x.toFixed(digits));

// ---- truth records ----

export interface StunMessageCount { type: string; name: string; dialect: StunDialect; fromClient: number; fromServer: number }

export interface StunTransactionTruth {
  txid: string;
  dialect: StunDialect;
  request: string;
  /** Request frames, first transmission and retransmissions (same transaction id, same sender). */
  requestFrames: number[];
  retransmissions: number;
  /** The first response with this transaction id from the other side, or null when none was captured. */
  response: { frame: number; type: string; name: string; errorCode: number | null; responseTimeMs: number } | null;
}

export interface FlowStunTruth {
  dialects: StunDialect[];
  messages: StunMessageCount[];
  transactions: StunTransactionTruth[];
  summary: { messages: number; requests: number; answered: number; unanswered: number; retransmissions: number; indications: number; errorCodes: Record<string, number> };
}

export interface AllocationTruth {
  flowId: number;
  dialect: StunDialect;
  transport: 'udp' | 'tcp';
  txid: string;
  requestFrame: number;
  responseFrame: number | null;
  outcome: 'success' | 'error' | 'unanswered';
  errorCode: number | null;
  relayed: { ip: string; port: number } | null;
  lifetime: number | null;
}

export interface MediaStreamTruth {
  flowId: number;
  direction: 'fromClient' | 'fromServer';
  ssrc: number;
  payloadType: number;
  clockRate: number;
  /** How the stream's packets traveled in this flow, sorted (a TURN client may switch from Send indications to ChannelData). */
  carriers: RtpCarrier[];
  packets: number;
  firstFrame: number;
  lastFrame: number;
  firstSeq: number;
  /** Extended highest sequence number (RFC 3550 A.1: cycles << 16 | max_seq), relative to the first packet's cycle 0. */
  highestSeq: number;
  /** highestSeq - firstSeq + 1 (RFC 3550 A.3). */
  expected: number;
  /** Sequence numbers in [firstSeq, highestSeq] never captured. */
  lost: number;
  lossPercent: number;
  /** expected - packets, as RFC 3550 §6.4.1 defines the cumulative lost (duplicates count as received). */
  rfc3550CumulativeLost: number;
  duplicates: number;
  /** Packets with a sequence number below the highest seen before them (and not duplicates). */
  outOfOrder: number;
  /** RFC 3550 §6.4.1 / A.8 interarrival jitter after the last packet, every packet in arrival order, as a float. */
  jitterTimestampUnits: number;
  jitterMs: number;
  /** The largest running jitter, and its mean over every packet after the first (as tshark's RTP streams table averages it), ms. */
  maxJitterMs: number;
  meanJitterMs: number;
}

export interface RtcpTruth {
  flowId: number;
  frame: number;
  direction: 'fromClient' | 'fromServer';
  packets: RtcpReportNote[];
}

export interface InspectionTruth {
  perFlow: Map<Frame['flow'], { apps: string[]; stun?: FlowStunTruth; strings?: { field: string; value: string }[] }>;
  allocations: AllocationTruth[];
  streams: MediaStreamTruth[];
  rtcp: RtcpTruth[];
}

interface Ctx {
  frameNo: Map<Frame, number>;
  idOf: (f: NonNullable<Frame['flow']>) => number;
}

/** Every note of every frame of the trace, in capture order, turned into the inspection truth. */
export function computeInspection(trace: Trace, ctx: Ctx): InspectionTruth {
  const frames = trace.finalize();
  const perFlow: InspectionTruth['perFlow'] = new Map();
  const allocations: AllocationTruth[] = [];
  const rtcp: RtcpTruth[] = [];
  const stunByFlow = new Map<Frame['flow'], { frame: Frame; n: StunNote }[]>();
  const rtpByStream = new Map<string, { frame: Frame; n: RtpNote }[]>();
  for (const flow of trace.flows) perFlow.set(flow, { apps: [] });
  for (const frame of frames) {
    if (!frame.flow || !frame.notes) continue;
    const entry = perFlow.get(frame.flow)!;
    const app = (p: string) => { if (!entry.apps.includes(p)) entry.apps.push(p); };
    for (const n of frame.notes) {
      if (n.kind === 'stun') {
        app('stun');
        const list = stunByFlow.get(frame.flow) ?? [];
        list.push({ frame, n });
        stunByFlow.set(frame.flow, list);
      } else if (n.kind === 'rtp') {
        app('rtp');
        const key = `${ctx.idOf(frame.flow)} ${frame.fromClient ? 'c' : 's'} ${n.ssrc}`;
        const list = rtpByStream.get(key) ?? [];
        list.push({ frame, n });
        rtpByStream.set(key, list);
      } else if (n.kind === 'rtcp') {
        app('rtcp');
        rtcp.push({ flowId: ctx.idOf(frame.flow), frame: ctx.frameNo.get(frame)!, direction: frame.fromClient ? 'fromClient' : 'fromServer', packets: n.packets });
      } else if (n.kind === 'app') {
        app(n.protocol);
      } else {
        (entry.strings ??= []).push({ field: n.field, value: n.value });
      }
    }
  }
  for (const [flow, list] of stunByFlow) {
    const { stun, allocs } = stunTruth(flow!, list, ctx);
    perFlow.get(flow)!.stun = stun;
    allocations.push(...allocs);
  }
  for (const e of perFlow.values()) e.apps.sort();
  allocations.sort((a, b) => a.requestFrame - b.requestFrame);
  const streams = [...rtpByStream.values()].map((list) => streamTruth(list, ctx)).sort((a, b) => a.flowId - b.flowId || a.firstFrame - b.firstFrame);
  return { perFlow, allocations, streams, rtcp };
}

function stunTruth(flow: NonNullable<Frame['flow']>, list: { frame: Frame; n: StunNote }[], ctx: Ctx): { stun: FlowStunTruth; allocs: AllocationTruth[] } {
  const counts = new Map<string, StunMessageCount>();
  const txs = new Map<string, { t: StunTransactionTruth; fromClient: boolean; firstT: number; firstFrame: Frame; note: StunNote; resp?: StunNote }>();
  let indications = 0;
  for (const { frame, n } of list) {
    const key = `${n.dialect} ${n.type}`;
    const c = counts.get(key) ?? { type: hex4(n.type), name: stunName(n.dialect, n.type), dialect: n.dialect, fromClient: 0, fromServer: 0 };
    if (frame.fromClient) c.fromClient++;
    else c.fromServer++;
    counts.set(key, c);
    const cls = stunClass(n.dialect, n.type);
    const no = ctx.frameNo.get(frame)!;
    if (cls === 'indication') {
      indications++;
      continue;
    }
    const tx = txs.get(n.txid);
    if (cls === 'request') {
      if (tx && tx.fromClient === frame.fromClient && !tx.t.response) {
        tx.t.requestFrames.push(no);
        tx.t.retransmissions++;
      } else if (!tx) {
        txs.set(n.txid, {
          t: { txid: n.txid, dialect: n.dialect, request: stunName(n.dialect, n.type), requestFrames: [no], retransmissions: 0, response: null },
          fromClient: !!frame.fromClient, firstT: frame.t, firstFrame: frame, note: n,
        });
      } else throw new Error(`${flow.label}: transaction ${n.txid} reused`);
    } else if (tx && tx.fromClient !== frame.fromClient && !tx.t.response) {
      tx.t.response = {
        frame: no, type: hex4(n.type), name: stunName(n.dialect, n.type), errorCode: n.errorCode ?? null, responseTimeMs: round((frame.t - tx.firstT) / 1000, 3),
      };
      tx.resp = n;
    } else throw new Error(`${flow.label}: response ${n.txid} without its request`);
  }
  const all = [...txs.values()];
  const transactions = all.map((x) => x.t);
  const errorCodes: Record<string, number> = {};
  for (const t of transactions) if (t.response?.errorCode != null) errorCodes[t.response.errorCode] = (errorCodes[t.response.errorCode] ?? 0) + 1;
  const allocs: AllocationTruth[] = all.filter((x) => x.note.type === 0x0003).map((x) => ({
    flowId: ctx.idOf(flow), dialect: x.note.dialect, transport: flow.transport, txid: x.t.txid,
    requestFrame: x.t.requestFrames[0], responseFrame: x.t.response?.frame ?? null,
    outcome: !x.t.response ? 'unanswered' : x.t.response.errorCode != null ? 'error' : 'success',
    errorCode: x.t.response?.errorCode ?? null, relayed: x.resp?.relayed ?? null, lifetime: x.resp?.lifetime ?? null,
  }));
  const answered = transactions.filter((t) => t.response).length;
  return {
    stun: {
      dialects: [...new Set(list.map((x) => x.n.dialect))].sort(),
      messages: [...counts.values()].sort((a, b) => a.dialect.localeCompare(b.dialect) || a.type.localeCompare(b.type)),
      transactions,
      summary: {
        messages: list.length, requests: transactions.length, answered, unanswered: transactions.length - answered,
        retransmissions: transactions.reduce((a, t) => a + t.retransmissions, 0), indications, errorCodes,
      },
    },
    allocs,
  };
}

/** Signed difference of two 32-bit RTP timestamps (RFC 3550 §5.1: they wrap). */
const tsDiff = (a: number, b: number) => ((a - b) | 0);

function streamTruth(list: { frame: Frame; n: RtpNote }[], ctx: Ctx): MediaStreamTruth {
  const first = list[0];
  const { clockRate } = first.n;
  // Extended sequence numbers relative to the first packet (RFC 3550 A.1), wrap-aware for jumps under 2^15.
  let ext = first.n.seq;
  let highest = ext;
  const seen = new Set<number>();
  let duplicates = 0;
  let outOfOrder = 0;
  let jitter = 0;
  let maxJitter = 0;
  let sumJitter = 0;
  let prevTransit: number | null = null;
  for (const { frame, n } of list) {
    let delta = (n.seq - (ext & 0xffff)) & 0xffff;
    if (delta >= 0x8000) delta -= 0x10000;
    const e = ext + delta;
    ext = e;
    if (seen.has(e)) duplicates++;
    else if (e < highest) outOfOrder++;
    seen.add(e);
    if (e > highest) highest = e;
    // RFC 3550 §6.4.1: D(i,j) = (Rj - Ri) - (Sj - Si), arrival R in timestamp units; J += (|D| - J) / 16.
    const transit = (frame.t * clockRate) / 1e6 - tsDiff(n.ts, first.n.ts);
    if (prevTransit !== null) jitter += (Math.abs(transit - prevTransit) - jitter) / 16;
    prevTransit = transit;
    maxJitter = Math.max(maxJitter, jitter);
    sumJitter += jitter;
  }
  const ms = (units: number) => round((units * 1000) / clockRate, 6);
  const expected = highest - first.n.seq + 1;
  let lost = 0;
  for (let s = first.n.seq; s <= highest; s++) if (!seen.has(s)) lost++;
  return {
    flowId: ctx.idOf(first.frame.flow!), direction: first.frame.fromClient ? 'fromClient' : 'fromServer', ssrc: first.n.ssrc,
    payloadType: first.n.payloadType, clockRate, carriers: [...new Set(list.map((x) => x.n.carrier))].sort(), packets: list.length,
    firstFrame: ctx.frameNo.get(first.frame)!, lastFrame: ctx.frameNo.get(list[list.length - 1].frame)!,
    firstSeq: first.n.seq, highestSeq: highest, expected, lost, lossPercent: round((lost / expected) * 100, 4),
    rfc3550CumulativeLost: expected - list.length, duplicates, outOfOrder,
    jitterTimestampUnits: round(jitter, 6), jitterMs: ms(jitter), maxJitterMs: ms(maxJitter), meanJitterMs: ms(sumJitter / Math.max(1, list.length - 1)),
  };
}

/**
 * The receiver's view of a stream at time `untilUs` (frames captured up to then), as an RTCP
 * report block states it (RFC 3550 §6.4.1, A.3): fraction lost since `since` (the previous
 * report's expected and received), cumulative lost, extended highest sequence, jitter truncated.
 */
export function receiverView(rtpFrames: { t: number; seq: number; ts: number }[], clockRate: number, untilUs: number, since: { expected: number; received: number }) {
  const got = rtpFrames.filter((p) => p.t <= untilUs);
  if (got.length === 0) throw new Error('receiverView: nothing received yet');
  const base = got[0].seq;
  let ext = base;
  let highest = base;
  let jitter = 0;
  let prev: number | null = null;
  for (const p of got) {
    let d = (p.seq - (ext & 0xffff)) & 0xffff;
    if (d >= 0x8000) d -= 0x10000;
    ext += d;
    if (ext > highest) highest = ext;
    const transit = (p.t * clockRate) / 1e6 - tsDiff(p.ts, got[0].ts);
    if (prev !== null) jitter += (Math.abs(transit - prev) - jitter) / 16;
    prev = transit;
  }
  const expected = highest - base + 1;
  const received = got.length;
  const expectedInterval = expected - since.expected;
  const lostInterval = expectedInterval - (received - since.received);
  return {
    fractionLost: expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval),
    cumulativeLost: expected - received,
    extendedHighestSeq: highest >>> 0,
    jitter: Math.floor(jitter),
    expected,
    received,
  };
}
