/**
 * The classifier on the generated samples, against their truth files: every
 * flow's expected verdict, confidence and rule ids with the scenario's
 * topology, without one, and with media payload evidence; the intents with
 * the hand-written samples/topology.example.json; and the findings' Wireshark
 * filters run through tshark on the capture.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { loadCatalog, loadTopology } from '../../src/catalog/load.js';
import type { Topology } from '../../src/catalog/topology.js';
import { classify, type ClassifiableFlow, type ClassifyResult } from '../../src/classify/index.js';
import type { FlowRecord } from '../../src/flow/flow-record.js';
import { hasTool, run, SAMPLES } from '../helpers/environment.js';

interface Expected {
  verdict: string;
  confidence: string;
  ruleIds: string[];
}
interface TruthFlow {
  label: string;
  intent: 'documented' | 'undocumented' | 'misdirected';
  transport: string;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  expected?: Expected;
  expectedWithoutTopology?: Expected;
  expectedWithMedia?: { withTopology?: Expected; withoutTopology?: Expected };
}
interface Truth {
  topology?: string;
  flows: TruthFlow[];
}

const catalog = loadCatalog();
const scenarios = readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => f.slice(0, -'.truth.json'.length))
  .filter((name) => existsSync(join(SAMPLES, `${name}.pcapng`)));

function truthOf(name: string): Truth {
  return JSON.parse(readFileSync(join(SAMPLES, `${name}.truth.json`), 'utf8')) as Truth;
}

function indexOf(flows: readonly FlowRecord[], t: TruthFlow): number {
  return flows.findIndex((f) => f.transport === t.transport && f.client.ip === t.client.ip && f.client.port === t.client.port
    && f.server.ip === t.server.ip && f.server.port === t.server.port);
}

/** "label: verdict/confidence rule,rule" with rules sorted, for readable diffs. */
function line(label: string, v: { verdict: string; confidence: string; rules: readonly string[] }): string {
  return `${label}: ${v.verdict}/${v.confidence} ${[...v.rules].sort().join(',')}`;
}

describe.each(scenarios)('sample %s', (name) => {
  const truth = truthOf(name);
  const variants: [string, (t: TruthFlow) => Expected | undefined, boolean, boolean][] = [
    ['with its topology', (t) => t.expected, true, false],
    ['without a topology', (t) => t.expectedWithoutTopology, false, false],
    ['with its topology and media payload', (t) => t.expectedWithMedia?.withTopology, true, true],
    ['without a topology, with media payload', (t) => t.expectedWithMedia?.withoutTopology, false, true],
  ];
  it.each(variants)('matches the truth %s', async (_what, expectedOf, withTopology, media) => {
    const cases = truth.flows.filter((t) => expectedOf(t) !== undefined);
    if (cases.length === 0 || (withTopology && truth.topology === undefined)) return;
    const report = await analyze([join(SAMPLES, `${name}.pcapng`)]);
    // The payload evidence is set by the variant, not by what analyze() detected: no apps, or media on every flow.
    const flows: ClassifiableFlow[] = report.flows.map(({ apps: _detected, ...f }) => (media ? { ...f, apps: [{ protocol: 'rtp' }] } : f));
    const topology = withTopology ? loadTopology(join(SAMPLES, truth.topology as string)) : undefined;
    const { verdicts } = classify(flows, { catalog, topology });
    const got: string[] = [];
    const want: string[] = [];
    for (const t of cases) {
      const i = indexOf(report.flows, t);
      expect(i, t.label).toBeGreaterThanOrEqual(0);
      const e = expectedOf(t) as Expected;
      got.push(line(t.label, verdicts[i]));
      want.push(line(t.label, { verdict: e.verdict, confidence: e.confidence, rules: e.ruleIds }));
    }
    expect(got).toEqual(want);
  });
});

describe('edge-dmz with samples/topology.example.json', () => {
  let result: ClassifyResult;
  let flows: FlowRecord[];
  const truth = truthOf('edge-dmz');
  const load = async (): Promise<void> => {
    if (result !== undefined) return;
    const report = await analyze([join(SAMPLES, 'edge-dmz.pcapng')]);
    flows = report.flows;
    const topology: Topology = loadTopology(join(SAMPLES, 'topology.example.json'));
    result = classify(flows, { catalog, topology });
  };

  it('documents every intended-documented flow and never documents an intended-undocumented one', async () => {
    await load();
    const wrong: string[] = [];
    for (const t of truth.flows) {
      const v = result.verdicts[indexOf(flows, t)];
      const ok = t.intent === 'documented' ? v.verdict === 'documented' : v.verdict === 'undocumented' || v.verdict === 'misdirected';
      if (!ok) wrong.push(`${t.label} (${t.intent}): ${v.verdict} - ${v.explanation}`);
    }
    expect(wrong).toEqual([]);
  });

  it('classifies non-TCP/UDP flows as unclassified and keeps the flow order', async () => {
    await load();
    expect(result.verdicts).toHaveLength(flows.length);
    flows.forEach((f, i) => {
      if (f.transport !== 'tcp' && f.transport !== 'udp') expect(result.verdicts[i].verdict).toBe('unclassified');
    });
    expect(result.flowFindings).toHaveLength(flows.length);
  });

  it('aggregates the scans: one refused-scan finding, one dropped-scan finding', async () => {
    await load();
    const refused = result.findings.filter((f) => f.kind === 'tcp-refused');
    expect(refused.map((f) => `${f.client}>${f.server} ${f.ports} ${f.severity}`)).toEqual(['203.0.113.200>131.107.10.11 tcp/21,23,25,110,135,139,445,3306,5900,8443 info']);
    const dropped = result.findings.filter((f) => f.kind === 'tcp-unanswered' && f.client === '203.0.113.201');
    expect(dropped.map((f) => `${f.ports} ${f.flowCount} ${f.severity}`)).toEqual(['tcp/22-23,3389,5985 4 info']);
    expect(result.findings.filter((f) => f.kind === 'icmp-admin-prohibited').map((f) => f.ports)).toEqual(['tcp/1723']);
    expect(result.findings.filter((f) => f.kind === 'icmp-unreachable').map((f) => f.ports).sort()).toEqual(['udp/123', 'udp/161']);
  });

  it('checklist: the rules behind the documented flows are working, one row per rule', async () => {
    await load();
    expect(result.checklist.map((r) => r.rule)).toEqual(catalog.rules.map((r) => r.id));
    const row = (id: string) => result.checklist.find((r) => r.rule === id);
    expect(row('lync2013-edge/ext-e5-sip-tls-443')).toMatchObject({ status: 'working', working: 3, failing: 0, flowCount: 3 });
    expect(row('lync2013-edge/int-i4-psom-mtls-8057')?.status).toBe('working');
    expect(row('lync2013-edge/int-i8-cms-https-4443')).toMatchObject({ status: 'not-seen', flows: [], flowCount: 0 });
  });

  it.skipIf(!hasTool('tshark'))("each finding's Wireshark filter selects exactly its flows' packets and the ICMP errors quoting them", async () => {
    await load();
    const byId = new Map(flows.map((f) => [f.id, f]));
    for (const f of result.findings) {
      expect(f.flows.length).toBe(f.flowCount);
      let expected = 0;
      for (const id of f.flows) {
        const flow = byId.get(id) as FlowRecord;
        expected += flow.packets.fromClient + flow.packets.fromServer;
        for (const e of flow.icmpErrors ?? []) expected += e.count;
      }
      const r = run('tshark', ['-r', join(SAMPLES, 'edge-dmz.pcapng'), '-Y', f.wiresharkFilter, '-T', 'fields', '-e', 'frame.number']);
      expect(r.status, `${f.wiresharkFilter}: ${r.stderr}`).toBe(0);
      const frames = r.stdout.split('\n').filter((l) => l !== '').map(Number);
      expect(frames.length, `${f.kind} ${f.wiresharkFilter}`).toBe(expected);
      for (const frame of f.evidenceFrames) expect(frames, `${f.kind} evidence frame ${frame}`).toContain(frame);
    }
  });
});
