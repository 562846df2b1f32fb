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
/**
 * A shorter stream (not fixed) is given, at report time, the rate nearest its timestamps' pace once it
 * has MIN_INFER_PACKETS over this long; below, DEFAULT_DYNAMIC_CLOCK_RATE. At 1 s, the short Lync,
 * WebRTC and video streams of the shared captures all fell back to 8 kHz, and SILK at 16 kHz or Opus
 * at 48 kHz showed 2 to 35 times their jitter. From 0.1 s, 5 of 6 got their codec's rate; a bursty
 * 0.7 s Opus stream got 32 kHz (the report says "inferred", and the estimate is still nearer).
 */
export const MIN_INFER_SECONDS = 0.1;
/** A backward timestamp step longer than this (seconds of media) is a new timestamp base, not jitter. */
export const TS_JUMP_SECONDS = 10;
/**
 * The payload type jitter is measured on is the one that leads a running majority vote (comfort noise
 * aside) over a stream's first VOTE_PACKETS packets, once its count reaches SWITCH_VOTES: a stream
 * that starts with a comfort-noise, DTMF or FEC packet is still measured on its codec. A type of
 * another clock starts the measurement again from its packets; one of the same static clock only
 * takes the name.
 */
export const VOTE_PACKETS = 50;
const SWITCH_VOTES = 5;

const CANDIDATES = Float64Array.from(CANDIDATE_CLOCK_RATES);
// add() runs for every RTP packet, so it reads module-local copies of what it imports: V8 reads an
// imported binding through a cell, with a hole check, at every use (see rtp-header.ts).
const FIRST_DYNAMIC_PT = PT_DYNAMIC_MIN;
const STATIC_RATES = STATIC_CLOCK_RATE;
const CN = PT_CN;
const CN_OLD = PT_CN_OLD;
const MAX_RATES = CANDIDATES.length;

// Record of one stream, STRIDE doubles from s * STRIDE. First what every packet touches (184 bytes:
// three or four cache lines for a static payload type or a fixed rate), then the other rates, then
// what only some packets touch. Counters are doubles: exact far beyond 2^32.
const PACKETS = 0;
const BYTES = 1;
const LAST_SEEN = 2;
const LAST_FRAME = 3;
const FIRST_SEEN = 4;
const BUCKET_LO = 5; // span of the current series bucket relative to FIRST_SEEN: [BUCKET_LO, BUCKET_HI)
const BUCKET_HI = 6;
const CUR_RECEIVED = 7; // received and expected packets of the current bucket, not yet in the series
const CUR_EXPECTED = 8;
const PREV_ARRIVAL = 9; // jitter reference (RFC 3550 A.8): capture time (and PREV_TS below)
const SAMPLES = 10; // jitter samples taken for max/mean
// 32-bit words, at 2 * (s * STRIDE) + offset (doubles 11-18)
const MAX_SEQ = 22;
const BAD_SEQ = 23; // the sequence number that would confirm a big jump, or -1
const PREV_TS = 24; // RTP timestamps are kept as int32: only their 32-bit differences are used
const PREV_PT = 25;
const N_RATES = 26; // 1 (static payload type) or MAX_RATES (candidates)
const LOCKED = 27;
const RATE_LO = 28; // range of rate indices still tracked: all of them until a dynamic stream's rate is fixed
const RATE_HI = 29;
const FIRST_PT = 30;
const RATE0 = 31; // the static rate, when N_RATES is 1
const JUMP_LIMIT = 32; // -TS_JUMP_SECONDS at the fastest tracked rate (or the fixed one), in timestamp units
const HAS_REF = 33; // 1 once a measured packet set the jitter reference (PREV_ARRIVAL, PREV_TS)
const RECENT_BITS = 34; // 4 words: received bit per sequence number mod RECENT (extended numbers: the same residue)
// Doubles: per tracked rate r, at RATES + 4r: jitter, its max, its sum over samples, its max in the current bucket.
const RATES = 19;
const J = 0;
const J_MAX = 1;
const J_SUM = 2;
const J_BUCKET = 3;
// Words again (doubles 47-49)
const BUCKET = 2 * (RATES + 4 * MAX_RATES); // current series bucket
const PREV_RATED_TS = BUCKET + 1;
const PT_BITS = BUCKET + 2; // 4 words: payload types seen
// Doubles
const RATED_PACKETS = 50; // packets whose clock rate is the stream's (see add)
const TS_SPAN = 51; // sum of signed timestamp steps between rated packets: their RTP time span, wrap-free
const FIRST_RATED_SEEN = 52;
const LAST_RATED_SEEN = 53;
const EXPECTED_BEFORE = 54; // expected packets of the segments before the last resynchronisation
const OUT_OF_ORDER = 55;
const DUPLICATES = 56;
const SEQ_RESYNCS = 57;
const TS_JUMPS = 58;
const FIRST_FRAME = 59;
const BASE_SEQ = 60;
const BUCKET_SECONDS = 61;
const CYCLES = 62; // sequence number cycles, times 65536
// Words again (double 63)
const MEASURED_PT = 126; // the payload type jitter is measured on (see vote)
const VOTE = 127; // leading payload type | its vote count << 8, over the first VOTE_PACKETS packets
const STRIDE = 64; // 512 bytes: whole cache lines
if ((PT_BITS + 4) / 2 > RATED_PACKETS) throw new Error('rtp-stream-stats: record fields overlap');

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
  /** The records, as doubles. */
  private readonly st: Float64Array;
  /** The same bytes as 32-bit words: word 2 * (s * STRIDE) + k. */
  private readonly iv: Int32Array;
  /** Per stream: its series array (allocated when the stream is created). */
  private readonly seriesOf: Float64Array[] = [];
  /**
   * The capture time (epoch s) of the packet given to `add`, set by the caller just before. A double
   * passed as an argument to a function that is not inlined is boxed into a new heap number, one
   * allocation per packet; through this array it is not.
   */
  readonly arrival = new Float64Array(1);

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.flow = new Int32Array(capacity);
    this.dir = new Uint8Array(capacity);
    this.ssrc = new Uint32Array(capacity);
    this.st = new Float64Array(capacity * STRIDE);
    this.iv = new Int32Array(this.st.buffer);
  }

  /** A new stream, or -1 when `capacity` streams exist. Its first packet comes through `add`. */
  create(flow: number, dir: number, ssrc: number, firstPt: number): number {
    if (this.count >= this.capacity) return -1;
    const s = this.count++;
    this.flow[s] = flow;
    this.dir[s] = dir;
    this.ssrc[s] = ssrc;
    const b = s * STRIDE;
    const w = 2 * b;
    const iv = this.iv;
    iv[w + FIRST_PT] = firstPt;
    iv[w + BAD_SEQ] = -1;
    iv[w + PREV_PT] = -1;
    iv[w + VOTE] = firstPt === CN || firstPt === CN_OLD ? 0 : firstPt | (1 << 8);
    this.st[b + BUCKET_SECONDS] = FIRST_BUCKET_SECONDS;
    this.measureOn(s, firstPt); // also makes the stream's series array (index s: the next one)
    return s;
  }

  /**
   * Measures jitter on payload type `pt` from now on: its clock rate (static, or the candidates of a
   * dynamic type), and no jitter yet. The series keeps its packet counts; its jitter starts over.
   */
  private measureOn(s: number, pt: number): void {
    const st = this.st;
    const iv = this.iv;
    const b = s * STRIDE;
    const w = 2 * b;
    const staticRate = pt < FIRST_DYNAMIC_PT ? STATIC_RATES[pt] : 0;
    const n = staticRate > 0 ? 1 : MAX_RATES;
    iv[w + MEASURED_PT] = pt;
    iv[w + N_RATES] = n;
    iv[w + RATE0] = staticRate > 0 ? staticRate : CANDIDATES[0];
    iv[w + RATE_LO] = 0;
    iv[w + RATE_HI] = n;
    iv[w + LOCKED] = 0;
    iv[w + HAS_REF] = 0;
    iv[w + JUMP_LIMIT] = -TS_JUMP_SECONDS * (staticRate > 0 ? staticRate : CANDIDATES[MAX_RATES - 1]);
    st.fill(0, b + RATES, b + RATES + 4 * MAX_RATES);
    st[b + SAMPLES] = 0;
    st[b + RATED_PACKETS] = 0;
    st[b + TS_SPAN] = 0;
    const old = this.seriesOf[s] as Float64Array | undefined;
    const series = new Float64Array(S_JITTER + MAX_SERIES_BUCKETS * n);
    if (old !== undefined) series.set(old.subarray(0, S_JITTER)); // the packet counts
    this.seriesOf[s] = series;
  }

  /** One packet's vote for the payload type to measure jitter on (see VOTE_PACKETS). */
  private vote(s: number, pt: number): void {
    if (pt === CN || pt === CN_OLD) return;
    const iv = this.iv;
    const w = 2 * s * STRIDE;
    const v = iv[w + VOTE];
    let leader = v & 0xff;
    let count = v >>> 8;
    if (count === 0) {
      leader = pt;
      count = 1;
    } else if (pt === leader) count++;
    else count--;
    iv[w + VOTE] = leader | (count << 8);
    if (count < SWITCH_VOTES || leader === iv[w + MEASURED_PT]) return;
    if (this.measured(w, leader)) iv[w + MEASURED_PT] = leader; // same clock: the measurement goes on
    else this.measureOn(s, leader);
  }

  /**
   * Moves the start of stream `s`'s count back to sequence number `seq`, received after its first
   * packet (the confirmation replays the first packets in arrival order, RtpStreams): those numbers
   * are expected too, and the ones received among them were already counted out of order.
   */
  lowerBase(s: number, seq: number): void {
    const st = this.st;
    const b = s * STRIDE;
    const base = st[b + BASE_SEQ];
    const back = (base - seq) & 0xffff;
    if (back === 0 || back >= MAX_MISORDER) return;
    if (seq > base) st[b + CYCLES] += RTP_SEQ_MOD; // back across the wrap
    st[b + BASE_SEQ] = seq;
    st[b + CUR_EXPECTED] += back;
  }

  /** Whether packets of payload type `pt` are measured: the measured type, or a static type of the same rate. */
  private measured(w: number, pt: number): boolean {
    const iv = this.iv;
    return iv[w + N_RATES] === 1 ? pt < FIRST_DYNAMIC_PT && STATIC_RATES[pt] === iv[w + RATE0] : pt === iv[w + MEASURED_PT];
  }

  /**
   * One RTP packet of stream `s`, captured at `arrival[0]`. `rtpTs` is the RTP timestamp (modulo
   * 2^32: int32 or uint32 alike), `marker` 0 or 1.
   */
  add(s: number, seq: number, rtpTs: number, pt: number, marker: number, payloadLen: number, frameNo: number): void {
    const ts = this.arrival[0];
    const st = this.st;
    const iv = this.iv;
    const b = s * STRIDE;
    const w = 2 * b;
    const first = st[b + PACKETS] === 0;
    if (st[b + PACKETS] < VOTE_PACKETS && !first) this.vote(s, pt);
    st[b + PACKETS]++;
    st[b + BYTES] += payloadLen;
    st[b + LAST_FRAME] = frameNo;
    st[b + LAST_SEEN] = ts;
    if (pt !== iv[w + PREV_PT]) iv[w + PT_BITS + (pt >> 5)] |= 1 << (pt & 31); // the previous packet's is set
    let newlyExpected: number;
    const maxSeq = iv[w + MAX_SEQ];
    if (seq === maxSeq + 1 && !first) {
      // The usual case, next in order without a wrap: RFC 3550 A.1 update_seq's first branch, inline.
      iv[w + MAX_SEQ] = seq;
      iv[w + BAD_SEQ] = -1;
      this.setRecent(w, seq);
      newlyExpected = 1;
    } else if (first) {
      st[b + FIRST_SEEN] = ts;
      st[b + FIRST_FRAME] = frameNo;
      st[b + BASE_SEQ] = seq;
      iv[w + MAX_SEQ] = seq;
      this.setRecent(w, seq);
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

    // Jitter, RFC 3550 A.8: D = (Rj - Ri) - (Sj - Si) in timestamp units, with i the measured packet
    // before j in arrival order, reordered and duplicate packets included (as Wireshark computes it).
    // Only packets of the measured payload type's clock count (see VOTE_PACKETS): a telephone-event
    // or comfort-noise packet of another clock, whose timestamp may be an event's start (RFC 4733
    // §2.5.1), is neither measured nor a reference.
    rtpTs |= 0;
    const n = iv[w + N_RATES];
    if (this.measured(w, pt)) {
      // The rate of a dynamic type is inferred from its packets until it is fixed.
      if (n > 1 && iv[w + LOCKED] === 0) this.inferRate(s, rtpTs, ts);
      if (iv[w + HAS_REF] === 0) iv[w + HAS_REF] = 1;
      else {
        const tsStep = (rtpTs - iv[w + PREV_TS]) | 0; // signed 32-bit difference: timestamps wrap
        if (tsStep < iv[w + JUMP_LIMIT]) {
          // RTP time went back by more than TS_JUMP_SECONDS: the sender restarted its timestamps.
          // Measuring against the old base would add that jump to the jitter; start over from here.
          st[b + TS_JUMPS]++;
        } else {
          const arrivalStep = ts - st[b + PREV_ARRIVAL];
          // Samples for max/mean skip what Wireshark skips: talk-spurt starts, comfort noise, RTP time going back.
          const prevPt = iv[w + PREV_PT];
          const sample = marker === 0 && pt !== CN && pt !== CN_OLD && prevPt !== CN && prevPt !== CN_OLD && tsStep >= 0;
          if (sample) st[b + SAMPLES]++;
          const lo = iv[w + RATE_LO];
          const hi = iv[w + RATE_HI];
          if (hi - lo === 1) this.jitterAt(b, lo, n === 1 ? iv[w + RATE0] : CANDIDATES[lo], arrivalStep, tsStep, sample);
          else for (let r = lo; r < hi; r++) this.jitterAt(b, r, CANDIDATES[r], arrivalStep, tsStep, sample);
        }
      }
      st[b + PREV_ARRIVAL] = ts;
      iv[w + PREV_TS] = rtpTs;
    }
    iv[w + PREV_PT] = pt;
  }

  /** RFC 3550 A.8 jitter update at rate index r (`rate` Hz) of the record at b; max, mean and bucket max from samples. */
  private jitterAt(b: number, r: number, rate: number, arrivalStep: number, tsStep: number, sample: boolean): void {
    const st = this.st;
    const q = b + RATES + 4 * r;
    const d = arrivalStep * rate - tsStep;
    const j = st[q + J] + ((d < 0 ? -d : d) - st[q + J]) * (1 / JITTER_GAIN); // exact: 1/16 is a power of two
    st[q + J] = j;
    if (sample) {
      if (j > st[q + J_MAX]) st[q + J_MAX] = j;
      st[q + J_SUM] += j;
      if (j > st[q + J_BUCKET]) st[q + J_BUCKET] = j;
    }
  }

  /**
   * A rated packet of a dynamic stream whose rate is not fixed yet: its RTP time span over its capture
   * time span; fixed once LOCK_RATE_SECONDS of them were seen. Static and fixed streams skip this.
   */
  private inferRate(s: number, rtpTs: number, ts: number): void {
    const st = this.st;
    const iv = this.iv;
    const b = s * STRIDE;
    const w = 2 * b;
    if (st[b + RATED_PACKETS] > 0) {
      st[b + TS_SPAN] += (rtpTs - iv[w + PREV_RATED_TS]) | 0;
      st[b + LAST_RATED_SEEN] = ts;
    } else {
      st[b + FIRST_RATED_SEEN] = ts;
      st[b + LAST_RATED_SEEN] = ts;
    }
    st[b + RATED_PACKETS]++;
    iv[w + PREV_RATED_TS] = rtpTs;
    if (st[b + RATED_PACKETS] >= MIN_INFER_PACKETS && st[b + LAST_RATED_SEEN] - st[b + FIRST_RATED_SEEN] >= LOCK_RATE_SECONDS) {
      const r = this.nearestRate(s);
      if (r >= 0) {
        iv[w + LOCKED] = 1;
        iv[w + RATE_LO] = r;
        iv[w + RATE_HI] = r + 1;
        iv[w + JUMP_LIMIT] = -TS_JUMP_SECONDS * CANDIDATES[r];
      }
    }
  }

  /**
   * Marks sequence number `seq` received (bit seq mod RECENT); `w` is the record's first word. An
   * extended number is seq plus a multiple of 65536, so it has the same residue.
   */
  private setRecent(w: number, seq: number): void {
    const i = seq & (RECENT - 1);
    this.iv[w + RECENT_BITS + (i >> 5)] |= 1 << (i & 31);
  }

  /**
   * RFC 3550 A.1 update_seq, returning how far the highest sequence number advanced. Duplicates: the
   * bit set holds, for each extended number in (highest - RECENT, highest], whether it was received;
   * late packets are at most MAX_MISORDER behind, so always inside.
   */
  private updateSeq(b: number, seq: number): number {
    const st = this.st;
    const iv = this.iv;
    const w = 2 * b;
    const maxSeq = iv[w + MAX_SEQ];
    const udelta = (seq - maxSeq) & 0xffff;
    if (udelta > 0 && udelta < MAX_DROPOUT) {
      if (seq < maxSeq) st[b + CYCLES] += RTP_SEQ_MOD; // wrapped
      iv[w + MAX_SEQ] = seq;
      iv[w + BAD_SEQ] = -1;
      if (udelta > 1) {
        // Numbers skipped (lost so far) were not received: clear their bits.
        if (udelta > RECENT) this.clearRecent(w);
        else {
          for (let e = seq - udelta + 1; e < seq; e++) {
            const i = e & (RECENT - 1);
            iv[w + RECENT_BITS + (i >> 5)] &= ~(1 << (i & 31));
          }
        }
      }
      this.setRecent(w, seq);
      return udelta;
    }
    if (udelta === 0 || udelta > RTP_SEQ_MOD - MAX_MISORDER) {
      // At or behind the highest: a duplicate or a late packet.
      const i = seq & (RECENT - 1);
      const k = w + RECENT_BITS + (i >> 5);
      const bit = 1 << (i & 31);
      if (iv[k] & bit) st[b + DUPLICATES]++;
      else {
        st[b + OUT_OF_ORDER]++;
        iv[k] |= bit;
      }
      return 0;
    }
    // A jump too big to be loss: believe it when the next packet follows it (RFC 3550 A.1).
    if (seq === iv[w + BAD_SEQ]) {
      st[b + EXPECTED_BEFORE] += st[b + CYCLES] + maxSeq - st[b + BASE_SEQ] + 1;
      st[b + SEQ_RESYNCS]++;
      st[b + BASE_SEQ] = (seq - 1) & 0xffff; // the jump packet starts the new segment
      iv[w + MAX_SEQ] = seq;
      st[b + CYCLES] = seq === 0 ? RTP_SEQ_MOD : 0; // base 65535 -> 0 is one wrap
      iv[w + BAD_SEQ] = -1;
      this.clearRecent(w);
      this.setRecent(w, seq);
      return 2;
    }
    iv[w + BAD_SEQ] = (seq + 1) & 0xffff;
    return 0;
  }

  private clearRecent(w: number): void {
    this.iv.fill(0, w + RECENT_BITS, w + RECENT_BITS + RECENT / 32);
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
    this.iv[2 * b + BUCKET] = k;
    st[b + BUCKET_LO] = k * bucketSeconds;
    st[b + BUCKET_HI] = (k + 1) * bucketSeconds;
  }

  /** Adds the current bucket's counts and jitter maxima to the series array. */
  private flushBucket(s: number): void {
    const st = this.st;
    const b = s * STRIDE;
    const a = this.seriesOf[s];
    const k = this.iv[2 * b + BUCKET];
    const n = this.iv[2 * b + N_RATES];
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
    const n = this.iv[2 * b + N_RATES];
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
      firstPt: this.iv[2 * b + FIRST_PT],
      measuredPt: this.iv[2 * b + MEASURED_PT],
      firstSeen: st[b + FIRST_SEEN],
      lastSeen: st[b + LAST_SEEN],
      firstFrame: st[b + FIRST_FRAME],
      lastFrame: st[b + LAST_FRAME],
      packets,
      payloadBytes: st[b + BYTES],
      expected: packets === 0 ? 0 : st[b + EXPECTED_BEFORE] + st[b + CYCLES] + this.iv[2 * b + MAX_SEQ] - st[b + BASE_SEQ] + 1,
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
    const w = 2 * b;
    if (this.iv[w + N_RATES] === 1) return { index: 0, rate: this.iv[w + RATE0], source: 'static' };
    if (this.iv[w + LOCKED] === 1) return { index: this.iv[w + RATE_LO], rate: CANDIDATES[this.iv[w + RATE_LO]], source: 'inferred' };
    if (st[b + RATED_PACKETS] >= MIN_INFER_PACKETS && st[b + LAST_RATED_SEEN] - st[b + FIRST_RATED_SEEN] >= MIN_INFER_SECONDS) {
      const best = this.nearestRate(s);
      if (best >= 0) return { index: best, rate: CANDIDATES[best], source: 'inferred' };
    }
    return { index: CANDIDATE_CLOCK_RATES.indexOf(DEFAULT_DYNAMIC_CLOCK_RATE), rate: DEFAULT_DYNAMIC_CLOCK_RATE, source: 'default' };
  }

  private payloadTypes(s: number): number[] {
    const w = 2 * s * STRIDE + PT_BITS;
    const out: number[] = [];
    for (let pt = 0; pt < 128; pt++) if (this.iv[w + (pt >> 5)] & (1 << (pt & 31))) out.push(pt);
    return out;
  }

  private series(s: number, r: number, toMs: number): MediaSeries {
    const st = this.st;
    const b = s * STRIDE;
    const a = this.seriesOf[s];
    const n = this.iv[2 * b + N_RATES];
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
  measuredPt: number;
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
