/**
 * The console summary: capture facts for every report; verdict counts and
 * the top findings in plain words only when the report has them (checked on
 * a synthetic classified report); styles change decoration, never words.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { loadTopology } from '../../src/catalog/topology.js';
import { ANSI_STYLE } from '../../src/cli/colour.js';
import type { Report } from '../../src/report/model.js';
import { findingText, outputLines, summaryLines, TOP_FINDINGS, type SummaryFinding } from '../../src/report/text.js';
import { SAMPLES } from '../helpers/environment.js';

const ESC = /\x1b\[[0-9;]*m/g;

function finding(severity: string, n: number, kind = 'undocumented-port'): SummaryFinding {
  return {
    kind,
    severity,
    title: kind === 'tcp-unanswered' ? 'TCP connection attempt never answered (likely dropped by a firewall)' : 'Undocumented port in use',
    transport: 'tcp',
    client: `203.0.113.${n}`,
    server: '131.107.10.10',
    flowCount: n,
    ports: `tcp/${8000 + n}`,
    evidenceFrames: [100 + n, 200 + n],
  };
}

async function classifiedReport(findings: SummaryFinding[], verdicts?: Record<string, number>): Promise<Report> {
  const report = await analyze([join(SAMPLES, 'edge-mini.pcap')]);
  return { ...report, totals: { ...report.totals, ...(verdicts && { verdicts }) }, findings } as Report;
}

describe('summaryLines', () => {
  it('on a real classified sample, shows its verdict counts and findings', async () => {
    const report = await analyze([join(SAMPLES, 'edge-dmz.pcapng')], { topology: loadTopology(join(SAMPLES, 'edge-dmz.topology.json')) });
    const lines = summaryLines(report);
    const verdicts = lines.find((l) => l.startsWith('Verdicts: '))!;
    expect(verdicts).toContain(`${report.totals.verdicts.documented} documented`);
    expect(report.findings.length).toBeGreaterThan(0);
    const at = lines.findIndex((l) => l.startsWith(`Findings: ${report.findings.length} (`));
    expect(at).toBeGreaterThan(0);
    const top = report.findings.filter((f) => f.severity !== 'info').slice(0, 5);
    expect(lines.slice(at + 1, at + 1 + top.length).map((l) => l.slice(9))).toEqual(top.map(findingText));
  });

  it('without classification, shows capture facts and no verdict or finding lines', async () => {
    // A report as written before classification existed (and as library callers may still build one).
    const { findings: _f, ...report } = await analyze([join(SAMPLES, 'edge-dmz.pcapng')]) as Report & { findings?: unknown };
    const { verdicts: _v, ...totals } = report.totals as Report['totals'] & { verdicts?: unknown };
    const lines = summaryLines({ ...report, totals } as Report);
    expect(lines[0]).toMatch(/^[\d,]+ packets, [\d.]+ KiB, [\d,]+ flows \(/);
    expect(lines.join('\n')).not.toMatch(/Verdicts|Findings/);
  });

  it('sums up STUN/TURN and RTP in a line each when inspection found them, and says nothing of them otherwise', async () => {
    const report = await analyze([join(SAMPLES, 'av-udp-blocked.pcapng')]);
    const lines = summaryLines(report);
    // Its ledger: an Allocate never answered on UDP, then on TCP a 401 challenge and the Allocate that succeeded after it.
    expect(report.stun.allocations.map((a) => [a.outcome, a.errorCode])).toEqual([['unanswered', undefined], ['error', 401], ['success', undefined]]);
    expect(lines).toContain(`STUN/TURN: ${report.stun.flows} flows, ${report.stun.requests} requests, ${report.stun.unanswered} unanswered; `
      + 'TURN allocations 3 (1 success, 1 challenged (401/438, then success), 1 unanswered)');
    expect(lines.some((l) => /^RTP: \d+ streams; worst loss [\d.]+% \(flow \d+\), worst mean jitter [\d.]+ ms \(flow \d+\)$/.test(l))).toBe(true);
    // Jitter at an assumed clock rate is left out of the worst: a dynamic payload type too short to infer its rate.
    const media = report.media;
    const assumed = { ...media.streams[0], flow: 999, meanJitterMs: 9999, clockRateSource: 'default' as const };
    const withAssumed = summaryLines({ ...report, media: { ...media, streams: [...media.streams, assumed] } });
    expect(withAssumed.find((l) => l.startsWith('RTP:'))).toBe(lines.find((l) => l.startsWith('RTP:'))!.replace(/^RTP: \d+/, `RTP: ${media.streams.length + 1}`));
    const onlyAssumed = summaryLines({ ...report, media: { ...media, streams: [assumed] } });
    expect(onlyAssumed.find((l) => l.startsWith('RTP:'))).toMatch(/, jitter not measured \(no stream long enough to know its clock rate\)$/);
    const flowsOnly = await analyze([join(SAMPLES, 'av-udp-blocked.pcapng')], { inspectPayloads: false });
    expect(summaryLines(flowsOnly).join('\n')).not.toMatch(/^(STUN\/TURN|RTP):/m);
  });

  it('lists verdict counts in a fixed order, zero counts left out', async () => {
    const report = await classifiedReport([], { undocumented: 5, documented: 30, misdirected: 0, unclassified: 2 });
    const lines = summaryLines(report);
    expect(lines).toContain('Verdicts: 30 documented, 5 undocumented, 2 unclassified');
    expect(lines).toContain('Findings: none');
  });

  it('counts findings by severity and lists the top five, worst first, info only counted', async () => {
    const findings = [
      finding('high', 1), finding('high', 2, 'tcp-unanswered'), finding('medium', 3), finding('medium', 4),
      finding('low', 5), finding('low', 6), finding('info', 7), finding('info', 8),
    ];
    const lines = summaryLines(await classifiedReport(findings, { documented: 1200 }));
    const at = lines.indexOf('Findings: 8 (2 high, 2 medium, 2 low, 2 info)');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1)).toEqual([
      '  HIGH   Undocumented port in use: 203.0.113.1 -> 131.107.10.10 tcp/8001 (1 flow, first at frame 101)',
      '  HIGH   TCP connection attempt never answered (likely dropped by a firewall): 203.0.113.2 -> 131.107.10.10 tcp/8002 (2 flows, first at frame 102)',
      '  MEDIUM Undocumented port in use: 203.0.113.3 -> 131.107.10.10 tcp/8003 (3 flows, first at frame 103)',
      '  MEDIUM Undocumented port in use: 203.0.113.4 -> 131.107.10.10 tcp/8004 (4 flows, first at frame 104)',
      '  LOW    Undocumented port in use: 203.0.113.5 -> 131.107.10.10 tcp/8005 (5 flows, first at frame 105)',
      '  ... and 3 more in the report',
    ]);
    expect(lines).toContain('Verdicts: 1,200 documented');
    expect(TOP_FINDINGS).toBe(5);
  });

  it('lists no finding line when all findings are info (blocked as they should be)', async () => {
    const lines = summaryLines(await classifiedReport([finding('info', 1), finding('info', 2)]));
    expect(lines.at(-1)).toBe('Findings: 2 (2 info)');
  });

  it('words are the same with colours; colours mark severities and verdicts', async () => {
    const report = await classifiedReport([finding('high', 1), finding('medium', 2)], { documented: 3, undocumented: 1 });
    const plain = summaryLines(report);
    const coloured = summaryLines(report, ANSI_STYLE);
    expect(coloured.map((l) => l.replace(ESC, ''))).toEqual(plain);
    expect(coloured.join('\n')).toContain('\x1b[1m\x1b[31mHIGH  \x1b[0m');
    expect(coloured.join('\n')).toContain('\x1b[32m3 documented\x1b[0m');
    expect(plain.join('\n')).not.toMatch(/\x1b/);
  });
});

describe('findingText and outputLines', () => {
  it('say a finding without evidence frames and a standard-output destination plainly', () => {
    expect(findingText({ ...finding('high', 1), evidenceFrames: [] })).toBe('Undocumented port in use: 203.0.113.1 -> 131.107.10.10 tcp/8001 (1 flow)');
    expect(outputLines([{ what: 'JSON report', path: 'r.json' }, { what: 'HTML report', path: '-' }]))
      .toEqual(['JSON report: r.json', 'HTML report: standard output']);
  });
});
