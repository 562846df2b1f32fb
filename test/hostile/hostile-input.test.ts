/**
 * Hostile input: cut, mutated and lying captures never crash, hang or grow
 * memory without bound, and every packet is still accounted for.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { analyze } from '../../src/analyze.js';
import { ANOMALIES } from '../../src/anomalies.js';
import { CaptureFormatError } from '../../src/capture/errors.js';
import type { Report } from '../../src/report/model.js';
import { hasSharedCaptures, SAMPLES, SHARED_CAPTURES, skipNote } from '../helpers/environment.js';
import { pcapFile, PcapngWriter } from '../helpers/capture-builders.js';
import { prng } from '../helpers/prng.js';

const FATES = new Set(ANOMALIES.filter((a) => a.fate).map((a) => a.name));

async function analyzeBytes(bytes: Buffer): Promise<Report | CaptureFormatError> {
  try {
    return await analyze(['-'], { stdin: Readable.from([bytes]) });
  } catch (err) {
    if (err instanceof CaptureFormatError) return err;
    throw err;
  }
}

/** The invariant every report keeps, however bad its input. */
function expectAccounted(report: Report): void {
  for (const input of report.inputs) {
    const unattributed = Object.entries(input.anomalies).filter(([n]) => FATES.has(n)).reduce((s, [, n]) => s + n, 0);
    expect(input.packetsInFlows + unattributed).toBe(input.packets);
  }
  const inFlows = report.flows.reduce((s, f) => s + f.packets.fromClient + f.packets.fromServer, 0);
  expect(inFlows).toBe(report.inputs.reduce((s, i) => s + i.packetsInFlows, 0));
}

const EXTREMES = [0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x10000, 0x3fff];

function mutate(bytes: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(bytes);
  const pick = (n: number) => Math.floor(rand() * n);
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const at = pick(out.length);
    switch (pick(4)) {
      case 0: out[at] ^= 1 << pick(8); break; // bit flip
      case 1: out[at] = pick(256); break; // random byte
      case 2: if (at + 4 <= out.length) out.writeUInt32LE(EXTREMES[pick(EXTREMES.length)] >>> 0, at); break; // lying length
      default: if (at + 2 <= out.length) out.writeUInt16BE(EXTREMES[pick(EXTREMES.length)] & 0xffff, at); break; // lying 16-bit field
    }
  }
  return rand() < 0.2 ? out.subarray(0, pick(out.length)) : out;
}

const mini = join(SAMPLES, 'edge-mini.pcapng');

/** Ends of the blocks of a little-endian pcapng file, and how many packet blocks end at or before each. */
function pcapngBlockEnds(bytes: Buffer): Map<number, number> {
  const ends = new Map<number, number>();
  let packets = 0;
  for (let off = 0; off < bytes.length;) {
    const type = bytes.readUInt32LE(off);
    off += bytes.readUInt32LE(off + 4);
    if (type === 6 || type === 3 || type === 2) packets++;
    ends.set(off, packets);
  }
  return ends;
}

describe('truncation', () => {
  it('every prefix of a sample capture reports exactly the packets before the cut, and the cut', async () => {
    const bytes = readFileSync(mini);
    const ends = pcapngBlockEnds(bytes);
    let lastEnd = 0;
    for (let n = 0; n <= bytes.length; n++) {
      const r = await analyzeBytes(bytes.subarray(0, n));
      if (n < 4) {
        // Too short to show a magic number: not a capture at all.
        expect(r).toBeInstanceOf(CaptureFormatError);
        continue;
      }
      if (r instanceof CaptureFormatError) throw r;
      expectAccounted(r);
      if (ends.has(n)) {
        lastEnd = n;
        expect(r.inputs[0].stopped).toBeUndefined();
        expect(r.totals.packets).toBe(ends.get(n));
      } else {
        expect(r.inputs[0].stopped).toMatchObject({ kind: 'truncated', atByte: lastEnd, afterPackets: ends.get(lastEnd) ?? 0 });
        expect(r.totals.packets).toBe(ends.get(lastEnd) ?? 0);
      }
    }
  });
});

describe('random mutations', () => {
  const corpus = [mini, join(SAMPLES, 'edge-dmz.pcap')];
  if (hasSharedCaptures) {
    for (const f of ['skype4b_ice_conference_ndpi.pcap', 'turn_full_multi_iface_ndpi.pcapng', 'sll2_mixed_zeek.pcap', 'ipv6_fragments_udp_heplify.pcap', 'vlan_qinqinq_zeek.pcap', 'bigendian_pcapng_multi_iface_gopacket.pcapng']) {
      corpus.push(join(SHARED_CAPTURES, f));
    }
  } else skipNote('mutations of the shared captures (samples still mutated)', ['../shared/captures']);

  it('10,000 seeded mutations never throw, hang or lose a packet', async () => {
    const files = corpus.filter(existsSync).map((f) => readFileSync(f));
    const rand = prng(20261122);
    let reports = 0;
    for (let i = 0; i < 10_000; i++) {
      const input = mutate(files[i % files.length], rand);
      const r = await analyzeBytes(input);
      if (r instanceof CaptureFormatError) continue; // the magic number itself was hit
      reports++;
      expectAccounted(r);
    }
    expect(reports).toBeGreaterThan(9_000);
  }, 600_000);
});

describe('lying lengths', () => {
  it('a pcap record claiming 4 GB stops the input as corrupt without buffering', async () => {
    const good = pcapFile([{ sec: 1, frac: 0, data: Buffer.alloc(60) }]);
    const bad = Buffer.alloc(16);
    bad.writeUInt32LE(0xffffffff, 8);
    bad.writeUInt32LE(0xffffffff, 12);
    const before = process.memoryUsage().rss;
    const r = await analyzeBytes(Buffer.concat([good, bad, Buffer.alloc(1 << 20, 0xab)]));
    if (r instanceof CaptureFormatError) throw r;
    expect(r.inputs[0].stopped).toMatchObject({ kind: 'corrupt', afterPackets: 1 });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a pcapng block claiming 4 GB stops the input as corrupt', async () => {
    const good = new PcapngWriter().section().iface(1).epb(0, 0, Buffer.alloc(60)).toBuffer();
    const bad = Buffer.alloc(12);
    bad.writeUInt32LE(6, 0);
    bad.writeUInt32LE(0xfffffffc, 4);
    const r = await analyzeBytes(Buffer.concat([good, bad]));
    if (r instanceof CaptureFormatError) throw r;
    expect(r.inputs[0].stopped).toMatchObject({ kind: 'corrupt', afterPackets: 1 });
  });

  it('an empty input and a non-capture are format errors, not crashes', async () => {
    expect(await analyzeBytes(Buffer.alloc(0))).toBeInstanceOf(CaptureFormatError);
    expect(await analyzeBytes(Buffer.from('%PDF-1.7\n'))).toBeInstanceOf(CaptureFormatError);
  });
});
