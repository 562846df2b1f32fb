/**
 * Zeek's conn.log `conn_state` and `history` for the packets of one flow,
 * re-derived from what the generator emitted. Follows Zeek's TCP endpoint
 * state machine (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc:
 * UpdateStateMachine, update_history) and conn_state() in
 * scripts/base/protocols/conn/main.zeek, for the cases the samples contain:
 * in-order packets, no checksum errors, no content gaps, no role flips (every
 * flow's first packet comes from its originator).
 */
import { TcpFlag } from './packets.js';

const { FIN, SYN, RST, ACK } = TcpFlag;

export interface ZeekPacket {
  fromOrig: boolean;
  flags: number;
  seq: number;
  payloadLen: number;
}

const enum St { Inactive, SynSent, SynAckSent, Partial, Established, Closed, Reset }

interface Endpoint {
  state: St;
  prev: St;
  size: number;
  seen: Set<string>;
  lastSyn?: number;
  lastFin?: number;
  lastRst?: number;
}

export interface ZeekResult {
  state: string;
  history: string;
}

export function zeekTcp(packets: ZeekPacket[]): ZeekResult {
  const orig: Endpoint = { state: St.Inactive, prev: St.Inactive, size: 0, seen: new Set() };
  const resp: Endpoint = { state: St.Inactive, prev: St.Inactive, size: 0, seen: new Set() };
  let history = '';
  const set = (e: Endpoint, s: St) => {
    e.prev = e.state;
    e.state = s;
  };
  for (const p of packets) {
    const e = p.fromOrig ? orig : resp;
    const peer = p.fromOrig ? resp : orig;
    const letter = (c: string) => (history += p.fromOrig ? c : c.toLowerCase());
    // Zeek's CheckHistory: a letter once per endpoint, the first time it happens.
    const once = (kind: string, c: string): boolean => {
      if (e.seen.has(kind)) return true;
      e.seen.add(kind);
      letter(c);
      return false;
    };

    // update_history()
    const bits = (p.flags & SYN ? 1 : 0) + (p.flags & FIN ? 1 : 0) + (p.flags & RST ? 1 : 0);
    if (bits > 1) {
      if (p.flags & FIN && p.flags & RST) once('I', 'I');
      else once('Q', 'Q');
    } else if (bits === 1) {
      if (p.flags & SYN) {
        const c = p.flags & ACK ? 'H' : 'S';
        if (once('SYN', c) && p.seq !== e.lastSyn) letter(c);
        e.lastSyn = p.seq;
      }
      if (p.flags & FIN) {
        const end = p.seq + p.payloadLen;
        if (once('FIN', 'F') && end !== e.lastFin) letter('F');
        e.lastFin = end;
      }
      if (p.flags & RST) {
        if (once('RST', 'R') && p.seq !== e.lastRst) letter('R');
        e.lastRst = p.seq;
      }
    } else if (p.payloadLen > 0) once('D', 'D');
    else if (p.flags & ACK) once('A', 'A');

    // UpdateStateMachine()
    switch (e.state) {
      case St.Inactive:
        if (p.flags & SYN) {
          if (p.fromOrig) set(e, p.flags & ACK ? St.SynAckSent : St.SynSent);
          else {
            if (peer.state === St.SynSent) set(peer, St.Established);
            set(e, St.Established);
          }
        }
        if (p.flags & FIN) set(e, St.Closed);
        if (p.flags & RST) set(e, St.Reset);
        if (e.state === St.Inactive) {
          if (!p.fromOrig && p.payloadLen === 0 && orig.state === St.SynSent) {
            // an ACK of the SYN before the SYN-ACK: not a partial connection
          } else if (p.flags & ACK && peer.state === St.Established) set(e, St.Established);
          else set(e, St.Partial);
        }
        break;
      case St.SynSent:
      case St.SynAckSent:
        if (p.flags & FIN) set(e, St.Closed);
        if (p.flags & RST) set(e, St.Reset);
        break;
      case St.Established:
      case St.Partial:
        if (p.flags & SYN && e.state === St.Partial && peer.state === St.Inactive && !(p.flags & ACK)) set(e, St.SynSent);
        if (p.flags & FIN && !(p.flags & RST)) {
          set(e, St.Closed);
          if (peer.state === St.Reset && peer.prev === St.Closed) set(peer, St.Closed);
        }
        if (p.flags & RST) set(e, St.Reset);
        break;
      case St.Closed:
        if (p.flags & RST && peer.state !== St.Closed) set(e, St.Reset);
        break;
      case St.Reset:
        break;
    }
    if (!(p.flags & RST)) e.size += p.payloadLen;
  }
  return { state: tcpConnState(orig, resp, history), history };
}

/** conn_state() from base/protocols/conn/main.zeek, TCP branch. */
function tcpConnState(o: Endpoint, r: Endpoint, history: string): string {
  const os = o.state;
  const rs = r.state;
  const oInactive = os === St.Inactive || os === St.Partial;
  const rInactive = rs === St.Inactive || rs === St.Partial;
  if (rs === St.Reset) {
    if (os === St.SynSent || os === St.SynAckSent || (os === St.Reset && o.size === 0 && r.size === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === St.Reset) {
    if (rInactive) return /^\^?S[^HAFGIQ]*R.*/.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === St.Closed && os === St.Closed) return 'SF';
  if (os === St.Closed) return rInactive ? 'SH' : 'S2';
  if (rs === St.Closed) return oInactive ? 'SHR' : 'S3';
  if (os === St.SynSent && rs === St.Inactive) return 'S0';
  if (os === St.Established && rs === St.Established) return 'S1';
  return 'OTH';
}

/** UDP: SF when both sides sent, S0 when only the originator did; history D/d (Zeek's UDP analyzer). */
export function zeekUdp(packets: { fromOrig: boolean }[]): ZeekResult {
  const orig = packets.some((p) => p.fromOrig);
  const resp = packets.some((p) => !p.fromOrig);
  let history = '';
  for (const p of packets) {
    const c = p.fromOrig ? 'D' : 'd';
    if (!history.includes(c)) history += c;
  }
  return { state: orig ? (resp ? 'SF' : 'S0') : resp ? 'SHR' : 'OTH', history };
}
