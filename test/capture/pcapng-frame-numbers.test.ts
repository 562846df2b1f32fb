/**
 * Frame numbers are Wireshark's: a pcapng block Wireshark lists as a frame of
 * its own without a packet (custom blocks, systemd journal export) takes a
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
    .toBuffer();
  const file = join(mkdtempSync(join(tmpdir(), 'flowaudit-frames-')), 'blocks.pcapng');
  writeFileSync(file, bytes);
  return file;
}

describe('pcapng frame numbers', () => {
  it('custom and systemd journal blocks take a frame number and are not packets', async () => {
    const report = await analyze([capture()]);
    expect(report.inputs[0].packets).toBe(3);
    expect(report.flows).toHaveLength(1);
    expect(report.flows[0].frames).toEqual({ first: 1, last: 6 });
    expect(report.flows[0].packets.fromClient).toBe(3);
    expect(report.inputs[0].anomalies ?? {}).not.toHaveProperty('pcapng_block_skipped');
  });

  it.skipIf(!hasTool('tshark'))('numbers the packets as tshark does', () => {
    const out = tsharkOutput(['-n', '-r', capture(), '-Y', 'udp', '-T', 'fields', '-e', 'frame.number']);
    expect(out.trim().split('\n').map(Number)).toEqual([1, 4, 6]);
  });
});
