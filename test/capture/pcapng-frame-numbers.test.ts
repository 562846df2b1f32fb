/**
 * Frame numbers are Wireshark's: a pcapng block Wireshark lists as a frame of
 * its own without a packet (custom blocks, systemd journal export, sysdig events) takes a
 * number, so the report's evidence frames point at the packets a user opens.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { PcapngWriter } from '../helpers/capture-builders.js';
import { hasTool, tsharkOutput } from '../helpers/environment.js';
import { cat } from '../decode/helpers/frames.js';
import { ETH_V4, V4_UDP } from '../decode/helpers/fixtures.js';

const CUSTOM_COPY = 0x00000bad;
const CUSTOM_NO_COPY = 0x40000bad;
const SYSTEMD_JOURNAL = 0x00000009;
const NAME_RESOLUTION = 0x00000004;

/** A custom block body: a Private Enterprise Number, then data. */
const custom = (text: string) => cat(Buffer.from([0, 0, 0x7e, 0xd9]), Buffer.from(text));
const journal = Buffer.from('__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=hello\n');
const SYSDIG_EVENT = 0x00000204;
/** A sysdig event: CPU id (u16), timestamp in ns (u64), thread id (u64), length (u32), type (u16). */
const sysdigEvent = (() => {
  const b = Buffer.alloc(24);
  b.writeBigUInt64LE(1_700_000_000_050_000_000n, 2);
  b.writeBigUInt64LE(1n, 10);
  return b;
})();

function tempFile(name: string, bytes: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flowaudit-frames-')), name);
  writeFileSync(file, bytes);
  return file;
}

function capture(): string {
  const udp = cat(ETH_V4, V4_UDP);
  const bytes = new PcapngWriter().section().iface(1)
    .epb(0, 1_700_000_000_000_000, udp) // frame 1
    .block(CUSTOM_COPY, custom('copyable')) // frame 2
    .block(NAME_RESOLUTION, Buffer.alloc(4)) // no frame
    .block(SYSTEMD_JOURNAL, journal) // frame 3
    .epb(0, 1_700_000_000_100_000, udp) // frame 4
    .block(CUSTOM_NO_COPY, custom('not copyable')) // frame 5
    .epb(0, 1_700_000_000_200_000, udp) // frame 6
    .block(SYSDIG_EVENT, sysdigEvent) // frame 7
    .epb(0, 1_700_000_000_300_000, udp) // frame 8
    .toBuffer();
  return tempFile('blocks.pcapng', bytes);
}

describe('pcapng frame numbers', () => {
  it('custom, systemd journal and sysdig event blocks take a frame number and are not packets', async () => {
    const progress: number[] = [];
    const report = await analyze([capture()], { onProgress: (_bytes, packets) => progress.push(packets) });
    expect(report.inputs[0].packets).toBe(4);
    expect(progress.at(-1)).toBe(4); // the progress line counts packets too, not frame numbers (8)
    expect(report.flows).toHaveLength(1);
    expect(report.flows[0].frames).toEqual({ first: 1, last: 8 });
    expect(report.flows[0].packets.fromClient).toBe(4);
    expect(report.inputs[0].anomalies ?? {}).not.toHaveProperty('pcapng_block_skipped');
  });

  it('a block before the first packet does not lend a timestamp to the ordering of several inputs', async () => {
    const udp = cat(ETH_V4, V4_UDP);
    const later = tempFile('later.pcapng', new PcapngWriter().section().iface(1)
      .block(CUSTOM_COPY, custom('first block')).epb(0, 1_700_000_100_000_000, udp).toBuffer());
    const earlier = tempFile('earlier.pcapng', new PcapngWriter().section().iface(1).epb(0, 1_700_000_000_000_000, udp).toBuffer());
    const report = await analyze([later, earlier]);
    expect(report.inputs.map((i) => i.path)).toEqual([earlier, later]);
  });

  it.skipIf(!hasTool('tshark'))('numbers the packets as tshark does', () => {
    const out = tsharkOutput(['-n', '-r', capture(), '-Y', 'udp', '-T', 'fields', '-e', 'frame.number']);
    expect(out.trim().split('\n').map(Number)).toEqual([1, 4, 6, 8]);
  });
});
