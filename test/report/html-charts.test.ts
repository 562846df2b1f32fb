/** Chart data (complete aggregates, bounded size), the d3-node SVGs, and the formatting helpers they use. */
import { describe, expect, it } from 'vitest';
import { chartModels, MAX_TIMELINE_LANES, PORTMAP_MARK_BUCKETS, TIMELINE_BINS } from '../../src/report/html/charts/models.js';
import { renderCharts } from '../../src/report/html/charts/render.js';
import { count } from '../../src/report/html/format.js';
import type { HtmlFlow, HtmlReport } from '../../src/report/html/input.js';
import { prng } from '../helpers/prng.js';
import { avReport, catalog } from '../helpers/html-reports.js';

function syntheticFlows(n: number, seed: number): HtmlFlow[] {
  const rand = prng(seed);
  const verdicts = ['documented', 'undocumented', 'misdirected', 'unclassified'];
  return Array.from({ length: n }, (_, i) => {
    const start = 1000 + rand() * 100;
    return {
      id: i + 1, transport: rand() < 0.6 ? 'tcp' : 'udp',
      client: { ip: '10.0.0.1', port: 40000 + i, roles: rand() < 0.5 ? ['internal-client'] : [] },
      server: { ip: '10.0.0.2', port: Math.floor(rand() * 65536), roles: ['front-end'] },
      firstSeen: start, lastSeen: start + rand() * 20, frames: { first: 1, last: 2 },
      packets: { fromClient: 1, fromServer: 1 }, bytes: { fromClient: 60, fromServer: 60 }, payloadBytes: { fromClient: 0, fromServer: 0 },
      orientedBy: 'syn', endedBy: 'end', verdict: verdicts[Math.floor(rand() * 4)],
    } as HtmlFlow;
  });
}

function reportOf(flows: HtmlFlow[]): HtmlReport {
  return {
    schema: 'flowaudit-report/1', tool: { name: 'flowaudit', version: 'test' }, inputs: [],
    totals: { packets: 0, bytes: 0, flows: flows.length, flowsByTransport: { tcp: flows.filter((f) => f.transport === 'tcp').length, udp: flows.filter((f) => f.transport === 'udp').length }, flowsEvicted: 0, peakLiveFlows: 0 },
    flows,
  };
}

describe('chart models', () => {
  const flows = syntheticFlows(20_000, 11);
  const models = chartModels(reportOf(flows));

  it('port map: every flow counted once, distinct ports exact, marks bounded', () => {
    for (const m of models.portMaps) {
      const ofTransport = flows.filter((f) => f.transport === m.transport);
      expect(m.used.reduce((a, r) => a + r.flows, 0)).toBe(ofTransport.length);
      for (const row of m.used) {
        const mine = ofTransport.filter((f) => f.verdict === row.verdict);
        expect(row.flows).toBe(mine.length);
        expect(row.ports).toBe(new Set(mine.map((f) => f.server.port)).size);
        expect(row.marks.reduce((a, [, n]) => a + n, 0)).toBe(mine.length);
        expect(row.marks.length).toBeLessThanOrEqual(PORTMAP_MARK_BUCKETS + 1);
      }
    }
  });

  it('timeline: binned above the lane limit, each flow counted in every bin it overlaps', () => {
    const t = models.timeline!;
    expect(t.lanes).toBeUndefined();
    expect(t.bins).toHaveLength(TIMELINE_BINS);
    const width = (t.t1 - t.t0) / TIMELINE_BINS;
    const bin = (ts: number): number => Math.min(TIMELINE_BINS - 1, Math.floor((ts - t.t0) / width));
    const expected = flows.reduce((a, f) => a + bin(f.lastSeen) - bin(f.firstSeen) + 1, 0);
    const got = t.bins!.reduce((a, b) => a + Object.values(b.counts).reduce((x, y) => x + y, 0), 0);
    expect(got).toBe(expected);
    expect(chartModels(reportOf(flows.slice(0, MAX_TIMELINE_LANES))).timeline!.lanes).toHaveLength(MAX_TIMELINE_LANES);
  });

  it('role matrix: cells sum to the flows', () => {
    const m = models.roleMatrix!;
    expect(m.cells.flat().reduce((a, c) => a + c.flows, 0)).toBe(flows.length);
    expect(m.clients).toEqual(expect.arrayContaining(['internal-client', 'unknown']));
  });
});

describe('charts drawn by d3-node', async () => {
  const report = await avReport();
  const charts = renderCharts(chartModels(report, catalog));
  it('are SVGs with titles, legends and marks, and no style attributes or outside references', () => {
    const all = [charts.timeline!, ...charts.portMaps, charts.roleMatrix!, ...charts.protocolMix, ...charts.media];
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const svg of all) {
      expect(svg).toMatch(/^<svg class="chart" viewBox="0 0 \d+ \d+"/);
      expect(svg).toMatch(/<title>[^<]+<\/title>/);
      expect(svg).toMatch(/<rect|<path/);
      expect(svg).not.toMatch(/\sstyle="|https?:|xmlns/);
    }
    expect(charts.timeline).toContain('class="legend"');
    expect(charts.portMaps[0]).toContain('documented range');
  });
});

describe('formatting', () => {
  it('count() matches toLocaleString for integers', () => {
    const rand = prng(3);
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor((rand() - 0.3) * 10 ** Math.floor(rand() * 16));
      expect(count(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
