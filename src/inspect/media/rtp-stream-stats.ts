/**
 * Statistics of RTP streams (one SSRC, one flow, one direction each): loss
 * from extended sequence numbers (RFC 3550 A.1/A.3), interarrival jitter (RFC
 * 3550 §6.4.1, A.8), reordering and duplicates, and a bounded time series.
 *
 * Layout, for speed: nearly every UDP packet of a media-heavy capture lands
 * here, one stream after another, so what a packet touches must be few cache
 * lines and no JS objects. All per-packet state of stream `s` is one record of
 * STRIDE doubles in a single Float64Array (an Int32Array views the same bytes
 * for bit sets); the current series bucket is accumulated in the record and
 * written to the stream's series array only when the bucket changes. Numbers in
 * object fields would be boxed heap numbers, one more cache line (and, when
 * written, possibly an allocation) each. `add` allocates nothing.
 *
 * For a dynamic payload type the clock rate is unknown, so jitter is tracked
 * for every standard rate at once (a few multiply-adds) until the timestamps
 * themselves show the rate (fixed after LOCK_RATE_SECONDS; a shorter stream's
 * is chosen at report time).
 */
import { PT_CN, PT_CN_OLD, PT_DYNAMIC_MIN, RTP_SEQ_MOD, STATIC_CLOCK_RATE } from './rtp-header.js';
import type { ClockRateSource, MediaSeries } from './media-report.js';

export const MAX_DROPOUT = 3000; // RFC 3550 A.1: largest forward jump taken as loss
export const MAX_MISORDER = 100; // RFC 3550 A.1: largest backward step taken as reordering
const RECENT = 128; // sequence numbers remembered for duplicate detection (> MAX_MISORDER), one bit each
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

const CANDIDATES = Float64Array.from(CANDIDATE_CLOCK_RATES);
const MAX_RATES = CANDIDATES.length;

// Record of one stream: offsets in doubles from s * STRIDE. Counters are doubles: exact far beyond 2^32.
const PACKETS = 0;
const BYTES = 1;
const LAST_SEEN = 2;
const LAST_FRAME = 3;
const MAX_SEQ = 4;
const BASE_SEQ = 5;
const CYCLES = 6; // sequence number cycles, times 65536
const BAD_SEQ = 7; // the sequence number that would confirm a big jump, or -1
const EXPECTED_BEFORE = 8; // expected packets of the segments before the last resynchronisation
const OUT_OF_ORDER = 9;
const DUPLICATES = 10;
const SEQ_RESYNCS = 11;
const TS_JUMPS = 12;
const PREV_ARRIVAL = 13; // jitter reference (RFC 3550 A.8): capture time and RTP timestamp
const PREV_TS = 14;
const PREV_PT = 15;
const TS_SPAN = 16; // sum of signed timestamp steps between rated packets: their RTP time span, wrap-free
const RATED_PACKETS = 17; // packets whose clock rate is the stream's (see add)
const FIRST_RATED_SEEN = 18;
const LAST_RATED_SEEN = 19;
const PREV_RATED_TS = 20;
const SAMPLES = 21; // jitter samples taken for max/mean
const FIRST_SEEN = 22;
const FIRST_FRAME = 23;
const BUCKET = 24; // current series bucket, and its span relative to FIRST_SEEN: [BUCKET_LO, BUCKET_HI)
const BUCKET_LO = 25;
const BUCKET_HI = 26;
const BUCKET_SECONDS = 27;
const CUR_RECEIVED = 28; // received and expected packets of the current bucket, not yet in the series
const CUR_EXPECTED = 29;
const RATE_LO = 30; // range of rate indices still tracked: all of them until a dynamic stream's rate is fixed
const RATE_HI = 31;
const N_RATES = 32; // 1 (static payload type) or MAX_RATES (candidates)
const RATE0 = 33; // the static rate, when N_RATES is 1
const JUMP_LIMIT = 34; // -TS_JUMP_SECONDS at the fastest tracked rate, in timestamp units
const LOCKED = 35;
const FIRST_PT = 36;
const RECENT_BITS = 38; // 2 doubles = 4 int32 words: received bit per extended sequence number mod RECENT
const PT_BITS = 40; // 2 doubles = 4 int32 words: payload types seen
// Per tracked rate r, at RATES + 4r: jitter, its max, its sum over samples, its max in the current bucket.
const RATES = 42;
const J = 0;
const J_MAX = 1;
const J_SUM = 2;
const J_BUCKET = 3;
const STRIDE = RATES + 4 * MAX_RATES;

// Series array of one stream: received, expected, then per bucket and rate the largest jitter sample.
const S_EXPECTED = MAX_SERIES_BUCKETS;
const S_JITTER = 2 * MAX_SERIES_BUCKETS;

export class RtpStreamTable {
  readonly capacity: number;
  /** Streams created so far: 0 .. count - 1. */
  count = 0;
  readonly flow: Int32Array;
  readonly dir: Uint8Array;
  readonly ssrc: Uint32Array;
  private readonly st: Float64Array;
  /** The same bytes as st, as 32-bit words (for the bit sets). */
  private readonly bits: Int32Array;
  /** Per stream: its series array (allocated when the stream is created). */
  private readonly seriesOf: Float64Array[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.flow = new Int32Array(capacity);
    this.dir = new Uint8Array(capacity);
    this.ssrc = new Uint32Array(capacity);
    this.st = new Float64Array(capacity * STRIDE);
    this.bits = new Int32Array(this.st.buffer);
  }

  /** A new stream, or -1 when `capacity` streams exist. Its first packet comes through `add`. */
  create(flow: number, dir: number, ssrc: number, firstPt: number): number {
    if (this.count >= this.capacity) return -1;
    const s = this.count++;
    this.flow[s] = flow;
    this.dir[s] = dir;
    this.ssrc[s] = ssrc;
    const b = s * STRIDE;
    const st = this.st;
    const staticRate = firstPt < PT_DYNAMIC_MIN ? STATIC_CLOCK_RATE[firstPt] : 0;
    const n = staticRate > 0 ? 1 : MAX_RATES;
    st[b + FIRST_PT] = firstPt;
    st[b + N_RATES] = n;
    st[b + RATE0] = staticRate > 0 ? staticRate : CANDIDATES[0];
    st[b + RATE_LO] = 0;
    st[b + RATE_HI] = n;
    st[b + JUMP_LIMIT] = -TS_JUMP_SECONDS * (staticRate > 0 ? staticRate : CANDIDATES[MAX_RATES - 1]);
    st[b + BAD_SEQ] = -1;
    st[b + PREV_PT] = -1;
    st[b + BUCKET_SECONDS] = FIRST_BUCKET_SECONDS;
    this.seriesOf.push(new Float64Array(S_JITTER + MAX_SERIES_BUCKETS * n));
    return s;
  }

  /** One RTP packet of stream `s`. `ts` is the capture time (epoch s), `rtpTs` the RTP timestamp, `marker` 0 or 1. */
  add(s: number, seq: number, rtpTs: number, pt: number, marker: number, payloadLen: number, ts: number, frameNo: number): void {
    const st = this.st;
    const b = s * STRIDE;
    const first = st[b + PACKETS] === 0;
    st[b + PACKETS]++;
    st[b + BYTES] += payloadLen;
    this.bits[2 * (b + PT_BITS) + (pt >> 5)] |= 1 << (pt & 31);
    st[b + LAST_FRAME] = frameNo;
    st[b + LAST_SEEN] = ts;
    let newlyExpected: number;
    if (first) {
      st[b + FIRST_SEEN] = ts;
      st[b + FIRST_FRAME] = frameNo;
      st[b + BASE_SEQ] = seq;
      st[b + MAX_SEQ] = seq;
      this.setRecent(b, seq);
      st[b + BUCKET_LO] = 0;
      st[b + BUCKET_HI] = st[b + BUCKET_SECONDS];
      newlyExpected = 1;
    } else {
      newlyExpected = this.updateSeq(b, seq);
    }
    const rel = ts - st[b + FIRST_SEEN];
    if (!(rel >= st[b + BUCKET_LO] && rel < st[b + BUCKET_HI])) this.changeBucket(s, rel);
    st[b + CUR_RECEIVED]++;
    st[b + CUR_EXPECTED] += newlyExpected;

    // Jitter, RFC 3550 A.8: D = (Rj - Ri) - (Sj - Si) in timestamp units. The reference i is the last
    // packet that did not go back in RTP time, so that one reordered packet or a retransmitted event
    // (whose timestamp is the event's start, RFC 4733 §2.5.1) does not count twice; Wireshark does
    // the same. A packet whose clock rate is not the stream's (telephone-event, another dynamic type
    // in a G.711 stream) cannot be measured and is left out of the estimate.
    rtpTs >>>= 0;
    const n = st[b + N_RATES];
    const rated = n === 1 ? pt < PT_DYNAMIC_MIN && STATIC_CLOCK_RATE[pt] === st[b + RATE0] : pt === st[b + FIRST_PT];
    if (rated) {
      if (st[b + RATED_PACKETS] > 0) {
        st[b + TS_SPAN] += (rtpTs - st[b + PREV_RATED_TS]) | 0;
        st[b + LAST_RATED_SEEN] = ts;
      } else {
        st[b + FIRST_RATED_SEEN] = ts;
        st[b + LAST_RATED_SEEN] = ts;
      }
      st[b + RATED_PACKETS]++;
      st[b + PREV_RATED_TS] = rtpTs;
      if (n > 1 && st[b + LOCKED] === 0 && st[b + RATED_PACKETS] >= MIN_INFER_PACKETS && st[b + LAST_RATED_SEEN] - st[b + FIRST_RATED_SEEN] >= LOCK_RATE_SECONDS) {
        const r = this.nearestRate(s);
        if (r >= 0) {
          st[b + LOCKED] = 1;
          st[b + RATE_LO] = r;
          st[b + RATE_HI] = r + 1;
        }
      }
    }
    let tsStep = first ? 0 : (rtpTs - st[b + PREV_TS]) | 0; // signed 32-bit difference: timestamps wrap
    if (tsStep < 0 && tsStep < st[b + JUMP_LIMIT]) {
      // RTP time went back by more than TS_JUMP_SECONDS even at the fastest rate: the sender restarted
      // its timestamps. Measuring against the old base would add that jump to the jitter; start over.
      st[b + TS_JUMPS]++;
      tsStep = 0;
      st[b + PREV_ARRIVAL] = ts;
      st[b + PREV_TS] = rtpTs;
    } else if (!first && rated) {
      const arrivalStep = ts - st[b + PREV_ARRIVAL];
      // Samples for max/mean skip what Wireshark skips: talk-spurt starts, comfort noise, RTP time going back.
      const prevPt = st[b + PREV_PT];
      const sample = marker === 0 && pt !== PT_CN && pt !== PT_CN_OLD && prevPt !== PT_CN && prevPt !== PT_CN_OLD && tsStep >= 0;
      if (sample) st[b + SAMPLES]++;
      const hi = st[b + RATE_HI];
      for (let r = st[b + RATE_LO]; r < hi; r++) {
        const q = b + RATES + 4 * r;
        const d = arrivalStep * (n === 1 ? st[b + RATE0] : CANDIDATES[r]) - tsStep;
        const j = st[q + J] + ((d < 0 ? -d : d) - st[q + J]) / JITTER_GAIN;
        st[q + J] = j;
        if (sample) {
          if (j > st[q + J_MAX]) st[q + J_MAX] = j;
          st[q + J_SUM] += j;
          if (j > st[q + J_BUCKET]) st[q + J_BUCKET] = j;
        }
      }
    }
    if (tsStep >= 0) {
      st[b + PREV_ARRIVAL] = ts;
      st[b + PREV_TS] = rtpTs;
    }
    st[b + PREV_PT] = pt;
  }

  /** Marks extended sequence number `ext` received (bit ext mod RECENT). */
  private setRecent(b: number, ext: number): void {
    const w = ext & (RECENT - 1);
    this.bits[2 * (b + RECENT_BITS) + (w >> 5)] |= 1 << (w & 31);
  }

  /**
   * RFC 3550 A.1 update_seq, returning how far the highest sequence number advanced. Duplicates: the
   * bit set holds, for each extended number in (highest - RECENT, highest], whether it was received;
   * late packets are at most MAX_MISORDER behind, so always inside.
   */
  private updateSeq(b: number, seq: number): number {
    const st = this.st;
    const bits = this.bits;
    const maxSeq = st[b + MAX_SEQ];
    const udelta = (seq - maxSeq) & 0xffff;
    if (udelta > 0 && udelta < MAX_DROPOUT) {
      if (seq < maxSeq) st[b + CYCLES] += RTP_SEQ_MOD; // wrapped
      st[b + MAX_SEQ] = seq;
      st[b + BAD_SEQ] = -1;
      const ext = st[b + CYCLES] + seq;
      if (udelta > 1) {
        // Numbers skipped (lost so far) were not received: clear their bits.
        if (udelta > RECENT) this.clearRecent(b);
        else {
          for (let e = ext - udelta + 1; e < ext; e++) {
            const w = e & (RECENT - 1);
            bits[2 * (b + RECENT_BITS) + (w >> 5)] &= ~(1 << (w & 31));
          }
        }
      }
      this.setRecent(b, ext);
      return udelta;
    }
    if (udelta === 0 || udelta > RTP_SEQ_MOD - MAX_MISORDER) {
      // At or behind the highest: a duplicate or a late packet.
      const ext = seq <= maxSeq ? st[b + CYCLES] + seq : st[b + CYCLES] - RTP_SEQ_MOD + seq;
      const w = ext & (RECENT - 1);
      const k = 2 * (b + RECENT_BITS) + (w >> 5);
      const bit = 1 << (w & 31);
      if (bits[k] & bit) st[b + DUPLICATES]++;
      else {
        st[b + OUT_OF_ORDER]++;
        bits[k] |= bit;
      }
      return 0;
    }
    // A jump too big to be loss: believe it when the next packet follows it (RFC 3550 A.1).
    if (seq === st[b + BAD_SEQ]) {
      st[b + EXPECTED_BEFORE] += st[b + CYCLES] + maxSeq - st[b + BASE_SEQ] + 1;
      st[b + SEQ_RESYNCS]++;
      st[b + BASE_SEQ] = (seq - 1) & 0xffff; // the jump packet starts the new segment
      st[b + MAX_SEQ] = seq;
      st[b + CYCLES] = seq === 0 ? RTP_SEQ_MOD : 0; // base 65535 -> 0 is one wrap
      st[b + BAD_SEQ] = -1;
      this.clearRecent(b);
      this.setRecent(b, st[b + CYCLES] + seq);
      return 2;
    }
    st[b + BAD_SEQ] = (seq + 1) & 0xffff;
    return 0;
  }

  private clearRecent(b: number): void {
    this.bits.fill(0, 2 * (b + RECENT_BITS), 2 * (b + RECENT_BITS) + RECENT / 32);
  }

  /** The packet at `rel` seconds after the stream's first is outside the current bucket: move there. */
  private changeBucket(s: number, rel: number): void {
    const st = this.st;
    const b = s * STRIDE;
    this.flushBucket(s);
    let bucketSeconds = st[b + BUCKET_SECONDS];
    let k = Math.floor(rel / bucketSeconds);
    if (!(k >= 0)) k = 0; // capture time went back (merged files), or NaN
    else {
      while (k >= MAX_SERIES_BUCKETS) {
        this.mergeBuckets(s);
        bucketSeconds = st[b + BUCKET_SECONDS];
        k = Math.floor(rel / bucketSeconds);
      }
    }
    // bucketSeconds is a power of two, so these bounds are exact: rel in [lo, hi) iff floor(rel / bucketSeconds) = k.
    st[b + BUCKET] = k;
    st[b + BUCKET_LO] = k * bucketSeconds;
    st[b + BUCKET_HI] = (k + 1) * bucketSeconds;
  }

  /** Adds the current bucket's counts and jitter maxima to the series array. */
  private flushBucket(s: number): void {
    const st = this.st;
    const b = s * STRIDE;
    const a = this.seriesOf[s];
    const k = st[b + BUCKET];
    const n = st[b + N_RATES];
    a[k] += st[b + CUR_RECEIVED];
    a[S_EXPECTED + k] += st[b + CUR_EXPECTED];
    st[b + CUR_RECEIVED] = 0;
    st[b + CUR_EXPECTED] = 0;
    for (let r = 0; r < n; r++) {
      const q = b + RATES + 4 * r + J_BUCKET;
      if (st[q] > a[S_JITTER + k * n + r]) a[S_JITTER + k * n + r] = st[q];
      st[q] = 0;
    }
  }

  /** Halves the resolution: bucket i takes buckets 2i and 2i+1. The current bucket is flushed. */
  private mergeBuckets(s: number): void {
    const b = s * STRIDE;
    const a = this.seriesOf[s];
    const n = this.st[b + N_RATES];
    const half = MAX_SERIES_BUCKETS / 2;
    for (let i = 0; i < half; i++) {
      a[i] = a[2 * i] + a[2 * i + 1];
      a[S_EXPECTED + i] = a[S_EXPECTED + 2 * i] + a[S_EXPECTED + 2 * i + 1];
      for (let r = 0; r < n; r++) {
        const x = a[S_JITTER + 2 * i * n + r];
        const y = a[S_JITTER + (2 * i + 1) * n + r];
        a[S_JITTER + i * n + r] = x > y ? x : y;
      }
    }
    a.fill(0, half, MAX_SERIES_BUCKETS);
    a.fill(0, S_EXPECTED + half, S_EXPECTED + MAX_SERIES_BUCKETS);
    a.fill(0, S_JITTER + half * n);
    this.st[b + BUCKET_SECONDS] *= 2;
  }

  /** Index of the candidate rate nearest (in ratio) to the rated packets' timestamp rate, or -1 when they span no time. */
  private nearestRate(s: number): number {
    const b = s * STRIDE;
    const span = this.st[b + LAST_RATED_SEEN] - this.st[b + FIRST_RATED_SEEN];
    const tsSpan = this.st[b + TS_SPAN];
    if (!(span > 0) || tsSpan <= 0) return -1;
    const observed = Math.log(tsSpan / span);
    let best = 0;
    for (let r = 1; r < MAX_RATES; r++) {
      if (Math.abs(Math.log(CANDIDATES[r]) - observed) < Math.abs(Math.log(CANDIDATES[best]) - observed)) best = r;
    }
    return best;
  }

  /** Report-time view of stream `s`: its figures, with the current bucket flushed into the series. */
  stats(s: number): RtpStreamFigures {
    this.flushBucket(s);
    const st = this.st;
    const b = s * STRIDE;
    const packets = st[b + PACKETS];
    const clock = this.clockRate(s);
    const toMs = 1000 / clock.rate;
    const q = b + RATES + 4 * clock.index;
    const samples = st[b + SAMPLES];
    return {
      firstPt: st[b + FIRST_PT],
      firstSeen: st[b + FIRST_SEEN],
      lastSeen: st[b + LAST_SEEN],
      firstFrame: st[b + FIRST_FRAME],
      lastFrame: st[b + LAST_FRAME],
      packets,
      payloadBytes: st[b + BYTES],
      expected: packets === 0 ? 0 : st[b + EXPECTED_BEFORE] + st[b + CYCLES] + st[b + MAX_SEQ] - st[b + BASE_SEQ] + 1,
      outOfOrder: st[b + OUT_OF_ORDER],
      duplicates: st[b + DUPLICATES],
      seqResyncs: st[b + SEQ_RESYNCS],
      timestampJumps: st[b + TS_JUMPS],
      payloadTypes: this.payloadTypes(s),
      clockRate: clock.rate,
      clockRateSource: clock.source,
      jitterMs: st[q + J] * toMs,
      maxJitterMs: st[q + J_MAX] * toMs,
      meanJitterMs: samples > 0 ? (st[q + J_SUM] / samples) * toMs : 0,
      series: this.series(s, clock.index, toMs),
    };
  }

  /** The clock rate to report jitter with, and where it came from; index into the stream's tracked rates. */
  private clockRate(s: number): { index: number; rate: number; source: ClockRateSource } {
    const st = this.st;
    const b = s * STRIDE;
    if (st[b + N_RATES] === 1) return { index: 0, rate: st[b + RATE0], source: 'static' };
    if (st[b + LOCKED] === 1) return { index: st[b + RATE_LO], rate: CANDIDATES[st[b + RATE_LO]], source: 'inferred' };
    if (st[b + RATED_PACKETS] >= MIN_INFER_PACKETS && st[b + LAST_RATED_SEEN] - st[b + FIRST_RATED_SEEN] >= MIN_INFER_SECONDS) {
      const best = this.nearestRate(s);
      if (best >= 0) return { index: best, rate: CANDIDATES[best], source: 'inferred' };
    }
    return { index: CANDIDATE_CLOCK_RATES.indexOf(DEFAULT_DYNAMIC_CLOCK_RATE), rate: DEFAULT_DYNAMIC_CLOCK_RATE, source: 'default' };
  }

  private payloadTypes(s: number): number[] {
    const w = 2 * (s * STRIDE + PT_BITS);
    const out: number[] = [];
    for (let pt = 0; pt < 128; pt++) if (this.bits[w + (pt >> 5)] & (1 << (pt & 31))) out.push(pt);
    return out;
  }

  private series(s: number, r: number, toMs: number): MediaSeries {
    const st = this.st;
    const b = s * STRIDE;
    const a = this.seriesOf[s];
    const n = st[b + N_RATES];
    const bucketSeconds = st[b + BUCKET_SECONDS];
    let used = Math.floor((st[b + LAST_SEEN] - st[b + FIRST_SEEN]) / bucketSeconds) + 1;
    if (!(used >= 1)) used = 1;
    if (used > MAX_SERIES_BUCKETS) used = MAX_SERIES_BUCKETS;
    const out: MediaSeries = { bucketSeconds, received: [], expected: [], lossPct: [], maxJitterMs: [] };
    for (let i = 0; i < used; i++) {
      const rec = a[i];
      const exp = a[S_EXPECTED + i];
      out.received.push(rec);
      out.expected.push(exp);
      out.lossPct.push(exp > 0 && exp > rec ? round3(((exp - rec) / exp) * 100) : 0);
      out.maxJitterMs.push(round3(a[S_JITTER + i * n + r] * toMs));
    }
    return out;
  }
}

/** What the report needs of one stream; jitter in milliseconds at the reported clock rate. */
export interface RtpStreamFigures {
  firstPt: number;
  firstSeen: number;
  lastSeen: number;
  firstFrame: number;
  lastFrame: number;
  packets: number;
  payloadBytes: number;
  expected: number;
  outOfOrder: number;
  duplicates: number;
  seqResyncs: number;
  timestampJumps: number;
  payloadTypes: number[];
  clockRate: number;
  clockRateSource: ClockRateSource;
  jitterMs: number;
  maxJitterMs: number;
  meanJitterMs: number;
  series: MediaSeries;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
