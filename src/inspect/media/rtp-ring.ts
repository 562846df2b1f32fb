/**
 * The queue of RTP packets from the main thread to the media worker
 * (media-thread.ts): a single-producer, single-consumer ring in shared memory.
 * A job is one RTP packet's header fields as RtpStreams.addRtp takes them; no
 * packet bytes cross, so the capture's buffers can be reused at once.
 *
 * Synchronisation uses Atomics on a few control words:
 * - WRITE and READ are running job counts (int32, wrapping; only their
 *   difference matters). The producer publishes WRITE per batch, the
 *   consumer publishes READ after each pass.
 * - SLEEPING: a consumer with nothing to do sets it, looks once more, then
 *   sleeps on it for at most POLL_MS. The producer does not wake it for new
 *   jobs: waking another thread is a system call that cost the producer about
 *   50 us on this VM, more than a thousand jobs. It wakes the consumer only
 *   when it must wait for it (a full ring, a drain, the finish). Because the
 *   consumer sets the flag before its last look and the producer reads it
 *   after publishing, that wake-up is never lost. Sleeping a few milliseconds
 *   (not a fraction of one) lets the consumer read jobs in bursts, after they
 *   have left the producer's cache, and measured faster.
 * - OWNER says who consumes: the worker claims the ring when it starts; if it
 *   has not after STARTUP_WAIT_MS while the producer is blocked, the producer
 *   takes the ring and consumes in its own thread (a worker that cannot start
 *   delays a run by STARTUP_WAIT_MS at most).
 * - FAILED is set by a worker that threw, after it wrote the error's text
 *   into the ring's error area: the run stops with that text.
 * - HEARTBEAT moves on every turn of the consumer's loop (at least every
 *   POLL_MS). A producer waiting on a worker whose heartbeat stood still for
 *   LIVENESS_MS stops the run: the worker died without a word (out of
 *   memory, terminated), and the main thread, blocked, would never hear of it.
 */
export const RING_JOBS = 1 << 18; // 10 MiB; 60 ms of the main thread's production, to ride out the worker's start and its pauses
const MASK = RING_JOBS - 1;
/** Jobs written before they are published (one atomic store per batch). */
const BATCH = 512;
/** How long an idle consumer sleeps before it looks for jobs again: the producer fills under a tenth of the ring meanwhile. */
const POLL_MS = 5;
/** How long a blocked producer waits for the worker to claim the ring before consuming it itself. */
const STARTUP_WAIT_MS = 3000;
/** How long a blocked producer waits on a worker that shows no sign of life. */
const LIVENESS_MS = 20_000;

// int32 control words
const WRITE = 0;
const READ = 1;
const SLEEPING = 2;
const COMMAND = 3;
const OWNER = 4;
const FAILED = 5;
const HEARTBEAT = 6;
const CONTROL_WORDS = 8;

const Command = { Run: 0, Finish: 1, Abort: 2 } as const;
const Owner = { None: 0, Worker: 1, Producer: 2 } as const;

// One job is JOB_BYTES of one array, viewed as int32 words and as doubles: writing or reading it
// touches one run of cache lines, not two arrays' (no faster as measured, and one buffer to share).
const JOB_BYTES = 40;
const JOB_WORDS = JOB_BYTES / 4; // int32 words 0-5: flowDir, ssrc, seq, rtpTs, b1, payload length
const JOB_DOUBLES = JOB_BYTES / 8; // doubles 3 and 4: capture time, frame number
const TS = 3;
const FRAME = 4;

/**
 * Where an RTP packet's header fields go: RtpStreams (which counts them) or the RingProducer (which
 * queues them for a worker). The capture time is written to `arrival[0]` just before the call (a
 * double argument would be boxed per packet); `ssrc` and `rtpTs` are taken modulo 2^32.
 */
export interface RtpJobSink {
  readonly arrival: Float64Array;
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void;
}

export interface RingOptions {
  /** STARTUP_WAIT_MS by default. */
  startupWaitMs?: number;
  /** LIVENESS_MS by default. */
  livenessMs?: number;
}

/** The shared memory of one ring, as sent to the worker. */
export interface RingMemory {
  control: SharedArrayBuffer;
  jobs: SharedArrayBuffer;
  /** A failed consumer's error text: its UTF-8 length (int32), then the bytes. */
  error: SharedArrayBuffer;
}

const ERROR_BYTES = 4096;

export function newRingMemory(): RingMemory {
  return {
    control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    jobs: new SharedArrayBuffer(RING_JOBS * JOB_BYTES),
    error: new SharedArrayBuffer(ERROR_BYTES),
  };
}

class RingViews {
  protected readonly control: Int32Array;
  protected readonly ints: Int32Array;
  protected readonly doubles: Float64Array;
  protected readonly error: SharedArrayBuffer;

  constructor(memory: RingMemory) {
    this.error = memory.error;
    this.control = new Int32Array(memory.control);
    this.ints = new Int32Array(memory.jobs);
    this.doubles = new Float64Array(memory.jobs);
  }

  /** Consumes the jobs from `from` up to `to` (running counts) into `sink`; returns `to`. */
  protected consume(sink: RtpJobSink, from: number, to: number): number {
    const ints = this.ints;
    const doubles = this.doubles;
    const arrival = sink.arrival;
    let r = from;
    while (r !== to) {
      const q = r & MASK;
      const i = q * JOB_WORDS;
      const d = q * JOB_DOUBLES;
      arrival[0] = doubles[d + TS];
      sink.addRtp(ints[i], ints[i + 1], ints[i + 2], ints[i + 3], ints[i + 4], ints[i + 5], doubles[d + FRAME]);
      r = (r + 1) | 0;
    }
    return r;
  }
}

/** The main thread's side: writes jobs, publishes them, waits for room and for the consumer to drain. */
export class RingProducer extends RingViews implements RtpJobSink {
  private written = 0; // running count of jobs written, published or not
  private published = 0;
  private knownRead = 0; // the consumer's READ as last seen
  /** Set when the worker never claimed the ring: the producer then consumes into `fallback` itself. */
  private inline = false;
  private lastBeat = -1;
  private lastBeatAt = 0;
  private readonly startupWaitMs: number;
  private readonly livenessMs: number;
  readonly arrival = new Float64Array(1);

  /** `fallback`: where jobs go if the worker does not start (see OWNER above). */
  constructor(memory: RingMemory, private readonly fallback: RtpJobSink, options: RingOptions = {}) {
    super(memory);
    this.startupWaitMs = options.startupWaitMs ?? STARTUP_WAIT_MS;
    this.livenessMs = options.livenessMs ?? LIVENESS_MS;
  }

  /** True once the producer consumes its own jobs (the worker never started). */
  get consumingInline(): boolean {
    return this.inline;
  }

  /** Queues one RTP packet (see RtpJobSink). */
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void {
    const w = this.written;
    if (((w - this.knownRead) | 0) >= RING_JOBS) this.waitForRoom();
    const q = w & MASK;
    const i = q * JOB_WORDS;
    const ints = this.ints;
    ints[i] = flowDir;
    ints[i + 1] = ssrc;
    ints[i + 2] = seq;
    ints[i + 3] = rtpTs;
    ints[i + 4] = b1;
    ints[i + 5] = len;
    const d = q * JOB_DOUBLES;
    this.doubles[d + TS] = this.arrival[0];
    this.doubles[d + FRAME] = frameNo;
    this.written = (w + 1) | 0;
    if (((this.written - this.published) | 0) >= BATCH) this.publish();
  }

  /** Returns once every job written so far has been consumed. */
  drain(): void {
    this.publish(true);
    this.lastBeatAt = Date.now();
    while (this.knownRead !== this.written) this.block();
  }

  /** Tells the consumer that no more jobs come (after drain()). */
  finish(): void {
    this.drain();
    Atomics.store(this.control, COMMAND, Command.Finish);
    this.wake();
  }

  /** Tells the consumer to stop now, whatever is queued (the run failed). */
  abort(): void {
    Atomics.store(this.control, COMMAND, Command.Abort);
    this.wake();
  }

  /**
   * Takes the ring if no worker has claimed it (after finish(), the worker having failed to start):
   * true when the producer consumes, or now may, and nothing is left queued.
   */
  takeOver(): boolean {
    if (!this.inline && Atomics.compareExchange(this.control, OWNER, Owner.None, Owner.Producer) === Owner.None) this.startInline(this.knownRead);
    return this.inline;
  }

  /** `urgent`: the producer is about to wait for the consumer, so wake it. */
  private publish(urgent = false): void {
    if (this.published !== this.written) {
      this.published = this.written;
      if (this.inline) {
        this.knownRead = this.consume(this.fallback, this.knownRead, this.written);
        return;
      }
      Atomics.store(this.control, WRITE, this.written);
    }
    if (urgent) this.wake();
  }

  private wake(): void {
    const c = this.control;
    if (Atomics.load(c, SLEEPING) === 0) return;
    Atomics.store(c, SLEEPING, 0);
    Atomics.notify(c, SLEEPING);
  }

  private waitForRoom(): void {
    this.publish(true);
    this.lastBeatAt = Date.now();
    while (((this.written - this.knownRead) | 0) >= RING_JOBS) this.block();
  }

  private startInline(read: number): void {
    this.inline = true;
    this.knownRead = this.consume(this.fallback, read, this.written);
  }

  /** The failed consumer's error text. */
  private failure(): string {
    const length = new Int32Array(this.error, 0, 1)[0];
    return new TextDecoder().decode(new Uint8Array(this.error, 4, length).slice()); // a copy: TextDecoder reads no shared memory
  }

  /** Waits for the consumer to move READ (or consumes inline when the worker never came). */
  private block(): void {
    const c = this.control;
    const read = Atomics.load(c, READ);
    if (read !== this.knownRead) {
      this.knownRead = read;
      return;
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error(`the media worker failed: ${this.failure()}`);
    if (Atomics.load(c, OWNER) === Owner.None) {
      const started = Date.now();
      while (Atomics.load(c, OWNER) === Owner.None && Date.now() - started < this.startupWaitMs) Atomics.wait(c, OWNER, Owner.None, 50);
      if (Atomics.compareExchange(c, OWNER, Owner.None, Owner.Producer) === Owner.None) {
        this.startInline(read);
        return;
      }
      this.lastBeatAt = Date.now();
    }
    const beat = Atomics.load(c, HEARTBEAT);
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastBeatAt = Date.now();
    } else if (Date.now() - this.lastBeatAt > this.livenessMs) {
      throw new Error(`the media worker stopped without an error: no sign of life for ${this.livenessMs / 1000} s`);
    }
    Atomics.wait(c, READ, read, 100);
    this.knownRead = Atomics.load(c, READ);
  }
}

/** The worker's side: claims the ring, then consumes until told to finish. */
export class RingConsumer extends RingViews {
  /** False when the producer had already given up on the worker and consumes itself. */
  claim(): boolean {
    const claimed = Atomics.compareExchange(this.control, OWNER, Owner.None, Owner.Worker) === Owner.None;
    Atomics.notify(this.control, OWNER);
    return claimed;
  }

  /** Consumes every job into `sink` until the producer calls finish() (or abort()). */
  run(sink: RtpJobSink): void {
    const c = this.control;
    let read = Atomics.load(c, READ);
    for (;;) {
      Atomics.add(c, HEARTBEAT, 1);
      const command = Atomics.load(c, COMMAND);
      if (command === Command.Abort) return;
      const write = Atomics.load(c, WRITE);
      if (write !== read) {
        read = this.consume(sink, read, write);
        Atomics.store(c, READ, read);
        Atomics.notify(c, READ);
        continue;
      }
      if (command === Command.Finish) return; // Finish comes after the last WRITE
      // Nothing to do: say so, look once more, then sleep until the producer clears the flag or POLL_MS pass.
      Atomics.store(c, SLEEPING, 1);
      if (Atomics.load(c, WRITE) === read && Atomics.load(c, COMMAND) === command) Atomics.wait(c, SLEEPING, 1, POLL_MS);
      Atomics.store(c, SLEEPING, 0);
    }
  }

  /** Stops the producer with `err` (a worker that claimed the ring and then failed must say so, or the producer waits). */
  fail(err: unknown): void {
    const text = new TextEncoder().encode(err instanceof Error ? (err.stack ?? err.message) : String(err)).subarray(0, ERROR_BYTES - 4);
    new Uint8Array(this.error, 4).set(text);
    new Int32Array(this.error, 0, 1)[0] = text.length;
    Atomics.store(this.control, FAILED, 1);
    Atomics.notify(this.control, READ);
  }
}
