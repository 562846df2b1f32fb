/**
 * Report objects for the HTML tests: the samples' reports as analyze() gives
 * them (classification, STUN/TURN and media from payload inspection), one
 * report of every A/V sample together, and hostile variants.
 */
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { loadCatalog, loadTopology } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import type { HtmlReport } from '../../src/report/html/input.js';
import { SAMPLES } from './environment.js';

export const catalog: Catalog = loadCatalog();

/** The sample's report, as analyze() classifies it; with its topology when `topology` names one. */
export async function classifiedReport(paths: string[], topology?: string): Promise<HtmlReport> {
  return (await analyze(paths, { topology: topology !== undefined ? loadTopology(topology) : undefined })) as unknown as HtmlReport;
}

export function sampleReport(name: string, withTopology = true): Promise<HtmlReport> {
  return classifiedReport([join(SAMPLES, `${name}.pcapng`)], withTopology && name !== 'edge-mini' ? join(SAMPLES, `${name}.topology.json`) : undefined);
}

/** The A/V samples (STUN/TURN, MS-TURN, ICE, RTP/RTCP), each with its topology. */
export const AV_SAMPLES = ['av-ice-checks', 'av-msturn-tcp', 'av-msturn-udp', 'av-rtp-quality', 'av-turn-auth', 'av-turn-errors', 'av-udp-blocked'] as const;

/**
 * One report of edge-dmz and every A/V sample read together (edge-dmz's
 * topology): classification, findings and checklist from edge-dmz, TURN
 * allocations (success, 401, other errors, unanswered), unanswered STUN,
 * ICE checks, RTP streams with loss and RTCP from the A/V samples, all from
 * analyze().
 */
export function avReport(): Promise<HtmlReport> {
  return classifiedReport(['edge-dmz', ...AV_SAMPLES].map((n) => join(SAMPLES, `${n}.pcapng`)), join(SAMPLES, 'edge-dmz.topology.json'));
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
