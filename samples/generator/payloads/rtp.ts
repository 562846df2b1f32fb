/**
 * RTP packets of one stream (RFC 3550 §5.1): fixed SSRC, sequence number +1
 * and timestamp + clockRate * ptime per packet, marker on the first packet of
 * a talkspurt.
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import type { Rng } from '../rng.js';

export const RTP_VERSION = 2; // RFC 3550 §5.1
export const PT_PCMU = 0; // RFC 3551 §6, 8000 Hz
const RTP_HEADER = 12;

export interface RtpStreamSpec {
  payloadType: number;
  clockRate: number;
  ptimeMs: number;
  ssrc: number;
  /** Payload size per packet, bytes: fixed (PCMU 20 ms = 160) or a range for a variable-rate codec. */
  payloadBytes: number | [number, number];
}

export const PT_PCMA = 8; // RFC 3551 §6, 8000 Hz
export const PT_G722 = 9; // RFC 3551 §4.5.2: 16 kHz sampling, but an 8000 Hz RTP clock

export interface RtpHeader {
  payloadType: number;
  seq: number;
  ts: number;
  ssrc: number;
  marker?: boolean;
}

/** One RTP packet (RFC 3550 §5.1), no CSRC, no extension, no padding. */
export function rtpPacket(h: RtpHeader, payload: Buffer): Buffer {
  const p = Buffer.alloc(RTP_HEADER + payload.length);
  p[0] = RTP_VERSION << 6;
  p[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  p.writeUInt16BE(h.seq & 0xffff, 2);
  p.writeUInt32BE(h.ts >>> 0, 4);
  p.writeUInt32BE(h.ssrc >>> 0, 8);
  payload.copy(p, RTP_HEADER);
  return p;
}

export class RtpStream {
  private seq: number;
  private ts: number;
  /** Sequence number and timestamp of the packet next() returned last. */
  lastSeq = -1;
  lastTs = -1;
  private first = true;

  constructor(readonly spec: RtpStreamSpec, private readonly rng: Rng) {
    // Random initial sequence number and timestamp (RFC 3550 §5.1).
    this.seq = rng.int(0, 0xffff);
    this.ts = rng.u32();
  }

  /** The next packet of the stream. */
  next(): Buffer {
    const n = typeof this.spec.payloadBytes === 'number' ? this.spec.payloadBytes : this.rng.int(...this.spec.payloadBytes);
    const p = Buffer.alloc(RTP_HEADER + n);
    p[0] = RTP_VERSION << 6;
    p[1] = (this.first ? 0x80 : 0) | (this.spec.payloadType & 0x7f);
    p.writeUInt16BE(this.seq, 2);
    p.writeUInt32BE(this.ts >>> 0, 4);
    p.writeUInt32BE(this.spec.ssrc >>> 0, 8);
    this.rng.fill(p, RTP_HEADER, p.length);
    this.first = false;
    this.lastSeq = this.seq;
    this.lastTs = this.ts >>> 0;
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + (this.spec.clockRate * this.spec.ptimeMs) / 1000) >>> 0;
    return p;
  }
}
