/**
 * The expected verdicts in the truth files: present and well formed for every
 * flow, consistent with the catalog as src/catalog loads it (each cited rule
 * exists, has the flow's transport and one of its ports), with the topology
 * file (valid per catalog/schema/topology.schema.json, giving the truth's
 * roles) and with the flows' outcomes; plus hand-picked verdicts that the
 * scenarios exist to show, and the reference evaluator's reading of the spec.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Evaluator, type RefRule } from '../../samples/generator/expect.js';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { failureOf } from '../../samples/generator/verdicts.js';
import { loadCatalog, parsePrefix, topologyFromJson } from '../../src/catalog/index.js';
import { SAMPLES } from './tools.js';

const SCENARIOS = ['edge-dmz', 'internal-pool', 'federation'] as const;
const load = (name: string) => JSON.parse(readFileSync(join(SAMPLES, `${name}.truth.json`), 'utf8')) as Truth;
const catalog = loadCatalog();
const MEDIA = ['stun', 'rtp', 'ms-turn-tcp'];

describe.each(SCENARIOS)('%s truth: expected verdicts', (name) => {
  const truth = load(name);
  const topoJson = JSON.parse(readFileSync(join(SAMPLES, truth.topology!), 'utf8')) as { roles: Record<string, string[]> };

  it('names its topology file, which validates and holds exactly the truth roles', () => {
    expect(truth.topology).toBe(`${name}.topology.json`);
    const topo = topologyFromJson(topoJson, truth.topology!);
    expect(topoJson.roles).toEqual(truth.roles);
    for (const f of truth.flows) {
      for (const end of [f.client, f.server]) {
        const p = parsePrefix(end.ip);
        if (typeof p === 'string') throw new Error(p);
        expect(topo.roleOf(p.family, p.words)[0] ?? null, `${f.label} ${end.ip}`).toBe(end.role);
      }
    }
  });

  it('was computed with the default packs', () => {
    expect(truth.packs).toEqual(catalog.packs.filter((p) => p.defaultEnabled).map((p) => p.id));
  });

  it('gives every flow a well-formed verdict with and without topology', () => {
    const all = (f: TruthFlow) => [f.expected, f.expectedWithoutTopology, f.expectedWithMedia?.withTopology, f.expectedWithMedia?.withoutTopology,
      ...Object.values(f.expectedInVariants ?? {})].filter((e) => e !== undefined);
    for (const f of truth.flows) {
      expect(f.expected, f.label).toBeDefined();
      expect(f.expectedWithoutTopology, f.label).toBeDefined();
      for (const e of all(f)) {
        expect(['documented', 'misdirected', 'undocumented']).toContain(e.verdict);
        expect(['role', 'port']).toContain(e.confidence);
        expect(e.ruleIds, f.label).toEqual([...new Set(e.ruleIds)].sort());
        expect(e.ruleIds.length === 0, f.label).toBe(e.verdict === 'undocumented');
        if (e.verdict === 'undocumented') expect(e.confidence).toBe('port');
      }
      // Without topology every role is unknown: nothing can be misdirected or known by role.
      expect(f.expectedWithoutTopology!.verdict, f.label).not.toBe('misdirected');
      expect(f.expectedWithoutTopology!.confidence, f.label).toBe('port');
      if (f.expected!.verdict === 'documented' && f.expected!.confidence === 'role') {
        expect([f.client.role, f.server.role].every((r) => r !== null), f.label).toBe(true);
      }
      if (f.expected!.verdict === 'misdirected') expect([f.client.role, f.server.role].some((r) => r !== null), f.label).toBe(true);
      expect(f.expectedWithMedia !== undefined, f.label).toBe(MEDIA.includes(f.app?.protocol ?? ''));
    }
  });

  it('cites only catalog rules of the flow transport holding one of its ports', () => {
    const packsOf = (f: TruthFlow) => [
      ...[f.expected!, f.expectedWithoutTopology!, f.expectedWithMedia?.withTopology, f.expectedWithMedia?.withoutTopology].flatMap((e) => e?.ruleIds ?? []),
    ];
    for (const f of truth.flows) {
      for (const id of packsOf(f)) {
        const r = catalog.ruleById.get(id);
        expect(r, `${f.label}: ${id}`).toBeDefined();
        expect(r!.transport).toBe(f.transport);
        expect(r!.ranges.some(([lo, hi]) => [f.client.port, f.server.port].some((p) => p >= lo && p <= hi)), `${f.label}: ${id}`).toBe(true);
      }
    }
  });

  it("records each flow's failure as its TCP state and ICMP errors show it", () => {
    for (const f of truth.flows) {
      expect(f.failure, f.label).toBe(failureOf(f, truth.icmp));
      if (f.state === 'REJ') expect(f.failure).toBe('tcp-refused');
      if (f.transport === 'tcp' && f.state === 'S0') expect(['tcp-unanswered', 'icmp-admin-prohibited', 'icmp-unreachable']).toContain(f.failure);
      if (f.failure === undefined) expect(['SF', 'S1', 'OTH', 'RSTR'], f.label).toContain(f.state);
    }
  });
});

describe('the verdicts the scenarios exist to show', () => {
  const flow = (name: string, label: string, port?: number) => {
    const f = load(name).flows.find((x) => x.label === label && (port === undefined || x.server.port === port));
    if (!f) throw new Error(`${name}: no flow ${label}`);
    return f;
  };
  const short = (ids: string[]) => ids.map((i) => i.split('/')[1]);

  it('internal-pool: sign-in documented by role; a client on the edge 5062 and a front end on 8057 misdirected', () => {
    expect(flow('internal-pool', 'sip-tls-client-signin').expected).toEqual({
      verdict: 'documented', confidence: 'role', ruleIds: ['sfb2015-servers/client-sip-mtls-5061', 'sfb2015-servers/fe-sip-tls-5061'],
    });
    expect(flow('internal-pool', 'client-to-edge-5062').expected).toEqual({
      verdict: 'misdirected', confidence: 'role', ruleIds: ['lync2013-edge/int-i5-sip-mtls-5062', 'sfb2015-servers/fe-imconf-sip-5062'],
    });
    expect(flow('internal-pool', 'fe-to-fe-8057').expected!.verdict).toBe('misdirected');
    expect(flow('internal-pool', 'fe-to-fe-8057').expectedWithoutTopology!.verdict).toBe('documented');
    expect(short(flow('internal-pool', 'cls-fe-to-edge').expected!.ruleIds)).toEqual(['cls-mtls-50001', 'int-i9-i11-cls-mtls-50001-50003']);
  });

  it('internal-pool: telnet and 8443 undocumented; 444 refused and 5061 dropped on documented ports', () => {
    for (const l of ['telnet-client-to-fe', 'https-8443-client-to-fe', 'fe-to-sql-1433']) expect(flow('internal-pool', l).expected!.verdict, l).toBe('undocumented');
    expect(flow('internal-pool', 'dir-to-fe-444-refused')).toMatchObject({ failure: 'tcp-refused', expected: { verdict: 'documented', confidence: 'role' } });
    expect(flow('internal-pool', 'fe-to-edge-5061-dropped')).toMatchObject({ failure: 'tcp-unanswered', state: 'S0', expected: { verdict: 'documented' } });
  });

  it('internal-pool: conference audio documented by the conferencing ranges only through the front end role or media evidence', () => {
    const f = flow('internal-pool', 'conf-audio-rtp');
    expect(f.expected).toMatchObject({ verdict: 'documented', confidence: 'role' });
    expect(f.expectedWithoutTopology!.verdict).toBe('undocumented');
    expect(f.expectedWithMedia!.withoutTopology).toMatchObject({ verdict: 'documented', confidence: 'port' });
  });

  it('federation: A/V edge federation documented; partner on the A/V edge 5061 misdirected; inbound relay media Lync 2013 only', () => {
    expect(short(flow('federation', 'av-fed-tcp-443-out').expected!.ruleIds)).toEqual(['ext-e16-stun-tcp-out-443', 'ext-e9-rtp-tcp-out-50000-59999']);
    expect(flow('federation', 'av-fed-tcp-443-out').expected!.confidence).toBe('port'); // the partner A/V edge is not configured
    expect(flow('federation', 'xmpp-inbound').expected).toEqual({ verdict: 'documented', confidence: 'role', ruleIds: ['lync2013-edge/ext-e1-xmpp-in-5269'] });
    expect(flow('federation', 'fed-sip-to-av-edge')).toMatchObject({ failure: 'tcp-refused', expected: { verdict: 'misdirected', confidence: 'role' } });
    const rtpIn = flow('federation', 'av-fed-rtp-in');
    expect(rtpIn.expected!.ruleIds).toEqual(['lync2013-edge/ext-e12-rtp-udp-in-50000-59999']);
    expect(rtpIn.expectedInVariants!['sfb2015-edge'].verdict).toBe('undocumented');
    expect(flow('federation', 'fed-sip-admin-prohibited')).toMatchObject({ failure: 'icmp-admin-prohibited', expected: { verdict: 'documented', confidence: 'port' } });
  });

  it('edge-dmz: scan flows to 135 and 445 of the web conferencing edge are misdirected with the topology, documented by port without', () => {
    for (const p of [135, 445]) {
      const f = flow('edge-dmz', 'port-scan-rej', p);
      expect([f.expected!.verdict, f.expectedWithoutTopology!.verdict, f.failure]).toEqual(['misdirected', 'documented', 'tcp-refused']);
    }
    expect(flow('edge-dmz', 'port-scan-rej', 8443).expected!.verdict).toBe('undocumented');
  });

  it('edge-mini declares no expectations (its truth is unchanged)', () => {
    const t = load('edge-mini');
    expect(t.topology).toBeUndefined();
    expect(t.flows.every((f) => f.expected === undefined)).toBe(true);
  });
});

describe('reference evaluator (samples/generator/expect.ts) on the spec clauses', () => {
  const ev = new Evaluator();
  const rule = (r: Partial<RefRule> & Pick<RefRule, 'id' | 'ranges'>): RefRule => ({ transport: 'tcp', portSide: 'server', from: ['any'], to: ['any'], broad: false, ...r });
  const clientMedia = rule({ id: 'x/client-media', ranges: [[1024, 65535]], portSide: 'either', to: ['internal-client'], broad: true });
  const sip = rule({ id: 'x/sip', ranges: [[5061, 5061]], from: ['internal-client'], to: ['front-end'] });
  const roleOf = (ip: string) => ({ '10.0.10.1': ['internal-client'], '10.0.2.1': ['front-end'], '10.0.1.10': ['edge-internal'] })[ip] ?? [];
  const flow = (c: string, cp: number, s: string, sp: number) => ({ transport: 'tcp' as const, client: { ip: c, port: cp }, server: { ip: s, port: sp } });

  it("lets a client's port qualify a broad 'either' rule only with media to a peer's media port, unless read literally", () => {
    const telnet = flow('10.0.10.1', 50000, '10.0.2.1', 23);
    expect(ev.evaluate(telnet, { rules: [clientMedia, sip], roleOf, media: false, reading: 'listening' }).verdict).toBe('undocumented');
    expect(ev.evaluate(telnet, { rules: [clientMedia, sip], roleOf, media: false, reading: 'literal' })).toEqual({
      verdict: 'documented', confidence: 'role', ruleIds: ['x/client-media'],
    });
    // STUN from a client's media port to a port no rule documents: the client's range documents flows opened to it, not this one.
    expect(ev.evaluate(telnet, { rules: [clientMedia, sip], roleOf, media: true, reading: 'listening' }).verdict).toBe('undocumented');
    // Opened to a client's media port, media qualifies the range whatever the roles.
    expect(ev.evaluate(flow('10.0.2.1', 50000, '10.0.10.1', 50002), { rules: [clientMedia, sip], roleOf, media: true, reading: 'listening' }))
      .toEqual({ verdict: 'documented', confidence: 'role', ruleIds: ['x/client-media'] });
    // Opened by the client to a media port of a host the range does not name: documented by the client's own port.
    const toPeer = flow('10.0.10.1', 50000, '10.0.2.1', 50002);
    expect(ev.evaluate(toPeer, { rules: [clientMedia, sip], roleOf, media: true, reading: 'listening' }))
      .toEqual({ verdict: 'documented', confidence: 'role', ruleIds: ['x/client-media'] });
    expect(ev.evaluate(toPeer, { rules: [clientMedia, sip], roleOf, media: false, reading: 'listening' }).verdict).toBe('undocumented');
  });

  it('documents by role, misdirects on a role mismatch, documents by port when a role is unknown', () => {
    expect(ev.evaluate(flow('10.0.10.1', 50000, '10.0.2.1', 5061), { rules: [sip], roleOf, media: false, reading: 'listening' }))
      .toEqual({ verdict: 'documented', confidence: 'role', ruleIds: ['x/sip'] });
    expect(ev.evaluate(flow('10.0.10.1', 50000, '10.0.1.10', 5061), { rules: [sip], roleOf, media: false, reading: 'listening' }).verdict).toBe('misdirected');
    expect(ev.evaluate(flow('10.9.9.9', 50000, '10.0.2.1', 5061), { rules: [sip], roleOf, media: false, reading: 'listening' }))
      .toEqual({ verdict: 'documented', confidence: 'port', ruleIds: ['x/sip'] });
  });

  it('calls a flow whose ports match only with the ends swapped misdirected (wrong direction)', () => {
    expect(ev.evaluate(flow('10.0.2.1', 5061, '10.0.10.1', 50000), { rules: [sip], roleOf, media: false, reading: 'listening' }))
      .toEqual({ verdict: 'misdirected', confidence: 'role', ruleIds: ['x/sip'] });
  });
});
