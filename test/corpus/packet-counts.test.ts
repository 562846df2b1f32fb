/**
 * Oracles for the reader: packet counts against capinfos on every shared
 * capture, and packet count plus captured lengths against pcap-parser on
 * every classic pcap. Damaged files must stop where the oracles stop.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { readCapture } from '../../src/capture/reader.js';
import { openSource } from '../../src/capture/source.js';
import { newAnomalyCounters } from '../../src/anomalies.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { hasSharedCaptures, hasTool, run, SHARED_CAPTURES, sharedCaptures, skipNote, TSHARK_GUESSES_FORMAT } from '../helpers/environment.js';

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: string): NodeJS.EventEmitter };

skipNote('capinfos packet-count oracle', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('capinfos') ? [] : ['capinfos'])]);
skipNote('pcap-parser oracle', hasSharedCaptures ? [] : ['../shared/captures']);
skipNote('capinfos oracle for nanosecond pcaps (pcap-parser refuses them)', hasTool('capinfos') ? [] : ['capinfos']);

/** capinfos' count; on a damaged file it prints none but says how many it read before the damage. */
function capinfosPackets(file: string): number {
  const r = run('capinfos', ['-c', '-M', '-T', file]);
  const table = /\t(\d+)\s*$/m.exec(r.stdout);
  if (table) return Number(table[1]);
  const damaged = /after reading (\d+) packets/.exec(r.stderr);
  if (damaged) return Number(damaged[1]);
  throw new Error(`capinfos gave no count for ${file}: ${r.stderr}`);
}

describe.skipIf(!hasSharedCaptures || !hasTool('capinfos'))('packet count equals capinfos', () => {
  for (const name of sharedCaptures()) {
    it(name, async () => {
      const file = join(SHARED_CAPTURES, name);
      const report = await analyze([file]);
      if (name === TSHARK_GUESSES_FORMAT) {
        expect(capinfosPackets(file)).toBe(2);
        expect(report.totals.packets).toBe(1);
        expect(report.inputs[0].stopped).toMatchObject({ kind: 'corrupt', atByte: 228 });
      } else {
        expect(report.totals.packets).toBe(capinfosPackets(file));
      }
      // Every packet is accounted for: in a flow, or under a fate anomaly.
      const { ANOMALIES } = await import('../../src/anomalies.js');
      const fates = new Set(ANOMALIES.filter((a) => a.fate).map((a) => a.name));
      for (const input of report.inputs) {
        const unattributed = Object.entries(input.anomalies).filter(([n]) => fates.has(n)).reduce((s, [, n]) => s + n, 0);
        expect(input.packetsInFlows + unattributed).toBe(input.packets);
      }
      const inFlows = report.flows.reduce((s, f) => s + f.packets.fromClient + f.packets.fromServer, 0);
      expect(inFlows).toBe(report.inputs.reduce((s, i) => s + i.packetsInFlows, 0));
    });
  }
});

/** pcap-parser's packets (count and captured lengths), or the reason it refuses the file. */
function pcapParserLengths(file: string): Promise<{ lengths: number[]; error?: string }> {
  return new Promise((resolve) => {
    const lengths: number[] = [];
    let error: string | undefined;
    const parser = pcapParser.parse(file);
    parser.on('packet', (p: { data: Buffer }) => lengths.push(p.data.length));
    parser.on('error', (e: Error) => { error = e.message; });
    parser.on('end', () => resolve({ lengths, error }));
  });
}

async function ourLengths(file: string) {
  const lengths: number[] = [];
  const result = await readCapture(await openSource(file), new PacketView(), (p) => lengths.push(p.frameEnd - p.frameStart), { anomalies: newAnomalyCounters() });
  return { lengths, result };
}

const magicOf = (name: string) => readFileSync(join(SHARED_CAPTURES, name)).subarray(0, 4).toString('hex');
const classicPcaps = sharedCaptures().filter((name) => ['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', 'a1b23c4d'].includes(magicOf(name)));
/** Nanosecond pcaps, which pcap-parser refuses: capinfos is their oracle. */
const nanosecond = (name: string) => ['4d3cb2a1', 'a1b23c4d'].includes(magicOf(name));

describe.skipIf(!hasSharedCaptures)('packet count and captured lengths equal pcap-parser on classic pcaps', () => {
  for (const name of classicPcaps) {
    it.skipIf(nanosecond(name) && !hasTool('capinfos'))(name, async () => {
      const file = join(SHARED_CAPTURES, name);
      const theirs = await pcapParserLengths(file);
      const ours = await ourLengths(file);
      if (theirs.error && /unknown magic number: (4d3cb2a1|a1b23c4d)/.test(theirs.error)) {
        // pcap-parser predates the nanosecond magic and refuses the file; tshark is the oracle there.
        expect(ours.lengths.length).toBe(capinfosPackets(file));
        return;
      }
      expect(theirs.error).toBeUndefined();
      if (ours.result.stopped?.kind === 'corrupt') {
        // pcap-parser has no length limit: it waits for the claimed bytes that never come, so it
        // reports the same packets before the damage and silently drops the rest of the file.
        expect(theirs.lengths).toEqual(ours.lengths);
        return;
      }
      expect(ours.lengths).toEqual(theirs.lengths);
    });
  }
});
