/**
 * Payload findings end to end, against the samples' truth: the STUN/TURN
 * transactions the generator wrote (which requests got no answer, which got
 * which error code) and its media streams give, by the severity rules of
 * FINDING_SEVERITY_RULES, the stun-unanswered, turn-error and media-quality
 * findings each flow must get; analyze() must find them from the packets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { analyze } from '../../src/analyze.js';
import { loadTopology } from '../../src/catalog/topology.js';
import { MEDIA_MIN_PACKETS, MEDIA_POOR_JITTER_MS, MEDIA_POOR_LOSS_PCT } from '../../src/classify/index.js';
import { SAMPLES } from '../helpers/environment.js';

const PAYLOAD_KINDS = ['stun-unanswered', 'turn-error', 'payload-mismatch', 'media-quality'];

const scenarios = readdirSync(SAMPLES)
  .filter((f) => f.endsWith('.truth.json'))
  .map((f) => JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as Truth)
  .filter((t) => t.topology !== undefined);

/** "kind/severity" of the payload findings the truth implies for one flow, sorted. */
function expectedFor(t: TruthFlow, truth: Truth): string[] {
  const out: string[] = [];
  const txs = t.stun?.transactions ?? [];
  const method = (request: string) => request.replace(/ request$/, '');
  const allocates = txs.filter((x) => method(x.request) === 'Allocate');
  const allocateOk = allocates.some((x) => x.response !== null && x.response.errorCode == null);
  const unanswered = txs.filter((x) => x.response === null);
  if (unanswered.length > 0 && t.icmpErrors === 0) {
    const documented = (t.expectedWithMedia?.withTopology ?? t.expected!).verdict === 'documented';
    const allocateBlocked = allocates.length > 0 && allocates.every((x) => x.response === null);
    const nothingAnswered = txs.every((x) => x.response === null);
    // The generator sends Binding requests only as ICE checks, with PRIORITY (generator/av-media.ts): never a STUN server query.
    const turnUnanswered = unanswered.some((x) => method(x.request) !== 'Binding');
    const severity = allocateBlocked ? (documented ? 'high' : 'medium') : nothingAnswered && turnUnanswered ? 'medium' : 'low';
    out.push(`stun-unanswered/${severity}`);
  }
  const errorCodes = txs.flatMap((x) => (x.response?.errorCode != null ? [x.response.errorCode] : []))
    .filter((code) => !((code === 401 || code === 438) && allocateOk));
  if (errorCodes.length > 0) out.push(`turn-error/${errorCodes.some((c) => c === 486 || c === 508) ? 'high' : 'medium'}`);
  const poor = (truth.media?.streams ?? []).filter((s) => s.flowId === t.id
    && ((s.expected > MEDIA_MIN_PACKETS && s.lossPercent > MEDIA_POOR_LOSS_PCT) || (s.packets > MEDIA_MIN_PACKETS && s.meanJitterMs > MEDIA_POOR_JITTER_MS)));
  if (poor.length > 0) out.push('media-quality/medium');
  return out.sort();
}

describe.each(scenarios.map((t) => [t.scenario, t] as const))('%s', (name, truth) => {
  it('gets the STUN/TURN and media findings its truth implies, on the right flows', async () => {
    const report = await analyze([join(SAMPLES, `${name}.pcapng`)], { topology: loadTopology(join(SAMPLES, truth.topology!)) });
    const got: string[] = [];
    const want: string[] = [];
    for (const t of truth.flows) {
      const f = report.flows.find((x) => x.transport === t.transport && x.client.ip === t.client.ip && x.client.port === t.client.port
        && x.server.ip === t.server.ip && x.server.port === t.server.port);
      if (f === undefined) throw new Error(`flow ${t.label} not found`);
      const mine = report.findings.filter((x) => PAYLOAD_KINDS.includes(x.kind) && x.flows.includes(f.id)).map((x) => `${x.kind}/${x.severity}`).sort();
      got.push(`${t.label}: ${mine.join(' ') || 'none'}`);
      want.push(`${t.label}: ${expectedFor(t, truth).join(' ') || 'none'}`);
      // The per-flow kinds agree with the findings that list the flow.
      expect(f.findings.filter((k) => PAYLOAD_KINDS.includes(k)).sort(), t.label).toEqual([...new Set(mine.map((m) => m.split('/')[0]))].sort());
    }
    expect(got).toEqual(want);
  });
});

it('the scenarios exercise unanswered Allocates and TURN errors (so the comparison above can fail)', async () => {
  const implied = scenarios.flatMap((truth) => truth.flows.flatMap((t) => expectedFor(t, truth)));
  expect(implied).toContain('stun-unanswered/high');
  expect(implied.some((k) => k.startsWith('turn-error/'))).toBe(true);
});
