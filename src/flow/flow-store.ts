/**
 * Columnar storage of every flow of a run, live or finished.
 *
 * A flow is a number: its index in creation order (= order of first packet).
 * Each per-flow attribute lives in one typed array, so the per-packet path
 * touches a few numbers and never allocates; the arrays grow by doubling when
 * a flow is created past the capacity. Because growth replaces the arrays,
 * never keep a reference to one of them across a call that may create flows
 * (FlowTable.add): read `store.packets` again.
 *
 * Keys are kept in client/server orientation (see flow-table.ts for how the
 * client is chosen), so a flow's key never changes once created.
 *
 * Layout conventions:
 * - addresses: 4 words per flow at `flow * 4` (PacketView convention: IPv4 in
 *   word 3, words 0-2 zero);
 * - per-direction counters and TCP endpoint fields: 2 slots per flow at
 *   `flow * 2 + dir`, dir 0 = sent by the client, 1 = sent by the server (Dir);
 * - TCP history: HISTORY_CAPACITY bytes per flow at `flow * HISTORY_CAPACITY`.
 */
import { Family } from '../decode/packet-view.js';

/** Direction of a packet within its flow; also the offset in 2-per-flow arrays. */
export const Dir = { FromClient: 0, FromServer: 1 } as const;
export type Dir = (typeof Dir)[keyof typeof Dir];

/** How the client/server orientation of a flow was decided (stored as a number). */
export const OrientedBy = {
  /** TCP: the client sent the first SYN without ACK. */
  Syn: 1,
  /** TCP: the first packet was a SYN-ACK; its receiver is the client. */
  SynAck: 2,
  /** The sender of the first packet is the client (UDP, ICMP, mid-flow TCP). */
  FirstPacket: 3,
  /** Exactly one side's port is a documented service port (catalog bitmaps): that side is the server. */
  ServicePort: 4,
  /** Mid-flow TCP, no catalog hint: exactly one port is below 1024 and that side is the server. */
  WellKnownPort: 5,
} as const;
export type OrientedBy = (typeof OrientedBy)[keyof typeof OrientedBy];

/** Names of OrientedBy values as they appear in the report, indexed by value. */
export const ORIENTED_BY_NAMES = ['', 'syn', 'syn-ack', 'first-packet', 'service-port', 'well-known-port'] as const;
export type OrientedByName = Exclude<(typeof ORIENTED_BY_NAMES)[number], ''>;

/** Why a flow stopped being live (stored as a number; 0 = still live). */
export const EndedBy = {
  Live: 0,
  /** Still live when the capture ended (FlowTable.finish). */
  End: 1,
  /** No packet for longer than the idle timeout of its protocol/state; counted as A.FlowEvictedIdle. */
  Idle: 2,
  /** Evicted as least recently seen because the live-flow cap was reached; counted as A.FlowEvictedCap. */
  Cap: 3,
  /** TCP: a new SYN reused the key after this connection had closed (Zeek's connection reuse). */
  Reuse: 4,
  /** TCP: closed (FIN both ways or RST) and then quiet for the closed-connection linger time. */
  Closed: 5,
} as const;
export type EndedBy = (typeof EndedBy)[keyof typeof EndedBy];

/** Names of EndedBy values as they appear in the report, indexed by value. */
export const ENDED_BY_NAMES = ['', 'end', 'idle', 'cap', 'reuse', 'closed'] as const;
export type EndedByName = Exclude<(typeof ENDED_BY_NAMES)[number], ''>;

/**
 * Bytes of TCP history per flow. Each letter appears at most once per
 * direction: 10 letters x 2 directions + '^' = 21 (see tcp-state.ts).
 */
export const HISTORY_CAPACITY = 24;

const INITIAL_CAPACITY = 1024;

/** One distinct ICMP error seen about a flow; see FlowTable.recordIcmpError. */
export interface IcmpErrorEntry {
  /** ICMP type (ICMPv4 or ICMPv6 numbering, per the family of the flow). */
  type: number;
  code: number;
  /** Address of the host that sent the ICMP error (a router, a firewall or the peer). */
  reporter: string;
  /** Which side of the flow sent the datagram the error quotes. */
  quotedFrom: 'client' | 'server';
  /** Number of such errors (same reporter, type, code, quoted side). */
  count: number;
  firstFrame: number;
  /** Epoch seconds. */
  firstTs: number;
  lastFrame: number;
  /** Epoch seconds. */
  lastTs: number;
  /** Reporter address words, to match later errors without building strings. */
  readonly reporterWords: Uint32Array;
  readonly reporterFamily: number;
}

export class FlowStore {
  /** Number of flows created so far; flow indices are 0..count-1. */
  count = 0;
  /** Number of flows the arrays can hold before the next growth. */
  capacity: number;

  family: Uint8Array;
  proto: Uint8Array;
  clientAddr: Uint32Array;
  serverAddr: Uint32Array;
  clientPort: Uint16Array;
  serverPort: Uint16Array;

  /** Capture time of the earliest / latest packet, epoch seconds. */
  firstTs: Float64Array;
  lastTs: Float64Array;
  /** Frame numbers (PacketView.frameNo) of the first and the last packet attributed. */
  firstFrame: Float64Array;
  lastFrame: Float64Array;

  /** Per direction: packets, wire bytes (frame length on the wire, as tshark conversations count). */
  packets: Float64Array;
  wireBytes: Float64Array;
  /** Per direction: transport payload bytes per the headers (0 for non-first fragments). */
  payloadBytes: Float64Array;
  /** Per direction: non-first IP fragments among `packets`, and their wire bytes among `wireBytes`. */
  fragPackets: Float64Array;
  fragBytes: Float64Array;

  orientedBy: Uint8Array;
  endedBy: Uint8Array;

  /** TCP: Zeek endpoint state (TcpEndpoint in tcp-state.ts) and previous state, per direction. */
  tcpState: Uint8Array;
  tcpPrevState: Uint8Array;
  /** TCP: first and one-past-last sequence number seen, per direction (Zeek's start_seq/last_seq). */
  tcpStartSeq: Uint32Array;
  tcpLastSeq: Uint32Array;
  /** TCP: history letters (ASCII) and how many, plus a bitmask of letters already recorded. */
  history: Uint8Array;
  historyLen: Uint8Array;
  historySeen: Uint32Array;

  /** ICMP errors attributed to flows; only flows with at least one error have an entry. */
  readonly icmpErrors = new Map<number, IcmpErrorEntry[]>();

  constructor(initialCapacity = INITIAL_CAPACITY) {
    const n = Math.max(16, initialCapacity | 0);
    this.capacity = n;
    this.family = new Uint8Array(n);
    this.proto = new Uint8Array(n);
    this.clientAddr = new Uint32Array(n * 4);
    this.serverAddr = new Uint32Array(n * 4);
    this.clientPort = new Uint16Array(n);
    this.serverPort = new Uint16Array(n);
    this.firstTs = new Float64Array(n);
    this.lastTs = new Float64Array(n);
    this.firstFrame = new Float64Array(n);
    this.lastFrame = new Float64Array(n);
    this.packets = new Float64Array(n * 2);
    this.wireBytes = new Float64Array(n * 2);
    this.payloadBytes = new Float64Array(n * 2);
    this.fragPackets = new Float64Array(n * 2);
    this.fragBytes = new Float64Array(n * 2);
    this.orientedBy = new Uint8Array(n);
    this.endedBy = new Uint8Array(n);
    this.tcpState = new Uint8Array(n * 2);
    this.tcpPrevState = new Uint8Array(n * 2);
    this.tcpStartSeq = new Uint32Array(n * 2);
    this.tcpLastSeq = new Uint32Array(n * 2);
    this.history = new Uint8Array(n * HISTORY_CAPACITY);
    this.historyLen = new Uint8Array(n);
    this.historySeen = new Uint32Array(n);
  }

  /**
   * Creates a flow with the given key (already in client/server orientation)
   * and returns its index. All other fields start at zero.
   */
  create(
    family: number,
    proto: number,
    client: Uint32Array,
    clientOff: number,
    clientPort: number,
    server: Uint32Array,
    serverOff: number,
    serverPort: number,
  ): number {
    if (this.count === this.capacity) this.grow();
    const f = this.count++;
    this.family[f] = family;
    this.proto[f] = proto;
    const o = f << 2;
    const ca = this.clientAddr;
    const sa = this.serverAddr;
    if (family === Family.V4) {
      // Only word 3 is meaningful for IPv4; zero the rest so comparisons and hashes agree.
      ca[o + 3] = client[clientOff + 3];
      sa[o + 3] = server[serverOff + 3];
    } else {
      ca[o] = client[clientOff];
      ca[o + 1] = client[clientOff + 1];
      ca[o + 2] = client[clientOff + 2];
      ca[o + 3] = client[clientOff + 3];
      sa[o] = server[serverOff];
      sa[o + 1] = server[serverOff + 1];
      sa[o + 2] = server[serverOff + 2];
      sa[o + 3] = server[serverOff + 3];
    }
    this.clientPort[f] = clientPort;
    this.serverPort[f] = serverPort;
    return f;
  }

  /** True once the flow has left the live table (see endedBy). */
  isFinished(flow: number): boolean {
    return this.endedBy[flow] !== EndedBy.Live;
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.capacity = n;
    this.family = growU8(this.family, n);
    this.proto = growU8(this.proto, n);
    this.clientAddr = growU32(this.clientAddr, n * 4);
    this.serverAddr = growU32(this.serverAddr, n * 4);
    this.clientPort = growU16(this.clientPort, n);
    this.serverPort = growU16(this.serverPort, n);
    this.firstTs = growF64(this.firstTs, n);
    this.lastTs = growF64(this.lastTs, n);
    this.firstFrame = growF64(this.firstFrame, n);
    this.lastFrame = growF64(this.lastFrame, n);
    this.packets = growF64(this.packets, n * 2);
    this.wireBytes = growF64(this.wireBytes, n * 2);
    this.payloadBytes = growF64(this.payloadBytes, n * 2);
    this.fragPackets = growF64(this.fragPackets, n * 2);
    this.fragBytes = growF64(this.fragBytes, n * 2);
    this.orientedBy = growU8(this.orientedBy, n);
    this.endedBy = growU8(this.endedBy, n);
    this.tcpState = growU8(this.tcpState, n * 2);
    this.tcpPrevState = growU8(this.tcpPrevState, n * 2);
    this.tcpStartSeq = growU32(this.tcpStartSeq, n * 2);
    this.tcpLastSeq = growU32(this.tcpLastSeq, n * 2);
    this.history = growU8(this.history, n * HISTORY_CAPACITY);
    this.historyLen = growU8(this.historyLen, n);
    this.historySeen = growU32(this.historySeen, n);
  }
}

function growU8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

function growU16(a: Uint16Array, n: number): Uint16Array {
  const b = new Uint16Array(n);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
