/**
 * Findings of many peers fold (src/classify/fold-findings.ts): past the first MAX_PEER_FINDINGS
 * clients of one server (or servers of one client) with the same kind, severity and transport, the
 * rest become one finding whose client (server) is "*", counted, with every flow and a filter that
 * still selects them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ethernet, EtherType, ipPacket, IpProto, udpDatagram } from '../../samples/generator/packets.js';
import { analyze } from '../../src/analyze.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { classify, MAX_KIND_FINDINGS, MAX_PEER_FINDINGS, type Finding } from '../../src/classify/index.js';
import { reportToJson } from '../../src/index.js';
import { validateReport } from '../../src/report/validate.js';
import { pcapFile } from '../helpers/capture-builders.js';
import { hasTool, run, SAMPLES } from '../helpers/environment.js';
import { flow, siteTopology } from './flows.js';

const catalog = loadCatalog();
const topology = siteTopology();

/** The flows of `specs`, with ids 1, 2, ..., classified. */
function classified(specs: readonly string[]) {
  return classify(specs.map((spec, i) => flow({ spec, id: i + 1 })), { catalog, topology });
}

const folded = (list: readonly Finding[]) => list.filter((f) => f.client === '*' || f.server === '*');

describe('folding findings of many peers', () => {
  it('keeps a finding per client up to the limit, then folds the rest of one server\'s clients into one', () => {
    expect(MAX_PEER_FINDINGS).toBe(20);
    const specs = Array.from({ length: 25 }, (_, i) => `tcp 203.0.113.${i + 1}:40000 > 131.107.10.10:3389`);
    const r = classified(specs);
    const rdp = r.findings.filter((f) => f.kind === 'undocumented-port');
    expect(rdp).toHaveLength(21);
    expect(rdp.slice(0, 20).map((f) => f.client)).toEqual(specs.slice(0, 20).map((_, i) => `203.0.113.${i + 1}`));
    for (const f of rdp.slice(0, 20)) expect(f).not.toHaveProperty('clients');
    const [f] = folded(rdp);
    expect(f).toMatchObject({ client: '*', server: '131.107.10.10', clients: 5, flowCount: 5, flows: [21, 22, 23, 24, 25], ports: 'tcp/3389' });
    expect(f).not.toHaveProperty('servers');
    const kept = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 1}`).join(', ');
    expect(f.wiresharkFilter).toBe(`ip.addr==131.107.10.10 && !(ip.addr in {${kept}}) && tcp.port==3389 && tcp.port==40000`);
    expect(f.explanation).toContain('from 5 clients to 131.107.10.10');
    expect(f.explanation).toContain(`It folds 5 clients past the first ${MAX_PEER_FINDINGS} with this finding on one server, which appear in other findings.`);
    // Each flow still lists its finding kinds.
    expect(r.flowFindings.every((k) => k.includes('undocumented-port'))).toBe(true);
  });

  it('folds nothing at the limit, nor one peer past it (its address would be lost for nothing)', () => {
    for (const n of [MAX_PEER_FINDINGS, MAX_PEER_FINDINGS + 1]) {
      const r = classified(Array.from({ length: n }, (_, i) => `tcp 203.0.113.${i + 1}:40000 > 131.107.10.10:3389`));
      expect(r.findings.filter((f) => f.kind === 'undocumented-port')).toHaveLength(n);
      expect(folded(r.findings)).toEqual([]);
    }
  });

  it('counts each detail left out once, in a group and in a fold', () => {
    // Every flow quoted by the same 11 ICMP reporters: 10 details shown, 1 left out.
    const reporters = Array.from({ length: 11 }, (_, i) => ({ reporter: `192.0.2.${i + 1}` }));
    const one = classify([1, 2].map((id) => flow({ spec: `udp 203.0.113.1:${40000 + id} > 131.107.10.10:3389`, id, icmpErrors: reporters })), { catalog, topology });
    expect(one.findings.find((x) => x.kind === 'icmp-unreachable')!.explanation).toContain('; and 1 more, for 2 flows');
    const many = classify(Array.from({ length: 25 }, (_, i) => flow({ spec: `udp 203.0.113.${i + 1}:40000 > 131.107.10.10:3389`, id: i + 1, icmpErrors: reporters })), { catalog, topology });
    const [f] = folded(many.findings.filter((x) => x.kind === 'icmp-unreachable'));
    expect(f.clients).toBe(5);
    expect(f.explanation).toContain('; and 1 more, for 5 flows');
  });

  it('never folds IPv4 and IPv6 peers together', () => {
    const specs: string[] = [];
    for (let s = 1; s <= 22; s++) for (let c = 1; c <= 22; c++) specs.push(`udp 203.0.113.${c}:40000 > 131.107.20.${s}:3389`);
    for (let s = 1; s <= 22; s++) for (let c = 1; c <= 22; c++) specs.push(`udp [2001:db8:100::${c}]:40000 > [2001:db8:20::${s}]:3389`);
    const list = classified(specs).findings.filter((f) => f.kind === 'undocumented-port');
    expect(list.filter((f) => f.client === '*' && f.server === '*')).toHaveLength(2);
    // The filters name the family of the flows counted in their findings: 484 of each.
    const flowsOf = (v6: boolean) => list.filter((f) => f.wiresharkFilter.startsWith('ipv6') === v6).reduce((n, f) => n + f.flowCount, 0);
    expect([flowsOf(false), flowsOf(true)]).toEqual([22 * 22, 22 * 22]);
    for (const f of list) expect(f.flows.every((id) => id > 22 * 22) === f.wiresharkFilter.startsWith('ipv6'), f.wiresharkFilter).toBe(true);
  });

  it('folds the servers of one client past the limit (a sweep of a subnet)', () => {
    const r = classified(Array.from({ length: 30 }, (_, i) => `tcp 203.0.113.200:45555 > 131.107.10.${i + 1}:3389`));
    const rdp = r.findings.filter((f) => f.kind === 'undocumented-port');
    expect(rdp).toHaveLength(21);
    const [f] = folded(rdp);
    expect(f).toMatchObject({ client: '203.0.113.200', server: '*', servers: 10, flowCount: 10 });
    const kept = Array.from({ length: 20 }, (_, i) => `131.107.10.${i + 1}`).join(', ');
    expect(f.wiresharkFilter).toBe(`ip.addr==203.0.113.200 && !(ip.addr in {${kept}}) && tcp.port==3389 && tcp.port==45555`);
    expect(f.explanation).toContain('from 203.0.113.200 to 10 servers');
  });

  it('folds many clients to many servers down to the kind limit, and every flow stays in exactly one finding of its kind', () => {
    const specs: string[] = [];
    for (let c = 1; c <= 30; c++) for (let s = 1; s <= 30; s++) specs.push(`tcp 203.0.113.${c}:40000 > 131.107.10.${s}:3389`);
    const rdp = classified(specs).findings.filter((f) => f.kind === 'undocumented-port');
    // Per server 20 clients and a fold, then per client 20 servers and a fold: 21 x 21 findings, past the kind limit.
    expect(rdp).toHaveLength(MAX_KIND_FINDINGS + 1);
    const both = rdp.filter((f) => f.client === '*' && f.server === '*');
    expect(both).toHaveLength(1);
    expect(both[0].wiresharkFilter).toBe('ip && tcp.port==3389 && tcp.port==40000');
    expect(rdp.reduce((n, f) => n + f.flowCount, 0)).toBe(900);
    const ids = rdp.flatMap((f) => f.flows);
    expect(new Set(ids).size).toBe(ids.length); // no flow in two findings (flows lists are cut at 100: the fold's are not all here)
  });

  it('folds past MAX_KIND_FINDINGS of one kind whatever the peers: flows that each have a client and a server of their own', () => {
    expect(MAX_KIND_FINDINGS).toBe(100);
    const r = classified(Array.from({ length: 300 }, (_, i) => `udp 10.1.${i >> 8}.${i & 255}:4000 > 172.16.${i >> 8}.${i & 255}:3389`));
    const list = r.findings.filter((f) => f.kind === 'undocumented-port');
    expect(list).toHaveLength(101);
    const [f] = folded(list);
    expect(f).toMatchObject({ client: '*', server: '*', clients: 200, servers: 200, flowCount: 200 });
    expect(f.flows[0]).toBe(101);
    expect(f.explanation).toContain('from 200 clients to 200 servers');
    expect(f.explanation).toContain(`It folds the findings past the first ${MAX_KIND_FINDINGS} of this kind, severity, transport and address family.`);
    expect(f.wiresharkFilter).toBe('ip && udp.port==3389 && udp.port==4000');
  });

  it('past the kind limit, keeps a side that all the folded flows share', () => {
    const pairs = Array.from({ length: 100 }, (_, i) => `udp 10.1.0.${i + 1}:4000 > 172.16.0.${i + 1}:3389`);
    const sweep = Array.from({ length: 21 }, (_, i) => `udp 203.0.113.7:4000 > 198.51.100.${i + 1}:3389`);
    const [f] = folded(classified([...pairs, ...sweep]).findings.filter((x) => x.kind === 'undocumented-port'));
    expect(f).toMatchObject({ client: '203.0.113.7', server: '*', servers: 21, flowCount: 21 });
    expect(f).not.toHaveProperty('clients');
    expect(f.wiresharkFilter).toBe('ip.addr==203.0.113.7 && udp.port==3389 && udp.port==4000');
    expect(f.explanation).toContain('from 203.0.113.7 to 21 servers');
  });

  it('bounds the findings of a flood spread over many relay addresses', () => {
    const specs: string[] = [];
    for (let c = 0; c < 40; c++) for (let s = 1; s <= 50; s++) specs.push(`udp 10.2.${s}.${c + 1}:4000 > 131.107.30.${s}:3389`);
    const list = classified(specs).findings.filter((f) => f.kind === 'undocumented-port');
    expect(list).toHaveLength(MAX_KIND_FINDINGS + 1);
    expect(list.reduce((n, f) => n + f.flowCount, 0)).toBe(2000);
    const ids = list.flatMap((f) => f.flows);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes IPv6 filters for a folded side', () => {
    const r = classified(Array.from({ length: 22 }, (_, i) => `tcp [2001:db8:100::${i + 1}]:40000 > [2001:db8:10::10]:3389`));
    const [f] = folded(r.findings.filter((x) => x.kind === 'undocumented-port'));
    expect(f.wiresharkFilter).toMatch(/^ipv6\.addr==2001:db8:10::10 && !\(ipv6\.addr in \{2001:db8:100::1, .*2001:db8:100::20\}\) && tcp\.port==3389 && tcp\.port==40000$/);
  });

  it.skipIf(!hasTool('tshark'))('writes filters of folded findings that tshark accepts', () => {
    const clients = Array.from({ length: 25 }, (_, i) => `udp 203.0.113.${i + 1}:40000 > 131.107.10.1:5000`);
    const servers = Array.from({ length: 25 }, (_, i) => `udp 203.0.113.200:40000 > 131.107.10.${i + 1}:5000`);
    const pairs = Array.from({ length: 150 }, (_, i) => `udp 10.1.0.${i + 1}:4000 > 172.16.0.${i + 1}:5000`);
    const shapes = [clients, servers, pairs].map((specs) => folded(classified(specs).findings)[0]);
    for (const f of shapes) {
      if (f === undefined) throw new Error('a fold is missing');
      const r = run('tshark', ['-r', `${SAMPLES}/edge-dmz.pcapng`, '-Y', f.wiresharkFilter, '-T', 'fields', '-e', 'frame.number']);
      expect(r.status, `${f.wiresharkFilter}\n${r.stderr}`).toBe(0);
    }
  });

  it.skipIf(!hasTool('tshark'))('in a real capture, the filter of a folded finding selects the folded flows and only them', async () => {
    const l2 = { src: '00:15:5d:00:00:01', dst: '00:15:5d:00:00:02' };
    const frames: Buffer[] = [];
    for (let c = 1; c <= 25; c++) {
      const ip = `203.0.113.${c}`;
      frames.push(ethernet(l2, EtherType.IPv4, ipPacket({ src: ip, dst: '131.107.10.10', ttl: 64 }, IpProto.UDP, udpDatagram(ip, '131.107.10.10', 40000, 3389, Buffer.alloc(20, 1)))));
    }
    const file = join(mkdtempSync(join(tmpdir(), 'flowaudit-fold-')), 'fold.pcap');
    writeFileSync(file, pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000, frac: i * 1000, data }))));
    const report = await analyze([file]);
    expect(validateReport(JSON.parse(reportToJson(report)))).toEqual([]);
    const [f] = folded(report.findings);
    expect(f).toMatchObject({ clients: 5, flowCount: 5, flows: [21, 22, 23, 24, 25] });
    const selected = run('tshark', ['-r', file, '-Y', f.wiresharkFilter, '-T', 'fields', '-e', 'frame.number']);
    expect(selected.stdout.trim().split('\n').map(Number)).toEqual([21, 22, 23, 24, 25]);
  });
});
