/**
 * Report objects for the HTML tests: the samples' reports with classification
 * (verdicts, findings, checklist, roles, as analyze() gives them), a synthetic
 * A/V part (TURN allocations, ICE checks, media streams) in the shape
 * payload inspection is expected to give, and hostile variants.
 */
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { loadCatalog, loadTopology } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import type { HtmlReport } from '../../src/report/html/input.js';
import { SAMPLES } from './environment.js';
import { prng } from './prng.js';

export const catalog: Catalog = loadCatalog();

/** The sample's report, as analyze() classifies it; with its topology when `topology` names one. */
export async function classifiedReport(paths: string[], topology?: string): Promise<HtmlReport> {
  return (await analyze(paths, { topology: topology !== undefined ? loadTopology(topology) : undefined })) as unknown as HtmlReport;
}

export function sampleReport(name: string, withTopology = true): Promise<HtmlReport> {
  return classifiedReport([join(SAMPLES, `${name}.pcapng`)], withTopology && name !== 'edge-mini' ? join(SAMPLES, `${name}.topology.json`) : undefined);
}

/** Adds a synthetic A/V part: TURN allocations, ICE checks and media streams with time series (seeded, deterministic). */
export function withAv(report: HtmlReport, seed = 7): HtmlReport {
  const rand = prng(seed);
  const t0 = report.inputs[0]?.firstPacket ?? 1_700_000_000;
  const streams = [0, 1, 2].map((k) => {
    const intervals = Array.from({ length: 40 }, (_, i) => {
      const packets = 50;
      const lost = k === 0 ? 0 : Math.floor(rand() * (k === 2 ? 12 : 3));
      return { t: t0 + i, packets, lost, jitterMs: Math.round((5 + rand() * 20 * (k + 1)) * 10) / 10 };
    });
    const lost = intervals.reduce((a, p) => a + p.lost, 0);
    return { flow: report.flows[k]?.id ?? k + 1, ssrc: 0x1234abcd + k, payloadType: k === 0 ? 0 : 111, packets: 2000 - lost, lost, jitterMs: 12.5 * (k + 1), maxJitterMs: 40 * (k + 1), intervals };
  });
  return {
    ...report,
    stun: {
      transactions: { requests: 12, responses: 9, errors: 2, unanswered: 1 },
      allocations: [
        { flow: report.flows[0]?.id ?? 1, client: '203.0.113.5:50000', server: '131.107.10.12:3478', relayed: '131.107.10.12:50123', username: 'user@example.com', software: 'RTCC/6.0.0.0', result: 'success', lifetime: 600, evidenceFrames: [3, 4] },
        { flow: report.flows[1]?.id ?? 2, client: '203.0.113.6:50002', server: '131.107.10.12:3478', result: 'error', errorCode: 401, errorReason: 'Unauthorized', evidenceFrames: [9] },
      ],
      checks: [{ flow: report.flows[2]?.id ?? 3, local: '10.0.5.20:50010', remote: '203.0.113.5:50000', useCandidate: true, result: 'success', rttMs: 31.5 }],
    },
    media: { streams },
  };
}

/** The hostile strings every string field is replaced with, in turn. */
export const HOSTILE_STRINGS = [
  '<script>window.__pwned=1</script>',
  '</script><img src=x onerror=window.__pwned=1>',
  '"\'><svg onload=window.__pwned=1>',
  'ctl\u0000\u0007\u001b[31m\u007f\u0085\u2028\u2029\ud800 end',
  '</style></svg></title></textarea><script>window.__pwned=1</script>',
  'javascript:window.__pwned=1',
] as const;

/** Every string in `value` (keys kept) replaced by a hostile string, cycling through HOSTILE_STRINGS. */
export function hostile<T>(value: T, counter = { n: 0 }): T {
  if (typeof value === 'string') return HOSTILE_STRINGS[counter.n++ % HOSTILE_STRINGS.length] as unknown as T;
  if (Array.isArray(value)) return value.map((v) => hostile(v, counter)) as unknown as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = hostile(v, counter);
    return out as T;
  }
  return value;
}
