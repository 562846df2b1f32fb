/**
 * The queue from the main thread to the inspection worker
 * (worker-inspection.ts): a single-producer, single-consumer ring in shared
 * memory with two kinds of job, consumed in the order they were queued.
 * - An RTP job is one RTP packet's header fields as RtpStreams.addRtp takes
 *   them (32 bytes): the bulk of a media capture, classified by the main
 *   thread.
 * - A packet job is any other payload, copied whole with the PacketView
 *   fields the inspector reads (a 48-byte header, then the bytes): the first
 *   packets of every flow, STUN, TCP framing, RTCP. They are few. The same
 *   area carries two marks without payload: a frame number (FRAME_MARK) and
 *   the end of a flow (FLOW_END), in order with the packets.
 * No job refers to the capture's buffers, so those can be reused at once.
 *
 * Each kind has its own area and running counts. A packet job records how
 * many RTP jobs were queued before it (its mark); the consumer runs the RTP
 * jobs up to each packet's mark before the packet, so the order is exactly
 * the queue's.
 *
 * Synchronisation uses Atomics on a few control words:
 * - WRITE/READ count RTP jobs and PWRITE/PREAD bytes of packet jobs (int32,
 *   wrapping; only differences matter). The producer publishes PWRITE, then
 *   WRITE, per batch; the consumer loads WRITE, then PWRITE. So every packet
 *   job queued before a visible RTP job is visible too, and a visible packet
 *   whose mark is past the visible RTP jobs waits for the next pass.
 * - PASSES moves after each pass of the consumer, which then notifies it: a
 *   producer waiting for room or for a drain sleeps on it.
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
 * - HEARTBEAT moves on every turn of the consumer's loop (every POLL_MS
 *   when idle, after each pass when busy). A producer waiting on a worker whose heartbeat stood still for
 *   LIVENESS_MS stops the run: the worker died without a word (out of
 *   memory, terminated), and the main thread, blocked, would never hear of it.
 */
import { MAX_BLOCK_BYTES } from '../../capture/record-parser.js';
import { PacketView } from '../../decode/packet-view.js';

export const RING_JOBS = 1 << 18; // 8 MiB; 60 ms of the main thread's production, to ride out the worker's start and its pauses
const MASK = RING_JOBS - 1;
/**
 * Bytes for packet jobs by default: room for the largest frame a reader hands out (a pcapng block,
 * MAX_BLOCK_BYTES) twice over. Address space: pages are touched only as jobs fill them (about 4 MB
 * per GB of the bench capture). A power of two, as every packet area must be.
 */
export const PACKET_BYTES = 2 * MAX_BLOCK_BYTES;
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
const PWRITE = 7;
const PREAD = 8;
const PASSES = 9;
const CONTROL_WORDS = 10;

const Command = { Run: 0, Finish: 1, Abort: 2 } as const;
const Owner = { None: 0, Worker: 1, Producer: 2 } as const;

// One RTP job is JOB_BYTES of one array, viewed as int32 words and as doubles: writing or reading it
// touches one run of cache lines, not two arrays'. Two jobs to a cache line: the frame number goes as
// its low 32 bits, the rest being the previous job's (FRAME_MARK keeps the step below 2^32).
const JOB_BYTES = 32;
const JOB_WORDS = JOB_BYTES / 4; // int32 words 0-5: flowDir, ssrc, seq | b1 << 16, rtpTs, payload length, frame number's low bits
const JOB_DOUBLES = JOB_BYTES / 8; // double 3: capture time
const TS = 3;
const TWO_32 = 2 ** 32;

// A packet job: a header of int32 words (and doubles 2 and 3), then the payload, 8-byte aligned.
const P_SIZE = 0; // bytes of the whole job, or WRAP
const P_FLOW = 1;
const P_DIR_PROTO = 2; // direction | IP protocol << 8 | TCP flags << 16
const P_MARK = 3; // RTP jobs queued before this one
const P_TS = 2; // doubles
const P_FRAME = 3;
const P_TCP_SEQ = 8;
const P_WIRE_LEN = 9; // payload length by the headers (PacketView.payloadLen)
const P_CAPTURED = 10; // payload bytes captured and copied
const PACKET_HEADER = 48;
/** In P_SIZE: the rest of the area is unused, the next job is at its start. */
const WRAP = -1;
/** In P_FLOW: no packet, only a frame number for the RTP jobs after it (a step of 2^32 frames or more). */
const FRAME_MARK = -1;
/** In P_FLOW: no packet, the flow in P_ENDED ended (PacketJobSink.flowEnded). */
const FLOW_END = -2;
const P_ENDED = P_TCP_SEQ;

/**
 * Where an RTP packet's header fields go: RtpStreams (which counts them) or the RingProducer (which
 * queues them for a worker). The capture time is written to `arrival[0]` just before the call (a
 * double argument would be boxed per packet); `ssrc` and `rtpTs` are taken modulo 2^32.
 */
export interface RtpJobSink {
  readonly arrival: Float64Array;
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void;
}

/** Where a packet job goes: its payload in pkt.buf, with the PacketView fields the inspector reads; and the flows ended. */
export interface PacketJobSink {
  packet(flow: number, dir: number, pkt: PacketView): void;
  flowEnded(flow: number): void;
}

/** The two sinks a consumer feeds, in queue order. */
export interface RingSinks {
  rtp: RtpJobSink;
  packets: PacketJobSink;
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
  packets: SharedArrayBuffer;
  /** A failed consumer's error text: its UTF-8 length (int32), then the bytes. */
  error: SharedArrayBuffer;
}

const ERROR_BYTES = 4096;

/** `packetBytes`: the packet area, a power of two (tests use small ones to wrap it often). */
export function newRingMemory(packetBytes = PACKET_BYTES): RingMemory {
  if (!(packetBytes >= 1024 && (packetBytes & (packetBytes - 1)) === 0)) throw new RangeError(`packet area must be a power of two of 1 KiB or more, got ${packetBytes}`);
  return {
    control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    jobs: new SharedArrayBuffer(RING_JOBS * JOB_BYTES),
    packets: new SharedArrayBuffer(packetBytes),
    error: new SharedArrayBuffer(ERROR_BYTES),
  };
}

class RingViews {
  protected readonly control: Int32Array;
  protected readonly ints: Int32Array;
  protected readonly doubles: Float64Array;
  protected readonly packetBytes: Buffer;
  protected readonly packetInts: Int32Array;
  protected readonly packetDoubles: Float64Array;
  /** Size of the packet area (a power of two), and the mask for positions in it. */
  protected readonly packetArea: number;
  protected readonly packetMask: number;
  protected readonly error: SharedArrayBuffer;
  /** The consumer's positions (running counts): RTP jobs and packet bytes consumed. */
  protected read = 0;
  protected packetRead = 0;
  /** The frame number of the last job consumed, and its low 32 bits (int32). */
  private lastFrame = 0;
  private lastFrameLow = 0;
  /** The packet being consumed: pkt.buf is the packet area itself, read in place. */
  private readonly pkt = new PacketView();

  constructor(memory: RingMemory) {
    this.error = memory.error;
    this.control = new Int32Array(memory.control);
    this.ints = new Int32Array(memory.jobs);
    this.doubles = new Float64Array(memory.jobs);
    this.packetBytes = Buffer.from(memory.packets);
    this.packetInts = new Int32Array(memory.packets);
    this.packetDoubles = new Float64Array(memory.packets);
    this.packetArea = memory.packets.byteLength;
    this.packetMask = this.packetArea - 1;
    this.pkt.buf = this.packetBytes;
  }

  /**
   * Consumes the jobs queued before RTP job `write` and packet byte `packetWrite` (running counts),
   * in queue order; a packet whose RTP jobs are not all visible yet is left for the next call.
   */
  protected consume(sinks: RingSinks, write: number, packetWrite: number): void {
    const ints = this.packetInts;
    while (this.packetRead !== packetWrite) {
      const at = this.packetRead & this.packetMask;
      const w = at >> 2;
      const size = ints[w + P_SIZE];
      if (size === WRAP) {
        this.packetRead = (this.packetRead + this.packetArea - at) | 0;
        continue;
      }
      const mark = ints[w + P_MARK];
      if (((mark - write) | 0) > 0) break;
      this.consumeRtp(sinks.rtp, mark);
      const pkt = this.pkt;
      const d = at >> 3;
      this.lastFrame = this.packetDoubles[d + P_FRAME];
      this.lastFrameLow = this.lastFrame | 0;
      const flow = ints[w + P_FLOW];
      if (flow < 0) {
        if (flow === FLOW_END) sinks.packets.flowEnded(ints[w + P_ENDED]);
        this.packetRead = (this.packetRead + size) | 0;
        continue;
      }
      const dirProto = ints[w + P_DIR_PROTO];
      pkt.proto = (dirProto >> 8) & 0xff;
      pkt.tcpFlags = dirProto >>> 16;
      pkt.ts = this.packetDoubles[d + P_TS];
      pkt.frameNo = this.lastFrame;
      pkt.tcpSeq = ints[w + P_TCP_SEQ] >>> 0;
      pkt.payloadLen = ints[w + P_WIRE_LEN];
      pkt.payloadOff = at + PACKET_HEADER;
      pkt.payloadEnd = pkt.payloadOff + ints[w + P_CAPTURED];
      sinks.packets.packet(flow, dirProto & 0xff, pkt);
      this.packetRead = (this.packetRead + size) | 0;
    }
    this.consumeRtp(sinks.rtp, write);
  }

  /** Consumes the RTP jobs up to `to` (a running count). */
  private consumeRtp(sink: RtpJobSink, to: number): void {
    const ints = this.ints;
    const doubles = this.doubles;
    const arrival = sink.arrival;
    let r = this.read;
    let frame = this.lastFrame;
    let low = this.lastFrameLow;
    while (r !== to) {
      const q = r & MASK;
      const i = q * JOB_WORDS;
      arrival[0] = doubles[q * JOB_DOUBLES + TS];
      const jobLow = ints[i + 5];
      frame += (jobLow - low) >>> 0; // the next frame number with these low bits
      low = jobLow;
      const seqB1 = ints[i + 2];
      sink.addRtp(ints[i], ints[i + 1], seqB1 & 0xffff, ints[i + 3], seqB1 >>> 16, ints[i + 4], frame);
      r = (r + 1) | 0;
    }
    this.read = r;
    this.lastFrame = frame;
    this.lastFrameLow = low;
  }
}

/** The main thread's side: writes jobs, publishes them, waits for room and for the consumer to drain. */
export class RingProducer extends RingViews implements RtpJobSink {
  private written = 0; // running counts written, published or not: RTP jobs, packet bytes
  private packetWritten = 0;
  private unpublished = 0; // jobs of either kind written since the last publish
  private knownRead = 0; // the consumer's READ and PREAD as last seen
  private knownPacketRead = 0;
  /** The frame number of the last job queued. */
  private queuedFrame = 0;
  /** Set when the worker never claimed the ring: the producer then consumes into the fallback sinks itself. */
  private inline: RingSinks | null = null;
  private lastBeat = -1;
  private lastBeatAt = 0;
  private readonly startupWaitMs: number;
  private readonly livenessMs: number;
  readonly arrival = new Float64Array(1);

  /** `fallback`: makes the sinks jobs go to if the worker does not start (see OWNER above). */
  constructor(memory: RingMemory, private readonly fallback: () => RingSinks, options: RingOptions = {}) {
    super(memory);
    this.startupWaitMs = options.startupWaitMs ?? STARTUP_WAIT_MS;
    this.livenessMs = options.livenessMs ?? LIVENESS_MS;
  }

  /** True once the producer consumes its own jobs (the worker never started). */
  get consumingInline(): boolean {
    return this.inline !== null;
  }

  /** Queues one RTP packet (see RtpJobSink). */
  addRtp(flowDir: number, ssrc: number, seq: number, rtpTs: number, b1: number, len: number, frameNo: number): void {
    if (frameNo - this.queuedFrame >= TWO_32) this.markFrame(frameNo);
    this.queuedFrame = frameNo;
    const w = this.written;
    if (((w - this.knownRead) | 0) > MASK) this.waitForRoom(w, 0); // full (MASK, not the exported RING_JOBS: see media/rtp-header.ts)
    const q = w & MASK;
    const i = q * JOB_WORDS;
    const ints = this.ints;
    ints[i] = flowDir;
    ints[i + 1] = ssrc;
    ints[i + 2] = seq | (b1 << 16);
    ints[i + 3] = rtpTs;
    ints[i + 4] = len;
    ints[i + 5] = frameNo | 0; // the low 32 bits
    this.doubles[q * JOB_DOUBLES + TS] = this.arrival[0];
    this.written = (w + 1) | 0;
    if (++this.unpublished >= BATCH) this.publish();
  }

  /** Queues one packet whole: its payload and the fields the inspector reads. */
  addPacket(flow: number, dir: number, pkt: PacketView): void {
    this.queuedFrame = pkt.frameNo;
    this.queuePacket(flow, dir, pkt, pkt.payloadEnd - pkt.payloadOff);
  }

  /** Queues the end of a flow (FLOW_END), in order with its packets. */
  addFlowEnd(flow: number): void {
    this.flowEnd.frameNo = this.queuedFrame;
    this.flowEnd.tcpSeq = flow;
    this.queuePacket(FLOW_END, 0, this.flowEnd, 0);
  }

  private readonly flowEnd = new PacketView();

  /** Tells the consumer the frame number of the next RTP job, 2^32 or more past the last job's (FRAME_MARK). */
  private markFrame(frameNo: number): void {
    this.frameMark.frameNo = frameNo;
    this.queuePacket(FRAME_MARK, 0, this.frameMark, 0);
  }

  private readonly frameMark = new PacketView();

  private queuePacket(flow: number, dir: number, pkt: PacketView, captured: number): void {
    const size = (PACKET_HEADER + captured + 7) & ~7;
    if (size > this.packetArea) throw new RangeError(`a packet of ${captured} bytes does not fit the inspection queue's ${this.packetArea} bytes`);
    const ints = this.packetInts;
    let at = this.packetWritten & this.packetMask;
    const tail = this.packetArea - at;
    if (tail < size) {
      // A job never wraps: the tail is skipped, once the consumer has left it, and the job starts the area.
      this.roomForPackets(tail);
      ints[at >> 2] = WRAP;
      this.packetWritten = (this.packetWritten + tail) | 0;
      this.unpublished++; // the consumer must see the skip before there can be room at the start
      at = 0;
    }
    this.roomForPackets(size);
    const w = at >> 2;
    ints[w + P_SIZE] = size;
    ints[w + P_FLOW] = flow;
    ints[w + P_DIR_PROTO] = dir | (pkt.proto << 8) | (pkt.tcpFlags << 16);
    ints[w + P_MARK] = this.written;
    this.packetDoubles[(at >> 3) + P_TS] = pkt.ts;
    this.packetDoubles[(at >> 3) + P_FRAME] = pkt.frameNo;
    ints[w + P_TCP_SEQ] = pkt.tcpSeq | 0;
    ints[w + P_WIRE_LEN] = pkt.payloadLen;
    ints[w + P_CAPTURED] = captured;
    if (captured > 0) pkt.buf.copy(this.packetBytes, at + PACKET_HEADER, pkt.payloadOff, pkt.payloadEnd);
    this.packetWritten = (this.packetWritten + size) | 0;
    if (++this.unpublished >= BATCH) this.publish();
  }

  /** Returns once `bytes` more packet bytes fit in the area. */
  private roomForPackets(bytes: number): void {
    if (((this.packetWritten - this.knownPacketRead + bytes) | 0) > this.packetArea) this.waitForRoom(this.written, bytes);
  }

  /** Returns once every job written so far has been consumed. */
  drain(): void {
    this.publish(true);
    this.lastBeatAt = Date.now();
    while (this.knownRead !== this.written || this.knownPacketRead !== this.packetWritten) this.block();
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
   * the fallback sinks, which then hold every job, or null when a worker has the ring.
   */
  takeOver(): RingSinks | null {
    if (this.inline === null && Atomics.compareExchange(this.control, OWNER, Owner.None, Owner.Producer) === Owner.None) this.startInline();
    return this.inline;
  }

  /** `urgent`: the producer is about to wait for the consumer, so wake it. */
  private publish(urgent = false): void {
    if (this.unpublished !== 0) {
      this.unpublished = 0;
      if (this.inline !== null) {
        this.consumeInline();
        return;
      }
      // Packets first: see WRITE/READ above.
      Atomics.store(this.control, PWRITE, this.packetWritten);
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

  /** Waits until one more RTP job fits after `written` (`packetBytes` 0), or `packetBytes` more packet bytes do. */
  private waitForRoom(written: number, packetBytes: number): void {
    this.publish(true);
    this.lastBeatAt = Date.now();
    const full = () => packetBytes === 0
      ? ((written - this.knownRead) | 0) >= RING_JOBS
      : ((this.packetWritten - this.knownPacketRead + packetBytes) | 0) > this.packetArea;
    while (full()) this.block();
  }

  private startInline(): void {
    this.inline = this.fallback();
    this.read = this.knownRead;
    this.packetRead = this.knownPacketRead;
    this.consumeInline();
  }

  private consumeInline(): void {
    this.consume(this.inline!, this.written, this.packetWritten);
    this.knownRead = this.read;
    this.knownPacketRead = this.packetRead;
  }

  /** The failed consumer's error text. */
  private failure(): string {
    const length = new Int32Array(this.error, 0, 1)[0];
    return new TextDecoder().decode(new Uint8Array(this.error, 4, length).slice()); // a copy: TextDecoder reads no shared memory
  }

  /** Waits for the consumer to move READ or PREAD (or consumes inline when the worker never came). */
  private block(): void {
    const c = this.control;
    const passes = Atomics.load(c, PASSES);
    const read = Atomics.load(c, READ);
    const packetRead = Atomics.load(c, PREAD);
    if (read !== this.knownRead || packetRead !== this.knownPacketRead) {
      this.knownRead = read;
      this.knownPacketRead = packetRead;
      return;
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error(`the inspection worker failed: ${this.failure()}`);
    if (Atomics.load(c, OWNER) === Owner.None) {
      const started = Date.now();
      while (Atomics.load(c, OWNER) === Owner.None && Date.now() - started < this.startupWaitMs) Atomics.wait(c, OWNER, Owner.None, 50);
      if (Atomics.compareExchange(c, OWNER, Owner.None, Owner.Producer) === Owner.None) {
        this.startInline();
        return;
      }
      this.lastBeatAt = Date.now();
    }
    const beat = Atomics.load(c, HEARTBEAT);
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastBeatAt = Date.now();
    } else if (Date.now() - this.lastBeatAt > this.livenessMs) {
      throw new Error(`the inspection worker stopped without an error: no sign of life for ${this.livenessMs / 1000} s`);
    }
    Atomics.wait(c, PASSES, passes, 100);
    this.knownRead = Atomics.load(c, READ);
    this.knownPacketRead = Atomics.load(c, PREAD);
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

  /** Consumes every job into `sinks` until the producer calls finish() (or abort()). */
  run(sinks: RingSinks): void {
    const c = this.control;
    for (;;) {
      Atomics.add(c, HEARTBEAT, 1);
      const command = Atomics.load(c, COMMAND);
      if (command === Command.Abort) return;
      const write = Atomics.load(c, WRITE); // RTP first: see WRITE/READ above
      const packetWrite = Atomics.load(c, PWRITE);
      if (write !== this.read || packetWrite !== this.packetRead) {
        this.consume(sinks, write, packetWrite);
        Atomics.store(c, PREAD, this.packetRead);
        Atomics.store(c, READ, this.read);
        Atomics.add(c, PASSES, 1);
        Atomics.notify(c, PASSES);
        continue;
      }
      if (command === Command.Finish) return; // Finish comes after the last WRITE
      // Nothing to do: say so, look once more, then sleep until the producer clears the flag or POLL_MS pass.
      Atomics.store(c, SLEEPING, 1);
      if (Atomics.load(c, WRITE) === this.read && Atomics.load(c, PWRITE) === this.packetRead && Atomics.load(c, COMMAND) === command) {
        Atomics.wait(c, SLEEPING, 1, POLL_MS);
      }
      Atomics.store(c, SLEEPING, 0);
    }
  }

  /** Stops the producer with `err` (a worker that claimed the ring and then failed must say so, or the producer waits). */
  fail(err: unknown): void {
    const text = new TextEncoder().encode(err instanceof Error ? (err.stack ?? err.message) : String(err)).subarray(0, ERROR_BYTES - 4);
    new Uint8Array(this.error, 4).set(text);
    new Int32Array(this.error, 0, 1)[0] = text.length;
    Atomics.store(this.control, FAILED, 1);
    Atomics.notify(this.control, PASSES);
  }
}
