/**
 * RTCP compound packets (RFC 3550 §6): a sender report with report blocks,
 * followed by SDES with a CNAME, as every compound packet must carry (§6.1).
 *
 * SR (RFC 3550 §6.4.1):
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|    RC   |   PT=SR=200   |             length            |
 *   |                         SSRC of sender                        |
 *   |              NTP timestamp, most significant word             |
 *   |             NTP timestamp, least significant word             |
 *   |                         RTP timestamp                         |
 *   |                     sender's packet count                     |
 *   |                      sender's octet count                     |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |                 SSRC_1 (SSRC of first source)                 |
 *   | fraction lost |       cumulative number of packets lost       |
 *   |           extended highest sequence number received           |
 *   |                      interarrival jitter                      |
 *   |                         last SR (LSR)                         |
 *   |                   delay since last SR (DLSR)                  |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 */
export const RTCP_SR = 200; // RFC 3550 §12.1
export const RTCP_RR = 201; // RFC 3550 §12.1
export const RTCP_SDES = 202; // RFC 3550 §12.1
const SDES_CNAME = 1; // RFC 3550 §12.2
const NTP_UNIX_OFFSET = 2208988800; // seconds from 1900-01-01 to 1970-01-01 (RFC 5905 §6)

export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, as the 8-bit fixed-point number on the wire (lost/expected * 256, truncated). */
  fractionLost: number;
  /** Cumulative lost, 24-bit signed (RFC 3550 §6.4.1: duplicates make it smaller, possibly negative). */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units, truncated to an integer. */
  jitter: number;
  lsr: number;
  dlsr: number;
}

export interface SenderInfo {
  ssrc: number;
  /** Wall clock of the report, µs since the Unix epoch. */
  wallclockUs: number;
  rtpTs: number;
  packetCount: number;
  octetCount: number;
}

function header(pt: number, count: number, bodyLen: number): Buffer {
  const h = Buffer.alloc(4);
  h[0] = (2 << 6) | (count & 0x1f);
  h[1] = pt;
  h.writeUInt16BE((4 + bodyLen) / 4 - 1, 2); // length in 32-bit words minus one (§6.4.1)
  return h;
}

function block(b: ReportBlock): Buffer {
  const out = Buffer.alloc(24);
  out.writeUInt32BE(b.ssrc >>> 0, 0);
  out[4] = b.fractionLost & 0xff;
  out.writeIntBE(Math.max(-0x800000, Math.min(0x7fffff, b.cumulativeLost)), 5, 3);
  out.writeUInt32BE(b.extendedHighestSeq >>> 0, 8);
  out.writeUInt32BE(b.jitter >>> 0, 12);
  out.writeUInt32BE(b.lsr >>> 0, 16);
  out.writeUInt32BE(b.dlsr >>> 0, 20);
  return out;
}

/** NTP timestamp (RFC 5905 §6) of a Unix time in µs: seconds and 32-bit fraction. */
export function ntpOf(us: number): [number, number] {
  const sec = Math.floor(us / 1e6);
  return [(sec + NTP_UNIX_OFFSET) >>> 0, Math.floor(((us % 1e6) / 1e6) * 4294967296) >>> 0];
}

/** The middle 32 bits of the NTP timestamp, as LSR carries it (§6.4.1). */
export function ntpMiddle(us: number): number {
  const [s, f] = ntpOf(us);
  return (((s & 0xffff) << 16) | (f >>> 16)) >>> 0;
}

export function senderReport(s: SenderInfo, blocks: ReportBlock[]): Buffer {
  const body = Buffer.alloc(24);
  body.writeUInt32BE(s.ssrc >>> 0, 0);
  const [hi, lo] = ntpOf(s.wallclockUs);
  body.writeUInt32BE(hi, 4);
  body.writeUInt32BE(lo, 8);
  body.writeUInt32BE(s.rtpTs >>> 0, 12);
  body.writeUInt32BE(s.packetCount >>> 0, 16);
  body.writeUInt32BE(s.octetCount >>> 0, 20);
  const all = Buffer.concat([body, ...blocks.map(block)]);
  return Buffer.concat([header(RTCP_SR, blocks.length, all.length), all]);
}

export function receiverReport(ssrc: number, blocks: ReportBlock[]): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt32BE(ssrc >>> 0, 0);
  const all = Buffer.concat([body, ...blocks.map(block)]);
  return Buffer.concat([header(RTCP_RR, blocks.length, all.length), all]);
}

/** SDES with one chunk holding a CNAME item, null-terminated and padded to 32 bits (§6.5). */
export function sdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname, 'utf8');
  const itemLen = 2 + text.length;
  const chunkLen = 4 + itemLen + 1;
  const padded = chunkLen + ((4 - (chunkLen % 4)) % 4);
  const chunk = Buffer.alloc(padded);
  chunk.writeUInt32BE(ssrc >>> 0, 0);
  chunk[4] = SDES_CNAME;
  chunk[5] = text.length;
  text.copy(chunk, 6);
  return Buffer.concat([header(RTCP_SDES, 1, chunk.length), chunk]);
}
