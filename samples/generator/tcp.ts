/**
 * A TCP conversation as a capture near the server sees it: handshake with MSS
 * and window-scale options, data cut into MSS-sized segments with sequence and
 * acknowledgment numbers that progress correctly, delayed ACKs (one per two
 * full segments, RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2), FIN teardown or RST.
 *
 * Timing: the capture point sits next to the server, so the server answers a
 * client packet after `serverDelay` and the client answers the server after a
 * full round trip.
 */
import { IpProto, TcpFlag, synOptions, tcpSegment } from './packets.js';
import type { Rng } from './rng.js';
import type { Flow, Frame, Trace } from './trace.js';

const { FIN, SYN, RST, PSH, ACK } = TcpFlag;

export interface TcpTiming {
  /** Start time, µs after the trace base. */
  start: number;
  /** Client round-trip time seen from the capture point, µs. */
  rtt: number;
  /** Server think time, µs. */
  serverDelay?: number;
  /** Gap between back-to-back segments from one side, µs. */
  burstGap?: number;
}

interface Side {
  isn: number;
  /** Next sequence number to send. */
  nxt: number;
  mss: number;
  /** Data segments sent and not yet acknowledged by the peer. */
  unacked: number;
}

export class TcpConversation {
  /** Time of the last packet emitted, µs. */
  t: number;
  private readonly c: Side;
  private readonly s: Side;
  private last: boolean | undefined; // direction of the last packet: true = from client
  private readonly rtt: number;
  private readonly serverDelay: number;
  private readonly burstGap: number;
  readonly frames: Frame[] = [];

  constructor(
    private readonly trace: Trace,
    readonly flow: Flow,
    rng: Rng,
    timing: TcpTiming,
    /** A connection already established before the capture started (no handshake seen). */
    private readonly midstream = false,
  ) {
    this.t = timing.start;
    this.rtt = timing.rtt;
    this.serverDelay = timing.serverDelay ?? 300;
    this.burstGap = timing.burstGap ?? 40;
    const mss = flow.client.ip.includes(':') ? 1440 : 1460; // 1500-byte MTU less IP and TCP headers
    const cIsn = rng.u32();
    const sIsn = rng.u32();
    this.c = { isn: cIsn, nxt: midstream ? cIsn + 1 + rng.int(1000, 900000) : cIsn, mss, unacked: 0 };
    this.s = { isn: sIsn, nxt: midstream ? sIsn + 1 + rng.int(1000, 900000) : sIsn, mss, unacked: 0 };
    this.last = undefined;
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): this {
    this.syn();
    this.segment(false, SYN | ACK, Buffer.alloc(0), synOptions(this.s.mss, 8));
    this.segment(true, ACK);
    return this;
  }

  /** The client's SYN, optionally retransmitted after the given delays (µs) with the same sequence number. */
  syn(retransmitDelays: number[] = []): Frame {
    const first = this.segment(true, SYN, Buffer.alloc(0), synOptions(this.c.mss, 8));
    for (const d of retransmitDelays) {
      this.c.nxt = this.c.isn; // a retransmission reuses the ISN
      this.t += d;
      this.segment(true, SYN, Buffer.alloc(0), synOptions(this.c.mss, 8), 0);
    }
    return first;
  }

  /** A closed port's answer to a SYN: RST+ACK with sequence 0 (RFC 9293 §3.10.7.1). */
  refuse(): this {
    this.s.nxt = 0;
    this.segment(false, RST | ACK);
    return this;
  }

  /**
   * Sends one application message, cut into MSS-sized segments (PSH on the last).
   * The receiver acknowledges every second full segment; any ACK still owed is
   * sent before the same side sends again, or carried by the receiver's next packet.
   */
  send(fromClient: boolean, data: Buffer): this {
    const me = fromClient ? this.c : this.s;
    // Our previous message is still unacknowledged: the peer's delayed ACK comes first.
    if (me.unacked > 0 && this.last === fromClient) this.delayedAck(!fromClient);
    for (let off = 0; off < data.length; off += me.mss) {
      const chunk = data.subarray(off, Math.min(off + me.mss, data.length));
      const lastChunk = off + me.mss >= data.length;
      this.segment(fromClient, lastChunk ? PSH | ACK : ACK, chunk);
      me.unacked++;
      if (me.unacked >= 2 && !lastChunk) this.segment(!fromClient, ACK);
    }
    return this;
  }

  /** A pure ACK from one side (e.g. a delayed ACK before a pause). */
  ack(fromClient: boolean): this {
    this.segment(fromClient, ACK);
    return this;
  }

  /** Idle time, µs. */
  wait(us: number): this {
    this.t += us;
    return this;
  }

  /** Graceful close: FIN from one side, FIN+ACK from the other, final ACK. */
  close(clientFirst = true): this {
    this.segment(clientFirst, FIN | ACK);
    this.segment(!clientFirst, FIN | ACK);
    this.segment(clientFirst, ACK);
    return this;
  }

  /** An abortive close by one side: RST+ACK at its next sequence number. */
  reset(fromClient: boolean): this {
    this.segment(fromClient, RST | ACK);
    return this;
  }

  private delayedAck(fromClient: boolean): void {
    this.t += 40_000; // a 40 ms delayed-ACK timer (RFC 1122 §4.2.3.2 allows up to 500 ms)
    this.segment(fromClient, ACK, Buffer.alloc(0), undefined, 0);
  }

  /** Emits one segment with the current sequence and acknowledgment numbers. */
  segment(fromClient: boolean, flags: number, payload: Buffer = Buffer.alloc(0), options?: Buffer, advanceTime = 1): Frame {
    const me = fromClient ? this.c : this.s;
    const peer = fromClient ? this.s : this.c;
    if (advanceTime) this.advance(fromClient);
    const f = this.flow;
    const seq = me.nxt >>> 0;
    const ack = flags & ACK ? peer.nxt >>> 0 : 0;
    const window = flags & SYN ? 64240 : 1026; // unscaled in SYNs (RFC 7323 §2.2); 1026 << 8 = 262656 after
    const seg = tcpSegment(
      fromClient ? f.client.ip : f.server.ip,
      fromClient ? f.server.ip : f.client.ip,
      { sport: fromClient ? f.cport : f.sport, dport: fromClient ? f.sport : f.cport, seq, ack, flags, window, options },
      payload,
    );
    const frame = this.trace.emit(f, fromClient, this.t, IpProto.TCP, seg, payload.length, { flags, seq });
    me.nxt = (me.nxt + payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
    if (flags & ACK && !(flags & RST)) peer.unacked = 0;
    this.last = fromClient;
    this.frames.push(frame);
    return frame;
  }

  private advance(fromClient: boolean): void {
    if (this.last === undefined) return;
    if (this.last === fromClient) this.t += this.burstGap;
    else this.t += fromClient ? this.rtt : this.serverDelay;
  }
}
