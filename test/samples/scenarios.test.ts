/**
 * The internal-pool and federation samples against their truth files: the
 * test's own capture reader (packets, bytes, frames, times, checksums, ICMP)
 * and, when installed, capinfos and tshark (packet counts, conversations,
 * checksums, malformed packets, SNI).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { parseFrame, readCapture, type Rec } from './capture-reader.js';
import { SAMPLES, has, realErrors, run } from './tools.js';

const SCENARIOS = ['internal-pool', 'federation'] as const;
const HAVE = has('tshark') && has('capinfos');

const load = (name: string) => JSON.parse(readFileSync(join(SAMPLES, `${name}.truth.json`), 'utf8')) as Truth;
const protoOf = (f: TruthFlow) => (f.transport === 'tcp' ? 6 : 17);
const key = (proto: number, src: string, sport: number, dst: string, dport: number) => `${proto} ${src}:${sport} ${dst}:${dport}`;
const tuple = (f: TruthFlow) => `${f.transport} ${f.client.ip}:${f.client.port} ${f.server.ip}:${f.server.port}`;

/** Per truth flow: packets, frame bytes, payload bytes per direction, first and last frame and time. */
function aggregate(truth: Truth, recs: Rec[]) {
  const byKey = new Map<string, [TruthFlow, boolean]>();
  for (const f of truth.flows) {
    byKey.set(key(protoOf(f), f.client.ip, f.client.port, f.server.ip, f.server.port), [f, true]);
    byKey.set(key(protoOf(f), f.server.ip, f.server.port, f.client.ip, f.client.port), [f, false]);
  }
  const seen = new Map<TruthFlow, { pk: number[]; by: number[]; pl: number[]; first: number; last: number; firstTs: bigint; lastTs: bigint }>();
  const unmatched: number[] = [];
  const icmp: { frame: number; type?: number; code?: number; quoted?: unknown; len: number }[] = [];
  recs.forEach((rec, i) => {
    const p = parseFrame(rec.data);
    if (p.proto === 1 || p.proto === 58) {
      icmp.push({ frame: i + 1, type: p.icmpType, code: p.icmpCode, quoted: p.quoted, len: rec.origLen });
      return;
    }
    const m = byKey.get(key(p.proto, p.src, p.sport, p.dst, p.dport));
    if (!m) {
      unmatched.push(i + 1);
      return;
    }
    const [f, fromClient] = m;
    const s = seen.get(f) ?? { pk: [0, 0], by: [0, 0], pl: [0, 0], first: i + 1, last: 0, firstTs: rec.tsNs, lastTs: 0n };
    const d = fromClient ? 0 : 1;
    s.pk[d]++;
    s.by[d] += rec.origLen;
    s.pl[d] += p.payloadLen;
    s.last = i + 1;
    s.lastTs = rec.tsNs;
    seen.set(f, s);
  });
  return { seen, unmatched, icmp };
}

describe.each(SCENARIOS)('%s samples against the truth', (name) => {
  const truth = load(name);
  const pcap = readCapture(readFileSync(join(SAMPLES, `${name}.pcap`)));
  const pcapng = readCapture(readFileSync(join(SAMPLES, `${name}.pcapng`)));

  it('pcap and pcapng carry the same frames at the same instants, as many as the truth says', () => {
    expect(pcap.length).toBe(truth.totals.packets);
    expect(pcapng.length).toBe(truth.totals.packets);
    expect(pcapng.every((r, i) => r.data.equals(pcap[i].data) && r.tsNs === pcap[i].tsNs)).toBe(true);
  });

  it.each(['pcap', 'pcapng'])('every frame of the %s belongs to a truth flow or ICMP error, with the truth counts', (ext) => {
    const recs = ext === 'pcap' ? pcap : pcapng;
    const { seen, unmatched, icmp } = aggregate(truth, recs);
    expect(unmatched).toEqual([]);
    expect(seen.size).toBe(truth.flows.length);
    for (const f of truth.flows) {
      const s = seen.get(f)!;
      expect({ label: f.label, pk: s.pk, by: s.by, pl: s.pl, first: s.first, last: s.last }).toEqual({
        label: f.label, pk: [f.packets.fromClient, f.packets.fromServer], by: [f.bytes.fromClient, f.bytes.fromServer],
        pl: [f.payloadBytes.fromClient, f.payloadBytes.fromServer], first: f.firstFrame, last: f.lastFrame,
      });
      expect(Number(s.firstTs / 1000n) / 1e6).toBe(f.firstSeen);
      expect(Number(s.lastTs / 1000n) / 1e6).toBe(f.lastSeen);
    }
    expect(icmp.map((m) => m.frame)).toEqual(truth.icmp.map((t) => t.frame));
    for (const t of truth.icmp) {
      const m = icmp.find((x) => x.frame === t.frame)!;
      const f = truth.flows[t.flowId];
      expect([m.type, m.code, m.len]).toEqual([t.type, t.code, t.bytes]);
      expect(m.quoted).toEqual({ src: f.client.ip, dst: f.server.ip, proto: protoOf(f), sport: f.client.port, dport: f.server.port });
    }
  });

  it('has correct checksums on every frame and non-decreasing timestamps', () => {
    expect(pcap.map((r, i) => ({ frame: i + 1, bad: parseFrame(r.data).badChecksums })).filter((x) => x.bad.length > 0)).toEqual([]);
    for (let i = 1; i < pcap.length; i++) expect(pcap[i].tsNs >= pcap[i - 1].tsNs).toBe(true);
  });

  it('stays under 100 KB per capture, in the files the truth describes', () => {
    for (const ext of ['pcap', 'pcapng']) {
      const size = readFileSync(join(SAMPLES, `${name}.${ext}`)).length;
      expect(size).toBe(truth.files[`${name}.${ext}`].sizeBytes);
      expect(size).toBeLessThan(100_000);
    }
  });

  it('has documented, misdirected and undocumented flows, and failures on documented ports', () => {
    const verdicts = new Set(truth.flows.map((f) => f.expected!.verdict));
    expect([...verdicts].sort()).toEqual(['documented', 'misdirected', 'undocumented']);
    const failing = truth.flows.filter((f) => f.failure && f.expected!.verdict === 'documented');
    expect(failing.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!HAVE)('internal-pool and federation read by Wireshark tools', () => {
  const files = SCENARIOS.flatMap((n) => [`${n}.pcap`, `${n}.pcapng`].map((f) => [n, join(SAMPLES, f)] as const));
  const tshark = (file: string, ...args: string[]) => {
    const r = run('tshark', ['-n', '-r', file, ...args]);
    expect(realErrors(r.stderr)).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it.each(files)('capinfos counts the truth packet count (%s, %s)', (name, file) => {
    const r = run('capinfos', ['-T', '-c', '-M', file]);
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim().split('\n')[1].split('\t')[1])).toBe(load(name).totals.packets);
  });

  it.each(files)('tshark conversations agree with the truth frames per flow (%s, %s)', (name, file) => {
    const truth = load(name);
    const out = tshark(file, '-q', '-z', 'conv,tcp', '-z', 'conv,udp');
    let transport = '';
    const convs = new Map<string, number[]>();
    for (const line of out.split('\n')) {
      if (line.startsWith('TCP Conversations')) transport = 'tcp';
      if (line.startsWith('UDP Conversations')) transport = 'udp';
      const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+) \d+ \S+\s+(\d+) \d+ \S+/.exec(line);
      if (m) convs.set(`${transport} ${m[1]}:${m[2]} ${m[3]}:${m[4]}`, [Number(m[6]), Number(m[5])]);
    }
    expect(convs.size).toBe(truth.flows.length);
    for (const f of truth.flows) expect(convs.get(tuple(f)), f.label).toEqual([f.packets.fromClient, f.packets.fromServer]);
  });

  it.each(files)('tshark finds no bad checksum (%s, %s)', (name, file) => {
    const out = tshark(file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-T', 'fields', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status', '-e', 'icmp.checksum.status');
    const lines = out.trim().split('\n');
    expect(lines.length).toBe(load(name).totals.packets);
    expect(lines.filter((l) => { const v = l.split(/[\t,]/).filter(Boolean); return v.includes('0') || !v.includes('1'); })).toEqual([]);
  });

  it.each(SCENARIOS)('%s: malformed packets only on MS-TURN UDP (unpadded attributes), and every ClientHello has the truth SNI', (name) => {
    const truth = load(name);
    const file = join(SAMPLES, `${name}.pcapng`);
    const bad = tshark(file, '-Y', '_ws.malformed || _ws.expert.severity >= 8388608', '-T', 'fields', '-e', 'ip.src', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'udp.dstport');
    const msturn = new Set(truth.flows.filter((f) => f.transport === 'udp' && f.app?.stunDialect === 'ms-turn').flatMap((f) => [
      `${f.client.ip} ${f.client.port} ${f.server.ip} ${f.server.port}`, `${f.server.ip} ${f.server.port} ${f.client.ip} ${f.client.port}`]));
    for (const l of bad.trim().split('\n').filter(Boolean)) expect(msturn.has(l.split('\t').join(' ')), l).toBe(true);
    const hellos = new Map<string, string>();
    const out = tshark(file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport',
      '-e', 'tls.handshake.extensions_server_name', '-d', 'tcp.port==8057,tls', '-d', 'tcp.port==5062,tls', '-d', 'tcp.port==5070,tls',
      '-d', 'tcp.port==50001,tls', '-d', 'tcp.port==444,tls', '-d', 'tcp.port==8443,tls');
    for (const line of out.split('\n').filter(Boolean)) {
      const [s, sp, d, dp, sni] = line.split('\t');
      hellos.set(`tcp ${s}:${sp} ${d}:${dp}`, sni ?? '');
    }
    const tls = truth.flows.filter((f) => f.app?.protocol === 'tls' || f.app?.protocol === 'ms-turn-tcp');
    expect(tls.length).toBeGreaterThanOrEqual(4);
    for (const f of tls) expect(hellos.get(tuple(f)), f.label).toBe(f.app?.sni ?? '');
  });
});
