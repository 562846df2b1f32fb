/**
 * `linkBroadcast` end to end on a capture built here (the shared captures' oracle is
 * test/corpus/link-broadcast-tshark.test.ts): set by the flow table, reported, valid under the
 * schema, kept by the protobuf export, and making an undocumented port info.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { reportToProtobuf } from '../../src/report/protobuf.js';
import { readProtobufExport } from '../../src/report/protobuf-read.js';
import { validateReport } from '../../src/report/validate.js';
import { pcapFile } from '../helpers/capture-builders.js';
import { cat, hex, patch } from '../decode/helpers/frames.js';
import { ETH_V4, V4_UDP } from '../decode/helpers/fixtures.js';

const BROADCAST_ETH = hex`
  ff ff ff ff ff ff   # destination: broadcast
  66 77 88 99 aa bb   # source MAC
  08 00               # EtherType IPv4
`;
// V4_UDP is 192.168.1.10:5060 -> 10.0.0.1:3389; as a subnet broadcast it goes to 10.0.0.255 (last address byte at 19).
const toSubnetBroadcast = patch(V4_UDP, { 19: 0xff });
// The same datagram to port 3390, unicast: another flow.
const unicast = patch(V4_UDP, { 23: 0x3e });

async function report() {
  const file = join(mkdtempSync(join(tmpdir(), 'flowaudit-bcast-')), 'bcast.pcap');
  writeFileSync(file, pcapFile([
    { sec: 1_700_000_000, frac: 0, data: cat(BROADCAST_ETH, toSubnetBroadcast) },
    { sec: 1_700_000_001, frac: 0, data: cat(ETH_V4, unicast) },
  ]));
  return analyze([file]);
}

describe('linkBroadcast', () => {
  it('marks the flow a link-layer broadcast started, and only that one; its undocumented port is info', async () => {
    const r = await report();
    expect(r.flows.map((f) => [f.server.ip, f.server.port, f.linkBroadcast])).toEqual([['10.0.0.255', 3389, true], ['10.0.0.1', 3390, undefined]]);
    expect(validateReport(r)).toEqual([]);
    const severities = r.findings.filter((f) => f.kind === 'undocumented-port').map((f) => [f.flows[0], f.severity]);
    expect(severities).toEqual(expect.arrayContaining([[1, 'info'], [2, 'high']]));
  });

  it('survives the protobuf export', async () => {
    const r = await report();
    const flows = [];
    const bytes = reportToProtobuf(r);
    for await (const m of readProtobufExport((async function* () { yield bytes; })())) if ('flow' in m) flows.push(m.flow);
    expect(flows.map((f) => f.linkBroadcast)).toEqual([true, undefined]);
  });
});
