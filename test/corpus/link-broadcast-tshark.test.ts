/**
 * Oracle for flows' `linkBroadcast`: a TCP or UDP flow is marked exactly when
 * the frame that started it (its first frame) is one tshark decodes as sent
 * to the Ethernet broadcast address or, in a Linux cooked capture, received
 * as a broadcast (sll.pkttype 1).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, sharedCaptures, skipNote, tsharkOutput, TSHARK_GUESSES_FORMAT } from '../helpers/environment.js';

const ready = hasSharedCaptures && hasTool('tshark');
skipNote('tshark link-broadcast oracle', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

function broadcastFrames(file: string): Set<number> {
  const out = tsharkOutput(['-n', '-r', file, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
    '-Y', '(tcp || udp) && (eth.dst == ff:ff:ff:ff:ff:ff || sll.pkttype == 1)', '-T', 'fields', '-e', 'frame.number']);
  return new Set(out.split('\n').filter(Boolean).map(Number));
}

/** Ids of the TCP/UDP flows we mark, and of those whose first frame tshark shows broadcast. */
async function compare(name: string): Promise<{ ours: number[]; theirs: number[] }> {
  const file = join(SHARED_CAPTURES, name);
  const report = await analyze([file], { inspectPayloads: false });
  const frames = broadcastFrames(file);
  const flows = report.flows.filter((f) => f.transport === 'tcp' || f.transport === 'udp');
  return { ours: flows.filter((f) => f.linkBroadcast === true).map((f) => f.id), theirs: flows.filter((f) => frames.has(f.frames.first)).map((f) => f.id) };
}

describe.skipIf(!ready)('linkBroadcast agrees with tshark on the first frame of every flow', () => {
  for (const name of sharedCaptures().filter((n) => n !== TSHARK_GUESSES_FORMAT)) {
    it(name, async () => {
      const { ours, theirs } = await compare(name);
      expect(ours).toEqual(theirs);
    });
  }
  it('on a capture with Ethernet and one with Linux cooked broadcasts, the oracle compares something', async () => {
    for (const name of ['msturn_teams_ndpi.pcap', 'sll_mixed_ppp.pcap']) expect((await compare(name)).ours.length, name).toBeGreaterThan(1);
  });
});
