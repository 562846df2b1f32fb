/**
 * TCP connection state per flow, after Zeek's TCP analyzer, so that our
 * `conn_state` and `history` read like Zeek's conn.log columns.
 *
 * Sources (zeek/zeek):
 * - src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc: Process(),
 *   update_history(), update_window(), update_last_seq(), init_endpoint() and
 *   the endpoint state machine (UpdateInactiveState, UpdateSYN_SentState,
 *   UpdateEstablishedState, UpdateClosedState, UpdateResetState);
 * - src/analyzer/protocol/tcp/TCP_Endpoint.cc: SetState() (prev_state kept
 *   only on a real change);
 * - scripts/base/protocols/conn/main.zeek: conn_state() and the history
 *   letter documentation.
 *
 * Differences from Zeek, on purpose:
 * - Every history letter is recorded at most once per direction (Zeek repeats
 *   S/H/F/R when the sequence number changes and records T/W/C/G
 *   logarithmically). Letters C (bad checksum), G (content gap) and X are not
 *   produced: we neither verify checksums nor reassemble.
 * - Roles are never flipped after the first packet (Zeek flips on a
 *   SYN/SYN-ACK reversal); the flow table decides the orientation once, and
 *   '^' is recorded then when the client is not the first packet's sender.
 * - conn_state's REJ test on "no bytes sent" uses the payload bytes counted
 *   per direction, where Zeek uses sizes derived from sequence numbers.
 * - A SYN carrying data (TCP Fast Open) is not called a retransmission when
 *   it is the packet that sets the sequence numbers (Zeek's update_last_seq
 *   would record 'T' for it).
 *
 * Per-packet work is a handful of typed-array reads and writes: no allocation.
 */
import { TcpFlag } from '../decode/packet-view.js';
import { B_TCP_PREV_STATE, B_TCP_STATE, FlowStore, HISTORY_CAPACITY, REC_BYTES, REC_U32, W_HISTORY_SEEN, W_TCP_LAST_SEQ, W_TCP_START_SEQ } from './flow-store.js';

/** Zeek's EndpointState (TCP_Endpoint.h), same numbering. */
export const TcpEndpoint = {
  /** No packet seen from this side. */
  Inactive: 0,
  /** SYN seen, no ACK yet. */
  SynSent: 1,
  /** SYN-ACK seen without an initial SYN. */
  SynAckSent: 2,
  /** Data seen, but no SYN (capture started mid-connection). */
  Partial: 3,
  /** SYN-ACK seen (implicitly established for the side that sent the SYN). */
  Established: 4,
  /** FIN seen. */
  Closed: 5,
  /** RST seen. */
  Reset: 6,
} as const;
export type TcpEndpoint = (typeof TcpEndpoint)[keyof typeof TcpEndpoint];

// History letters: bit index in historySeen (client bit = i, server bit = i + 10) and the letter.
const H_SYN = 0; // 'S' (SYN) and 'H' (SYN-ACK) share one bit, as Zeek's HIST_SYN_PKT does
const H_ACK = 2;
const H_DATA = 3;
const H_FIN = 4;
const H_RST = 5;
const H_RXMIT = 6;
const H_ZERO_WINDOW = 7;
const H_MULTI_FLAG = 8;
const H_FIN_RST = 9;
const SERVER_BIT_SHIFT = 10;
const FLIPPED_BIT = 1 << 20;

const CHAR_S = 0x53; // 'S'
const CHAR_H = 0x48;
const CHAR_A = 0x41;
const CHAR_D = 0x44;
const CHAR_F = 0x46;
const CHAR_R = 0x52;
const CHAR_T = 0x54;
const CHAR_W = 0x57;
const CHAR_Q = 0x51;
const CHAR_I = 0x49;
const CHAR_CARET = 0x5e; // '^'
const LOWERCASE = 0x20;

/** Zeek's TOO_LARGE_SEQ_DELTA (TCPSessionAdapter.cc): SYN/RST jumps larger than this are not trusted. */
const TOO_LARGE_SEQ_DELTA = 1048576;

const FLAG_SYN = TcpFlag.SYN;
const FLAG_FIN = TcpFlag.FIN;
const FLAG_RST = TcpFlag.RST;
const FLAG_ACK = TcpFlag.ACK;

/** Records history letter `ch` (uppercase) for direction `dir` unless already recorded. */
function mark(s: FlowStore, flow: number, dir: number, bit: number, ch: number): void {
  const m = 1 << (bit + dir * SERVER_BIT_SHIFT);
  // Almost always already recorded: this test is small enough to inline, the recording is not.
  if ((s.recW[flow * REC_U32 + W_HISTORY_SEEN] & m) === 0) markNew(s, flow, dir, m, ch);
}

function markNew(s: FlowStore, flow: number, dir: number, m: number, ch: number): void {
  const rw = s.recW;
  const i = flow * REC_U32 + W_HISTORY_SEEN;
  rw[i] = (rw[i] | m) >>> 0;
  const n = s.historyLen[flow];
  if (n >= HISTORY_CAPACITY) return; // cannot happen: 21 distinct letters at most
  s.history[flow * HISTORY_CAPACITY + n] = dir === 0 ? ch : ch | LOWERCASE;
  s.historyLen[flow] = n + 1;
}

/** Records '^': the client is not the sender of the flow's first packet. Call before the first packet. */
export function markFlipped(s: FlowStore, flow: number): void {
  const rw = s.recW;
  const i = flow * REC_U32 + W_HISTORY_SEEN;
  const seen = rw[i];
  if ((seen & FLIPPED_BIT) !== 0) return;
  rw[i] = (seen | FLIPPED_BIT) >>> 0;
  const n = s.historyLen[flow];
  s.history[flow * HISTORY_CAPACITY + n] = CHAR_CARET;
  s.historyLen[flow] = n + 1;
}

const PREV_STATE_DELTA = B_TCP_PREV_STATE - B_TCP_STATE;

/** TCP_Endpoint::SetState: remember the previous state only on a real change. `i` indexes recB. */
function setState(s: FlowStore, i: number, state: number): void {
  const rb = s.recB;
  const cur = rb[i];
  if (cur === state) return;
  rb[i + PREV_STATE_DELTA] = cur;
  rb[i] = state;
}

/**
 * Updates the TCP state of `flow` with one segment sent in direction `dir`
 * (0 = by the client). `seq` is the raw 32-bit sequence number, `len` the
 * payload length per the headers. Follows the order of Zeek's
 * TCPSessionAdapter::Process: init_endpoint, update_history, update_window,
 * update_last_seq, then the state machine. Returns true when the endpoint
 * states may have changed (false: the fast path, which never changes them).
 */
export function tcpPacket(s: FlowStore, flow: number, dir: number, flags: number, seq: number, window: number, len: number): boolean {
  const state = s.recB[flow * REC_BYTES + B_TCP_STATE + dir];
  if ((flags & (FLAG_SYN | FLAG_FIN | FLAG_RST)) === 0 && (state === TcpEndpoint.Established || state === TcpEndpoint.Partial)) {
    // Fast path for the bulk of a connection, small enough to be inlined into FlowTable.add:
    // without SYN/FIN/RST an established or partial endpoint keeps its state and sequence base;
    // only letters and last_seq move.
    if (len > 0) mark(s, flow, dir, H_DATA, CHAR_D);
    else if ((flags & FLAG_ACK) !== 0) mark(s, flow, dir, H_ACK, CHAR_A);
    if (window === 0 && s.recB[flow * REC_BYTES + B_TCP_STATE + (dir ^ 1)] !== TcpEndpoint.Closed) mark(s, flow, dir, H_ZERO_WINDOW, CHAR_W);
    const rw = s.recW;
    const last = flow * REC_U32 + W_TCP_LAST_SEQ + dir;
    const onePastData = (seq + len) >>> 0;
    const delta = (onePastData - rw[last]) | 0;
    if (delta > 0) rw[last] = onePastData;
    else if (len > 0) mark(s, flow, dir, H_RXMIT, CHAR_T);
    return false;
  }
  tcpSegment(s, flow, dir, flags, seq, window, len, state);
  return true;
}

/** tcpPacket's general case: any flags, any state. `state` is the sending endpoint's. */
function tcpSegment(s: FlowStore, flow: number, dir: number, flags: number, seq: number, window: number, len: number, state: number): void {
  const rb = s.recB;
  const rw = s.recW;
  const e = flow * REC_BYTES + B_TCP_STATE + dir; // this endpoint's state in recB
  const p = e + 1 - 2 * dir; // its peer's
  const last = flow * REC_U32 + W_TCP_LAST_SEQ + dir; // this endpoint's last_seq in recW
  const start = last + (W_TCP_START_SEQ - W_TCP_LAST_SEQ); // and start_seq
  const syn = (flags & FLAG_SYN) !== 0;
  const fin = (flags & FLAG_FIN) !== 0;
  const rst = (flags & FLAG_RST) !== 0;
  const ack = (flags & FLAG_ACK) !== 0;

  // get_segment_len: SYN and FIN take one sequence number each; a RST's data is not part of the stream.
  let segLen = len;
  if (syn) segLen++;
  if (fin) segLen++;
  if (rst) segLen -= len;
  const onePast = (seq + segLen) >>> 0;

  // init_endpoint (inited: this packet set the sequence numbers, so it cannot be a retransmission)
  let inited = false;
  switch (state) {
    case TcpEndpoint.Inactive:
      inited = true;
      if (syn) {
        rw[start] = seq;
        rw[last] = onePast;
      } else {
        // Partial connection: number as if a SYN preceded, and do not call the first packet a retransmission.
        rw[start] = (seq - 1) >>> 0;
        rw[last] = seq;
      }
      break;
    case TcpEndpoint.SynSent:
    case TcpEndpoint.SynAckSent:
      inited = syn && seq !== rw[start];
      break;
    case TcpEndpoint.Established:
    case TcpEndpoint.Partial:
      inited = syn;
      break;
    case TcpEndpoint.Reset:
      inited = syn && rb[e + PREV_STATE_DELTA] === TcpEndpoint.Inactive;
      break;
  }
  if (inited && state !== TcpEndpoint.Inactive) {
    rw[start] = seq;
    rw[last] = onePast;
  }

  // update_history
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) mark(s, flow, dir, H_FIN_RST, CHAR_I);
    else mark(s, flow, dir, H_MULTI_FLAG, CHAR_Q);
  } else if (bits === 1) {
    if (syn) mark(s, flow, dir, H_SYN, ack ? CHAR_H : CHAR_S);
    else if (fin) mark(s, flow, dir, H_FIN, CHAR_F);
    else mark(s, flow, dir, H_RST, CHAR_R);
  } else if (len > 0) {
    mark(s, flow, dir, H_DATA, CHAR_D);
  } else if (ack) {
    mark(s, flow, dir, H_ACK, CHAR_A);
  }

  // update_window: a zero window is interesting unless it comes with or after a RST, or after the peer's FIN.
  if (window === 0 && !rst && rb[p] !== TcpEndpoint.Closed && state !== TcpEndpoint.Reset) {
    mark(s, flow, dir, H_ZERO_WINDOW, CHAR_W);
  }

  // update_last_seq
  const lastSeq = rw[last];
  const deltaLast = (onePast - lastSeq) | 0;
  if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
    // An outlandish SYN/RST sequence number is not trusted.
  } else if (fin && lastSeq === ((rw[start] + 1) >>> 0)) {
    rw[last] = onePast; // only SYN and FIN seen (e.g. > 2 GB connections): trust the FIN
  } else if (state === TcpEndpoint.Reset) {
    // Sequence numbers after a RST are not trusted.
  } else if (deltaLast > 0) {
    rw[last] = onePast;
  } else if (len > 0 && !(inited && syn)) {
    mark(s, flow, dir, H_RXMIT, CHAR_T); // payload at or below what this side already sent
  }

  // UpdateStateMachine
  switch (state) {
    case TcpEndpoint.Inactive:
      inactive(s, e, p, dir === 0, syn, fin, rst, ack, len);
      break;
    case TcpEndpoint.SynSent:
    case TcpEndpoint.SynAckSent:
      if (fin) setState(s, e, TcpEndpoint.Closed);
      if (rst) setState(s, e, TcpEndpoint.Reset);
      break;
    case TcpEndpoint.Established:
    case TcpEndpoint.Partial:
      if (syn && state === TcpEndpoint.Partial && rb[p] === TcpEndpoint.Inactive && !ack) {
        setState(s, e, TcpEndpoint.SynSent); // SYN_after_partial
      }
      if (fin && !rst) {
        setState(s, e, TcpEndpoint.Closed);
        // The peer sent a FIN followed by a RST: that was a normal termination after all.
        if (rb[p] === TcpEndpoint.Reset && rb[p + PREV_STATE_DELTA] === TcpEndpoint.Closed) setState(s, p, TcpEndpoint.Closed);
      }
      if (rst) setState(s, e, TcpEndpoint.Reset);
      break;
    case TcpEndpoint.Closed:
      // After a full FIN exchange a RST does not change the state.
      if (rst && rb[p] !== TcpEndpoint.Closed) setState(s, e, TcpEndpoint.Reset);
      break;
    // Reset: nothing changes any more.
  }
}

/** UpdateInactiveState, without the SYN/SYN-ACK reversal flip (roles are fixed at flow creation). `e`, `p` index recB. */
function inactive(s: FlowStore, e: number, p: number, isClient: boolean, syn: boolean, fin: boolean, rst: boolean, ack: boolean, len: number): void {
  if (syn) {
    if (isClient) {
      setState(s, e, ack ? TcpEndpoint.SynAckSent : TcpEndpoint.SynSent);
    } else {
      // The server's SYN-ACK (or a simultaneous open) establishes both sides.
      if (s.recB[p] === TcpEndpoint.SynSent) setState(s, p, TcpEndpoint.Established);
      setState(s, e, TcpEndpoint.Established);
    }
  }
  if (fin) setState(s, e, TcpEndpoint.Closed);
  if (rst) setState(s, e, TcpEndpoint.Reset);
  const rb = s.recB;
  if (rb[e] === TcpEndpoint.Inactive) {
    if (!isClient && len === 0 && rb[p] === TcpEndpoint.SynSent) {
      // Some stacks ACK an initial SYN before sending the SYN-ACK: not a partial connection.
    } else if (ack && rb[p] === TcpEndpoint.Established) {
      // SYN-ACK seen from the peer, now a pure ACK: the initial SYN was missed.
      setState(s, e, TcpEndpoint.Established);
    } else {
      setState(s, e, TcpEndpoint.Partial);
    }
  }
}

/** True when the connection is over: both sides sent a FIN, or either sent a RST. */
export function tcpIsClosed(s: FlowStore, flow: number): boolean {
  const i = flow * REC_BYTES + B_TCP_STATE;
  const c = s.recB[i];
  const v = s.recB[i + 1];
  return c === TcpEndpoint.Reset || v === TcpEndpoint.Reset || (c === TcpEndpoint.Closed && v === TcpEndpoint.Closed);
}

/** True when both sides are talking (handshake completed, or seen mid-connection) and neither closed. */
export function tcpIsEstablished(s: FlowStore, flow: number): boolean {
  const i = flow * REC_BYTES + B_TCP_STATE;
  const c = s.recB[i];
  const v = s.recB[i + 1];
  return (c === TcpEndpoint.Established || c === TcpEndpoint.Partial) && (v === TcpEndpoint.Established || v === TcpEndpoint.Partial);
}

/** The flow's history letters, e.g. "ShADadFf" for a normal connection. Empty for non-TCP flows. */
export function history(s: FlowStore, flow: number): string {
  const n = s.historyLen[flow];
  const o = flow * HISTORY_CAPACITY;
  // A loop, not String.fromCharCode(...subarray): the spread costs a view and an argument list per flow.
  let letters = '';
  for (let i = o; i < o + n; i++) letters += String.fromCharCode(s.history[i]);
  return letters;
}

/**
 * Zeek's conn_state (scripts/base/protocols/conn/main.zeek) for TCP and UDP
 * flows; "OTH" for other protocols. S0, S1, SF, REJ, S2, S3, RSTO, RSTR,
 * RSTOS0, RSTRH, SH, SHR, OTH.
 */
export function connState(s: FlowStore, flow: number): string {
  const proto = s.proto(flow);
  if (proto === 17) {
    // Zeek's UDP: an endpoint is active once it sent something.
    const oActive = s.packets(flow, 0) > 0;
    const rActive = s.packets(flow, 1) > 0;
    if (oActive) return rActive ? 'SF' : 'S0';
    return rActive ? 'SHR' : 'OTH';
  }
  if (proto !== 6) return 'OTH';

  const os = s.tcpState(flow, 0);
  const rs = s.tcpState(flow, 1);
  const oInactive = os === TcpEndpoint.Inactive || os === TcpEndpoint.Partial;
  const rInactive = rs === TcpEndpoint.Inactive || rs === TcpEndpoint.Partial;

  if (rs === TcpEndpoint.Reset) {
    if (
      os === TcpEndpoint.SynSent ||
      os === TcpEndpoint.SynAckSent ||
      (os === TcpEndpoint.Reset && s.payloadBytes(flow, 0) === 0 && s.payloadBytes(flow, 1) === 0)
    ) {
      return 'REJ';
    }
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === TcpEndpoint.Reset) {
    if (rInactive) return RSTOS0_HISTORY.test(history(s, flow)) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === TcpEndpoint.Closed && os === TcpEndpoint.Closed) return 'SF';
  if (os === TcpEndpoint.Closed) return rInactive ? 'SH' : 'S2';
  if (rs === TcpEndpoint.Closed) return oInactive ? 'SHR' : 'S3';
  if (os === TcpEndpoint.SynSent && rs === TcpEndpoint.Inactive) return 'S0';
  if (os === TcpEndpoint.Established && rs === TcpEndpoint.Established) return 'S1';
  return 'OTH';
}

// Zeek's /\^?S[^HAFGIQ]*R.*/ (a full match, hence the anchor): the originator's SYN, then its RST,
// with no handshake, ACK or FIN from it in between.
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R/;
