/**
 * The HTML report in a real browser: Debian's Chromium driven by
 * playwright-core (no browser download). For each sample, and for hostile
 * reports: loads with no console error (a CSP violation is one) and no
 * request other than the file itself; shows its charts; sorts and filters the
 * flow table by a click; saves a screenshot to test-artifacts/. Hostile
 * reports prove no script from the data ran (window.__pwned stays unset) and
 * that the hostile text is visible as text.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/index.js';
import type { HtmlReport } from '../../src/report/html/input.js';
import { REPO_ROOT, SAMPLES, skipNote } from '../helpers/environment.js';
import { catalog, classifiedReport, hostile, HOSTILE_STRINGS, sampleReport, withAv } from '../helpers/html-reports.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
skipNote('browser tests of the HTML report', hasChromium ? [] : [CHROMIUM]);

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'html');
const PAGES = join(REPO_ROOT, '.cache', 'html-test');

const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.pcapng')).map((f) => f.slice(0, -'.pcapng'.length)).sort();

/**
 * Hostile reports: every string of a classified sample report with A/V data
 * replaced by a hostile one, and a real analysis of a capture whose file name
 * is hostile. Add a report of a hostile capture (SNI, SIP User-Agent, STUN
 * USERNAME/SOFTWARE) to this list when payload inspection lands.
 */
const hostileReports: [string, () => Promise<HtmlReport>][] = [
  ['every string field', async () => hostile(withAv(await sampleReport('edge-dmz')))],
  ['hostile capture file name', async () => {
    mkdirSync(PAGES, { recursive: true });
    const dir = join(PAGES, 'hostile-name');
    mkdirSync(dir, { recursive: true });
    // A name a file system accepts: no '/' and no NUL.
    const name = join(dir, `<script>window.__pwned=1<\\script>"'><img src=x onerror=window.__pwned=1>\u0007.pcapng`);
    const { readFileSync } = await import('node:fs');
    writeFileSync(name, readFileSync(join(SAMPLES, 'edge-mini.pcapng')));
    return classifiedReport([name]);
  }],
];

interface Loaded {
  page: Page;
  errors: string[];
  requests: string[];
}

describe.skipIf(!hasChromium)('HTML report in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    mkdirSync(ARTIFACTS, { recursive: true });
    mkdirSync(PAGES, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(name: string, html: string, javaScript = true): Promise<Loaded> {
    const file = join(PAGES, `${name}.html`);
    writeFileSync(file, html);
    const url = `file://${file}`;
    const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
    await page.goto(url, { waitUntil: 'load' });
    return { page, errors, requests };
  }

  /** Flow ids of the visible rows of the flow table, in order. */
  function visibleIds(page: Page): Promise<number[]> {
    return page.$$eval('#flow-table tbody tr', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => Number(r.id.slice('flow-'.length))));
  }

  describe.each(samples)('sample %s', (name) => {
    it('loads cleanly, shows charts, sorts and filters the flow table, and is saved as a screenshot', async () => {
      const report = withAv(await sampleReport(name));
      const { page, errors, requests } = await open(name, renderHtml(report, { catalog }));
      try {
        expect(errors).toEqual([]);
        expect(requests).toEqual([]);

        // Charts: visible SVGs with drawn marks.
        const charts = page.locator('svg.chart');
        expect(await charts.count()).toBeGreaterThanOrEqual(5);
        for (let i = 0; i < await charts.count(); i++) {
          const chart = charts.nth(i);
          await chart.scrollIntoViewIfNeeded();
          expect(await chart.isVisible()).toBe(true);
          const box = await chart.boundingBox();
          expect(box!.width).toBeGreaterThan(100);
          expect(box!.height).toBeGreaterThan(40);
          expect(await chart.locator('rect, path').count()).toBeGreaterThan(0);
        }

        // Sort: by id descending on the second click, then by packets c->s ascending.
        const ids = report.flows.map((f) => f.id);
        expect(await visibleIds(page)).toEqual(ids);
        const idHead = page.locator('#flow-table thead th').nth(0).locator('button');
        await idHead.click();
        expect(await visibleIds(page)).toEqual(ids);
        await idHead.click();
        expect(await visibleIds(page)).toEqual([...ids].reverse());
        await page.locator('#flow-table thead th').nth(6).locator('button').click();
        const byPackets = [...report.flows].sort((a, b) => a.packets.fromClient - b.packets.fromClient || b.id - a.id).map((f) => f.packets.fromClient);
        const shown = await visibleIds(page);
        expect(shown.map((id) => report.flows.find((f) => f.id === id)!.packets.fromClient)).toEqual(byPackets);

        // Filter: by a server address, then by verdict.
        const target = report.flows[report.flows.length - 1];
        await page.fill('.filter[data-table="flow-table"] input[type="text"]', target.server.ip);
        const matching = report.flows.filter((f) => `${f.client.ip} ${f.server.ip}`.includes(target.server.ip)).map((f) => f.id).sort((a, b) => a - b);
        expect((await visibleIds(page)).sort((a, b) => a - b)).toEqual(matching);
        expect(matching.length).toBeLessThan(report.flows.length);
        await page.fill('.filter[data-table="flow-table"] input[type="text"]', '');
        await page.selectOption('.filter[data-table="flow-table"] select', 'documented');
        const documented = report.flows.filter((f) => f.verdict === 'documented').map((f) => f.id).sort((a, b) => a - b);
        expect((await visibleIds(page)).sort((a, b) => a - b)).toEqual(documented);
        expect(await page.locator('.filter[data-table="flow-table"] .status').textContent()).toBe(`${documented.length} of ${report.flows.length} rows shown`);
        await page.selectOption('.filter[data-table="flow-table"] select', '');

        await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
        expect(existsSync(join(ARTIFACTS, `${name}.png`))).toBe(true);
        expect(errors).toEqual([]);
        expect(requests).toEqual([]);
      } finally {
        await page.context().close();
      }
    });
  });

  it('without JavaScript: a plain table, no filter box or copy button, Wireshark filters as selectable text', async () => {
    const report = await sampleReport('edge-dmz');
    const { page, errors, requests } = await open('edge-dmz-nojs', renderHtml(report, { catalog }), false);
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(await page.locator('#flow-table tbody tr:visible').count()).toBe(report.flows.length);
      expect(await page.locator('.filter[data-table]:visible').count()).toBe(0);
      expect(await page.locator('button.copy:visible').count()).toBe(0);
      expect(await page.locator('#wsf-1').inputValue()).toBe(report.findings![0].wiresharkFilter);
      expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    } finally {
      await page.context().close();
    }
  });

  describe.each(hostileReports)('hostile report: %s', (name, build) => {
    it('runs no script from the data and shows the strings as text', async () => {
      const report = await build();
      const file = name.replace(/\W+/g, '-');
      const { page, errors, requests } = await open(`hostile-${file}`, renderHtml(report, { catalog }));
      try {
        expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
        expect(requests).toEqual([]);
        expect(errors).toEqual([]);
        const bodyText = await page.locator('body').innerText();
        expect(bodyText).toContain('<script>window.__pwned=1');
        expect(bodyText).toMatch(/<img src=x onerror=window\.__pwned=1>/);
        // The page's own script still works: the table sorts.
        await page.locator('#flow-table thead th').nth(0).locator('button').click();
        await page.locator('#flow-table thead th').nth(0).locator('button').click();
        const first = await page.$$eval('#flow-table tbody tr', (rows) => rows[0].id);
        expect(first).toBe(`flow-${Math.max(...report.flows.map((f) => f.id))}`);
        expect(await page.locator('img').count()).toBe(0);
        await page.screenshot({ path: join(ARTIFACTS, `hostile-${file}.png`), fullPage: true });
        expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      } finally {
        await page.context().close();
      }
    });
  });

  it('the hostile strings list covers the classes the issue names', () => {
    expect(HOSTILE_STRINGS.some((s) => s.includes('<script>'))).toBe(true);
    expect(HOSTILE_STRINGS.some((s) => s.includes('</script><img src=x onerror='))).toBe(true);
    expect(HOSTILE_STRINGS.some((s) => s.includes('"') && s.includes("'"))).toBe(true);
    expect(HOSTILE_STRINGS.some((s) => /[\u0000-\u001f]/.test(s))).toBe(true);
  });
});
