/**
 * What inspection keeps about one flow once something worth keeping was
 * seen in its payload (STUN, ChannelData, media, an application hello).
 * Created once per such flow, never per packet; every collection in it is
 * bounded by a constant below.
 */
import type { HttpTally } from './apps/http-stream.js';
import type { SipTally } from './apps/sip-stream.js';
import type { TcpDirection } from './tcp-framing.js';
import { MethodStats, TransactionTable } from './transactions.js';

export const MAX_EVIDENCE_FRAMES = 3; // frame numbers kept per detected protocol
export const MAX_ALLOCATIONS = 16; // TURN allocations kept per flow
export const MAX_PEERS = 8; // peers, channels, call ids kept per allocation or flow
export const MAX_UNKNOWN_TYPES = 32; // distinct unknown attribute types counted per flow
/** Channels whose last ChannelData candidate each direction holds on a flow without TURN (inspector.ts standaloneChannelData). */
export const HELD_CHANNELS = 4;

/** A peer's TCP connection to an RFC 6062 TCP allocation's relayed address, as the server named it. */
export interface RelayConnection {
  /** CONNECTION-ID: the client binds a data connection to it (ConnectionBind). */
  connectionId: number;
  /** The peer ("ip:port"): XOR-PEER-ADDRESS of the Connect request or of the ConnectionAttempt. */
  peer: string | null;
  /** 'client': a Connect the server answered (RFC 6062 §4.3); 'peer': a ConnectionAttempt, the peer connected (§4.4). */
  initiatedBy: 'client' | 'peer';
  /** Frame of the Connect success response or of the ConnectionAttempt. */
  frame: number;
}

/** One TURN Allocate transaction and what followed it on the same 5-tuple. */
export class Allocation {
  /** Transaction id words of the Allocate request. */
  readonly tid = new Uint32Array(4);
  requestFrame = 0;
  requestTs = 0;
  /** Requests sent with this id (1 + retransmissions). */
  attempts = 1;
  /** 0 pending, 1 success, 2 error. */
  outcome = 0;
  errorCode = 0;
  errorReason: string | undefined;
  responseFrame = 0;
  responseTime = 0;
  relayed: string | undefined;
  relayedIp: string | undefined;
  relayedPort = 0;
  reflexive: string | undefined;
  lifetime = -1;
  requestedTransport = -1;
  msVersion = -1;
  streamType = -1;
  username: string | undefined;
  realm: string | undefined;
  refreshes = 0;
  refreshErrors = 0;
  deleted = false;
  permissions = 0;
  readonly peers: string[] = [];
  readonly channels: { channel: number; peer: string | null }[] = [];
  channelBinds = 0;
  setActiveDestination = 0;
  destination: string | undefined;
  sendIndications = 0;
  dataIndications = 0;
  /** RFC 6062: Connect requests, ConnectionAttempts from the server, and the connections they named (at most MAX_PEERS). */
  connects = 0;
  connectionAttempts = 0;
  readonly connections: RelayConnection[] = [];
  /** Connect requests not answered yet, with their peers (at most MAX_PEERS): the success names only the connection. */
  readonly pendingConnects: { tid: number[]; peer: string | null }[] = [];
}

/** Per-flow inspection state. */
export class FlowInspection {
  readonly flow: number;
  stunMessages = 0;
  /** Bit per Dialect value seen. */
  dialects = 0;
  /** Message counts keyed by dialect << 20 | direction << 16 | type. */
  readonly typeCounts = new Map<number, number>();
  readonly stunFrames: number[] = [];
  tx: TransactionTable | null = null;
  /** A TURN method (Allocate, Refresh, Send/Data, permissions, channels, MS Set Active Destination) was seen: ChannelData is believed from then on. */
  turnSeen = false;
  channelData = 0;
  /**
   * Standard ChannelData believed without TURN (a capture that starts mid-call: inspector.ts
   * standaloneChannelData), or in sync on a framed TCP flow around RTP, RTCP or STUN (Inspector.frame);
   * until then, per direction, HELD_CHANNELS slots: a channel and the frame of its last UDP candidate
   * (-1: none).
   */
  channelDataConfirmed = false;
  readonly standaloneChannel: number[] = new Array<number>(2 * HELD_CHANNELS).fill(-1);
  readonly standaloneChannelFrame: number[] = new Array<number>(2 * HELD_CHANNELS).fill(0);
  multiplexedTurn = 0;
  readonly channels: number[] = [];
  readonly channelFrames: number[] = [];
  /** STUN messages carried inside ChannelData, TURN DATA attributes or MS-TURN TCP data frames (ICE checks through a relay). */
  tunneledStun = 0;
  software: string | undefined;
  realm: string | undefined;
  readonly unknownAttributes = new Map<number, number>();
  fingerprintsOk = 0;
  fingerprintsBad = 0;
  integrity = 0;
  readonly msVersions: number[] = [];
  readonly msStreamTypes: number[] = [];
  readonly msImplementationVersions: number[] = [];
  readonly callIds: string[] = [];
  msBandwidthReservation = false;
  msCandidateIds = 0;
  iceChecks = 0;
  useCandidate = 0;
  controlling = 0;
  controlled = 0;
  readonly allocations: Allocation[] = [];
  allocationsDropped = 0;
  /** TCP framing mode (tcp-framing.ts Framing) and the two directions' reassembly state. */
  framing = 0;
  /** The framing was set by media or relayed data, not STUN: the capture began mid-stream (tcp-framing.ts opensWithData). */
  midStream = false;
  pseudoTls = false;
  /** Frames of the pseudo-TLS hellos (at most MAX_EVIDENCE_FRAMES). */
  readonly pseudoTlsFrames: number[] = [];
  tcp: [TcpDirection, TcpDirection] | null = null;
  /** RFC 6062 data connection: the frame of the ConnectionBind success after which the TCP flow carries relayed data, unframed (0: none). */
  dataConnectionFrame = 0;
  /** RFC 6062 data connection: the CONNECTION-ID its ConnectionBind request named (-1: none). */
  boundConnectionId = -1;
  /** MS-TURN over TCP: end-to-end data frames (type 0x03), and the first frames that carried them. */
  msTurnDataFrames = 0;
  readonly msTurnDataFrameNos: number[] = [];
  /** Application hellos found by the apps parsers (TLS, DTLS, SIP, HTTP), one per protocol. */
  readonly apps: AppHello[] = [];
  /** Plaintext SIP: every message of the flow counted (apps/sip-stream.ts), from the first one the SIP parser recognised. */
  sip: SipTally | null = null;
  /** Plaintext HTTP/1.x: every message of the flow counted (apps/http-stream.ts), from the first request the HTTP parser recognised. */
  http: HttpTally | null = null;
  /** A TLS hello record longer than its first segment, held until the rest arrives (inspector.ts heldHello). */
  hello: HeldHello | null = null;

  constructor(flow: number) {
    this.flow = flow;
  }

  transactions(): TransactionTable {
    if (this.tx === null) this.tx = new TransactionTable();
    return this.tx;
  }
}

/**
 * A FlowInspection received from an inspection worker made whole again: structured cloning keeps
 * every field (maps, arrays, typed arrays) but not the classes, whose methods the report calls.
 */
export function restoreFlowInspection(st: FlowInspection): FlowInspection {
  Object.setPrototypeOf(st, FlowInspection.prototype);
  if (st.tx !== null) {
    Object.setPrototypeOf(st.tx, TransactionTable.prototype);
    for (const stats of st.tx.byMethod.values()) Object.setPrototypeOf(stats, MethodStats.prototype);
  }
  for (const a of st.allocations) Object.setPrototypeOf(a, Allocation.prototype);
  return st;
}

/** The start of a TLS record that continues in the next segments of one direction. */
export interface HeldHello {
  dir: number;
  /** TCP sequence number of the next byte. */
  nextSeq: number;
  /** Frame of the record's first segment. */
  frame: number;
  bytes: Buffer;
  length: number;
}

/** What an application parser returns: its protocol name and the fields of the `apps` entry. */
export interface AppHello {
  protocol: string;
  evidenceFrames?: number[];
  [detail: string]: unknown;
}

export function addBounded<T>(list: T[], value: T, max: number): void {
  if (list.length < max && !list.includes(value)) list.push(value);
}
