/**
 * The HTML report: `renderHtml(report, options)` returns one self-contained
 * page (see page.ts) with charts drawn server-side by d3-node. Importing this
 * module loads d3-node and jsdom; the CLI instead draws the charts in a worker
 * (charts/worker.ts) while the capture is read, and calls assembleHtml().
 */
import { chartModels } from './charts/models.js';
import { renderCharts } from './charts/render.js';
import type { HtmlReport } from './input.js';
import { assembleHtml, type HtmlOptions } from './page.js';

export function renderHtml(report: HtmlReport, options: HtmlOptions = {}): string {
  const models = chartModels(report, options.catalog);
  return assembleHtml(report, models, renderCharts(models), options);
}

export { assembleHtml, CSP, type HtmlOptions } from './page.js';
export { chartModels, type ChartModels } from './charts/models.js';
export { renderCharts, type ChartSvgs } from './charts/render.js';
export { attr, jsonForScript, text } from './escape.js';
export type { HtmlFlow, HtmlReport } from './input.js';
