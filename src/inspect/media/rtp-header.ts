/**
 * RTP and RTCP fixed headers: recognition only, no state. RtpStreams reads the
 * fields it needs straight from the buffer after `rtpHeaderBytes` measured a
 * header.
 *
 * RTP fixed header, RFC 3550 §5.1:
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           timestamp                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |           synchronization source (SSRC) identifier            |
 *    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *    |            contributing source (CSRC) identifiers             |
 *    |                             ....                              |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RTCP common header, RFC 3550 §6.4.1 (SR) / §6.4.2 (RR):
 *
 *    |V=2|P|    RC   |   PT=SR=200   |             length            |
 *
 * RTP and RTCP on one port are told apart by the second byte (RFC 5761 §4):
 * 192-223 is RTCP (RTP payload types 64-95 would collide and are not used).
 */

export const RTP_VERSION = 2; // RFC 3550 §5.1
export const RTP_HEADER_BYTES = 12; // RFC 3550 §5.1, fixed part
export const RTCP_HEADER_BYTES = 4; // RFC 3550 §6.4.1, common header
export const RTCP_PT_MIN = 192; // RFC 5761 §4: second byte 192-223 is RTCP
export const RTCP_PT_MAX = 223; // RFC 5761 §4
export const RTCP_SR = 200; // RFC 3550 §12.1
export const RTCP_RR = 201; // RFC 3550 §12.1
export const RTCP_SDES = 202; // RFC 3550 §12.1
export const RTCP_BYE = 203; // RFC 3550 §12.1
export const RTCP_APP = 204; // RFC 3550 §12.1
export const RTP_SEQ_MOD = 0x10000; // RFC 3550 A.1: sequence numbers are 16 bits
export const PT_DYNAMIC_MIN = 96; // RFC 3551 §3: 96-127 are dynamic
export const PT_CN = 13; // RFC 3389 comfort noise
export const PT_CN_OLD = 19; // RFC 3551 Table 4: reserved, once CN

/** What the first bytes of a payload look like. */
export const RtpKind = { NotRtp: 0, Rtp: 1, Rtcp: 2 } as const;
export type RtpKind = (typeof RtpKind)[keyof typeof RtpKind];

/**
 * Clock rates of the static payload types, RFC 3551 Tables 4 and 5 (Hz). 0 =
 * not a static type in use. PTs 1, 2 and 19 are "reserved" in RFC 3551 but
 * carried 1016, G721 and CN at 8000 Hz in RFC 1890; old gear still sends them.
 */
export const STATIC_CLOCK_RATE: Readonly<Int32Array> = (() => {
  const r = new Int32Array(128);
  const set = (pts: number[], hz: number) => { for (const pt of pts) r[pt] = hz; };
  set([0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 18, 19], 8000); // PCMU, GSM, G723, DVI4, LPC, PCMA, G722 (8000 by RFC 3551 §4.5.2 erratum), QCELP, CN, G728, G729
  set([6], 16000); // DVI4/16000
  set([10, 11], 44100); // L16 stereo / mono
  set([16], 11025); // DVI4/11025
  set([17], 22050); // DVI4/22050
  set([14, 25, 26, 28, 31, 32, 33, 34], 90000); // MPA, CelB, JPEG, nv, H261, MPV, MP2T, H263
  return r;
})();

/**
 * A payload type worth believing in: a static type of RFC 3551 or a dynamic
 * one. Unassigned ranges (20-24, 27, 29-30, 35-95) are what random bytes
 * would mostly produce, so they are refused.
 */
export function plausiblePayloadType(pt: number): boolean {
  return plausible(pt);
}

/** What rtpHeaderBytes returns for a payload that is not RTP, and for RTCP. */
export const NOT_RTP = -1;
export const RTCP = -2;

// rtpHeaderBytes runs for every media packet, so it reads module-local copies of the constants
// above: V8 reads an exported binding through a cell, with a hole check, at every use. (The main
// thread's RTP lane took 18-28 ns a packet with the exported names, 10-15 ns with these copies.)
const VERSION = RTP_VERSION;
const FIXED_BYTES = RTP_HEADER_BYTES;
const SHORTEST_RTCP = RTCP_HEADER_BYTES;
const FIRST_RTCP_PT = RTCP_PT_MIN;
const LAST_RTCP_PT = RTCP_PT_MAX;
const FIRST_DYNAMIC_PT = PT_DYNAMIC_MIN;
const CLOCK_RATES = STATIC_CLOCK_RATE;
const IS_NOT_RTP = NOT_RTP;
const IS_RTCP = RTCP;

function plausible(pt: number): boolean {
  return pt >= FIRST_DYNAMIC_PT || CLOCK_RATES[pt] !== 0;
}

/**
 * RTP, RTCP or neither, from the fixed header alone: version 2, RTCP by its
 * packet type (RFC 5761 §4), RTP by a plausible payload type and a header that
 * fits (CSRCs and extension inside the payload). Confirmation over several
 * packets is the caller's job.
 */
export function classifyRtp(buf: Buffer, off: number, end: number): RtpKind {
  const header = rtpHeaderBytes(buf, off, end);
  return header >= 0 ? RtpKind.Rtp : header === RTCP ? RtpKind.Rtcp : RtpKind.NotRtp;
}

/**
 * classifyRtp's answer with what it measured: the bytes of an RTP packet's
 * header (fixed part, CSRCs and extension), or RTCP, or NOT_RTP.
 */
export function rtpHeaderBytes(buf: Buffer, off: number, end: number): number {
  const len = end - off;
  if (len < SHORTEST_RTCP) return IS_NOT_RTP;
  const b0 = buf[off];
  const b1 = buf[off + 1];
  // Nearly every media packet: version 2, no padding, extension or CSRCs, not RTCP (what the rest decides for it).
  if (b0 === 0x80 && len >= FIXED_BYTES && (b1 < FIRST_RTCP_PT || b1 > LAST_RTCP_PT)) return plausible(b1 & 0x7f) ? FIXED_BYTES : IS_NOT_RTP;
  if (b0 >> 6 !== VERSION) return IS_NOT_RTP;
  if (b1 >= FIRST_RTCP_PT && b1 <= LAST_RTCP_PT) return len >= 8 ? IS_RTCP : IS_NOT_RTP;
  if (len < FIXED_BYTES) return IS_NOT_RTP;
  if (!plausible(b1 & 0x7f)) return IS_NOT_RTP;
  let header = FIXED_BYTES + 4 * (b0 & 0x0f);
  if (header > len) return IS_NOT_RTP;
  if (b0 & 0x10) {
    // RFC 3550 §5.3.1: 16-bit profile word, 16-bit length in 32-bit words, then the extension.
    if (header + 4 > len) return IS_NOT_RTP;
    header += 4 + 4 * ((buf[off + header + 2] << 8) | buf[off + header + 3]);
    if (header > len) return IS_NOT_RTP;
  }
  // The padding bit (0x20) is not checked against the last octet (RFC 3550 §5.1: it counts the
  // padding): in SRTP that octet is encrypted and the authentication tag follows it (RFC 3711 §3.1),
  // so a check refused a sixth of a WebRTC call's packets and counted them as lost.
  return header;
}
