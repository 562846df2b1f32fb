import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { newAnomalyCounters, ANOMALIES } from '../../src/anomalies.js';
import { readCapture } from '../../src/capture/reader.js';
import { CaptureFormatError } from '../../src/capture/errors.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { memorySource, pcapFile, PcapngWriter } from '../helpers/capture-builders.js';

interface Seen { hex: string; ts: number; wireLen: number; linkType: number }

async function read(bytes: Buffer, chunkSizes?: number[]) {
  const seen: Seen[] = [];
  const anomalies = newAnomalyCounters();
  const result = await readCapture(memorySource(bytes, chunkSizes), new PacketView(), (p) => {
    seen.push({ hex: p.buf.toString('hex', p.frameStart, p.frameEnd), ts: p.ts, wireLen: p.wireLen, linkType: p.linkType });
  }, { anomalies });
  const named: Record<string, number> = {};
  anomalies.forEach((n, i) => { if (n) named[ANOMALIES[i].name] = n; });
  return { seen, result, anomalies: named };
}

const frames = [Buffer.from('00112233445566778899aabb0800', 'hex'), Buffer.alloc(60, 7), Buffer.alloc(1514, 9), Buffer.alloc(0)];

describe('classic pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanos of [false, true]) {
      it(`reads ${bigEndian ? 'big' : 'little'}-endian ${nanos ? 'nanosecond' : 'microsecond'} files`, async () => {
        const file = pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000 + i, frac: nanos ? 123_456_789 : 123_456, data, origLen: data.length + i })), { bigEndian, nanos, linkType: 113 });
        const { seen, result } = await read(file);
        expect(result.format).toBe('pcap');
        expect(result.linkTypes).toEqual([113]);
        expect(result.stopped).toBeUndefined();
        expect(seen.map((s) => s.hex)).toEqual(frames.map((f) => f.toString('hex')));
        expect(seen.map((s) => s.wireLen)).toEqual(frames.map((f, i) => f.length + i));
        expect(seen[1].ts).toBeCloseTo(1_700_000_001.123456789 - (nanos ? 0 : 0.000000789), 6);
      });
    }
  }

  it('gives the same packets whatever the chunking, including 1-byte chunks', async () => {
    const file = pcapFile(frames.map((data, i) => ({ sec: i, frac: i, data })));
    const whole = await read(file);
    for (const sizes of [[1], [3, 5, 7], [17], [4096], [25, 1, 1600]]) {
      const chunked = await read(file, sizes);
      expect(chunked.seen).toEqual(whole.seen);
      expect(chunked.result.stopped).toBeUndefined();
    }
  });

  it('reports where a file is cut inside a record and keeps what came before', async () => {
    const file = pcapFile(frames.map((data, i) => ({ sec: i, frac: 0, data })));
    const cut = file.subarray(0, file.length - 100);
    const { seen, result } = await read(cut, [64]);
    expect(seen).toHaveLength(2);
    expect(result.stopped?.kind).toBe('truncated');
    // The third record starts after the 24-byte header and two records.
    expect(result.stopped?.atByte).toBe(24 + 16 + frames[0].length + 16 + frames[1].length);
    expect(result.stopped?.afterPackets).toBe(2);
    expect(result.stopped?.message).toMatch(/ends inside a record/);
  });

  it('reports a cut inside a record header', async () => {
    const file = pcapFile([{ sec: 1, frac: 0, data: frames[0] }]);
    const { seen, result } = await read(Buffer.concat([file, Buffer.alloc(7)]));
    expect(seen).toHaveLength(1);
    expect(result.stopped).toMatchObject({ kind: 'truncated', atByte: file.length });
    expect(result.stopped?.message).toMatch(/record header \(7 of 16 bytes/);
  });

  it('stops at a record claiming 4 GB instead of buffering it', async () => {
    const file = pcapFile([{ sec: 1, frac: 0, data: frames[1] }]);
    const bad = Buffer.alloc(16);
    bad.writeUInt32LE(0xffffffff, 8);
    bad.writeUInt32LE(0xffffffff, 12);
    const { seen, result } = await read(Buffer.concat([file, bad, Buffer.alloc(1000)]), [10]);
    expect(seen).toHaveLength(1);
    expect(result.stopped).toMatchObject({ kind: 'corrupt', atByte: file.length, afterPackets: 1 });
    expect(result.stopped?.message).toMatch(/4294967295 captured bytes/);
  });

  it('rejects what is not a capture, and empty input, with a format error', async () => {
    await expect(read(Buffer.from('GET / HTTP/1.1\r\n'))).rejects.toThrow(CaptureFormatError);
    await expect(read(Buffer.alloc(0))).rejects.toThrow(/empty input/);
    await expect(read(Buffer.from([0xd4, 0xc3]))).rejects.toThrow(/too short/);
  });

  it('accepts a file that is only a header', async () => {
    const { seen, result } = await read(pcapFile([]));
    expect(seen).toHaveLength(0);
    expect(result.stopped).toBeUndefined();
    expect(result.bytesRead).toBe(24);
  });
});

describe('pcapng', () => {
  for (const be of [false, true]) {
    it(`reads ${be ? 'big' : 'little'}-endian EPB, SPB and obsolete PB with per-interface link type and resolution`, async () => {
      const w = new PcapngWriter(be).section()
        .iface(1) // default resolution: microseconds
        .iface(113, { tsresol: 9 }) // nanoseconds
        .iface(101, { tsresol: 0x80 | 10 }) // 2^-10 seconds
        .block(4, Buffer.alloc(8)) // name resolution block: skipped silently
        .epb(0, 1_700_000_000_250_000, frames[0])
        .epb(1, 1_700_000_000_500_000_000, frames[1], 1500)
        .epb(2, 1024 * 1_700_000_001 + 512, frames[2])
        .spb(frames[1])
        .pb(1, 1_700_000_002_000_000_000, frames[0])
        .block(0x1234, Buffer.alloc(4)); // unknown: skipped and counted
      const { seen, result, anomalies } = await read(w.toBuffer(), [13]);
      expect(result.format).toBe('pcapng');
      expect(result.linkTypes).toEqual([1, 101, 113]);
      expect(seen.map((s) => s.linkType)).toEqual([1, 113, 101, 1, 113]);
      expect(seen[0].ts).toBeCloseTo(1_700_000_000.25, 6);
      expect(seen[1].ts).toBeCloseTo(1_700_000_000.5, 6);
      expect(seen[1].wireLen).toBe(1500);
      expect(seen[2].ts).toBeCloseTo(1_700_000_001.5, 6);
      expect(seen[3].ts).toBe(seen[2].ts); // SPB has no timestamp: the previous one is lent
      expect(seen[4].ts).toBeCloseTo(1_700_000_002, 6);
      expect(seen.map((s) => s.hex)).toEqual([frames[0], frames[1], frames[2], frames[1], frames[0]].map((f) => f.toString('hex')));
      expect(anomalies).toEqual({ pcapng_block_skipped: 1, pcapng_simple_packet_no_timestamp: 1 });
    });
  }

  it('starts afresh at each section, byte order included', async () => {
    const a = new PcapngWriter(false).section().iface(1).epb(0, 1_000_000, frames[0]).toBuffer();
    const b = new PcapngWriter(true).section().iface(228, { tsresol: 3 }).epb(0, 2_000, frames[1]).epb(1, 0, frames[0]).toBuffer();
    const { seen, result } = await read(Buffer.concat([a, b]), [50]);
    expect(result.linkTypes).toEqual([1, 228]);
    expect(seen.map((s) => [s.linkType, s.ts])).toEqual([[1, 1], [228, 2], [-1, 2]]); // interface 1 of section 2 was never declared
  });

  it('applies if_tsoffset', async () => {
    const file = new PcapngWriter().section().iface(1, { tsoffset: 1_600_000_000 }).epb(0, 5_000_000, frames[0]).toBuffer();
    const { seen } = await read(file);
    expect(seen[0].ts).toBeCloseTo(1_600_000_005, 6);
  });

  it('counts a packet block whose captured length exceeds the block, without losing framing', async () => {
    const w = new PcapngWriter().section().iface(1);
    const body = Buffer.alloc(24);
    body.writeUInt32LE(1000, 12); // caplen 1000 in a 36-byte block
    w.block(6, body).epb(0, 0, frames[0]);
    const { seen } = await read(w.toBuffer());
    expect(seen.map((s) => s.linkType)).toEqual([-2, 1]);
  });

  it('stops on an impossible block length, and on a cut block', async () => {
    const good = new PcapngWriter().section().iface(1).epb(0, 0, frames[0]).toBuffer();
    const bad = Buffer.alloc(12);
    bad.writeUInt32LE(6, 0);
    bad.writeUInt32LE(0x7ffffff0, 4);
    const corrupt = await read(Buffer.concat([good, bad, Buffer.alloc(64)]));
    expect(corrupt.seen).toHaveLength(1);
    expect(corrupt.result.stopped).toMatchObject({ kind: 'corrupt', atByte: good.length });
    const cut = await read(good.subarray(0, good.length - 3));
    expect(cut.seen).toHaveLength(0);
    expect(cut.result.stopped?.kind).toBe('truncated');
  });

  it('rejects a section header with a bad byte-order magic', async () => {
    const file = new PcapngWriter().section().toBuffer();
    file.writeUInt32LE(0xdeadbeef, 8);
    const { result } = await read(file);
    expect(result.stopped).toMatchObject({ kind: 'corrupt', atByte: 0 });
  });
});

describe('every truncation prefix', () => {
  it('never throws and never reports more packets than the whole file holds', async () => {
    const pcap = pcapFile(frames.map((data, i) => ({ sec: i, frac: 0, data })));
    const ng = new PcapngWriter().section().iface(1).epb(0, 0, frames[0]).spb(frames[1]).epb(0, 5, frames[2]).toBuffer();
    for (const file of [pcap, ng]) {
      for (let n = 4; n < file.length; n += n < 200 ? 1 : 37) {
        const { seen, result } = await read(file.subarray(0, n), [n % 13 + 1]);
        expect(seen.length).toBeLessThan(4 + (file === pcap ? 1 : 0));
        if (result.stopped) expect(result.stopped.afterPackets).toBe(seen.length);
      }
    }
  });
});

describe('gzip', () => {
  it('is read through a stream source just like the plain file', async () => {
    const { openSource } = await import('../../src/capture/source.js');
    const { Readable } = await import('node:stream');
    const file = pcapFile(frames.map((data, i) => ({ sec: i, frac: 0, data })));
    const plain = await read(file);
    const source = await openSource('-', Readable.from([gzipSync(file).subarray(0, 1), gzipSync(file).subarray(1)]));
    const seen: string[] = [];
    const result = await readCapture(source, new PacketView(), (p) => seen.push(p.buf.toString('hex', p.frameStart, p.frameEnd)), { anomalies: newAnomalyCounters() });
    expect(source.compressed).toBe(true);
    expect(seen).toEqual(plain.seen.map((s) => s.hex));
    expect(result.stopped).toBeUndefined();
  });

  it('reports a cut gzip stream as a truncated input', async () => {
    const { openSource } = await import('../../src/capture/source.js');
    const { Readable } = await import('node:stream');
    const file = pcapFile(frames.map((data, i) => ({ sec: i, frac: 0, data })));
    const gz = gzipSync(file);
    const source = await openSource('-', Readable.from([gz.subarray(0, gz.length - 40)]));
    const result = await readCapture(source, new PacketView(), () => {}, { anomalies: newAnomalyCounters() });
    expect(result.stopped?.kind).toBe('truncated');
  });

  /** What the reader gives of a gzip stream, in the chunks given. */
  async function readGzip(chunks: Buffer[]) {
    const { openSource } = await import('../../src/capture/source.js');
    const { Readable } = await import('node:stream');
    const seen: string[] = [];
    const result = await readCapture(await openSource('-', Readable.from(chunks)), new PacketView(),
      (p) => seen.push(p.buf.toString('hex', p.frameStart, p.frameEnd)), { anomalies: newAnomalyCounters() });
    return { seen, result };
  }

  it('gives every packet before a bad CRC or bytes after the end, and reports the damage there', async () => {
    // Many frames, so that the compressed stream spans several chunks, and zlib holds output back.
    const many = Array.from({ length: 400 }, (_, i) => Buffer.alloc(60 + (i % 50) * 20, i & 0xff));
    const file = pcapFile(many.map((data, i) => ({ sec: i, frac: 0, data })));
    const plain = (await read(file)).seen.map((s) => s.hex);
    const gz = gzipSync(file);
    const badCrc = Buffer.from(gz);
    badCrc[badCrc.length - 8] ^= 0xff;
    const garbage = Buffer.concat([gz, Buffer.from('trailing garbage, as gzip -t ignores')]);
    for (const [what, bytes] of [['a bad CRC', badCrc], ['trailing garbage', garbage]] as const) {
      for (const size of [bytes.length, 4096, 61]) {
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
        const { seen, result } = await readGzip(chunks);
        expect(seen, `${what}, chunks of ${size}`).toEqual(plain);
        expect(result.stopped, `${what}, chunks of ${size}`).toMatchObject({ kind: 'corrupt', atByte: file.length });
        expect(result.stopped?.message).toMatch(/^compressed stream is damaged/);
      }
    }
  });

  it('past 56 bytes after the end, gives the packets before the end but those of the last 4 KiB of input, never a wrong one', async () => {
    // Bytes that do not compress, so that 4 KiB of input is about 4 KiB of packets (a few of them).
    let x = 2463534242; // xorshift32
    const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      return x & 0xff;
    }));
    const many = Array.from({ length: 400 }, (_, i) => noise(60 + (i % 50) * 20));
    const file = pcapFile(many.map((data, i) => ({ sec: i, frac: 0, data })));
    const plain = (await read(file)).seen.map((s) => s.hex);
    const gz = gzipSync(file);
    for (const junk of [100, 5000, 300_000]) {
      const { seen, result } = await readGzip([Buffer.concat([gz, Buffer.alloc(junk, 0x5a)])]);
      expect(seen, `${junk} bytes after the end`).toEqual(plain.slice(0, seen.length));
      expect(seen.length, `${junk} bytes after the end`).toBeGreaterThanOrEqual(plain.length - 6); // 4 KiB: at most 6 packets of 60-1040 bytes
      expect(result.stopped?.kind).toBe('corrupt');
    }
  });

  it('a gzip stream damaged or cut before any capture data is an error that says so', async () => {
    const gz = gzipSync(pcapFile(frames.map((data, i) => ({ sec: i, frac: 0, data }))));
    await expect(readGzip([gz.subarray(0, 12)])).rejects.toThrow(/^-: compressed stream ends early \(.*\), before any capture data$/);
    const damaged = Buffer.from(gz);
    for (let i = 10; i < 30; i++) damaged[i] ^= 0x5a;
    await expect(readGzip([damaged])).rejects.toThrow(/^-: compressed stream is damaged \(.*\), before any capture data$/);
  });
});
