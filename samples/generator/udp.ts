/** UDP datagrams of one flow, in either direction, on a clock the caller advances. */
import { IpProto, udpDatagram } from './packets.js';
import type { Flow, Frame, Trace } from './trace.js';

export class UdpExchange {
  readonly frames: Frame[] = [];

  constructor(private readonly trace: Trace, readonly flow: Flow, public t: number) {}

  /** Sends one datagram `dt` µs after the previous one. */
  send(fromClient: boolean, payload: Buffer, dt = 0): Frame {
    this.t += dt;
    const f = this.flow;
    const d = udpDatagram(
      fromClient ? f.client.ip : f.server.ip,
      fromClient ? f.server.ip : f.client.ip,
      fromClient ? f.cport : f.sport,
      fromClient ? f.sport : f.cport,
      payload,
    );
    const frame = this.trace.emit(f, fromClient, this.t, IpProto.UDP, d, payload.length);
    this.frames.push(frame);
    return frame;
  }
}
