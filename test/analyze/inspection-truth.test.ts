/**
 * Payload inspection end to end, against the generator's inspection truth
 * (computed from per-frame notes written while the payloads were built, never
 * by parsing them back): on every A/V sample, each flow's detected protocols,
 * its STUN messages by type and direction, its transactions (answered,
 * unanswered, retransmitted, error codes), the TURN allocation ledger, and
 * every RTP stream's counts, loss and RFC 3550 jitter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { analyze } from '../../src/analyze.js';
import type { Report, ReportFlow } from '../../src/report/model.js';
import { SAMPLES } from '../helpers/environment.js';

interface StunTruth {
  messages: { type: string; fromClient: number; fromServer: number }[];
  summary: { requests: number; answered: number; unanswered: number; retransmissions: number; errorCodes: Record<string, number> };
}
interface AllocationTruth { flowId: number; requestFrame: number; outcome: string; errorCode: number | null; relayed: { ip: string; port: number } | null; lifetime: number | null }
interface StreamTruth {
  flowId: number; direction: string; ssrc: number; packets: number; expected: number; rfc3550CumulativeLost: number;
  duplicates: number; outOfOrder: number; jitterMs: number; maxJitterMs: number;
}
type InspectionTruth = Truth & {
  flows: (TruthFlow & { apps?: string[]; stun?: StunTruth | null })[];
  stun?: { allocations: AllocationTruth[] };
  media?: { streams: StreamTruth[] };
};

const scenarios = readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as InspectionTruth)
  .filter((t) => t.flows.some((f) => f.apps !== undefined));

function flowOf(report: Report, t: TruthFlow): ReportFlow {
  const f = report.flows.find((x) => x.transport === t.transport && x.client.ip === t.client.ip && x.client.port === t.client.port
    && x.server.ip === t.server.ip && x.server.port === t.server.port);
  if (f === undefined) throw new Error(`flow ${t.label} not found`);
  return f;
}

describe('the inspection truth is not vacuous', () => {
  it('covers MS-TURN over UDP and TCP (pseudo-TLS), ChannelData, unanswered requests, TURN errors and RTP loss', () => {
    const all = scenarios.flatMap((s) => s.flows);
    const apps = new Set(all.flatMap((f) => f.apps ?? []));
    for (const p of ['stun', 'ms-turn-pseudo-tls', 'channeldata', 'rtp', 'rtcp', 'tls', 'sip']) expect(apps, p).toContain(p);
    expect(all.some((f) => (f.stun?.summary.unanswered ?? 0) > 0)).toBe(true);
    const codes = new Set(all.flatMap((f) => Object.keys(f.stun?.summary.errorCodes ?? {})));
    for (const c of ['401', '437', '438']) expect(codes).toContain(c);
    expect(scenarios.flatMap((s) => s.media?.streams ?? []).some((s) => s.rfc3550CumulativeLost > 0 && s.duplicates > 0 && s.outOfOrder > 0)).toBe(true);
  });
});

describe.each(scenarios.map((t) => [t.scenario, t] as const))('%s', (name, truth) => {
  let report: Report;
  const load = async () => (report ??= await analyze([join(SAMPLES, `${name}.pcapng`)]));

  it('detects exactly the protocols of each flow', async () => {
    await load();
    const got = truth.flows.map((t) => `${t.label}: ${(flowOf(report, t).apps ?? []).map((a) => a.protocol).sort().join(',')}`);
    const want = truth.flows.map((t) => `${t.label}: ${[...(t.apps ?? [])].sort().join(',')}`);
    expect(got).toEqual(want);
  });

  it('counts STUN messages by type and direction, and transactions answered, unanswered, retransmitted and failed', async () => {
    await load();
    for (const t of truth.flows) {
      const flow = flowOf(report, t);
      const mine = report.stun.perFlow.find((p) => p.flow === flow.id);
      if (t.stun === undefined || t.stun === null) {
        expect(mine, t.label).toBeUndefined();
        continue;
      }
      expect(mine, t.label).toBeDefined();
      const types = (dir: 'fromClient' | 'fromServer') => Object.fromEntries(
        mine!.types.filter((x) => x.direction === dir).map((x) => [x.type, x.count]));
      const want = (dir: 'fromClient' | 'fromServer') => Object.fromEntries(t.stun!.messages.filter((m) => m[dir] > 0).map((m) => [m.type, m[dir]]));
      expect(types('fromClient'), `${t.label} from client`).toEqual(want('fromClient'));
      expect(types('fromServer'), `${t.label} from server`).toEqual(want('fromServer'));
      const tx = mine!.transactions;
      const sum = (k: 'requests' | 'retransmissions' | 'success' | 'errors' | 'unanswered') => tx.reduce((n, x) => n + x[k], 0);
      const codes: Record<string, number> = {};
      for (const x of tx) for (const e of x.errorCodes) codes[e.code] = (codes[e.code] ?? 0) + e.count;
      const s = t.stun!.summary;
      expect({ requests: sum('requests'), answered: sum('success') + sum('errors'), unanswered: sum('unanswered'), retransmissions: sum('retransmissions'), errorCodes: codes }, t.label)
        .toEqual({ requests: s.requests, answered: s.answered, unanswered: s.unanswered, retransmissions: s.retransmissions, errorCodes: s.errorCodes });
    }
  });

  it('keeps the TURN allocation ledger: outcome, error, relayed address and lifetime of every Allocate', async () => {
    await load();
    const id = (i: number) => flowOf(report, truth.flows[i]).id;
    const want = (truth.stun?.allocations ?? []).map((a) => [id(a.flowId), a.requestFrame, a.outcome, a.errorCode ?? null, a.relayed === null ? null : `${a.relayed.ip}:${a.relayed.port}`, a.lifetime ?? null]);
    const got = report.stun.allocations.map((a) => [a.flow, a.requestFrame, a.outcome, a.errorCode ?? null, a.relayed ?? null, a.lifetime ?? null]);
    const order = (x: unknown[]) => `${String(x[1]).padStart(9, '0')}`;
    expect(got.sort((a, b) => order(a).localeCompare(order(b)))).toEqual(want.sort((a, b) => order(a).localeCompare(order(b))));
  });

  it('measures every RTP stream: packets, expected, lost, duplicates, out-of-order, and jitter within a microsecond', async () => {
    await load();
    const want = (truth.media?.streams ?? []).map((s) => ({ ...s, flow: flowOf(report, truth.flows[s.flowId]).id }));
    const key = (flow: number, dir: string, ssrc: number) => `${flow} ${dir} ${ssrc}`;
    const mine = new Map(report.media.streams.map((s) => [key(s.flow, s.direction, s.ssrc), s]));
    expect([...mine.keys()].sort()).toEqual(want.map((s) => key(s.flow, s.direction, s.ssrc)).sort());
    for (const w of want) {
      const g = mine.get(key(w.flow, w.direction, w.ssrc))!;
      const label = key(w.flow, w.direction, w.ssrc);
      expect({ packets: g.packets, expected: g.expected, lost: g.lost, duplicates: g.duplicates, outOfOrder: g.outOfOrder }, label)
        .toEqual({ packets: w.packets, expected: w.expected, lost: w.rfc3550CumulativeLost, duplicates: w.duplicates, outOfOrder: w.outOfOrder });
      expect(Math.abs(g.jitterMs - w.jitterMs), `${label} jitter ${g.jitterMs} vs ${w.jitterMs}`).toBeLessThan(0.001);
      expect(Math.abs(g.maxJitterMs - w.maxJitterMs), `${label} max jitter`).toBeLessThan(0.001);
    }
  });
});
