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
import { avReport, catalog, classifiedReport, hostile, HOSTILE_STRINGS, sampleReport } from '../helpers/html-reports.js';
import { CONTROLS, IMG_ONERROR, QUOTES, SCRIPT } from '../../samples/generator/scenarios/hostile-strings.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
skipNote('browser tests of the HTML report', hasChromium ? [] : [CHROMIUM]);

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'html');
const PAGES = join(REPO_ROOT, '.cache', 'html-test');

const samples = readdirSync(SAMPLES).filter((f) => f.endsWith('.pcapng')).map((f) => f.slice(0, -'.pcapng'.length)).sort();

/** Samples whose A/V tables and media charts must be drawn (rows > 0, SVG marks). */
const AV_TABLES: Record<string, string[]> = {
  'av-rtp-quality': ['media-table', 'rtcp-reception', 'rtcp-senders'],
  'av-turn-auth': ['turn-allocations', 'stun-failures', 'stun-flows', 'media-table'],
};

/**
 * Hostile reports: every string of the classified report of edge-dmz and all
 * A/V samples replaced by a hostile one, a real analysis of a capture whose
 * file name is hostile, and of a capture whose SNI, SIP headers and STUN
 * USERNAME/SOFTWARE are hostile (samples/hostile-strings.pcapng).
 */
const hostileReports: [string, () => Promise<HtmlReport>][] = [
  ['every string field', async () => hostile(await avReport())],
  ['hostile capture strings', () => sampleReport('hostile-strings')],
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

  /**
   * The page's text as rendered, section by section: a section off screen is
   * not laid out (content-visibility: auto), so each one is scrolled to first.
   */
  async function renderedText(page: Page): Promise<string> {
    let out = await page.locator('header').innerText();
    const sections = page.locator('main > section');
    for (let i = 0; i < await sections.count(); i++) {
      await sections.nth(i).scrollIntoViewIfNeeded();
      out += `\n${await sections.nth(i).innerText()}`;
    }
    return out;
  }

  /** Flow ids of the visible rows of the flow table, in order. */
  function visibleIds(page: Page): Promise<number[]> {
    return page.$$eval('#flow-table tbody tr', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => Number(r.id.slice('flow-'.length))));
  }

  describe.each(samples)('sample %s', (name) => {
    it('loads cleanly, shows charts, sorts and filters the flow table, and is saved as a screenshot', async () => {
      const report = await sampleReport(name);
      const { page, errors, requests } = await open(name, renderHtml(report, { catalog }));
      try {
        expect(errors).toEqual([]);
        expect(requests).toEqual([]);

        // Charts: visible SVGs with drawn marks.
        const charts = page.locator('svg.chart');
        expect(await charts.count()).toBeGreaterThanOrEqual(4);
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

        // Filter: by an address (or address:port, when every flow has the same two addresses) that not every flow has, then by verdict.
        const endpointText = (e: { ip: string; port: number }): string => `${e.ip.includes(':') ? `[${e.ip}]` : e.ip}:${e.port}`;
        const addressesOf = (f: (typeof report.flows)[number]): string => `${endpointText(f.client)} ${endpointText(f.server)}`;
        const candidates = [...report.flows].reverse().flatMap((f) => [f.server.ip, f.client.ip]).concat([...report.flows].reverse().flatMap((f) => [endpointText(f.server), endpointText(f.client)]));
        const token = candidates.find((c) => report.flows.some((f) => !addressesOf(f).includes(c)))!;
        await page.fill('.filter[data-table="flow-table"] input[type="text"]', token);
        const matching = report.flows.filter((f) => addressesOf(f).includes(token)).map((f) => f.id).sort((a, b) => a - b);
        expect((await visibleIds(page)).sort((a, b) => a - b)).toEqual(matching);
        expect(matching.length).toBeLessThan(report.flows.length);
        await page.fill('.filter[data-table="flow-table"] input[type="text"]', '');
        await page.selectOption('.filter[data-table="flow-table"] select', 'documented');
        const documented = report.flows.filter((f) => f.verdict === 'documented').map((f) => f.id).sort((a, b) => a - b);
        expect((await visibleIds(page)).sort((a, b) => a - b)).toEqual(documented);
        expect(await page.locator('.filter[data-table="flow-table"] .status').textContent()).toBe(`${documented.length} of ${report.flows.length} rows shown`);
        await page.selectOption('.filter[data-table="flow-table"] select', '');

        // A/V: the tables this sample must fill, and one drawn chart per media stream (up to the cap).
        for (const id of AV_TABLES[name] ?? []) {
          const rows = page.locator(`#${id} tbody tr`);
          expect(await rows.count(), id).toBeGreaterThan(0);
          await rows.first().scrollIntoViewIfNeeded();
          expect(await rows.first().isVisible(), id).toBe(true);
        }
        if (name in AV_TABLES) {
          const mediaCharts = page.locator('#av svg.chart');
          expect(await mediaCharts.count()).toBe(Math.min(12, report.media!.streams.length));
          for (let i = 0; i < await mediaCharts.count(); i++) {
            const chart = mediaCharts.nth(i);
            await chart.scrollIntoViewIfNeeded();
            expect(await chart.isVisible()).toBe(true);
            // Lines and a dot per bucket, inside the plot.
            expect(await chart.locator('path[stroke="#c4262e"], path[stroke="#1a5fb4"]').count()).toBeGreaterThan(0);
            expect(await chart.locator('circle').count()).toBeGreaterThan(0);
            const dot = await chart.locator('circle').first().boundingBox();
            expect(dot!.width).toBeGreaterThan(0);
          }
          // A/V tables sort by a click like the flow table.
          const table = AV_TABLES[name][0];
          await page.locator(`#${table} thead th`).nth(0).locator('button').click();
          expect(await page.locator(`#${table} thead th`).nth(0).getAttribute('aria-sort')).toBe('ascending');
        }

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
        const bodyText = await renderedText(page);
        expect(bodyText).toContain('<script>window.__pwned=1');
        expect(bodyText).toMatch(/<img src=x onerror=window\.__pwned=1>/);
        // The page's own script still works: the table sorts.
        await page.locator('#flow-table thead th').nth(0).locator('button').click();
        await page.locator('#flow-table thead th').nth(0).locator('button').click();
        const first = await page.$$eval('#flow-table tbody tr', (rows) => rows[0].id);
        expect(first).toBe(`flow-${Math.max(...report.flows.map((f) => f.id))}`);
        expect(await page.locator('img').count()).toBe(0);
        if (name === 'hostile capture strings') {
          // SNI, SIP User-Agent/From/Call-ID in the apps column; STUN USERNAME and SOFTWARE in the A/V tables.
          await page.locator('#flow-table').scrollIntoViewIfNeeded();
          const apps = await page.locator('#flow-table').innerText();
          expect(apps).toContain(`SNI: ${SCRIPT}\ufffd\ufffd[31m`); // NUL and ESC replaced at the source (clip)
          expect(apps).toContain(`User-Agent: ${IMG_ONERROR} ${QUOTES}`);
          expect(apps).toContain(`From: "${IMG_ONERROR}"`);
          expect(apps).toContain(`Call-ID: ${QUOTES}@203.0.113.66`);
          await page.locator('#turn-allocations').scrollIntoViewIfNeeded();
          expect(await page.locator('#turn-allocations').innerText()).toContain(SCRIPT);
          expect(await page.locator('#stun-flows').innerText()).toContain(IMG_ONERROR);
          expect(CONTROLS).toContain('\u001b');
        }
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
