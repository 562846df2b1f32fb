/**
 * The progress line on stderr for long runs: bytes read of the total (when
 * the total is known), packets per second, throughput, ETA. Drawn only on a
 * terminal (the CLI decides), at most about five times a second, and erased
 * at the end so that nothing of it stays on the screen or reaches a pipe.
 *
 * `update()` is called between input chunks (about every 128 KiB), never per
 * packet: it reads the clock and returns unless a redraw is due. The file
 * reader never yields to the event loop, so a timer could not drive the
 * redraws; the timer here only refreshes the rates while the input stalls
 * (a live `tcpdump -w - |` with little traffic).
 *
 * The line is redrawn with a carriage return and padded with spaces over the
 * previous one: no ANSI escapes, so it works on any terminal, dumb or not.
 */

/** The part of a TTY write stream the progress line needs. */
export interface ProgressStream {
  write(text: string): unknown;
  /** Terminal width; the line is kept one column shorter so that it never wraps. */
  columns?: number;
}

export interface ProgressOptions {
  /** Total bytes to read (sum of the input sizes as stored); undefined when unknown (standard input). */
  total?: number;
  /** Milliseconds clock (default performance.now); tests pass a fake one. */
  now?: () => number;
  /** Minimum time between redraws, ms (default 200: five a second). */
  intervalMs?: number;
  /** Redraw while no update arrives, every this many ms (default 1000; 0 for none). */
  stallRedrawMs?: number;
  /** Nothing is drawn before this many ms, so that short runs do not flicker (default 300). */
  delayMs?: number;
}

export interface ProgressState {
  bytes: number;
  packets: number;
  /** Seconds since the start. */
  elapsed: number;
  total?: number;
}

const DEFAULT_COLUMNS = 80;
const MIN_BAR = 10;
/** Rates and ETA are noise before this much time has passed. */
const MIN_RATE_SECONDS = 0.5;

export class ProgressBar {
  private readonly now: () => number;
  private readonly start: number;
  private readonly intervalMs: number;
  private lastDraw: number;
  private drawnWidth = 0;
  private bytes = 0;
  private packets = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: ProgressStream, private readonly options: ProgressOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.intervalMs = options.intervalMs ?? 200;
    // The first redraw is due once the delay has passed.
    this.lastDraw = this.start + (options.delayMs ?? 300) - this.intervalMs;
    const stall = options.stallRedrawMs ?? 1000;
    if (stall > 0) {
      this.timer = setInterval(() => {
        if (this.drawnWidth > 0 && this.now() - this.lastDraw >= stall) this.draw();
      }, stall);
      this.timer.unref();
    }
  }

  /** Records progress; redraws when the last redraw is at least `intervalMs` old. */
  update(bytes: number, packets: number): void {
    this.bytes = bytes;
    this.packets = packets;
    if (this.now() - this.lastDraw >= this.intervalMs) this.draw();
  }

  /** Erases the line (before other output, and at the end); the next due update draws it again. */
  clear(): void {
    if (this.drawnWidth > 0) {
      this.stream.write(`\r${' '.repeat(this.drawnWidth)}\r`);
      this.drawnWidth = 0;
    }
  }

  /** Erases the line and stops the stall timer for good. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    const now = this.now();
    this.lastDraw = now;
    // A pseudo-terminal without a size reports 0 columns: treat it as unknown.
    const width = Math.max(20, (this.stream.columns || DEFAULT_COLUMNS) - 1);
    const state: ProgressState = { bytes: this.bytes, packets: this.packets, elapsed: (now - this.start) / 1000 };
    if (this.options.total !== undefined) state.total = this.options.total;
    const line = progressLine(state, width);
    // Pad over the rest of a longer previous line instead of an erase escape.
    const pad = this.drawnWidth > line.length ? ' '.repeat(this.drawnWidth - line.length) : '';
    this.stream.write(`\r${line}${pad}`);
    this.drawnWidth = line.length;
  }
}

/**
 * The progress text for `state`, at most `width` characters. Pure. When the
 * terminal is narrow the bar goes first, then the throughput, then the packet
 * rate; a field is dropped whole, never cut.
 */
export function progressLine(state: ProgressState, width: number): string {
  const { bytes, packets, elapsed, total } = state;
  const rated = elapsed >= MIN_RATE_SECONDS;
  const pktRate = rated ? `${count(packets / elapsed)} pkt/s` : undefined;
  const byteRate = rated ? `${size(bytes / elapsed)}/s` : undefined;
  let fields: (string | undefined)[];
  let fraction: number | undefined;
  if (total !== undefined && total > 0) {
    fraction = Math.min(1, bytes / total);
    const remaining = rated && bytes > 0 ? (total - bytes) / (bytes / elapsed) : undefined;
    fields = [`${(fraction * 100).toFixed(0)}% ${size(bytes)} / ${size(total)}`, pktRate, byteRate, remaining !== undefined ? `ETA ${clock(remaining)}` : undefined];
  } else {
    fields = [`${size(bytes)} read`, `${count(packets)} packets`, pktRate, byteRate, clock(elapsed)];
  }
  const join = (f: (string | undefined)[]) => f.filter((x) => x !== undefined).join('  ');
  let text = join(fields);
  // Drop the throughput, then the packet rate, then all but the amount read, while the text does not fit.
  if (text.length > width) text = join(fields.map((f) => (f === byteRate ? undefined : f)));
  if (text.length > width) text = join(fields.map((f) => (f === byteRate || f === pktRate ? undefined : f)));
  if (text.length > width) text = fields[0]!;
  if (fraction !== undefined) {
    const barWidth = Math.min(40, width - text.length - 3);
    if (barWidth >= MIN_BAR) {
      const filled = Math.round(fraction * barWidth);
      text = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${text}`;
    }
  }
  return text.length > width ? text.slice(0, width) : text;
}

/** 1234567 -> "1.2 M", for packet counts and rates. */
function count(n: number): string {
  if (n < 1000) return n.toFixed(0);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} M`;
  return `${(n / 1e9).toFixed(1)} G`;
}

/** Bytes in binary units, one decimal. */
function size(n: number): string {
  if (n < 1024) return `${n.toFixed(0)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** Seconds as m:ss or h:mm:ss. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
