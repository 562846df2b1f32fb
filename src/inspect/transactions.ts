/**
 * STUN transactions of one flow, matched by transaction id (RFC 8489 §6.3:
 * a response carries its request's id): response time, retransmissions
 * (RFC 8489 §6.2.1: a retransmitted request keeps its id), error responses
 * by code, and requests never answered, the evidence of blocked UDP.
 *
 * Bounded: at most MAX_OPEN transactions are remembered per flow (numbers in
 * typed arrays); when full, the oldest answered one is forgotten, or else the
 * oldest pending one, which is then counted unanswered (and the caller
 * counts an anomaly). Per-method totals live in a small map keyed by method.
 *
 * A response that matches no request of its flow is kept (at most
 * MAX_UNMATCHED): the report matches it with a request still pending on
 * another flow of the same client address (a relay answering from another
 * address, or to the port a RESPONSE-PORT named, stun-report.ts). A response
 * inside TURN data (an ICE check through the relay answered by the peer)
 * answers a pending request of the flow but is not a transaction of its own.
 */
import type { Allocation } from './flow-state.js';
import { StunClass } from './stun-constants.js';
import type { StunMessage } from './stun.js';

export const MAX_OPEN = 32; // transactions remembered per flow
const MAX_EVIDENCE = 5; // frame numbers kept per method for unanswered requests
const MAX_UNMATCHED = 16; // responses without a request kept per flow

const EMPTY = 0;
const PENDING = 1;
const ANSWERED = 2;

/** Totals of one method on one flow. */
export class MethodStats {
  requests = 0;
  retransmissions = 0;
  success = 0;
  errors = 0;
  unanswered = 0;
  /** Responses whose request was not captured (or already forgotten). */
  unmatchedResponses = 0;
  /** Responses to a request already answered (a retransmitted request answered twice). */
  duplicateResponses = 0;
  /** Requests answered by a response captured on another flow (counted in success or errors, not in unmatchedResponses). */
  answeredOnOtherFlow = 0;
  indications = 0;
  rttCount = 0;
  rttSum = 0;
  rttMin = Infinity;
  rttMax = 0;
  readonly errorCodes = new Map<number, number>();
  /** Frame number of the first error response of each code. */
  readonly errorFrames = new Map<number, number>();
  /** Frame numbers of the first requests never answered. */
  readonly unansweredFrames: number[] = [];
}

/** A response that matched no request of its flow (see the file header). */
export interface UnmatchedResponse {
  tid: number[];
  method: number;
  success: boolean;
  errorCode: number;
  frame: number;
  ts: number;
  /** Direction of the response on its flow (0 = sent by the client side). */
  dir: number;
  /** For an Allocate response, what it says of the allocation (outcome, relayed address, lifetime...): the inspector fills it. */
  allocation?: Allocation;
}

/** A request not answered yet, as pending() lists them. */
export interface PendingRequest {
  slot: number;
  tid: number[];
  method: number;
  dir: number;
  ts: number;
  /** RESPONSE-PORT of the request (RFC 5780 §7.5): the response goes to this port of the sender, not to the one it sent from; -1 when absent. */
  responsePort: number;
}

/** What the last record() call found, for the allocation ledger. */
export const Outcome = { Other: 0, NewRequest: 1, Retransmission: 2, Answer: 3, Unmatched: 4 } as const;

export class TransactionTable {
  private readonly tid = new Uint32Array(MAX_OPEN * 4);
  private readonly method = new Uint16Array(MAX_OPEN);
  private readonly state = new Uint8Array(MAX_OPEN);
  private readonly frame = new Float64Array(MAX_OPEN);
  private readonly ts = new Float64Array(MAX_OPEN);
  private readonly dir = new Uint8Array(MAX_OPEN);
  private readonly responsePort = new Int32Array(MAX_OPEN);
  readonly byMethod = new Map<number, MethodStats>();
  /** Pending requests dropped because the table was full (counted unanswered). */
  evictedPending = 0;
  readonly unmatched: UnmatchedResponse[] = [];

  /** Records one message, sent in direction `dir` of the flow; returns an Outcome. */
  record(msg: StunMessage, frameNo: number, ts: number, dir: number): number {
    const stats = this.stats(msg.method);
    const kind = msg.kind;
    if (kind === StunClass.Indication) {
      stats.indications++;
      return Outcome.Other;
    }
    const slot = this.find(msg);
    if (kind === StunClass.Request) {
      if (slot >= 0) {
        stats.retransmissions++;
        return Outcome.Retransmission;
      }
      stats.requests++;
      const s = this.victim();
      const w = s * 4;
      this.tid[w] = msg.tid[0];
      this.tid[w + 1] = msg.tid[1];
      this.tid[w + 2] = msg.tid[2];
      this.tid[w + 3] = msg.tid[3];
      this.method[s] = msg.method;
      this.state[s] = PENDING;
      this.frame[s] = frameNo;
      this.ts[s] = ts;
      this.dir[s] = dir;
      this.responsePort[s] = msg.responsePort;
      return Outcome.NewRequest;
    }
    // A success or error response.
    if (slot < 0) {
      stats.unmatchedResponses++;
      if (this.unmatched.length >= MAX_UNMATCHED) return Outcome.Other;
      this.unmatched.push({ tid: Array.from(msg.tid), method: msg.method, success: kind === StunClass.Success, errorCode: msg.errorCode, frame: frameNo, ts, dir });
      return Outcome.Unmatched;
    }
    if (this.state[slot] === ANSWERED) {
      stats.duplicateResponses++;
      return Outcome.Other;
    }
    this.answer(slot, stats, kind === StunClass.Success, msg.errorCode, ts, frameNo);
    return Outcome.Answer;
  }

  /** A response found inside TURN data: answers the flow's pending request with its id, if any. */
  recordTunneled(msg: StunMessage, ts: number, frameNo: number): void {
    if (msg.kind !== StunClass.Success && msg.kind !== StunClass.Error) return;
    const slot = this.find(msg);
    if (slot >= 0 && this.state[slot] === PENDING) this.answer(slot, this.stats(msg.method), msg.kind === StunClass.Success, msg.errorCode, ts, frameNo);
  }

  /** The requests still pending (report time, before finish()). */
  pending(): PendingRequest[] {
    const out: PendingRequest[] = [];
    for (let s = 0; s < MAX_OPEN; s++) {
      if (this.state[s] !== PENDING) continue;
      const w = s * 4;
      out.push({ slot: s, tid: [this.tid[w], this.tid[w + 1], this.tid[w + 2], this.tid[w + 3]], method: this.method[s], dir: this.dir[s], ts: this.ts[s], responsePort: this.responsePort[s] });
    }
    return out;
  }

  /** Pending request `slot` was answered by `response`, captured on another flow (whose table then calls answeredElsewhere). */
  answerFromOtherFlow(slot: number, response: UnmatchedResponse): void {
    const stats = this.stats(this.method[slot]);
    stats.answeredOnOtherFlow++;
    this.answer(slot, stats, response.success, response.errorCode, response.ts, response.frame);
  }

  /** `response`, unmatched here, answered a request of another flow: no longer counted unmatched. */
  answeredElsewhere(response: UnmatchedResponse): void {
    this.stats(response.method).unmatchedResponses--;
    this.unmatched.splice(this.unmatched.indexOf(response), 1);
  }

  private answer(slot: number, stats: MethodStats, success: boolean, errorCode: number, ts: number, frameNo: number): void {
    this.state[slot] = ANSWERED;
    const rtt = Math.max(0, ts - this.ts[slot]);
    stats.rttCount++;
    stats.rttSum += rtt;
    if (rtt < stats.rttMin) stats.rttMin = rtt;
    if (rtt > stats.rttMax) stats.rttMax = rtt;
    if (success) {
      stats.success++;
    } else {
      stats.errors++;
      stats.errorCodes.set(errorCode, (stats.errorCodes.get(errorCode) ?? 0) + 1);
      if (!stats.errorFrames.has(errorCode)) stats.errorFrames.set(errorCode, frameNo);
    }
  }

  /** Counts the requests still pending as unanswered (end of the flow). */
  finish(): void {
    for (let s = 0; s < MAX_OPEN; s++) if (this.state[s] === PENDING) this.unanswer(s);
  }

  private unanswer(s: number): void {
    const stats = this.stats(this.method[s]);
    stats.unanswered++;
    if (stats.unansweredFrames.length < MAX_EVIDENCE) stats.unansweredFrames.push(this.frame[s]);
    this.state[s] = EMPTY;
  }

  private stats(method: number): MethodStats {
    let stats = this.byMethod.get(method);
    if (stats === undefined) {
      stats = new MethodStats();
      this.byMethod.set(method, stats);
    }
    return stats;
  }

  /** Slot of the transaction with this id and method, or -1. */
  private find(msg: StunMessage): number {
    const t = msg.tid;
    for (let s = 0; s < MAX_OPEN; s++) {
      if (this.state[s] === EMPTY) continue;
      const w = s * 4;
      if (this.tid[w + 3] === t[3] && this.tid[w + 2] === t[2] && this.tid[w + 1] === t[1] && this.tid[w] === t[0] && this.method[s] === msg.method) return s;
    }
    return -1;
  }

  /** A free slot: empty, else the oldest answered, else the oldest pending (counted unanswered). */
  private victim(): number {
    let oldestAnswered = -1;
    let oldestPending = -1;
    for (let s = 0; s < MAX_OPEN; s++) {
      const st = this.state[s];
      if (st === EMPTY) return s;
      if (st === ANSWERED) {
        if (oldestAnswered < 0 || this.frame[s] < this.frame[oldestAnswered]) oldestAnswered = s;
      } else if (oldestPending < 0 || this.frame[s] < this.frame[oldestPending]) {
        oldestPending = s;
      }
    }
    if (oldestAnswered >= 0) return oldestAnswered;
    this.evictedPending++;
    this.unanswer(oldestPending);
    return oldestPending;
  }
}
