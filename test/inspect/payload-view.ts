/** A PacketView over one transport payload, as the pipeline hands it to inspection (tests of the inspector). */
import { PacketView } from '../../src/decode/packet-view.js';

export interface PayloadViewFields {
  frameNo: number;
  /** Capture time, epoch seconds (default frameNo / 100). */
  ts?: number;
  seq?: number;
  flags?: number;
  /** Payload length by the headers (default: the bytes given; more when a snaplen cut them). */
  wireLen?: number;
}

export function payloadView(proto: number, payload: Buffer, f: PayloadViewFields): PacketView {
  const p = new PacketView();
  p.buf = payload;
  p.proto = proto;
  p.payloadOff = 0;
  p.payloadEnd = payload.length;
  p.payloadLen = f.wireLen ?? payload.length;
  p.tcpSeq = f.seq ?? 0;
  p.tcpFlags = f.flags ?? 0;
  p.ts = f.ts ?? f.frameNo / 100;
  p.frameNo = f.frameNo;
  return p;
}
