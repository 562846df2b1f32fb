/**
 * Wireshark's tools as a second opinion on the generator (not on the
 * analyser): capinfos and tshark read every sample, tshark's conversations
 * agree with the truth, no checksum is bad, TLS hellos carry the truth's SNI,
 * RTP streams have the truth's packet counts and loss. Skipped when the tools
 * are not installed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapOf, pcapngOf } from '../../samples/generator/samples.js';
import { buildEdgeDmz } from '../../samples/generator/scenarios/edge-dmz.js';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { SAMPLES, has, realErrors, run } from './tools.js';

const HAVE = has('tshark') && has('capinfos');
if (!HAVE) console.warn('test/samples/tshark.test.ts: tshark or capinfos not installed, skipping the Wireshark cross-checks');

const truth = JSON.parse(readFileSync(join(SAMPLES, 'edge-dmz.truth.json'), 'utf8')) as Truth;
const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-tshark-'));
const beNs = join(tmp, 'edge-dmz-be-ns.pcap');
const bePcapng = join(tmp, 'edge-dmz-be.pcapng');
writeFileSync(beNs, pcapOf(buildEdgeDmz(), { byteOrder: 'be', resolution: 'ns' }));
writeFileSync(bePcapng, pcapngOf(buildEdgeDmz(), 'be'));
const FILES = [join(SAMPLES, 'edge-dmz.pcap'), join(SAMPLES, 'edge-dmz.pcapng'), beNs, bePcapng];

const tshark = (file: string, ...args: string[]) => {
  const r = run('tshark', ['-n', '-r', file, ...args]);
  expect(realErrors(r.stderr)).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};

const tuple = (f: TruthFlow) => `${f.transport} ${f.client.ip}:${f.client.port} ${f.server.ip}:${f.server.port}`;

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!HAVE)('samples read by Wireshark tools', () => {
  it.each(FILES)('capinfos counts the truth packet count in %s', (file) => {
    const r = run('capinfos', ['-T', '-c', '-M', file]);
    expect(r.status).toBe(0);
    const [, line] = r.stdout.trim().split('\n');
    expect(Number(line.split('\t')[1])).toBe(truth.totals.packets);
  });

  it.each(FILES)('tshark conversations in %s agree with the truth per flow (frames exact, bytes to the unit shown)', (file) => {
    const out = tshark(file, '-q', '-z', 'conv,tcp', '-z', 'conv,udp');
    let transport = '';
    const convs = new Map<string, number[]>();
    const unit = { bytes: 1, kB: 1000, MB: 1_000_000 } as Record<string, number>;
    for (const line of out.split('\n')) {
      if (line.startsWith('TCP Conversations')) transport = 'tcp';
      if (line.startsWith('UDP Conversations')) transport = 'udp';
      const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+) (\d+) (bytes|kB|MB)\s+(\d+) (\d+) (bytes|kB|MB)/.exec(line);
      if (!m) continue;
      // "<-" is B to A, "->" is A to B; A is the side that sent the conversation's first frame.
      convs.set(`${transport} ${m[1]}:${m[2]} ${m[3]}:${m[4]}`, [Number(m[8]), Number(m[9]) * unit[m[10]], Number(m[5]), Number(m[6]) * unit[m[7]], unit[m[10]], unit[m[7]]]);
    }
    expect(convs.size).toBe(truth.flows.length);
    for (const f of truth.flows) {
      const c = convs.get(tuple(f));
      expect(c, tuple(f)).toBeDefined();
      const [aFrames, aBytes, bFrames, bBytes, aUnit, bUnit] = c!;
      expect([aFrames, bFrames], f.label).toEqual([f.packets.fromClient, f.packets.fromServer]);
      expect(Math.abs(aBytes - f.bytes.fromClient), f.label).toBeLessThan(aUnit);
      expect(Math.abs(bBytes - f.bytes.fromServer), f.label).toBeLessThan(bUnit);
    }
  });

  it('tshark frame lengths summed per flow give exactly the truth bytes', () => {
    const out = tshark(join(SAMPLES, 'edge-dmz.pcapng'), '-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.len', '-e', 'ip.src', '-e', 'ipv6.src',
      '-e', 'tcp.srcport', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'udp.dstport', '-e', 'icmp.type', '-e', 'icmpv6.type');
    const sums = new Map<string, number>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [len, s4, s6, st, su, d4, d6, dt, du, icmp, icmp6] = line.split('\t');
      if (icmp || icmp6) continue;
      const k = `${st ? 'tcp' : 'udp'} ${s4 || s6}:${st || su} ${d4 || d6}:${dt || du}`;
      sums.set(k, (sums.get(k) ?? 0) + Number(len));
    }
    for (const f of truth.flows) {
      const back = `${f.transport} ${f.server.ip}:${f.server.port} ${f.client.ip}:${f.client.port}`;
      expect([sums.get(tuple(f)) ?? 0, sums.get(back) ?? 0], f.label).toEqual([f.bytes.fromClient, f.bytes.fromServer]);
    }
  });

  it.each(FILES)('tshark finds no bad IPv4, TCP, UDP, ICMP or ICMPv6 checksum in %s', (file) => {
    const out = tshark(file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-T', 'fields', '-e', 'frame.number', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status',
      '-e', 'icmp.checksum.status', '-e', 'icmpv6.checksum.status');
    const lines = out.trim().split('\n');
    expect(lines.length).toBe(truth.totals.packets);
    // Status 1 = good, 0 = bad, 2 = not checked; every frame must have at least one good and no bad.
    const bad = lines.filter((l) => { const v = l.split('\t').slice(1).join(',').split(',').filter(Boolean); return v.includes('0') || !v.includes('1'); });
    expect(bad).toEqual([]);
  });

  it('tshark reports malformed packets only on MS-TURN UDP messages (it pads attributes, MS-TURN does not)', () => {
    const out = tshark(join(SAMPLES, 'edge-dmz.pcapng'), '-Y', '_ws.malformed || _ws.expert.severity >= 8388608', '-T', 'fields',
      '-e', 'ip.src', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'udp.dstport');
    const msturn = new Set(truth.flows.filter((f) => f.transport === 'udp' && f.app?.stunDialect === 'ms-turn').flatMap((f) => [
      `${f.client.ip} ${f.client.port} ${f.server.ip} ${f.server.port}`, `${f.server.ip} ${f.server.port} ${f.client.ip} ${f.client.port}`]));
    const lines = out.trim().split('\n').filter(Boolean).map((l) => l.split('\t').join(' '));
    expect(lines.length).toBeGreaterThan(0); // the 401 with its 61-byte ERROR-CODE is one
    for (const l of lines) expect(msturn.has(l), l).toBe(true);
  });

  it('every ClientHello carries the SNI and ALPN of its flow in the truth', () => {
    const out = tshark(join(SAMPLES, 'edge-dmz.pcapng'), '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'ip.src', '-e', 'ipv6.src',
      '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.extensions_alpn_str',
      '-d', 'tcp.port==8057,tls');
    const hellos = new Map<string, string>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [s4, s6, sp, d4, d6, dp, sni, alpn] = line.split('\t');
      hellos.set(`tcp ${s4 || s6}:${sp} ${d4 || d6}:${dp}`, `${sni ?? ''}|${alpn ?? ''}`);
    }
    const withHello = truth.flows.filter((f) => (f.app?.protocol === 'tls' && f.state !== 'OTH') || f.app?.protocol === 'ms-turn-tcp');
    expect(withHello.length).toBe(11);
    for (const f of withHello) expect(hellos.get(tuple(f)), f.label).toBe(`${f.app?.sni ?? ''}|${f.app?.alpn?.join(',') ?? ''}`);
    expect(hellos.size).toBe(withHello.length);
  });

  it('RTP streams (heuristic dissection) have the truth packet counts, and the 2 lost packets', () => {
    const out = tshark(join(SAMPLES, 'edge-dmz.pcap'), '-q', '-o', 'rtp.heuristic_rtp:TRUE', '-z', 'rtp,streams');
    const streams = out.split('\n').map((l) => /^\s*[\d.]+\s+[\d.]+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+0x([0-9A-F]+)\s+\S+\s+(\d+)\s+(-?\d+)/.exec(l)).filter(Boolean);
    const rtp = truth.flows.filter((f) => f.app?.protocol === 'rtp');
    expect(streams.length).toBe(2 * rtp.length);
    for (const f of rtp) {
      const up = streams.find((m) => m![1] === f.client.ip && Number(m![2]) === f.client.port)!;
      const down = streams.find((m) => m![1] === f.server.ip && Number(m![2]) === f.server.port)!;
      expect(parseInt(up[5], 16)).toBe(f.app!.rtpSsrc!.fromClient);
      expect(parseInt(down[5], 16)).toBe(f.app!.rtpSsrc!.fromServer);
      expect([Number(up[6]), Number(down[6])]).toEqual([f.packets.fromClient, f.packets.fromServer]);
      expect(Number(up[7])).toBe(0);
      expect(Number(down[7])).toBe(f.label === 'rtp-media-edge-to-peer' ? 2 : 0);
    }
  });
});
