/**
 * Statistics of one RTP stream (one SSRC, one flow, one direction): loss from
 * extended sequence numbers (RFC 3550 A.1/A.3), interarrival jitter (RFC 3550
 * §6.4.1, A.8), reordering and duplicates, and a bounded time series.
 *
 * One object per stream, created when the stream is confirmed; `add` is the
 * per-packet path and allocates nothing. For a dynamic payload type the
 * clock rate is unknown, so jitter is tracked for every standard rate at once
 * (a few multiply-adds) until the timestamps themselves show the rate
 * (fixed after LOCK_RATE_SECONDS; a shorter stream's is chosen at report time).
 */
import { PT_CN, PT_CN_OLD, PT_DYNAMIC_MIN, RTP_SEQ_MOD, STATIC_CLOCK_RATE } from './rtp-header.js';
import type { ClockRateSource, MediaSeries } from './media-report.js';

export const MAX_DROPOUT = 3000; // RFC 3550 A.1: largest forward jump taken as loss
export const MAX_MISORDER = 100; // RFC 3550 A.1: largest backward step taken as reordering
const RECENT = 128; // sequence numbers remembered for duplicate detection (> MAX_MISORDER)
const JITTER_GAIN = 16; // RFC 3550 §6.4.1: J += (|D| - J) / 16
export const MAX_SERIES_BUCKETS = 120; // per stream; beyond, buckets merge pairwise
export const FIRST_BUCKET_SECONDS = 1;
/** Rate assumed for a dynamic payload type when the stream is too short to infer one: narrowband audio and RFC 4733 telephone-event. */
export const DEFAULT_DYNAMIC_CLOCK_RATE = 8000;
/** Standard RTP clock rates (Hz) a dynamic payload type is matched against: RFC 3551, RFC 7587 (Opus), RFC 6184 (H.264), RTAudio and SILK as Lync/SfB negotiate them (8-24 kHz). */
export const CANDIDATE_CLOCK_RATES: readonly number[] = [8000, 12000, 16000, 24000, 32000, 48000, 90000];
/**
 * Once a dynamic stream has this much capture time of packets (and MIN_INFER_PACKETS), its rate is
 * inferred and fixed, and only that rate's jitter is tracked from then on (a per-packet saving).
 */
export const LOCK_RATE_SECONDS = 2;
export const MIN_INFER_PACKETS = 10;
export const MIN_INFER_SECONDS = 1;
/** A backward timestamp step longer than this (seconds of media) is a new timestamp base, not jitter. */
export const TS_JUMP_SECONDS = 10;

export class RtpStreamStats {
  readonly flow: number;
  readonly dir: number;
  readonly ssrc: number;
  readonly firstPt: number;
  /** Rates jitter is tracked for: the static rate, or every candidate. */
  readonly rates: Float64Array;
  firstSeen = 0;
  lastSeen = 0;
  firstFrame = 0;
  lastFrame = 0;
  packets = 0;
  payloadBytes = 0;
  outOfOrder = 0;
  duplicates = 0;
  seqResyncs = 0;
  /** Backward RTP timestamp jumps of more than TS_JUMP_SECONDS (the sender reset its timestamp base). */
  timestampJumps = 0;
  /** Payload types seen, one bit each. */
  readonly ptBits = new Uint32Array(4);

  // RFC 3550 A.1 sequence state
  private baseSeq = 0;
  private maxSeq = 0;
  /** Sequence number cycles, times 65536. */
  private cycles = 0;
  /** The sequence number that would confirm a big jump, or -1. */
  private badSeq = -1;
  /** Expected packets of the segments before the last resynchronisation. */
  private expectedBefore = 0;
  /** Extended sequence number received at each index (ext & (RECENT - 1)), or -1. */
  private readonly recent = new Float64Array(RECENT).fill(-1);

  // jitter state (RFC 3550 A.8), per rate in `rates`
  private prevArrival = 0;
  private prevTs = 0;
  private prevPt = -1;
  /** Sum of signed timestamp steps between rated packets: their RTP time span, wrap-free. */
  private tsSpan = 0;
  /** Packets whose clock rate is the stream's (see add), with their first and last capture time and last timestamp. */
  private ratedPackets = 0;
  private firstRatedSeen = 0;
  private lastRatedSeen = 0;
  private prevRatedTs = 0;
  private readonly jitter: Float64Array;
  private readonly maxJitter: Float64Array;
  private readonly sumJitter: Float64Array;
  private samples = 0;
  /** Range of `rates` still tracked: all of them until a dynamic stream's rate is fixed. */
  private rateLo = 0;
  private rateHi: number;
  private locked = false;

  // time series
  private bucketSeconds = FIRST_BUCKET_SECONDS;
  private readonly bReceived = new Float64Array(MAX_SERIES_BUCKETS);
  private readonly bExpected = new Float64Array(MAX_SERIES_BUCKETS);
  /** Per bucket, per rate: largest jitter sample (timestamp units). */
  private readonly bJitter: Float64Array;

  constructor(flow: number, dir: number, ssrc: number, firstPt: number) {
    this.flow = flow;
    this.dir = dir;
    this.ssrc = ssrc >>> 0;
    this.firstPt = firstPt;
    const staticRate = firstPt < PT_DYNAMIC_MIN ? STATIC_CLOCK_RATE[firstPt] : 0;
    this.rates = staticRate > 0 ? Float64Array.of(staticRate) : Float64Array.from(CANDIDATE_CLOCK_RATES);
    const n = this.rates.length;
    this.rateHi = n;
    this.jitter = new Float64Array(n);
    this.maxJitter = new Float64Array(n);
    this.sumJitter = new Float64Array(n);
    this.bJitter = new Float64Array(n * MAX_SERIES_BUCKETS);
  }

  /** One RTP packet of this stream. `ts` is the capture time (epoch s), `rtpTs` the RTP timestamp. */
  add(seq: number, rtpTs: number, pt: number, marker: boolean, payloadLen: number, ts: number, frameNo: number): void {
    const first = this.packets === 0;
    this.packets++;
    this.payloadBytes += payloadLen;
    this.ptBits[pt >> 5] |= 1 << (pt & 31);
    this.lastFrame = frameNo;
    this.lastSeen = ts;
    let newlyExpected: number;
    if (first) {
      this.firstSeen = ts;
      this.firstFrame = frameNo;
      this.baseSeq = seq;
      this.maxSeq = seq;
      this.recent[seq & (RECENT - 1)] = seq;
      newlyExpected = 1;
    } else {
      newlyExpected = this.updateSeq(seq);
    }
    const bucket = this.bucketOf(ts);
    this.bReceived[bucket]++;
    this.bExpected[bucket] += newlyExpected;

    // Jitter, RFC 3550 A.8: D = (Rj - Ri) - (Sj - Si) in timestamp units. The reference i is the last
    // packet that did not go back in RTP time, so that one reordered packet or a retransmitted event
    // (whose timestamp is the event's start, RFC 4733 §2.5.1) does not count twice; Wireshark does
    // the same. A packet whose clock rate is not the stream's (telephone-event, another dynamic type
    // in a G.711 stream) cannot be measured and is left out of the estimate.
    rtpTs >>>= 0;
    const rated = this.rates.length === 1 ? pt < PT_DYNAMIC_MIN && STATIC_CLOCK_RATE[pt] === this.rates[0] : pt === this.firstPt;
    if (rated) {
      if (this.ratedPackets > 0) {
        this.tsSpan += (rtpTs - this.prevRatedTs) | 0;
        this.lastRatedSeen = ts;
      } else {
        this.firstRatedSeen = ts;
        this.lastRatedSeen = ts;
      }
      this.ratedPackets++;
      this.prevRatedTs = rtpTs;
      if (!this.locked && this.rates.length > 1 && this.ratedPackets >= MIN_INFER_PACKETS && this.lastRatedSeen - this.firstRatedSeen >= LOCK_RATE_SECONDS) {
        const r = this.nearestRate();
        if (r >= 0) {
          this.locked = true;
          this.rateLo = r;
          this.rateHi = r + 1;
        }
      }
    }
    let tsStep = first ? 0 : (rtpTs - this.prevTs) | 0; // signed 32-bit difference: timestamps wrap
    if (tsStep < 0 && tsStep < -TS_JUMP_SECONDS * this.rates[this.rates.length - 1]) {
      // RTP time went back by more than TS_JUMP_SECONDS even at the fastest rate: the sender restarted
      // its timestamps. Measuring against the old base would add that jump to the jitter; start over.
      this.timestampJumps++;
      tsStep = 0;
      this.prevArrival = ts;
      this.prevTs = rtpTs;
    } else if (!first && rated) {
      const arrivalStep = ts - this.prevArrival;
      // Samples for max/mean skip what Wireshark skips: talk-spurt starts, comfort noise, RTP time going back.
      const sample = !marker && pt !== PT_CN && pt !== PT_CN_OLD && this.prevPt !== PT_CN && this.prevPt !== PT_CN_OLD && tsStep >= 0;
      if (sample) this.samples++;
      const rates = this.rates;
      const n = rates.length;
      const row = bucket * n;
      for (let r = this.rateLo; r < this.rateHi; r++) {
        const d = arrivalStep * rates[r] - tsStep;
        const j = this.jitter[r] + ((d < 0 ? -d : d) - this.jitter[r]) / JITTER_GAIN;
        this.jitter[r] = j;
        if (sample) {
          if (j > this.maxJitter[r]) this.maxJitter[r] = j;
          this.sumJitter[r] += j;
          if (j > this.bJitter[row + r]) this.bJitter[row + r] = j;
        }
      }
    }
    if (tsStep >= 0) {
      this.prevArrival = ts;
      this.prevTs = rtpTs;
    }
    this.prevPt = pt;
  }

  /** RFC 3550 A.1 update_seq, returning how far the highest sequence number advanced. */
  private updateSeq(seq: number): number {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (udelta > 0 && udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // wrapped
      this.maxSeq = seq;
      this.badSeq = -1;
      this.recent[(this.cycles + seq) & (RECENT - 1)] = this.cycles + seq;
      return udelta;
    }
    if (udelta === 0 || udelta > RTP_SEQ_MOD - MAX_MISORDER) {
      // At or behind the highest: a duplicate or a late packet.
      const ext = seq <= this.maxSeq ? this.cycles + seq : this.cycles - RTP_SEQ_MOD + seq;
      const slot = ext & (RECENT - 1);
      if (this.recent[slot] === ext) this.duplicates++;
      else {
        this.outOfOrder++;
        this.recent[slot] = ext;
      }
      return 0;
    }
    // A jump too big to be loss: believe it when the next packet follows it (RFC 3550 A.1).
    if (seq === this.badSeq) {
      this.expectedBefore += this.cycles + this.maxSeq - this.baseSeq + 1;
      this.seqResyncs++;
      this.baseSeq = (seq - 1) & 0xffff; // the jump packet starts the new segment
      this.maxSeq = seq;
      this.cycles = seq === 0 ? RTP_SEQ_MOD : 0; // base 65535 -> 0 is one wrap
      this.recent.fill(-1);
      this.badSeq = -1;
      this.recent[(this.cycles + seq) & (RECENT - 1)] = this.cycles + seq;
      return 2;
    }
    this.badSeq = (seq + 1) & 0xffff;
    return 0;
  }

  private bucketOf(ts: number): number {
    let b = Math.floor((ts - this.firstSeen) / this.bucketSeconds);
    if (!(b >= 0)) return 0; // capture time went back (merged files), or NaN
    while (b >= MAX_SERIES_BUCKETS) {
      this.mergeBuckets();
      b = Math.floor((ts - this.firstSeen) / this.bucketSeconds);
    }
    return b;
  }

  /** Halves the resolution: bucket i takes buckets 2i and 2i+1. */
  private mergeBuckets(): void {
    const n = this.rates.length;
    const half = MAX_SERIES_BUCKETS / 2;
    for (let i = 0; i < half; i++) {
      this.bReceived[i] = this.bReceived[2 * i] + this.bReceived[2 * i + 1];
      this.bExpected[i] = this.bExpected[2 * i] + this.bExpected[2 * i + 1];
      for (let r = 0; r < n; r++) {
        const a = this.bJitter[2 * i * n + r];
        const b = this.bJitter[(2 * i + 1) * n + r];
        this.bJitter[i * n + r] = a > b ? a : b;
      }
    }
    this.bReceived.fill(0, half);
    this.bExpected.fill(0, half);
    this.bJitter.fill(0, half * n);
    this.bucketSeconds *= 2;
  }

  /** Packets the sequence numbers account for (RFC 3550 A.3), over all segments. */
  get expected(): number {
    return this.packets === 0 ? 0 : this.expectedBefore + this.cycles + this.maxSeq - this.baseSeq + 1;
  }

  /** Index of the candidate rate nearest (in ratio) to the rated packets' timestamp rate, or -1 when they span no time. */
  private nearestRate(): number {
    const span = this.lastRatedSeen - this.firstRatedSeen;
    if (!(span > 0) || this.tsSpan <= 0) return -1;
    const observed = Math.log(this.tsSpan / span);
    let best = 0;
    for (let r = 1; r < this.rates.length; r++) {
      if (Math.abs(Math.log(this.rates[r]) - observed) < Math.abs(Math.log(this.rates[best]) - observed)) best = r;
    }
    return best;
  }

  /** The clock rate to report jitter with, and where it came from; index into `rates`. */
  clockRate(): { index: number; rate: number; source: ClockRateSource } {
    if (this.rates.length === 1) return { index: 0, rate: this.rates[0], source: 'static' };
    if (this.locked) return { index: this.rateLo, rate: this.rates[this.rateLo], source: 'inferred' };
    if (this.ratedPackets >= MIN_INFER_PACKETS && this.lastRatedSeen - this.firstRatedSeen >= MIN_INFER_SECONDS) {
      const best = this.nearestRate();
      if (best >= 0) return { index: best, rate: this.rates[best], source: 'inferred' };
    }
    const index = this.rates.indexOf(DEFAULT_DYNAMIC_CLOCK_RATE);
    return { index, rate: DEFAULT_DYNAMIC_CLOCK_RATE, source: 'default' };
  }

  /** Jitter figures in milliseconds for rate index `r`. */
  jitterMs(r: number): { last: number; max: number; mean: number } {
    const toMs = 1000 / this.rates[r];
    return {
      last: this.jitter[r] * toMs,
      max: this.maxJitter[r] * toMs,
      mean: this.samples > 0 ? (this.sumJitter[r] / this.samples) * toMs : 0,
    };
  }

  payloadTypes(): number[] {
    const out: number[] = [];
    for (let pt = 0; pt < 128; pt++) if (this.ptBits[pt >> 5] & (1 << (pt & 31))) out.push(pt);
    return out;
  }

  series(r: number): MediaSeries {
    const n = this.rates.length;
    const toMs = 1000 / this.rates[r];
    let used = Math.floor((this.lastSeen - this.firstSeen) / this.bucketSeconds) + 1;
    if (!(used >= 1)) used = 1;
    if (used > MAX_SERIES_BUCKETS) used = MAX_SERIES_BUCKETS;
    const s: MediaSeries = { bucketSeconds: this.bucketSeconds, received: [], expected: [], lossPct: [], maxJitterMs: [] };
    for (let i = 0; i < used; i++) {
      const rec = this.bReceived[i];
      const exp = this.bExpected[i];
      s.received.push(rec);
      s.expected.push(exp);
      s.lossPct.push(exp > 0 && exp > rec ? round3(((exp - rec) / exp) * 100) : 0);
      s.maxJitterMs.push(round3(this.bJitter[i * n + r] * toMs));
    }
    return s;
  }
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
