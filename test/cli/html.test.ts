/** `analyze --html FILE` through the built CLI: the chart worker path, the summary line, help text. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartModels } from '../../src/report/html/charts/models.js';
import { renderCharts } from '../../src/report/html/charts/render.js';
import { assembleHtml } from '../../src/report/html/page.js';
import { analyze } from '../../src/analyze.js';
import type { HtmlReport } from '../../src/report/html/input.js';
import { flowaudit } from '../helpers/cli.js';
import { SAMPLES } from '../helpers/environment.js';
import { catalog } from '../helpers/html-reports.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-html-'));

describe('analyze --html', () => {
  it('writes the page (charts drawn by the worker) and names it in the summary', async () => {
    const file = join(tmp, 'edge.html');
    const r = flowaudit(['analyze', join(SAMPLES, 'edge-dmz.pcapng'), '--html', file, '--json', join(tmp, 'edge.json')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`HTML report: ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toContain('\u0000');
    // The worker's charts are the ones drawn in-process: the CLI page equals renderHtml's page for the same report.
    const report = (await analyze([join(SAMPLES, 'edge-dmz.pcapng')])) as unknown as HtmlReport;
    const models = chartModels(report, catalog);
    const expected = assembleHtml(report, models, renderCharts(models), { catalog });
    expect(html).toBe(expected);
    expect(html.match(/<svg class="chart"/g)!.length).toBeGreaterThanOrEqual(3);
  });

  it('exits cleanly with --quiet and an HTML only', () => {
    const file = join(tmp, 'mini.html');
    const r = flowaudit(['analyze', join(SAMPLES, 'edge-mini.pcap'), '--html', file, '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('writes the page to standard output with --html -, the same page as to a file, the summary to stderr', () => {
    const file = join(tmp, 'mini-file.html');
    expect(flowaudit(['analyze', join(SAMPLES, 'edge-mini.pcap'), '--html', file, '--quiet']).status).toBe(0);
    const r = flowaudit(['analyze', join(SAMPLES, 'edge-mini.pcap'), '--html', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(file, 'utf8'));
    expect(r.stderr).toMatch(/^Verdicts: /m);
  });

  it('is in --help', () => {
    expect(flowaudit(['analyze', '--help']).stdout).toContain('--html <file>');
  });

  it('reports an unwritable path as a usage error, without a stack', () => {
    const r = flowaudit(['analyze', join(SAMPLES, 'edge-mini.pcap'), '--html', join(tmp, 'no', 'such', 'dir', 'x.html')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flowaudit: cannot write .*x\.html \(--html\): no such directory /);
    expect(r.stderr).not.toContain('    at ');
  });
});
