/** TCP payload inspection over a stream's life: data on the SYN, and what a flow holds after it ends. */
import { describe, expect, it } from 'vitest';
import { A, newAnomalyCounters } from '../../src/anomalies.js';
import { IpProto, PacketView, TcpFlag } from '../../src/decode/packet-view.js';
import { Inspector } from '../../src/inspect/inspector.js';
import { RFC5769_REQUEST } from './fixtures.js';

/** RFC 4571 framing: a 2-byte length, then the message. */
function framed(...messages: Buffer[]): Buffer {
  return Buffer.concat(messages.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), m]));
}

function segment(payload: Buffer, seq: number, flags: number, frameNo: number): PacketView {
  const p = new PacketView();
  p.buf = payload;
  p.proto = IpProto.TCP;
  p.payloadOff = 0;
  p.payloadEnd = payload.length;
  p.payloadLen = payload.length;
  p.tcpSeq = seq;
  p.tcpFlags = flags;
  p.ts = 1.7e9 + frameNo / 100;
  p.frameNo = frameNo;
  return p;
}

function inspector(): Inspector {
  const i = new Inspector();
  i.anomalies = newAnomalyCounters();
  return i;
}

describe('TCP streams', () => {
  it('data on a SYN (TCP Fast Open) starts one past its sequence number: no gap before the next segment', () => {
    const ins = inspector();
    const first = framed(RFC5769_REQUEST);
    ins.onPacket(0, 0, segment(first, 1000, TcpFlag.SYN, 1));
    ins.onPacket(0, 0, segment(framed(RFC5769_REQUEST, RFC5769_REQUEST, RFC5769_REQUEST), 1000 + 1 + first.length, TcpFlag.ACK, 3));
    expect(ins.anomalies[A.InspectTcpGap]).toBe(0);
    expect(ins.state(0)!.stunMessages).toBe(4);
  });

  it("drops a flow's reassembly buffers when the flow ends", () => {
    const ins = inspector();
    const partial = Buffer.concat([framed(RFC5769_REQUEST), Buffer.from([0xff, 0xff]), Buffer.alloc(20)]); // a frame of 65535 bytes begins
    ins.onPacket(0, 0, segment(partial, 1, TcpFlag.ACK, 1));
    expect(ins.state(0)!.tcp![0].heldLen).toBe(22);
    ins.flowEnded(0);
    expect(ins.state(0)!.tcp).toBeNull();
    expect(ins.state(0)!.stunMessages).toBe(1); // what it found stays
  });
});
