/**
 * analyze() classifies every flow, end to end, as the truth files say: with
 * the scenario's topology file; with roles inferred from the traffic (checked
 * against the independent reference evaluator of samples/generator/expect.ts
 * given the inferred roles, after checking that inference never gave an
 * address a role the truth does not give it); and with inference turned off.
 * Failure findings (unanswered, refused, ICMP) land on exactly the flows the
 * truth says failed. Payload inspection runs as in any analysis: the flows
 * the truth marks as media (it gives them `expectedWithMedia`) must be found
 * to carry media, and get the verdicts that media evidence gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPacks, Evaluator, loadRules } from '../../samples/generator/expect.js';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { analyze } from '../../src/analyze.js';
import { loadTopology } from '../../src/catalog/topology.js';
import type { Report, ReportFlow } from '../../src/report/model.js';
import { SAMPLES } from '../helpers/environment.js';

const FAILURE_KINDS = ['tcp-unanswered', 'tcp-refused', 'icmp-unreachable', 'icmp-admin-prohibited'];

const scenarios = readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as Truth)
  .filter((t) => t.topology !== undefined);

function flowOf(report: Report, t: TruthFlow): ReportFlow {
  const f = report.flows.find((x) => x.transport === t.transport && x.client.ip === t.client.ip && x.client.port === t.client.port
    && x.server.ip === t.server.ip && x.server.port === t.server.port);
  if (f === undefined) throw new Error(`flow ${t.label} not found`);
  return f;
}

const line = (label: string, v: { verdict: string; confidence: string; rules: readonly string[] }) =>
  `${label}: ${v.verdict}/${v.confidence} ${[...v.rules].sort().join(',')}`;

describe.each(scenarios.map((t) => [t.scenario, t] as const))('%s', (name, truth) => {
  const capture = join(SAMPLES, `${name}.pcapng`);

  it('with its topology: every verdict, confidence and rule list, and every failure finding, equal the truth', async () => {
    const report = await analyze([capture], { topology: loadTopology(join(SAMPLES, truth.topology!)) });
    const got: string[] = [];
    const want: string[] = [];
    for (const t of truth.flows) {
      const f = flowOf(report, t);
      got.push(line(t.label, f), `${t.label} failure: ${f.findings.filter((k) => FAILURE_KINDS.includes(k)).join(',') || 'none'}`);
      const e = t.expectedWithMedia?.withTopology ?? t.expected!;
      want.push(line(t.label, { verdict: e.verdict, confidence: e.confidence, rules: e.ruleIds }),
        `${t.label} failure: ${t.failure ?? 'none'}`);
      expect(f.client.roleSource, t.label).toBe(t.client.role === null ? 'unknown' : 'configured');
    }
    expect(got).toEqual(want);
    expect(report.topology.file).toBe(join(SAMPLES, truth.topology!));
  });

  it('with inferred roles: never a wrong role, and verdicts as the reference evaluator gives them with those roles', async () => {
    const report = await analyze([capture]);
    const truthRoles = new Map<string, string[]>();
    for (const [role, ips] of Object.entries(truth.roles)) for (const ip of ips) truthRoles.set(ip, [...(truthRoles.get(ip) ?? []), role]);
    const inferred = new Map<string, string[]>();
    for (const h of report.topology.hosts) {
      expect(h.source).toBe('inferred');
      for (const r of h.roles) expect(truthRoles.get(h.address) ?? [], `${h.address} inferred ${r}`).toContain(r);
      expect(h.evidence.length, h.address).toBeGreaterThan(0);
      inferred.set(h.address, h.roles);
    }
    const rules = loadRules(defaultPacks());
    const ev = new Evaluator();
    const got: string[] = [];
    const want: string[] = [];
    for (const t of truth.flows) {
      const f = flowOf(report, t);
      const e = ev.evaluate(t as Parameters<Evaluator['evaluate']>[0], { rules, roleOf: (ip) => inferred.get(ip) ?? [], media: t.expectedWithMedia !== undefined, reading: 'listening' });
      got.push(line(t.label, f));
      want.push(line(t.label, { verdict: e.verdict, confidence: e.confidence, rules: e.ruleIds }));
      expect(f.client.roleSource, t.label).toBe(inferred.has(t.client.ip) ? 'inferred' : 'unknown');
    }
    expect(got).toEqual(want);
  });

  it('with inference off: every role unknown and the port-only verdicts of the truth', async () => {
    const report = await analyze([capture], { inferRoles: false });
    expect(report.topology).toEqual({ file: null, inferred: false, hosts: [], undecided: [] });
    const got = truth.flows.map((t) => line(t.label, flowOf(report, t)));
    const want = truth.flows.map((t) => {
      const e = t.expectedWithMedia?.withoutTopology ?? t.expectedWithoutTopology!;
      return line(t.label, { verdict: e.verdict, confidence: e.confidence, rules: e.ruleIds });
    });
    expect(got).toEqual(want);
  });

  it('counts verdicts in the totals and lists one checklist row per rule of the packs', async () => {
    const report = await analyze([capture], { topology: loadTopology(join(SAMPLES, truth.topology!)) });
    const counts = { documented: 0, misdirected: 0, undocumented: 0, unclassified: 0 };
    for (const f of report.flows) counts[f.verdict]++;
    expect(report.totals.verdicts).toEqual(counts);
    expect(report.catalog.packs).toEqual(defaultPacks());
    const ids = new Set(loadRules(defaultPacks()).map((r) => r.id));
    expect(new Set(report.checklist.map((r) => r.rule))).toEqual(ids);
  });
});
