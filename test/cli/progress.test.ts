/**
 * The progress line, driven by a fake terminal stream and a fake clock:
 * throttled to the redraw interval, silent during the first moment, shows
 * percent, rates and ETA with a known total and bytes and rate without one,
 * never wider than the terminal, erased completely at the end; and
 * analyze() reports progress per chunk with the byte counts the CLI's total
 * is made of.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { analyze } from '../../src/analyze.js';
import { ProgressBar, progressLine } from '../../src/cli/progress.js';
import { totalInputBytes } from '../../src/cli/console-output.js';
import { SAMPLES } from '../helpers/environment.js';

class FakeTty {
  columns = 80;
  writes: string[] = [];
  write(text: string): boolean { this.writes.push(text); return true; }
  /** What a terminal shows: apply carriage returns to one line. */
  get screen(): string {
    let line = '';
    let col = 0;
    for (const text of this.writes) {
      for (const ch of text) {
        if (ch === '\r') { col = 0; continue; }
        line = line.slice(0, col) + ch + line.slice(col + 1);
        col++;
      }
    }
    return line;
  }
}

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

const MiB = 1024 * 1024;

describe('ProgressBar', () => {
  it('draws nothing in the first 300 ms, then at most once per 200 ms however often it is updated', () => {
    const tty = new FakeTty();
    const clock = fakeClock();
    const bar = new ProgressBar(tty, { total: 100 * MiB, now: clock.now, stallRedrawMs: 0 });
    for (let i = 0; i < 29; i++) { clock.advance(10); bar.update(i * MiB / 10, i * 100); }
    expect(tty.writes).toEqual([]);
    // 10 s of updates every 1 ms (a chunk every millisecond is faster than any real capture read).
    for (let i = 0; i < 10_000; i++) { clock.advance(1); bar.update(3 * MiB + i * 1000, 3000 + i * 10); }
    expect(tty.writes.length).toBeGreaterThanOrEqual(49);
    expect(tty.writes.length).toBeLessThanOrEqual(51);
    bar.stop();
  });

  it('shows the bar, percent, bytes of total, packets/s, MiB/s and the ETA', () => {
    const tty = new FakeTty();
    const clock = fakeClock();
    const bar = new ProgressBar(tty, { total: 1024 * MiB, now: clock.now, stallRedrawMs: 0 });
    clock.advance(4000);
    bar.update(256 * MiB, 1_200_000);
    // 4 s for a quarter: 64 MiB/s, 300 k packets/s, 12 s to go.
    expect(tty.screen).toBe('[####............] 25% 256.0 MiB / 1.0 GiB  300.0 k pkt/s  64.0 MiB/s  ETA 0:12');
    expect(tty.screen.length).toBeLessThanOrEqual(79);
    bar.stop();
  });

  it('without a total (standard input), shows bytes, packets, rates and elapsed time, and no ETA', () => {
    expect(progressLine({ bytes: 5 * MiB, packets: 20_000, elapsed: 2 }, 79))
      .toBe('5.0 MiB read  20.0 k packets  10.0 k pkt/s  2.5 MiB/s  0:02');
    // Rates are noise in the first half second.
    expect(progressLine({ bytes: 1000, packets: 3, elapsed: 0.1 }, 79)).toBe('1000 B read  3 packets  0:00');
  });

  it('fits the terminal width by dropping the bar, then the rates, then the ETA, never cutting a field', () => {
    const state = { bytes: 700 * MiB, packets: 9_000_000, elapsed: 3725, total: 3 * 1024 * MiB };
    expect(progressLine(state, 119)).toBe('[#########...............................] 23% 700.0 MiB / 3.0 GiB  2.4 k pkt/s  192.4 KiB/s  ETA 3:30:22');
    expect(progressLine(state, 79)).toBe('[###...........] 23% 700.0 MiB / 3.0 GiB  2.4 k pkt/s  192.4 KiB/s  ETA 3:30:22');
    expect(progressLine(state, 66)).toBe('23% 700.0 MiB / 3.0 GiB  2.4 k pkt/s  192.4 KiB/s  ETA 3:30:22');
    expect(progressLine(state, 50)).toBe('23% 700.0 MiB / 3.0 GiB  2.4 k pkt/s  ETA 3:30:22');
    expect(progressLine(state, 36)).toBe('23% 700.0 MiB / 3.0 GiB  ETA 3:30:22');
    expect(progressLine(state, 30)).toBe('23% 700.0 MiB / 3.0 GiB');
    for (let width = 20; width <= 200; width++) expect(progressLine(state, width).length).toBeLessThanOrEqual(width);
  });

  it('pads over a longer previous line, and stop() leaves the line blank with the cursor at its start', () => {
    const tty = new FakeTty();
    const clock = fakeClock();
    const bar = new ProgressBar(tty, { now: clock.now, stallRedrawMs: 0 });
    clock.advance(1000);
    bar.update(900 * MiB, 9_000_000);
    const long = tty.screen;
    clock.advance(1000);
    bar.update(901 * MiB, 9_000_001);
    expect(tty.screen.trimEnd().length).toBeLessThanOrEqual(long.length);
    expect(tty.screen.length).toBe(long.length);
    bar.stop();
    expect(tty.screen.trim()).toBe('');
    expect(tty.writes.at(-1)!.endsWith('\r')).toBe(true);
    // Nothing but text, carriage returns and spaces: no escape sequences, so dumb terminals work too.
    expect(tty.writes.join('')).not.toMatch(/\x1b/);
  });

  it('writes nothing at all on stop() when it never drew', () => {
    const tty = new FakeTty();
    const bar = new ProgressBar(tty, { now: fakeClock().now, stallRedrawMs: 0 });
    bar.update(1, 1);
    bar.stop();
    expect(tty.writes).toEqual([]);
  });

  it('redraws from its timer while the input stalls, and the timer stops with stop()', async () => {
    const tty = new FakeTty();
    const clock = fakeClock();
    const bar = new ProgressBar(tty, { now: clock.now, stallRedrawMs: 20, delayMs: 0 });
    bar.update(10, 1);
    const drawn = tty.writes.length;
    expect(drawn).toBe(1);
    clock.advance(5000);
    await new Promise((r) => setTimeout(r, 60));
    expect(tty.writes.length).toBeGreaterThan(drawn);
    expect(tty.screen).toMatch(/0:05/);
    bar.stop();
    const after = tty.writes.length;
    clock.advance(5000);
    await new Promise((r) => setTimeout(r, 60));
    expect(tty.writes.length).toBe(after);
  });
});

describe('analyze() progress callback', () => {
  it('is called per chunk with growing bytes ending at the file size, and the packets read', async () => {
    const path = join(SAMPLES, 'edge-dmz.pcapng');
    const calls: [number, number][] = [];
    const report = await analyze([path], { onProgress: (b, p) => calls.push([b, p]) });
    const size = statSync(path).size;
    expect(calls.length).toBe(Math.ceil(size / (128 * 1024)));
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i][0]).toBeGreaterThan(calls[i - 1][0]);
      expect(calls[i][1]).toBeGreaterThanOrEqual(calls[i - 1][1]);
    }
    expect(calls.at(-1)).toEqual([size, report.totals.packets]);
  });

  it('counts compressed bytes for gzip input, so the CLI total (file sizes) is reached, across several files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowaudit-progress-'));
    const gz = join(dir, 'a.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(SAMPLES, 'edge-dmz.pcap'))));
    const plain = join(SAMPLES, 'federation.pcap');
    const calls: number[] = [];
    await analyze([gz, plain], { onProgress: (b) => calls.push(b), orderByFirstPacket: false });
    expect(calls.at(-1)).toBe(totalInputBytes([gz, plain]));
    expect(totalInputBytes([gz, plain])).toBe(statSync(gz).size + statSync(plain).size);
  });

  it('has no total for standard input, yet reports the bytes read from it', async () => {
    expect(totalInputBytes(['-'])).toBeUndefined();
    expect(totalInputBytes([join(SAMPLES, 'edge-dmz.pcap'), '-'])).toBeUndefined();
    const bytes = readFileSync(join(SAMPLES, 'edge-dmz.pcap'));
    const calls: number[] = [];
    await analyze(['-'], { stdin: Readable.from([bytes.subarray(0, 5000), bytes.subarray(5000)]), onProgress: (b) => calls.push(b) });
    expect(calls).toEqual([5000, bytes.length]);
  });
});
