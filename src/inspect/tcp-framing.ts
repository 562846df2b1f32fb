/**
 * Message framing over TCP for the flows that carry STUN, with bounded
 * per-direction reassembly of only what inspection needs.
 *
 * Three framings (see ../shared/reference/stun-turn-dialects.md §4):
 * - StunStream (RFC 8656 §3.1 TURN over TCP, RFC 6062): STUN messages back
 *   to back, each sized by its header; ChannelData padded to 4 bytes.
 * - Rfc4571 (RFC 4571 §2, RFC 6544 ICE-TCP): a 2-byte length before each
 *   STUN message or media packet.
 *       0                   1                   2                   3
 *      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *      |             LENGTH            |  STUN or RTP/RTCP packet ...  |
 *      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * - MsTurnTcp ([MS-TURN] §2.1, TCP 443 of the A/V Edge): an optional
 *   pseudo-TLS handshake (one fake ClientHello, one ServerHello +
 *   ServerHelloDone record; no real TLS follows), then a 4-byte header
 *   before every message: type (0x02 TURN control, 0x03 end-to-end data),
 *   reserved (0), length (16 bits).
 *
 * Each direction keeps its next expected sequence number. Retransmitted
 * bytes are skipped; a gap (lost or reordered segment, or a snaplen cutting
 * the payload) stops framing that direction, honestly, with an anomaly: the
 * messages before it are kept, none after it are guessed. A message split
 * across segments is copied into a buffer sized to that one message (at most
 * MAX_FRAME bytes), so memory per direction is bounded by one message.
 */
import { Decode } from '../decode/status.js';
import { CHANNEL_MIN, CHANNEL_MAX } from './channeldata.js';
import { NOT_RTP, rtpHeaderBytes } from './media/rtp-header.js';
import { parseStun, type StunMessage } from './stun.js';
import { Dialect, STUN_HEADER } from './stun-constants.js';

export const Framing = { None: 0, StunStream: 1, Rfc4571: 2, MsTurnTcp: 3 } as const;
export const FRAMING_NAMES = ['', 'turn-tcp', 'rfc4571', 'ms-turn-tcp'] as const;

/** What a delivered frame holds. */
export const Frame = { Stun: 0, ChannelData: 1, Data: 2, PseudoTls: 3 } as const;

const RFC4571_HEADER = 2; // RFC 4571 §2
const MSTURN_TCP_HEADER = 4; // [MS-TURN] §2.1: type, reserved, length
const MSTURN_CONTROL = 0x02; // [MS-TURN] §2.1 TURN control message
const MSTURN_DATA = 0x03; // [MS-TURN] §2.1 end-to-end data
const TLS_RECORD_HEADER = 5; // RFC 5246 §6.2.1
const TLS_HANDSHAKE = 0x16; // RFC 5246 §6.2.1 ContentType handshake
/** The largest frame any of the framings can describe: a 4-byte header and 65535 bytes. */
export const MAX_FRAME = MSTURN_TCP_HEADER + 0xffff + STUN_HEADER;
/** Framed bytes per direction after which a flow stops being inspected (bounds CPU on long TCP relays). */
export const MAX_FRAMED_BYTES = 256 * 1024 * 1024;

/**
 * Why a direction stopped. DataConnection is no anomaly: the sink ended the framing because the
 * stream carries relayed data from then on (RFC 6062 §4.3, §4.4: a bound data connection).
 */
export const Stop = { None: 0, Gap: 1, Desync: 2, Limit: 3, DataConnection: 4 } as const;

/** Receives each complete frame; implemented by the inspector (no closure per packet). */
export interface FrameSink {
  frame(kind: number, buf: Buffer, off: number, end: number): void;
}

/** Reassembly state of one direction of one TCP flow. */
export class TcpDirection {
  /** Next expected sequence number, -1 before the first segment. */
  nextSeq = -1;
  stopped: number = Stop.None;
  /** Bytes of an incomplete frame, held until the rest arrives. */
  held: Buffer | null = null;
  heldLen = 0;
  framedBytes = 0;
  frames = 0;
  /** Segments skipped before the first (Inspector.tcp: a flow begun mid-stream). */
  unsynced = 0;
}

/**
 * Total bytes of the frame at `off` in `mode`, 0 when more bytes are needed
 * to tell, -1 when the bytes are not a frame of that mode (lost sync).
 */
export function frameLength(mode: number, buf: Buffer, off: number, avail: number): number {
  if (mode === Framing.Rfc4571) {
    if (avail < RFC4571_HEADER) return 0;
    return RFC4571_HEADER + ((buf[off] << 8) | buf[off + 1]);
  }
  if (avail < 4) return 0;
  const b0 = buf[off];
  const len = (buf[off + 2] << 8) | buf[off + 3];
  if (mode === Framing.MsTurnTcp) {
    if (b0 === TLS_HANDSHAKE) {
      if (avail < TLS_RECORD_HEADER) return 0;
      return buf[off + 1] === 3 ? TLS_RECORD_HEADER + ((buf[off + 3] << 8) | buf[off + 4]) : -1;
    }
    if ((b0 === MSTURN_CONTROL || b0 === MSTURN_DATA) && buf[off + 1] === 0) return MSTURN_TCP_HEADER + len;
    return -1;
  }
  // StunStream
  if (b0 < 4) return STUN_HEADER + len;
  const channel = (b0 << 8) | buf[off + 1];
  if (channel >= CHANNEL_MIN && channel <= CHANNEL_MAX) return (4 + len + 3) & ~3;
  return -1;
}

/** Hands one complete frame to the sink, stripped of its framing header. */
function deliver(mode: number, buf: Buffer, off: number, end: number, sink: FrameSink): void {
  if (mode === Framing.StunStream) {
    sink.frame(buf[off] < 4 ? Frame.Stun : Frame.ChannelData, buf, off, end);
  } else if (mode === Framing.Rfc4571) {
    const o = off + RFC4571_HEADER;
    if (o >= end) return;
    const b0 = buf[o];
    sink.frame(b0 < 4 ? Frame.Stun : b0 >= 64 && b0 <= 79 ? Frame.ChannelData : Frame.Data, buf, o, end);
  } else {
    const b0 = buf[off];
    if (b0 === TLS_HANDSHAKE) sink.frame(Frame.PseudoTls, buf, off, end);
    else sink.frame(b0 === MSTURN_CONTROL ? Frame.Stun : Frame.Data, buf, off + MSTURN_TCP_HEADER, end);
  }
}

/**
 * Feeds one TCP segment's payload to a direction. `seq` is the segment's
 * sequence number, `wireLen` its payload length per the headers, and
 * [off, end) the captured payload. Returns the Stop reason if this segment
 * stopped the direction (the caller counts the anomaly), else Stop.None.
 */
export function feedSegment(d: TcpDirection, mode: number, seq: number, wireLen: number, buf: Buffer, off: number, end: number, sink: FrameSink): number {
  if (d.stopped !== Stop.None || wireLen <= 0) return Stop.None;
  if (d.nextSeq < 0) d.nextSeq = seq;
  const rel = (seq - d.nextSeq) | 0;
  if (rel > 0) return stop(d, Stop.Gap);
  let skip = 0;
  if (rel < 0) {
    skip = -rel;
    if (skip >= wireLen) return Stop.None; // wholly retransmitted: already framed
  }
  d.nextSeq = (seq + wireLen) >>> 0;
  d.framedBytes += wireLen - skip;
  if (d.framedBytes > MAX_FRAMED_BYTES) return stop(d, Stop.Limit);
  const cut = end - off < wireLen; // snaplen: the bytes after `end` were never captured
  off += skip;
  if (off > end) return stop(d, Stop.Gap);

  if (d.heldLen > 0) {
    off = completeHeld(d, mode, buf, off, end, sink);
    if (off < 0) return stop(d, Stop.Desync);
  }
  while (off < end && d.heldLen === 0 && d.stopped === Stop.None) {
    const n = frameLength(mode, buf, off, end - off);
    if (n < 0 || n > MAX_FRAME) return stop(d, Stop.Desync);
    if (n === 0 || off + n > end) {
      hold(d, buf, off, end);
      break;
    }
    d.frames++;
    deliver(mode, buf, off, off + n, sink);
    off += n;
  }
  if (d.stopped !== Stop.None) return Stop.None; // the sink ended the framing (endFraming)
  return cut ? stop(d, Stop.Gap) : Stop.None;
}

/** Adds bytes to the held partial frame; delivers it when complete. Returns the new offset, -1 on lost sync. */
function completeHeld(d: TcpDirection, mode: number, buf: Buffer, off: number, end: number, sink: FrameSink): number {
  for (;;) {
    const held = d.held!;
    const n = frameLength(mode, held, 0, d.heldLen);
    if (n < 0 || n > MAX_FRAME) return -1;
    // Header still incomplete: take one more byte at a time (at most 4), else up to the frame's end.
    const want = n === 0 ? 1 : n - d.heldLen;
    const take = Math.min(want, end - off);
    ensure(d, d.heldLen + take);
    buf.copy(d.held!, d.heldLen, off, off + take);
    d.heldLen += take;
    off += take;
    if (n > 0 && d.heldLen === n) {
      d.heldLen = 0;
      d.frames++;
      deliver(mode, d.held!, 0, n, sink);
      return off;
    }
    if (off >= end) return off;
  }
}

function hold(d: TcpDirection, buf: Buffer, off: number, end: number): void {
  ensure(d, end - off);
  buf.copy(d.held!, 0, off, end);
  d.heldLen = end - off;
}

/** Grows the held buffer to at least `size` bytes (at most MAX_FRAME). */
function ensure(d: TcpDirection, size: number): void {
  if (d.held !== null && d.held.length >= size) return;
  const grown = Buffer.allocUnsafe(Math.min(MAX_FRAME, Math.max(size, 2048, d.held === null ? 0 : d.held.length * 2)));
  if (d.held !== null && d.heldLen > 0) d.held.copy(grown, 0, 0, d.heldLen);
  d.held = grown;
}

/** Ends a direction's framing from the sink, for `why` (Stop.DataConnection): nothing after it is framed. */
export function endFraming(d: TcpDirection, why: number): void {
  stop(d, why);
}

function stop(d: TcpDirection, why: number): number {
  d.stopped = why;
  d.held = null;
  d.heldLen = 0;
  return why;
}

// ---- detection on the first payload of a flow ----

const PSEUDO_TLS_HELLO = [0x16, 0x03, 0x01, 0x00]; // TLS 1.0 handshake record (RFC 2246 §6.2.1)
const PSEUDO_CLIENT_HELLO_LEN = 0x2d; // libnice pseudo-TLS ClientHello record: 45 bytes (2nd)
const PSEUDO_SERVER_HELLO_LEN = 0x4e; // ServerHello + ServerHelloDone in one 78-byte record (2nd)
const TLS_DH_ANON_WITH_RC4_128_MD5 = 0x0018; // RFC 5246 App. A.5: the one suite the fake hello offers (2nd)

/**
 * The MS-TURN pseudo-TLS hello at `off`, if that is what it is: 1 for the
 * client's fake ClientHello (one cipher suite, 0x0018, no extensions), 2 for
 * the server's ServerHello + ServerHelloDone, 0 otherwise.
 */
export function pseudoTlsHello(buf: Buffer, off: number, end: number): number {
  if (end - off < 50) return 0;
  for (let i = 0; i < 4; i++) if (buf[off + i] !== PSEUDO_TLS_HELLO[i]) return 0;
  const recLen = buf[off + 4];
  if (recLen === PSEUDO_CLIENT_HELLO_LEN && buf[off + 5] === 1 && buf[off + 43] === 0
    && buf[off + 44] === 0 && buf[off + 45] === 2 && ((buf[off + 46] << 8) | buf[off + 47]) === TLS_DH_ANON_WITH_RC4_128_MD5) return 1;
  if (recLen === PSEUDO_SERVER_HELLO_LEN && buf[off + 5] === 2 && end - off >= 83
    && ((buf[off + 76] << 8) | buf[off + 77]) === TLS_DH_ANON_WITH_RC4_128_MD5 && buf[off + 79] === 0x0e) return 2;
  return 0;
}

/**
 * Which framing the first payload bytes of a TCP direction show, proven by
 * a whole STUN message inside (or the pseudo-TLS hello), or by RFC 4571
 * frames of RTP or RTCP that fill the segment exactly (RTP over TCP without
 * ICE): Framing.None when none does. `msg` is scratch.
 */
export function detectFraming(buf: Buffer, off: number, end: number, msg: StunMessage): number {
  const avail = end - off;
  if (avail < 4) return Framing.None;
  const b0 = buf[off];
  if (b0 === TLS_HANDSHAKE) return pseudoTlsHello(buf, off, end) !== 0 ? Framing.MsTurnTcp : Framing.None;
  const len = (buf[off + 2] << 8) | buf[off + 3];
  if (b0 === MSTURN_CONTROL && buf[off + 1] === 0 && isStun(buf, off + MSTURN_TCP_HEADER, end, len, msg)) return Framing.MsTurnTcp;
  const len4571 = (b0 << 8) | buf[off + 1];
  if (isStun(buf, off + RFC4571_HEADER, end, len4571, msg) || mediaFrames(buf, off, end)) return Framing.Rfc4571;
  if (b0 < 4 && isStun(buf, off, end, STUN_HEADER + len, msg)) return Framing.StunStream;
  if (relayedFrames(Framing.MsTurnTcp, buf, off, end, msg)) return Framing.MsTurnTcp;
  if (relayedFrames(Framing.StunStream, buf, off, end, msg)) return Framing.StunStream;
  return Framing.None;
}

/**
 * Whether the payload at `off` that detectFraming took for `mode` opens with media or relayed data
 * (an RFC 4571 frame of RTP or RTCP, an MS-TURN data frame, ChannelData) rather than STUN or the
 * pseudo-TLS hello: a capture that began mid-stream, after any Allocate.
 */
export function opensWithData(mode: number, buf: Buffer, off: number): boolean {
  const b0 = buf[off];
  if (mode === Framing.Rfc4571) return buf[off + RFC4571_HEADER] >= 4;
  if (mode === Framing.MsTurnTcp) return b0 === MSTURN_DATA;
  return mode === Framing.StunStream && b0 >= CHANNEL_MIN >> 8 && b0 <= CHANNEL_MAX >> 8;
}

/** Segments of a direction skipped, on a flow begun mid-stream, while none starts with whole frames (Inspector.tcp). */
export const SYNC_SEGMENTS = 8;

/**
 * Whether [off, end) is one or more whole frames of `mode` (MS-TURN over TCP, or TURN over TCP),
 * each a STUN message or relayed data (an MS-TURN data frame, or ChannelData) holding a whole STUN
 * message or an RTP or RTCP header: a call relayed over TCP, captured after its Allocate (a
 * pseudo-TLS hello or a STUN message would have been recognised first). Filling the segment
 * exactly and the relayed media's header are the proof, as for mediaFrames.
 */
function relayedFrames(mode: number, buf: Buffer, off: number, end: number, msg: StunMessage): boolean {
  let at = off;
  while (end - at >= 4) {
    const b0 = buf[at];
    const n = frameLength(mode, buf, at, end - at);
    const next = at + n;
    if (n <= 0 || next > end || b0 === TLS_HANDSHAKE) return false;
    const stun = mode === Framing.MsTurnTcp ? b0 === MSTURN_CONTROL : b0 < 4;
    const data = mode === Framing.MsTurnTcp ? at + MSTURN_TCP_HEADER : stun ? at : at + 4;
    const dataEnd = mode === Framing.MsTurnTcp || stun ? next : data + ((buf[at + 2] << 8) | buf[at + 3]);
    if (stun ? !isStun(buf, data, dataEnd, dataEnd - data, msg) : !relayedPayload(buf, data, dataEnd, msg)) return false;
    at = next;
  }
  return at === end && end > off;
}

/** Relayed data that shows what it is: a whole STUN message (ICE through the relay), or RTP or RTCP. `msg` is scratch. */
export function relayedPayload(buf: Buffer, off: number, end: number, msg: StunMessage): boolean {
  if (end <= off) return false;
  return buf[off] < 4 ? isStun(buf, off, end, end - off, msg) : rtpHeaderBytes(buf, off, end) !== NOT_RTP;
}

/** Whether [off, end) is one or more whole RFC 4571 frames, each an RTP or RTCP packet by its header. */
function mediaFrames(buf: Buffer, off: number, end: number): boolean {
  let at = off;
  while (end - at >= RFC4571_HEADER) {
    const next = at + RFC4571_HEADER + ((buf[at] << 8) | buf[at + 1]);
    if (next > end || rtpHeaderBytes(buf, at + RFC4571_HEADER, next) === NOT_RTP) return false;
    at = next;
  }
  return at === end && end > off;
}

/** A STUN message with a marker (cookie or MS-TURN) filling exactly `frame` bytes at `off`. */
function isStun(buf: Buffer, off: number, end: number, frame: number, msg: StunMessage): boolean {
  if (end - off < STUN_HEADER || frame < STUN_HEADER) return false;
  if (((buf[off + 2] << 8) | buf[off + 3]) + STUN_HEADER !== frame) return false;
  const s = parseStun(buf, off, Math.min(end, off + frame), frame, msg, true);
  return (s === Decode.Ok || s === Decode.Truncated) && msg.dialect !== Dialect.Rfc3489;
}
