/**
 * Oracle, exact bytes: tshark rounds large byte counts in its conversation
 * tables (kB, MB), so the exact bytes per flow and direction are checked here
 * against the sum of tshark's own `frame.len` over the frames it decodes as
 * TCP or UDP. As in the conversation test, IP reassembly is off and non-first
 * fragments are subtracted from our side. Unlike the conversation tables,
 * tshark's per-frame fields do include TCP segments whose header the snaplen
 * cut, so no allowance is made for those. Two kinds of frames are set apart,
 * and their number must equal our own count of them: segments with a bogus TCP
 * header length (tshark still shows their ports; they are the fate
 * tcp_bad_data_offset for us), and records claiming a frame length no link
 * carries (tshark clamps it to 2^31-1; we count the captured length and
 * wire_length_implausible).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, sharedCaptures, skipNote, tsharkOutput, TSHARK_GUESSES_FORMAT } from '../helpers/environment.js';

const ready = hasSharedCaptures && hasTool('tshark');
skipNote('tshark frame-length oracle', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

type Directed = Map<string, { frames: number; bytes: number }>;

function bump(map: Directed, key: string, frames: number, bytes: number) {
  const v = map.get(key) ?? { frames: 0, bytes: 0 };
  v.frames += frames;
  v.bytes += bytes;
  map.set(key, v);
}

/** "tcp a|pa>b|pb" for each direction. */
const dirKey = (t: string, a: string, pa: number, b: string, pb: number) => `${t} ${a}|${pa}>${b}|${pb}`;

const MAX_PLAUSIBLE_FRAME = 262_144;

function tsharkFrames(file: string): { map: Directed; bogusTcpHeaders: number; implausibleLengths: number } {
  const out = tsharkOutput(['-n', '-r', file, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
    '-Y', 'tcp || udp', '-T', 'fields', '-E', 'separator=\t',
    '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.protocols', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst',
    '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', '_ws.expert.message']);
  const map: Directed = new Map();
  let bogusTcpHeaders = 0;
  let implausibleLengths = 0;
  for (const line of out.split('\n')) {
    if (!line) continue;
    const fields = line.split('\t');
    const expert = fields.pop() ?? '';
    // The first value of each field is the outer header's; the outer transport is the first
    // of tcp/udp/icmp in the protocol stack (Teredo, GTP... carry another one inside, and an
    // ICMP error quotes one: that frame belongs to an ICMP flow).
    const [len, capLen, protocols, ip4s, ip4d, ip6s, ip6d, ts, td, us, ud] = fields.map((f) => f.split(',')[0]);
    const stack = protocols.split(':');
    const outerIp = stack.find((p) => p === 'ip' || p === 'ipv6');
    const transport = stack.find((p) => p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'icmpv6');
    if (transport !== 'tcp' && transport !== 'udp') continue;
    if (transport === 'tcp' && /Bogus TCP header length|Short segment/.test(expert)) { bogusTcpHeaders++; continue; }
    let bytes = Number(len);
    if (bytes > MAX_PLAUSIBLE_FRAME) { implausibleLengths++; bytes = Number(capLen); }
    const [src, dst] = outerIp === 'ip' ? [ip4s, ip4d] : [ip6s, ip6d];
    const [sp, dp] = transport === 'tcp' ? [ts, td] : [us, ud];
    bump(map, dirKey(transport!, src, Number(sp), dst, Number(dp)), 1, bytes);
  }
  return { map, bogusTcpHeaders, implausibleLengths };
}

describe.skipIf(!ready)('bytes per flow and direction equal the sum of tshark frame.len', () => {
  for (const name of sharedCaptures()) {
    it(name, async () => {
      const file = join(SHARED_CAPTURES, name);
      const report = await analyze([file]);
      if (name === TSHARK_GUESSES_FORMAT) {
        // See packet-counts.test.ts: tshark reads this damaged file as another pcap variant, under
        // which not even its first frame is IP. We read it as its magic number says.
        expect(tsharkFrames(file).map.size).toBe(0);
        expect(report.inputs[0].stopped).toMatchObject({ kind: 'corrupt', afterPackets: 1 });
        return;
      }
      const ours: Directed = new Map();
      for (const f of report.flows) {
        if (f.transport !== 'tcp' && f.transport !== 'udp') continue;
        const fc = f.fragments?.fromClient ?? { packets: 0, bytes: 0 };
        const fs = f.fragments?.fromServer ?? { packets: 0, bytes: 0 };
        const c2s = dirKey(f.transport, f.client.ip, f.client.port, f.server.ip, f.server.port);
        const s2c = dirKey(f.transport, f.server.ip, f.server.port, f.client.ip, f.client.port);
        if (f.packets.fromClient - fc.packets > 0) bump(ours, c2s, f.packets.fromClient - fc.packets, f.bytes.fromClient - fc.bytes);
        if (f.packets.fromServer - fs.packets > 0) bump(ours, s2c, f.packets.fromServer - fs.packets, f.bytes.fromServer - fs.bytes);
      }
      const { map: theirs, bogusTcpHeaders, implausibleLengths } = tsharkFrames(file);
      const count = (name: string) => report.inputs.reduce((n, i) => n + (i.anomalies[name] ?? 0), 0);
      expect(bogusTcpHeaders).toBe(count('tcp_bad_data_offset'));
      expect(implausibleLengths).toBe(count('wire_length_implausible'));
      const diff: string[] = [];
      for (const key of new Set([...ours.keys(), ...theirs.keys()])) {
        const o = ours.get(key);
        const t = theirs.get(key);
        if (o?.frames !== t?.frames || o?.bytes !== t?.bytes) diff.push(`${key}: ours ${JSON.stringify(o)} tshark ${JSON.stringify(t)}`);
      }
      expect(diff).toEqual([]);
    });
  }
});
