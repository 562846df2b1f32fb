/**
 * The committed edge-dmz samples against their truth file, using the test's
 * own capture reader (capture-reader.ts): packet and byte counts per flow,
 * timestamps, checksums, interfaces, VLANs, and the scenario's required cases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcapOf, pcapngOf } from '../../samples/generator/samples.js';
import { buildEdgeDmz } from '../../samples/generator/scenarios/edge-dmz.js';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { parseFrame, readCapture, type Pkt, type Rec } from './capture-reader.js';

const SAMPLES = join(__dirname, '../../samples');
const truth = JSON.parse(readFileSync(join(SAMPLES, 'edge-dmz.truth.json'), 'utf8')) as Truth;
const pcap = readCapture(readFileSync(join(SAMPLES, 'edge-dmz.pcap')));
const pcapng = readCapture(readFileSync(join(SAMPLES, 'edge-dmz.pcapng')));

const key = (src: string, sport: number, dst: string, dport: number, proto: number) => `${proto} ${src}:${sport} ${dst}:${dport}`;
const protoOf = (f: TruthFlow) => (f.transport === 'tcp' ? 6 : 17);
const seconds = (ns: bigint) => Number(ns / 1000n) / 1e6;

interface Seen {
  flow: TruthFlow;
  pk: { c: number; s: number };
  by: { c: number; s: number };
  pl: { c: number; s: number };
  first?: number;
  last?: number;
  firstTs?: bigint;
  lastTs?: bigint;
  ifaces: Set<number>;
  vlans: Set<number | null>;
}

/** Aggregates frames per truth flow by 5-tuple in either direction. */
function aggregate(recs: Rec[]): { seen: Map<TruthFlow, Seen>; icmp: { frame: number; pkt: Pkt; rec: Rec }[]; unmatched: number[] } {
  const byKey = new Map<string, { flow: TruthFlow; fromClient: boolean }>();
  for (const f of truth.flows) {
    byKey.set(key(f.client.ip, f.client.port, f.server.ip, f.server.port, protoOf(f)), { flow: f, fromClient: true });
    byKey.set(key(f.server.ip, f.server.port, f.client.ip, f.client.port, protoOf(f)), { flow: f, fromClient: false });
  }
  const seen = new Map<TruthFlow, Seen>();
  const icmp: { frame: number; pkt: Pkt; rec: Rec }[] = [];
  const unmatched: number[] = [];
  recs.forEach((rec, i) => {
    const frame = i + 1;
    const p = parseFrame(rec.data);
    if (p.proto === 1 || p.proto === 58) {
      icmp.push({ frame, pkt: p, rec });
      return;
    }
    const m = byKey.get(key(p.src, p.sport, p.dst, p.dport, p.proto));
    if (!m) {
      unmatched.push(frame);
      return;
    }
    let s = seen.get(m.flow);
    if (!s) {
      s = { flow: m.flow, pk: { c: 0, s: 0 }, by: { c: 0, s: 0 }, pl: { c: 0, s: 0 }, ifaces: new Set(), vlans: new Set() };
      seen.set(m.flow, s);
    }
    const d = m.fromClient ? 'c' : 's';
    s.pk[d]++;
    s.by[d] += rec.origLen;
    s.pl[d] += p.payloadLen;
    s.first ??= frame;
    s.firstTs ??= rec.tsNs;
    s.last = frame;
    s.lastTs = rec.tsNs;
    s.ifaces.add(rec.iface);
    s.vlans.add(p.vlan);
  });
  return { seen, icmp, unmatched };
}

describe.each([['edge-dmz.pcap', pcap], ['edge-dmz.pcapng', pcapng]] as const)('%s against the truth', (name, recs) => {
  const { seen, icmp, unmatched } = aggregate(recs);

  it('has the packet count the truth records, every frame belonging to a flow or an ICMP error', () => {
    expect(recs.length).toBe(truth.files[name].packets);
    expect(recs.length).toBe(truth.totals.packets);
    expect(unmatched).toEqual([]);
    expect(icmp.length).toBe(truth.icmp.length);
  });

  it('matches every flow: packets, frame bytes and payload bytes per direction, first/last frame and time', () => {
    for (const f of truth.flows) {
      const s = seen.get(f);
      expect(s, f.label).toBeDefined();
      expect({ label: f.label, pk: s!.pk, by: s!.by, pl: s!.pl, first: s!.first, last: s!.last }).toEqual({
        label: f.label,
        pk: { c: f.packets.fromClient, s: f.packets.fromServer },
        by: { c: f.bytes.fromClient, s: f.bytes.fromServer },
        pl: { c: f.payloadBytes.fromClient, s: f.payloadBytes.fromServer },
        first: f.firstFrame,
        last: f.lastFrame,
      });
      expect(seconds(s!.firstTs!)).toBe(f.firstSeen);
      expect(seconds(s!.lastTs!)).toBe(f.lastSeen);
      expect([...s!.vlans]).toEqual([f.vlan]);
    }
  });

  it('has ICMP errors where the truth says, each quoting the flow it is attributed to', () => {
    for (const t of truth.icmp) {
      const m = icmp.find((x) => x.frame === t.frame);
      expect(m, `ICMP frame ${t.frame}`).toBeDefined();
      const flow = truth.flows[t.flowId];
      expect({ type: m!.pkt.icmpType, code: m!.pkt.icmpCode, src: m!.pkt.src, dst: m!.pkt.dst }).toEqual({ type: t.type, code: t.code, src: t.from, dst: t.to });
      expect(m!.pkt.quoted).toEqual({ src: flow.client.ip, dst: flow.server.ip, proto: protoOf(flow), sport: flow.client.port, dport: flow.server.port });
      expect(m!.rec.origLen).toBe(t.bytes);
    }
    for (const f of truth.flows) expect(f.icmpErrors).toBe(truth.icmp.filter((t) => t.flowId === f.id).length);
  });

  it('has correct IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums on every frame', () => {
    const bad = recs.map((r, i) => ({ frame: i + 1, bad: parseFrame(r.data).badChecksums })).filter((x) => x.bad.length > 0);
    expect(bad).toEqual([]);
  });

  it('keeps timestamps in non-decreasing order', () => {
    for (let i = 1; i < recs.length; i++) expect(recs[i].tsNs >= recs[i - 1].tsNs).toBe(true);
  });
});

describe('edge-dmz pcap and pcapng', () => {
  it('carry the same frames at the same instants; internal flows on pcapng interface 1 (ns), external on 0', () => {
    expect(pcapng.length).toBe(pcap.length);
    for (let i = 0; i < pcap.length; i++) {
      expect(pcapng[i].data.equals(pcap[i].data)).toBe(true);
      expect(pcapng[i].tsNs).toBe(pcap[i].tsNs);
    }
    const { seen } = aggregate(pcapng);
    for (const f of truth.flows) expect([...seen.get(f)!.ifaces], f.label).toEqual([f.interface]);
    expect(truth.files['edge-dmz.pcapng'].interfaces.map((i) => i.tsresolDigits)).toEqual([6, 9]);
    expect(truth.flows.filter((f) => f.interface === 1).every((f) => f.client.ip.startsWith('10.') && f.server.ip.startsWith('10.'))).toBe(true);
  });

  it('stay well under 300 KB each', () => {
    expect(truth.files['edge-dmz.pcap'].sizeBytes).toBeLessThan(250_000);
    expect(truth.files['edge-dmz.pcapng'].sizeBytes).toBeLessThan(250_000);
  });

  it('are rebuilt frame for frame as big-endian nanosecond pcap and big-endian pcapng too', () => {
    const trace = buildEdgeDmz();
    const bePcap = readCapture(pcapOf(trace, { byteOrder: 'be', resolution: 'ns' }));
    const bePcapng = readCapture(pcapngOf(trace, 'be'));
    for (const variant of [bePcap, bePcapng]) {
      expect(variant.length).toBe(pcap.length);
      expect(variant.every((r, i) => r.data.equals(pcap[i].data) && r.tsNs === pcap[i].tsNs)).toBe(true);
    }
    expect(bePcapng.map((r) => r.iface)).toEqual(pcapng.map((r) => r.iface));
  });
});

describe('edge-dmz scenario content', () => {
  const byLabel = (l: string) => truth.flows.filter((f) => f.label === l);
  const one = (l: string) => {
    const fs = byLabel(l);
    expect(fs.length, l).toBe(1);
    return fs[0];
  };

  it('numbers flows in order of their first frame', () => {
    truth.flows.forEach((f, i) => expect(f.id).toBe(i));
    for (let i = 1; i < truth.flows.length; i++) expect(truth.flows[i].firstFrame).toBeGreaterThan(truth.flows[i - 1].firstFrame);
  });

  it('has the documented edge flows with their SNI', () => {
    expect(one('sip-tls-remote-client')).toMatchObject({ server: { ip: '131.107.10.10', port: 443 }, state: 'SF', app: { sni: 'sip.contoso.com' } });
    expect(one('sip-mtls-federation-inbound')).toMatchObject({ client: { role: 'federation-partner' }, server: { port: 5061, role: 'edge-access' } });
    expect(one('sip-mtls-federation-outbound')).toMatchObject({ client: { role: 'edge-access' }, server: { port: 5061, role: 'federation-partner' }, app: { sni: 'sip.fabrikam.com' } });
    expect(one('msturn-allocate-udp')).toMatchObject({ transport: 'udp', server: { ip: '131.107.10.12', port: 3478 }, app: { stunDialect: 'ms-turn' }, state: 'SF' });
    expect(one('psom-tls-fe-to-edge')).toMatchObject({ server: { port: 8057, role: 'edge-internal' }, client: { role: 'front-end' } });
    expect(one('https-rp-to-director-4443')).toMatchObject({ server: { port: 4443, role: 'director' }, vlan: 40 });
    expect(one('http-rp-to-director-8080')).toMatchObject({ server: { port: 8080, role: 'director' }, vlan: 40 });
    expect(one('https-director-to-fe-444')).toMatchObject({ client: { role: 'director' }, server: { port: 444, role: 'front-end' } });
    expect(truth.flows.filter((f) => f.intent === 'documented' && f.transport === 'tcp' && f.server.port === 5061).length).toBeGreaterThanOrEqual(4);
  });

  it('has hundreds of RTP packets each way between the A/V edge media range and external ports', () => {
    const rtp = truth.flows.filter((f) => f.app?.protocol === 'rtp');
    expect(rtp.length).toBe(2);
    for (const f of rtp) {
      const edgePort = f.client.ip === '131.107.10.12' ? f.client.port : f.server.port;
      expect(edgePort).toBeGreaterThanOrEqual(50000);
      expect(edgePort).toBeLessThanOrEqual(59999);
    }
    expect(rtp.reduce((a, f) => a + f.packets.fromClient + f.packets.fromServer, 0)).toBeGreaterThan(400);
  });

  it('has every required connection outcome in Zeek terms', () => {
    expect(one('rdp-inbound')).toMatchObject({ server: { port: 3389 }, intent: 'undocumented', state: 'SF' });
    expect(one('ssh-inbound-reset')).toMatchObject({ server: { port: 22 }, state: 'RSTR' });
    expect(one('sql-edge-to-internal')).toMatchObject({ client: { ip: '10.0.1.10' }, server: { ip: '10.0.2.20', port: 1433 }, intent: 'undocumented' });
    expect(one('webconf-tls-remote-client').state).toBe('S1');
    expect(one('sip-tls-midstream')).toMatchObject({ state: 'OTH', history: 'Dd' });
    const rej = byLabel('port-scan-rej');
    expect(rej.length).toBeGreaterThanOrEqual(5);
    expect(rej.every((f) => f.state === 'REJ' && f.history === 'Sr' && f.packets.fromServer === 1)).toBe(true);
    const dropped = byLabel('port-scan-dropped');
    expect(dropped.length).toBeGreaterThanOrEqual(3);
    expect(dropped.every((f) => f.state === 'S0' && f.packets.fromClient === 2 && f.packets.fromServer === 0)).toBe(true);
    expect(one('udp-probe-icmp-unreachable')).toMatchObject({ icmpErrors: 1, state: 'S0' });
    expect(one('tcp-admin-prohibited')).toMatchObject({ icmpErrors: 1, state: 'S0' });
    expect(truth.icmp.map((i) => `${i.family}/${i.type}/${i.code}`).sort()).toEqual(['4/3/13', '4/3/3', '6/1/4']);
  });

  it('uses only documentation or private addresses', () => {
    const allowed = /^(203\.0\.113\.|198\.51\.100\.|131\.107\.10\.|10\.0\.|2001:db8:)/;
    for (const f of truth.flows) {
      expect(f.client.ip).toMatch(allowed);
      expect(f.server.ip).toMatch(allowed);
    }
  });
});
