/**
 * RTCP sender and receiver reports (RFC 3550 §6.4): what the endpoints say
 * about their own sending and about the loss and jitter they received.
 *
 * Sender report, RFC 3550 §6.4.1 (a receiver report, §6.4.2, is the same
 * without the 20-byte sender info, PT=RR=201):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|    RC   |   PT=SR=200   |             length            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                         SSRC of sender                        |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |              NTP timestamp, most significant word             |
 *    |             NTP timestamp, least significant word             |
 *    |                         RTP timestamp                         |
 *    |                     sender's packet count                     |
 *    |                      sender's octet count                     |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |                 SSRC_1 (SSRC of first source)                 |
 *    | fraction lost |       cumulative number of packets lost       |
 *    |           extended highest sequence number received           |
 *    |                      interarrival jitter                      |
 *    |                         last SR (LSR)                         |
 *    |                   delay since last SR (DLSR)                  |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 * `length` counts 32-bit words minus one. A compound packet is believed only
 * when its sub-packets' lengths add up to the payload exactly (RFC 3550 A.2):
 * SRTCP encrypts everything after the first header and appends an index and
 * a tag, so its report blocks would be noise.
 */
import { u32 } from '../../bytes.js';
import { KeyTable } from './key-table.js';
import { RTCP_HEADER_BYTES, RTCP_RR, RTCP_SR, RTP_VERSION } from './rtp-header.js';

const SR_FIXED_BYTES = 28; // RFC 3550 §6.4.1: header, SSRC, 20-byte sender info
const RR_FIXED_BYTES = 8; // RFC 3550 §6.4.2: header, SSRC
const REPORT_BLOCK_BYTES = 24; // RFC 3550 §6.4.1: one reception report block

/** What `RtcpTables.add` found. */
export const RtcpResult = { NotRtcp: 0, Verified: 1, Unverified: 2, TableFull: 3 } as const;
export type RtcpResult = (typeof RtcpResult)[keyof typeof RtcpResult];

export class RtcpTables {
  packets = 0;
  unverified = 0;
  readonly blocks: KeyTable;
  readonly bReports: Uint32Array;
  readonly bFirstFrame: Float64Array;
  readonly bLastFrame: Float64Array;
  readonly bFraction: Uint8Array;
  readonly bMaxFraction: Uint8Array;
  readonly bCumLost: Int32Array;
  readonly bHighestSeq: Uint32Array;
  readonly bJitter: Uint32Array;
  readonly senders: KeyTable;
  readonly sReports: Uint32Array;
  readonly sPackets: Uint32Array;
  readonly sOctets: Uint32Array;

  constructor(maxBlocks: number, maxSenders: number) {
    this.blocks = new KeyTable(maxBlocks);
    this.bReports = new Uint32Array(maxBlocks);
    this.bFirstFrame = new Float64Array(maxBlocks);
    this.bLastFrame = new Float64Array(maxBlocks);
    this.bFraction = new Uint8Array(maxBlocks);
    this.bMaxFraction = new Uint8Array(maxBlocks);
    this.bCumLost = new Int32Array(maxBlocks);
    this.bHighestSeq = new Uint32Array(maxBlocks);
    this.bJitter = new Uint32Array(maxBlocks);
    this.senders = new KeyTable(maxSenders);
    this.sReports = new Uint32Array(maxSenders);
    this.sPackets = new Uint32Array(maxSenders);
    this.sOctets = new Uint32Array(maxSenders);
  }

  /**
   * One RTCP compound packet in buf[off, end), sent on flow/dir. The caller
   * has seen version 2 and an RTCP packet type in the first header.
   */
  add(flowDir: number, frameNo: number, buf: Buffer, off: number, end: number): RtcpResult {
    if (end - off < RTCP_HEADER_BYTES) return RtcpResult.NotRtcp;
    const firstBytes = 4 * (((buf[off + 2] << 8) | buf[off + 3]) + 1);
    if (off + firstBytes > end) return RtcpResult.NotRtcp;
    this.packets++;
    if (!compoundAddsUp(buf, off, end)) {
      this.unverified++;
      return RtcpResult.Unverified;
    }
    let full = false;
    // Each step advances by at least 4 bytes (length + 1 words), so the walk ends.
    for (let p = off; p < end;) {
      const b0 = buf[p];
      const pt = buf[p + 1];
      const bytes = 4 * (((buf[p + 2] << 8) | buf[p + 3]) + 1);
      const rc = b0 & 0x1f;
      let blocksAt = -1;
      if (pt === RTCP_SR && bytes >= SR_FIXED_BYTES) {
        const ssrc = u32(buf, p + 4);
        let s = this.senders.find(flowDir, ssrc, 0);
        if (s < 0) s = this.senders.insert(flowDir, ssrc, 0);
        if (s < 0) full = true;
        else {
          this.sReports[s]++;
          this.sPackets[s] = u32(buf, p + 20);
          this.sOctets[s] = u32(buf, p + 24);
        }
        blocksAt = p + SR_FIXED_BYTES;
      } else if (pt === RTCP_RR && bytes >= RR_FIXED_BYTES) {
        blocksAt = p + RR_FIXED_BYTES;
      }
      if (blocksAt >= 0) {
        const reporter = u32(buf, p + 4);
        for (let i = 0; i < rc && blocksAt + (i + 1) * REPORT_BLOCK_BYTES <= p + bytes; i++) {
          if (!this.addBlock(flowDir, reporter, frameNo, buf, blocksAt + i * REPORT_BLOCK_BYTES)) full = true;
        }
      }
      p += bytes;
    }
    return full ? RtcpResult.TableFull : RtcpResult.Verified;
  }

  private addBlock(flowDir: number, reporter: number, frameNo: number, buf: Buffer, o: number): boolean {
    const source = u32(buf, o);
    let b = this.blocks.find(flowDir, reporter, source);
    if (b < 0) {
      b = this.blocks.insert(flowDir, reporter, source);
      if (b < 0) return false;
      this.bFirstFrame[b] = frameNo;
    }
    this.bReports[b]++;
    this.bLastFrame[b] = frameNo;
    const fraction = buf[o + 4];
    this.bFraction[b] = fraction;
    if (fraction > this.bMaxFraction[b]) this.bMaxFraction[b] = fraction;
    // 24-bit two's complement (RFC 3550 §6.4.1: may be negative with duplicates).
    this.bCumLost[b] = ((buf[o + 5] << 24) | (buf[o + 6] << 16) | (buf[o + 7] << 8)) >> 8;
    this.bHighestSeq[b] = u32(buf, o + 8);
    this.bJitter[b] = u32(buf, o + 12);
    return true;
  }
}

/** RFC 3550 A.2: every sub-packet is version 2 and the lengths end exactly at the payload's end. */
export function compoundAddsUp(buf: Buffer, off: number, end: number): boolean {
  let p = off;
  while (p < end) {
    if (end - p < RTCP_HEADER_BYTES) return false;
    if (buf[p] >> 6 !== RTP_VERSION) return false;
    p += 4 * (((buf[p + 2] << 8) | buf[p + 3]) + 1);
  }
  return p === end;
}
