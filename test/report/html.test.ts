/**
 * The HTML page as a string: CSP, self-containment, escaping of every string
 * of a hostile report, caps stated, sections that say when they have no data,
 * the chart placeholders, and determinism.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { chartModels } from '../../src/report/html/charts/models.js';
import { fillCharts, placeholderCharts } from '../../src/report/html/charts/placeholders.js';
import { renderCharts } from '../../src/report/html/charts/render.js';
import { assembleHtml, CSP, renderHtml } from '../../src/report/html/index.js';
import type { HtmlFlow, HtmlReport } from '../../src/report/html/input.js';
import { PAGE_CSS } from '../../src/report/html/style.js';
import { PAGE_SCRIPT } from '../../src/report/html/script.js';
import { SAMPLES } from '../helpers/environment.js';
import { avReport, catalog, HOSTILE_STRINGS, hostile, sampleReport } from '../helpers/html-reports.js';

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');

/** Markup outside the inline <style> and <script>, where no raw hostile markup may appear. */
function outsideStyleAndScript(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<script>[\s\S]*?<\/script>/, '');
}

describe('the page', async () => {
  const report = await avReport();
  const html = renderHtml(report, { catalog });

  it('carries a CSP that allows nothing but its own inline style and script, by hash', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP.replace(/'/g, '&#39;')}">`);
    expect(CSP).toContain("default-src 'none'");
    expect(CSP).toContain(`style-src 'sha256-${sha(PAGE_CSS)}'`);
    expect(CSP).toContain(`script-src 'sha256-${sha(PAGE_SCRIPT)}'`);
    expect(CSP).not.toMatch(/unsafe|https?:|\*/);
    // The hashed bodies are exactly what the page holds.
    expect(html).toContain(`<style>${PAGE_CSS}</style>`);
    expect(html).toContain(`<script>${PAGE_SCRIPT}</script>`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
  });

  it('references nothing outside itself', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(src|href|xlink:href|action|srcset|poster|data)\s*=\s*"(?!#)/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/\sstyle="/); // no inline style attributes (the CSP would block them)
    expect(html).not.toMatch(/\son[a-z]+="/i); // no inline event handlers
  });

  it('has every section, the charts, and the A/V data', () => {
    for (const id of ['summary', 'findings', 'checklist', 'av', 'flows', 'anomalies']) expect(html).toContain(`<section id="${id}">`);
    expect(html.match(/<svg class="chart"/g)!.length).toBeGreaterThanOrEqual(6);
    for (const title of ['Flow timeline', 'Port usage, TCP', 'Role-to-role matrix', 'Flows per transport', 'Media stream']) expect(html).toContain(title);
    expect(html).toMatch(/<table id="turn-allocations"[\s\S]*?bob@contoso\.com[\s\S]*?<\/table>/);
    expect(html).toContain('<table id="stun-failures"');
    expect(html).toContain('<table id="ice-checks"');
    expect(html).toContain('<table id="media-table"');
    expect(html).toContain('<table id="rtcp-reception"');
    expect(html).toContain('flowaudit-sample 1.0'); // STUN SOFTWARE
    expect(html).toContain('Flows per application protocol');
    expect(html).toContain('Wireshark filter');
    expect(html).toMatch(/<tr id="flow-1"/);
  });

  it('is the same string every time (no clock, no randomness)', () => {
    expect(renderHtml(report, { catalog })).toBe(html);
  });

  it('assembled with placeholders and filled is the same page', () => {
    const models = chartModels(report, catalog);
    const page = assembleHtml(report, models, placeholderCharts(models), { catalog });
    expect(page).toContain('\u0000chart:');
    expect(fillCharts(page, renderCharts(models))).toBe(html);
  });
});

describe('a report without classification or payload inspection', async () => {
  // A report as a build without classification wrote it: the classification fields taken out.
  const full = (await analyze([`${SAMPLES}/edge-mini.pcapng`])) as unknown as Record<string, unknown> & HtmlReport;
  const { findings: _f, checklist: _c, topology: _t, catalog: _k, stun: _s, media: _m, ...rest } = full;
  const { verdicts: _v, ...totals } = full.totals;
  const plain: HtmlReport = {
    ...rest,
    totals,
    flows: full.flows.map(({ verdict: _1, rules: _2, confidence: _3, explanation: _4, findings: _5, apps: _6, ...f }) => ({
      ...f, client: { ip: f.client.ip, port: f.client.port }, server: { ip: f.server.ip, port: f.server.port },
    })),
  };
  const html = renderHtml(plain);
  it('renders and says in one line what is missing', () => {
    expect(html).toContain('No verdicts: this report was written without classification');
    expect(html).toContain('Findings: not part of this report');
    expect(html).toContain('Checklist: not part of this report');
    expect(html).toContain('No STUN/TURN or media data');
    expect(html).toContain('no roles in this report');
    expect(html).toContain('Flow timeline');
  });
});

describe('hostile strings', async () => {
  const base = await avReport();
  const evil = hostile(base);
  // Keys of open records are strings from the capture too.
  evil.inputs[0].anomalies[HOSTILE_STRINGS[0]] = 3;
  evil.totals.flowsByTransport[HOSTILE_STRINGS[1]] = 1;
  evil.totals.verdicts = { ...evil.totals.verdicts, [HOSTILE_STRINGS[2]]: 1 };
  const html = renderHtml(evil, { catalog });
  const body = outsideStyleAndScript(html);

  it('renders every string field escaped: no tag, attribute or handler from the data', () => {
    expect(body).not.toMatch(/<script|<img|<svg onload|<iframe/i);
    // An event handler inside a real tag: look at tags with their (escaped, so quote-free) attribute values taken out.
    expect(body.replace(/="[^"]*"/g, '=""')).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(body).not.toContain('</script>');
    expect(body).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(body).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(body).toContain('&lt;/script&gt;&lt;img src=x onerror=window.__pwned=1&gt;');
    expect(body).toContain('ctl\\x00\\x07\\x1b[31m\\x7f\\x85');
  });

  it('keeps the page structure whole', () => {
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    for (const id of ['summary', 'findings', 'checklist', 'av', 'flows', 'anomalies']) expect(html).toContain(`<section id="${id}">`);
  });
});

describe('caps on large captures', () => {
  function bigReport(n: number): HtmlReport {
    const flows: HtmlFlow[] = [];
    for (let i = 1; i <= n; i++) {
      flows.push({
        id: i, transport: 'tcp', client: { ip: '10.0.0.1', port: 40000 + (i % 20000) }, server: { ip: '10.0.0.2', port: 443 },
        firstSeen: 1000 + i / 100, lastSeen: 1001 + i / 100, frames: { first: i, last: i + 1 },
        packets: { fromClient: 3, fromServer: 2 }, bytes: { fromClient: 300, fromServer: 200 }, payloadBytes: { fromClient: 0, fromServer: 0 },
        orientedBy: 'syn', endedBy: 'end', tcp: { state: 'SF', history: 'ShADadFf' },
        verdict: i % 1000 === 0 ? 'undocumented' : 'documented', rules: [], confidence: 'port', findings: i % 1000 === 0 ? ['undocumented-port'] : [],
      });
    }
    return {
      schema: 'flowaudit-report/1', tool: { name: 'flowaudit', version: 'test' },
      inputs: [{ path: 'big.pcap', format: 'pcap', compressed: false, linkTypes: [1], packets: n * 5, bytes: n * 500, capturedBytes: n * 500, packetsInFlows: n * 5, firstPacket: 1000, lastPacket: 1001 + n / 100, anomalies: {} }],
      totals: { packets: n * 5, bytes: n * 500, flows: n, flowsByTransport: { tcp: n }, flowsEvicted: 0, peakLiveFlows: n },
      flows,
    };
  }

  it('shows 5,000 flows with every flagged one, states the cap and the count left out', () => {
    const report = bigReport(20_000);
    const html = renderHtml(report);
    expect(html.match(/<tr id="flow-/g)).toHaveLength(5000);
    expect(html).toContain('Showing 5,000 of 20,000 flows: all 20 flagged flows, then the earliest others. 15,000 flows left out here');
    for (let id = 1000; id <= 20_000; id += 1000) expect(html).toContain(`<tr id="flow-${id}"`);
    expect(html.length).toBeLessThan(10 * 1024 * 1024);
  });

  it('takes a smaller cap as an option', () => {
    const html = renderHtml(bigReport(300), { maxFlowRows: 100 });
    expect(html.match(/<tr id="flow-/g)).toHaveLength(100);
    expect(html).toContain('Showing 100 of 300 flows');
  });

  it('states the findings cap', async () => {
    const report = await sampleReport('edge-dmz');
    const html = renderHtml(report, { catalog, maxFindings: 2 });
    expect(html).toContain(`Showing the first 2 of ${report.findings!.length} findings; ${report.findings!.length - 2} left out here`);
    expect(html.match(/<article class="finding/g)).toHaveLength(2);
  });
});
