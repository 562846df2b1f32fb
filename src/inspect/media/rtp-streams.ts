/**
 * RTP/RTCP media quality across a run: detection confirmed over several
 * packets, then per-stream loss and jitter (RtpStreamTable) and the RTCP
 * reports of the endpoints (RtcpTables).
 *
 * Integration (inspect-core): call `onPayload` (or `feed`) for every UDP payload (and the
 * inner payload of TURN ChannelData / Data indications) whose first byte is
 * 128-191 (RFC 7983), with the flow index and direction from FlowTable.add.
 * Anomalies to count, by name (add them to src/anomalies.ts, fate false):
 * MEDIA_ANOMALIES below, read from `anomalies` after the run.
 *
 * Detection: a payload that looks like RTP (rtp-header.ts) becomes a candidate
 * of its (flow, direction, SSRC), which holds its last HELD packets. The stream
 * is confirmed when the newest packet's sequence number and those of held
 * packets make a chain of CONFIRM_PACKETS distinct numbers, each at most
 * MAX_CANDIDATE_GAP past the one before, whose timestamps do not go back along
 * the chain: reordering, a duplicate or a few losses in the first packets do not
 * delay it. The held packets that belong to the stream (those of the chain, and
 * those less than MAX_MISORDER numbers before it: an early loss burst, or a
 * packet of another clock such as a DTMF event, which breaks the chain's
 * timestamp order) are then replayed into the new stream in arrival order, and
 * its count starts at the lowest of their numbers, so losses, reordering and
 * duplicates among its first packets count as later ones do. Other held
 * packets (strays) are not counted. Candidates live in a
 * fixed 4-way set-associative table. A newcomer to a full set replaces the
 * least recently fed candidate only if that one is stale (CANDIDATE_STALE_S);
 * otherwise the newcomer waits for its next packet. Evicting fresh candidates
 * would let five streams that share a set and arrive in turn evict each other
 * forever (a capture starting in the middle of many calls does exactly that);
 * fresh candidates confirm within three packets and free their slot. Streams
 * in a fixed KeyTable: memory is bounded by maxStreams, whatever the input.
 */
import { u32 } from '../../bytes.js';
import { hash3, KeyTable } from './key-table.js';
import type { MediaDirection, MediaReport, RtcpReceptionReport, RtcpSenderReport, RtpStreamReport } from './media-report.js';
import { RtcpResult, RtcpTables } from './rtcp.js';
import { NOT_RTP, RTCP, rtpHeaderBytes } from './rtp-header.js';
import type { RtpJobSink } from '../thread/ring.js';
import { DEFAULT_DYNAMIC_CLOCK_RATE, MAX_MISORDER, round3, RtpStreamTable } from './rtp-stream-stats.js';

export const DEFAULT_MAX_STREAMS = 4096;
export const CONFIRM_PACKETS = 3;
export const MAX_CANDIDATE_GAP = 16; // sequence step still believed while confirming (a few losses)
const HELD = 8; // packets a candidate holds: enough for a chain through reordering, duplicates and strays
const CANDIDATE_WAYS = 4; // a candidate may sit in any of 4 slots of its set
const MIN_CANDIDATE_SLOTS = 1024;
/** A candidate not fed for this long (capture seconds) may be replaced: real media sends every 20-100 ms. */
export const CANDIDATE_STALE_S = 2;
const DROPPED = 255; // candidate state: confirmed but the stream table was full
const NOT_IN_STREAM = 0x10000; // belongs(): not an offset any sequence number has

/** Named anomalies of this module, in the order of `RtpStreams.anomalies`. */
export const MEDIA_ANOMALIES = [
  { name: 'rtp_stream_table_full', description: 'an RTP stream was confirmed but not tracked: the media stream table was full' },
  { name: 'rtcp_table_full', description: 'an RTCP report was not kept: the RTCP report table was full' },
] as const;
export const MediaAnomaly = { StreamTableFull: 0, RtcpTableFull: 1 } as const;

/** The RTP streams of a run, before sorting. */
interface RtpPart {
  /** In the order the streams were created. */
  streams: RtpStreamReport[];
  /** Streams confirmed but not tracked: the table was full. */
  streamsDropped: number;
}

export class RtpStreams implements RtpJobSink {
  readonly maxStreams: number;
  /** Counts per MEDIA_ANOMALIES entry (an inspection worker's live in memory the main thread reads). */
  readonly anomalies: Uint32Array<ArrayBufferLike>;
  private readonly index: KeyTable;
  private readonly streams: RtpStreamTable;
  /** Capture time (epoch s) of the payload given to feed(); the stream table's own, so add() reads it there. */
  readonly arrival: Float64Array;
  private streamsDropped = 0;
  private readonly rtcp: RtcpTables;

  // candidate slots: key, number of held packets (or DROPPED), and the held packets' fields
  private readonly candidateSlots: number;
  private readonly cFlowDir: Int32Array;
  private readonly cSsrc: Uint32Array;
  private readonly cHeld: Uint8Array;
  /** Capture time of each slot's last packet, for staleness. */
  private readonly cLastTs: Float64Array;
  private readonly cSeq: Uint16Array;
  private readonly cRtpTs: Uint32Array;
  private readonly cPt: Uint8Array;
  private readonly cMarker: Uint8Array;
  private readonly cLen: Uint32Array;
  private readonly cTs: Float64Array;
  private readonly cFrame: Float64Array;
  /** Scratch of confirmed(): the chain's sequence offsets and timestamps, and what it found. */
  private readonly chainRel = new Int32Array(HELD);
  private readonly chainTs = new Int32Array(HELD);
  private chainLo = 0;
  private chainHi = 0;

  constructor(maxStreams = DEFAULT_MAX_STREAMS, anomalies: Uint32Array<ArrayBufferLike> = new Uint32Array(MEDIA_ANOMALIES.length)) {
    if (!Number.isInteger(maxStreams) || maxStreams < 1) throw new RangeError(`maxStreams must be a positive integer, got ${maxStreams}`);
    this.maxStreams = maxStreams;
    this.anomalies = anomalies;
    this.index = new KeyTable(maxStreams);
    this.streams = new RtpStreamTable(maxStreams);
    this.arrival = this.streams.arrival;
    this.rtcp = new RtcpTables(maxStreams * 4, maxStreams);
    let slots = MIN_CANDIDATE_SLOTS;
    while (slots < maxStreams) slots *= 2; // as many candidate slots as streams: sets rarely fill
    this.candidateSlots = slots;
    this.cFlowDir = new Int32Array(slots).fill(-1);
    this.cSsrc = new Uint32Array(slots);
    this.cHeld = new Uint8Array(slots);
    this.cLastTs = new Float64Array(slots);
    this.cSeq = new Uint16Array(slots * HELD);
    this.cRtpTs = new Uint32Array(slots * HELD);
    this.cPt = new Uint8Array(slots * HELD);
    this.cMarker = new Uint8Array(slots * HELD);
    this.cLen = new Uint32Array(slots * HELD);
    this.cTs = new Float64Array(slots * HELD);
    this.cFrame = new Float64Array(slots * HELD);
  }

  /**
   * One payload of flow `flow` (FlowTable index) sent in direction `dir`
   * (0 = by the client), captured at `ts` (epoch s) in frame `frameNo`.
   * Returns true when it was taken as RTP (of a stream or a candidate, or
   * looking like one while the candidate table is busy) or RTCP. Never throws, allocates nothing once its stream exists.
   */
  onPayload(flow: number, dir: number, ts: number, frameNo: number, buf: Buffer, off: number, end: number): boolean {
    this.arrival[0] = ts;
    return this.feed(flow, dir, frameNo, buf, off, end);
  }

  /**
   * onPayload for the per-packet path: the capture time is read from `arrival[0]`,
   * which the caller wrote just before. A double passed as an argument to a call
   * that is not inlined is boxed into a new heap number, once per media packet.
   * SSRC and timestamp go to addRtp as int32: a uint32 argument above 2^31 would be boxed.
   */
  feed(flow: number, dir: number, frameNo: number, buf: Buffer, off: number, end: number): boolean {
    const header = rtpHeaderBytes(buf, off, end);
    if (header === NOT_RTP) return false;
    if (header === RTCP) return this.rtcpPacket(flow * 2 + dir, frameNo, buf, off, end);
    this.addRtp(flow * 2 + dir, u32(buf, off + 8) | 0, (buf[off + 2] << 8) | buf[off + 3], u32(buf, off + 4) | 0, buf[off + 1], end - off - header, frameNo);
    return true;
  }

  /** A payload rtpHeaderBytes took as RTCP: true when it parsed as RTCP. */
  rtcpPacket(flowDir: number, frameNo: number, buf: Buffer, off: number, end: number): boolean {
    const r = this.rtcp.add(flowDir, frameNo, buf, off, end);
    if (r === RtcpResult.TableFull) this.anomalies[MediaAnomaly.RtcpTableFull]++;
    return r !== RtcpResult.NotRtcp;
  }

  /**
   * A payload rtpHeaderBytes took as RTP, by its header fields (`b1`: the second byte, marker and
   * payload type; `len`: bytes after the header), captured at `arrival[0]`: counted in its stream,
   * or held as a candidate. An inspection worker's main thread classifies RTP and queues these
   * fields (thread/worker-inspection.ts).
   */
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void {
    const pt = b1 & 0x7f;
    const marker = b1 >>> 7;
    const s = this.index.find(flowDir, ssrc, 0);
    if (s >= 0) this.streams.add(s, seq, rtpTs, pt, marker, len, frameNo); // reads arrival[0]
    else this.candidate(flowDir, ssrc >>> 0, seq, rtpTs, pt, marker, len, this.arrival[0], frameNo);
  }

  private candidate(flowDir: number, ssrc: number, seq: number, rtpTs: number, pt: number, marker: number,
    len: number, ts: number, frameNo: number): void {
    const set = (hash3(flowDir, ssrc, 0) & (this.candidateSlots / CANDIDATE_WAYS - 1)) * CANDIDATE_WAYS;
    let slot = -1;
    let free = -1;
    let oldest = set;
    for (let w = set; w < set + CANDIDATE_WAYS; w++) {
      if (this.cFlowDir[w] === flowDir && this.cSsrc[w] === ssrc) { slot = w; break; }
      if (this.cFlowDir[w] === -1) { if (free < 0) free = w; }
      else if (this.cLastTs[w] < this.cLastTs[oldest]) oldest = w;
    }
    if (slot < 0) {
      if (free < 0) {
        const age = ts - this.cLastTs[oldest];
        if (!(age > CANDIDATE_STALE_S || age < -CANDIDATE_STALE_S)) return; // set busy with live candidates: wait
        free = oldest;
      }
      slot = free;
      this.cFlowDir[slot] = flowDir;
      this.cSsrc[slot] = ssrc;
      this.cHeld[slot] = 0;
    }
    this.cLastTs[slot] = ts;
    let held = this.cHeld[slot];
    if (held === DROPPED) return;
    const h = slot * HELD;
    if (held === HELD) {
      this.forgetOldest(slot);
      held--;
    }
    this.hold(slot, held, seq, rtpTs, pt, marker, len, ts, frameNo);
    this.cHeld[slot] = ++held;
    if (held < CONFIRM_PACKETS || !this.confirmed(h, held)) return;
    // Confirmed: create the stream and replay the held packets that belong to it.
    const flow = Math.floor(flowDir / 2);
    const e = this.index.insert(flowDir, ssrc, 0);
    if (e < 0) {
      this.streamsDropped++;
      this.anomalies[MediaAnomaly.StreamTableFull]++;
      this.cHeld[slot] = DROPPED;
      return;
    }
    // The table has the index's capacity and is filled in the same order: its stream number is e.
    let stream = -1;
    let lowest = 0; // offset from the newest number of the lowest number replayed
    const arrival = this.streams.arrival;
    for (let i = 0; i < held; i++) {
      const d = this.belongs(h + i, h + held - 1);
      if (d === NOT_IN_STREAM) continue;
      if (stream < 0) stream = this.streams.create(flow, flowDir - 2 * flow, ssrc, this.cPt[h + i]);
      if (d < lowest) lowest = d;
      arrival[0] = this.cTs[h + i];
      this.streams.add(stream, this.cSeq[h + i], this.cRtpTs[h + i], this.cPt[h + i], this.cMarker[h + i], this.cLen[h + i], this.cFrame[h + i]);
    }
    this.streams.lowerBase(stream, (seq + lowest) & 0xffff);
    arrival[0] = ts;
    this.cFlowDir[slot] = -1;
    this.cHeld[slot] = 0;
  }

  /**
   * Whether held packets h .. h + held - 1 (the newest last) confirm a stream: the newest packet's
   * sequence number is in a chain of CONFIRM_PACKETS or more distinct held numbers, each at most
   * MAX_CANDIDATE_GAP past the one before, with timestamps that do not go back along the chain. Sets
   * chainLo / chainHi for belongs().
   */
  private confirmed(h: number, held: number): boolean {
    const newest = this.cSeq[h + held - 1];
    // Distinct offsets from the newest number (signed 16-bit), ascending, with the first timestamp of each.
    const rel = this.chainRel;
    const rts = this.chainTs;
    let n = 0;
    for (let i = 0; i < held; i++) {
      const d = (((this.cSeq[h + i] - newest) & 0xffff) ^ 0x8000) - 0x8000;
      let k = n;
      while (k > 0 && rel[k - 1] > d) k--;
      if (k > 0 && rel[k - 1] === d) continue;
      rel.copyWithin(k + 1, k, n);
      rts.copyWithin(k + 1, k, n);
      rel[k] = d;
      rts[k] = this.cRtpTs[h + i];
      n++;
    }
    let at = 0;
    while (rel[at] !== 0) at++;
    let lo = at;
    while (lo > 0 && rel[lo] - rel[lo - 1] <= MAX_CANDIDATE_GAP && ((rts[lo] - rts[lo - 1]) | 0) >= 0) lo--;
    let hi = at;
    while (hi < n - 1 && rel[hi + 1] - rel[hi] <= MAX_CANDIDATE_GAP && ((rts[hi + 1] - rts[hi]) | 0) >= 0) hi++;
    if (hi - lo + 1 < CONFIRM_PACKETS) return false;
    this.chainLo = rel[lo];
    this.chainHi = rel[hi];
    return true;
  }

  /**
   * Held packet k's sequence number as an offset from the newest packet's, if it belongs to the stream
   * confirmed with it (see the file header), else NOT_IN_STREAM.
   */
  private belongs(k: number, newest: number): number {
    const d = (((this.cSeq[k] - this.cSeq[newest]) & 0xffff) ^ 0x8000) - 0x8000;
    return d <= this.chainHi && this.chainLo - d < MAX_MISORDER ? d : NOT_IN_STREAM;
  }

  /** Drops a candidate's oldest held packet. */
  private forgetOldest(slot: number): void {
    const h = slot * HELD;
    const from = h + 1;
    const to = h + HELD;
    this.cSeq.copyWithin(h, from, to);
    this.cRtpTs.copyWithin(h, from, to);
    this.cPt.copyWithin(h, from, to);
    this.cMarker.copyWithin(h, from, to);
    this.cLen.copyWithin(h, from, to);
    this.cTs.copyWithin(h, from, to);
    this.cFrame.copyWithin(h, from, to);
  }

  private hold(slot: number, i: number, seq: number, rtpTs: number, pt: number, marker: number, len: number, ts: number, frameNo: number): void {
    const k = slot * HELD + i;
    this.cSeq[k] = seq;
    this.cRtpTs[k] = rtpTs;
    this.cPt[k] = pt;
    this.cMarker[k] = marker;
    this.cLen[k] = len;
    this.cTs[k] = ts;
    this.cFrame[k] = frameNo;
  }

  /** The RTP half of the `media` section: the streams in the order they were created, unsorted. */
  private rtpPart(): RtpPart {
    const streams: RtpStreamReport[] = [];
    const t = this.streams;
    for (let i = 0; i < t.count; i++) {
      const s = t.stats(i);
      const ssrc = t.ssrc[i];
      const expected = s.expected;
      const lost = expected - s.packets;
      streams.push({
        flow: t.flow[i] + 1,
        direction: directionName(t.dir[i]),
        ssrc,
        ssrcHex: '0x' + ssrc.toString(16).toUpperCase().padStart(8, '0'),
        payloadTypes: s.payloadTypes,
        firstPayloadType: s.firstPt,
        jitterPayloadType: s.measuredPt,
        clockRate: s.clockRate,
        clockRateSource: s.clockRateSource,
        firstSeen: s.firstSeen,
        lastSeen: s.lastSeen,
        firstFrame: s.firstFrame,
        lastFrame: s.lastFrame,
        packets: s.packets,
        payloadBytes: s.payloadBytes,
        expected,
        lost,
        lossPct: expected > 0 ? round3((lost / expected) * 100) : 0,
        outOfOrder: s.outOfOrder,
        duplicates: s.duplicates,
        seqResyncs: s.seqResyncs,
        timestampJumps: s.timestampJumps,
        jitterMs: round3(s.jitterMs),
        maxJitterMs: round3(s.maxJitterMs),
        meanJitterMs: round3(s.meanJitterMs),
        series: s.series,
      });
    }
    return { streams, streamsDropped: this.streamsDropped };
  }

  /** The `media` section: RTP streams and RTCP reports. Flow ids are FlowTable indices + 1, as in report.flows. */
  report(): MediaReport {
    const rtp = this.rtpPart();
    // An SSRC's clock rate for RTCP jitter: of its last-created stream, as the streams were created.
    const rateBySsrc = new Map<number, number>();
    for (const s of rtp.streams) rateBySsrc.set(s.ssrc, s.clockRate);
    const streams = [...rtp.streams].sort((a, b) => a.flow - b.flow || a.direction.localeCompare(b.direction) || a.ssrc - b.ssrc);
    return {
      defaultDynamicClockRate: DEFAULT_DYNAMIC_CLOCK_RATE,
      streams,
      rtcp: {
        packets: this.rtcp.packets,
        unverified: this.rtcp.unverified,
        receptionReports: this.receptionReports(rateBySsrc),
        senderReports: this.senderReports(),
      },
      streamsDropped: rtp.streamsDropped,
    };
  }

  private receptionReports(rateBySsrc: ReadonlyMap<number, number>): RtcpReceptionReport[] {
    const t = this.rtcp;
    const out: RtcpReceptionReport[] = [];
    for (let b = 0; b < t.blocks.count; b++) {
      const flowDir = t.blocks.keys[b * 3];
      const source = t.blocks.keys[b * 3 + 2];
      const rate = rateBySsrc.get(source);
      out.push({
        flow: Math.floor(flowDir / 2) + 1,
        direction: directionName(flowDir & 1),
        reporterSsrc: t.blocks.keys[b * 3 + 1],
        sourceSsrc: source,
        reports: t.bReports[b],
        firstFrame: t.bFirstFrame[b],
        lastFrame: t.bLastFrame[b],
        fractionLostPct: round3((t.bFraction[b] * 100) / 256),
        maxFractionLostPct: round3((t.bMaxFraction[b] * 100) / 256),
        cumulativeLost: t.bCumLost[b],
        highestSeq: t.bHighestSeq[b],
        jitter: t.bJitter[b],
        jitterMs: rate === undefined ? null : round3((t.bJitter[b] * 1000) / rate),
      });
    }
    out.sort((a, b) => a.flow - b.flow || a.direction.localeCompare(b.direction) || a.reporterSsrc - b.reporterSsrc || a.sourceSsrc - b.sourceSsrc);
    return out;
  }

  private senderReports(): RtcpSenderReport[] {
    const t = this.rtcp;
    const out: RtcpSenderReport[] = [];
    for (let s = 0; s < t.senders.count; s++) {
      const flowDir = t.senders.keys[s * 3];
      out.push({
        flow: Math.floor(flowDir / 2) + 1,
        direction: directionName(flowDir & 1),
        ssrc: t.senders.keys[s * 3 + 1],
        reports: t.sReports[s],
        packetCount: t.sPackets[s],
        octetCount: t.sOctets[s],
      });
    }
    out.sort((a, b) => a.flow - b.flow || a.direction.localeCompare(b.direction) || a.ssrc - b.ssrc);
    return out;
  }
}

function directionName(dir: number): MediaDirection {
  return dir === 0 ? 'fromClient' : 'fromServer';
}
