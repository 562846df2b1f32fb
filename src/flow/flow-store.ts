/**
 * Columnar storage of every flow of a run, live or finished.
 *
 * A flow is a number: its index in creation order (= order of first packet).
 * The per-packet path never allocates, and the arrays grow by doubling when a
 * flow is created past the capacity. Because growth replaces the arrays, never
 * keep a reference to one of them across a call that may create flows
 * (FlowTable.add): read `store.rec` again.
 *
 * Everything a packet reads or writes (the key words that confirm a lookup,
 * timestamps, counters, TCP endpoint states and sequence numbers) sits in one
 * fixed-size "hot record" per flow, so that with tens of thousands of live
 * flows a packet costs one or two cache lines instead of a miss in each of a
 * dozen columns (measured: the columnar layout spent most of the flow table's
 * time waiting for memory). The record is one ArrayBuffer seen through three
 * views of the same bytes: `rec` (float64), `recW` (uint32) and `recB`
 * (uint8), at `flow * REC_F64 + F_*`, `flow * REC_U32 + W_*` and
 * `flow * REC_BYTES + B_*`. Read it through the accessors below outside the
 * hot path. Rarely touched attributes (full IPv6 addresses, fragments,
 * history letters, orientation, end reason) stay in columns.
 *
 * Keys are kept in client/server orientation (see flow-table.ts for how the
 * client is chosen), so a flow's key never changes once created.
 *
 * Layout conventions:
 * - addresses: 4 words per flow at `flow * 4` (PacketView convention: IPv4 in
 *   word 3, words 0-2 zero); word 3 is also in the hot record;
 * - per-direction values: dir 0 = sent by the client, 1 = sent by the server
 *   (Dir), at field offset + dir in the record, or `flow * 2 + dir` in columns;
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

// ---- hot record layout (bytes 0..127; offsets in units of the view they are read through) ----
/** Bytes, uint32 words and float64 slots per hot record. */
export const REC_BYTES = 128;
export const REC_U32 = REC_BYTES / 4;
export const REC_F64 = REC_BYTES / 8;
/** uint32 at byte 0: address word 3 of the client (the whole IPv4 address). */
export const W_CLIENT_ADDR = 0;
/** uint32 at byte 4: address word 3 of the server. */
export const W_SERVER_ADDR = 1;
/** uint32 at byte 8: client port << 16 | server port. */
export const W_PORTS = 2;
/** uint32 at byte 12: family << 8 | IP protocol (see keyKind). */
export const W_KIND = 3;
/** float64 at byte 16: capture time of the latest packet, epoch seconds. */
export const F_LAST_TS = 2;
/** float64 at byte 24: frame number (PacketView.frameNo) of the last packet attributed. */
export const F_LAST_FRAME = 3;
/** float64 at bytes 32/40 (+dir): packets per direction. */
export const F_PACKETS = 4;
/** float64 at bytes 48/56 (+dir): wire bytes (frame length on the wire, as tshark conversations count). */
export const F_WIRE_BYTES = 6;
/** float64 at bytes 64/72 (+dir): transport payload bytes per the headers (0 for non-first fragments). */
export const F_PAYLOAD_BYTES = 8;
/** float64 at byte 80: capture time of the earliest packet, epoch seconds. */
export const F_FIRST_TS = 10;
/** uint32 at byte 88: TCP history letters already recorded (bitmask, see tcp-state.ts). */
export const W_HISTORY_SEEN = 22;
/** uint8 at bytes 92/93 (+dir): TCP endpoint state (TcpEndpoint in tcp-state.ts). */
export const B_TCP_STATE = 92;
/** uint8 at bytes 94/95 (+dir): previous TCP endpoint state. */
export const B_TCP_PREV_STATE = 94;
/** uint32 at bytes 96/100 (+dir): one past the last TCP sequence number seen (Zeek's last_seq). */
export const W_TCP_LAST_SEQ = 24;
/** uint32 at bytes 104/108 (+dir): first TCP sequence number (Zeek's start_seq). */
export const W_TCP_START_SEQ = 26;
/** float64 at byte 112: frame number of the first packet. Bytes 120..127 are free. */
export const F_FIRST_FRAME = 14;

/** The W_KIND word of a key: family and protocol in one comparison. */
export function keyKind(family: number, proto: number): number {
  return (family << 8) | proto;
}

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

  /** The hot records (see the file comment), three views of one buffer. */
  rec: Float64Array;
  recW: Uint32Array;
  recB: Uint8Array;

  /** Full addresses, 4 words per flow (the hot record has word 3 only). */
  clientAddr: Uint32Array;
  serverAddr: Uint32Array;

  /** Per direction: non-first IP fragments among the packets, and their wire bytes among the wire bytes. */
  fragPackets: Float64Array;
  fragBytes: Float64Array;

  orientedBy: Uint8Array;
  endedBy: Uint8Array;
  /** 1 when the packet that started the flow went to the link-layer broadcast address (decode/link-broadcast.ts). */
  linkBroadcast: Uint8Array;

  /** TCP: history letters (ASCII) and how many (the bitmask of letters seen is in the hot record). */
  history: Uint8Array;
  historyLen: Uint8Array;

  /** ICMP errors attributed to flows; only flows with at least one error have an entry. */
  readonly icmpErrors = new Map<number, IcmpErrorEntry[]>();

  constructor(initialCapacity = INITIAL_CAPACITY) {
    const n = Math.max(16, initialCapacity | 0);
    this.capacity = n;
    const buf = new ArrayBuffer(n * REC_BYTES);
    this.rec = new Float64Array(buf);
    this.recW = new Uint32Array(buf);
    this.recB = new Uint8Array(buf);
    this.clientAddr = new Uint32Array(n * 4);
    this.serverAddr = new Uint32Array(n * 4);
    this.fragPackets = new Float64Array(n * 2);
    this.fragBytes = new Float64Array(n * 2);
    this.orientedBy = new Uint8Array(n);
    this.endedBy = new Uint8Array(n);
    this.linkBroadcast = new Uint8Array(n);
    this.history = new Uint8Array(n * HISTORY_CAPACITY);
    this.historyLen = new Uint8Array(n);
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
    const o = f << 2;
    const ca = this.clientAddr;
    const sa = this.serverAddr;
    if (family === Family.V4) {
      // Only word 3 is meaningful for IPv4; the rest stays zero so comparisons and hashes agree.
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
    const w = f * REC_U32;
    const rw = this.recW;
    rw[w + W_CLIENT_ADDR] = ca[o + 3];
    rw[w + W_SERVER_ADDR] = sa[o + 3];
    rw[w + W_PORTS] = ((clientPort << 16) | serverPort) >>> 0;
    rw[w + W_KIND] = keyKind(family, proto);
    return f;
  }

  /** True once the flow has left the live table (see endedBy). */
  isFinished(flow: number): boolean {
    return this.endedBy[flow] !== EndedBy.Live;
  }

  // ---- hot record accessors (for code off the per-packet path) ----

  family(flow: number): number {
    return this.recW[flow * REC_U32 + W_KIND] >>> 8;
  }

  proto(flow: number): number {
    return this.recW[flow * REC_U32 + W_KIND] & 0xff;
  }

  clientPort(flow: number): number {
    return this.recW[flow * REC_U32 + W_PORTS] >>> 16;
  }

  serverPort(flow: number): number {
    return this.recW[flow * REC_U32 + W_PORTS] & 0xffff;
  }

  /** Capture time of the earliest / latest packet, epoch seconds. */
  firstTs(flow: number): number {
    return this.rec[flow * REC_F64 + F_FIRST_TS];
  }

  lastTs(flow: number): number {
    return this.rec[flow * REC_F64 + F_LAST_TS];
  }

  /** Frame numbers (PacketView.frameNo) of the first and the last packet attributed. */
  firstFrame(flow: number): number {
    return this.rec[flow * REC_F64 + F_FIRST_FRAME];
  }

  lastFrame(flow: number): number {
    return this.rec[flow * REC_F64 + F_LAST_FRAME];
  }

  /** Packets sent in direction `dir` (Dir), non-first IP fragments included. */
  packets(flow: number, dir: number): number {
    return this.rec[flow * REC_F64 + F_PACKETS + dir];
  }

  /** Wire bytes (frame lengths) sent in direction `dir`. */
  wireBytes(flow: number, dir: number): number {
    return this.rec[flow * REC_F64 + F_WIRE_BYTES + dir];
  }

  /** Transport payload bytes sent in direction `dir`, per the headers. */
  payloadBytes(flow: number, dir: number): number {
    return this.rec[flow * REC_F64 + F_PAYLOAD_BYTES + dir];
  }

  /** TCP endpoint state (TcpEndpoint in tcp-state.ts) of the side sending in direction `dir`. */
  tcpState(flow: number, dir: number): number {
    return this.recB[flow * REC_BYTES + B_TCP_STATE + dir];
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.capacity = n;
    const buf = new ArrayBuffer(n * REC_BYTES);
    const b = new Uint8Array(buf);
    b.set(this.recB);
    this.rec = new Float64Array(buf);
    this.recW = new Uint32Array(buf);
    this.recB = b;
    this.clientAddr = growU32(this.clientAddr, n * 4);
    this.serverAddr = growU32(this.serverAddr, n * 4);
    this.fragPackets = growF64(this.fragPackets, n * 2);
    this.fragBytes = growF64(this.fragBytes, n * 2);
    this.orientedBy = growU8(this.orientedBy, n);
    this.endedBy = growU8(this.endedBy, n);
    this.linkBroadcast = growU8(this.linkBroadcast, n);
    this.history = growU8(this.history, n * HISTORY_CAPACITY);
    this.historyLen = growU8(this.historyLen, n);
  }
}

function growU8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(n);
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
