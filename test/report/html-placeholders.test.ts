/**
 * The CLI assembles the page around chart placeholders when the worker has not
 * drawn the charts yet, and with the charts themselves when it has
 * (src/cli/html-output.ts). Both give the same page.
 */
import { describe, expect, it } from 'vitest';
import { chartModels } from '../../src/report/html/charts/models.js';
import { fillCharts, placeholderCharts } from '../../src/report/html/charts/placeholders.js';
import { renderCharts } from '../../src/report/html/charts/render.js';
import { assembleHtml } from '../../src/report/html/page.js';
import { AV_SAMPLES, catalog, sampleReport } from '../helpers/html-reports.js';

describe('chart placeholders', () => {
  it('give the page the charts give, on every sample with charts', async () => {
    for (const name of ['edge-dmz', 'edge-mini', ...AV_SAMPLES]) {
      const report = await sampleReport(name);
      const models = chartModels(report, catalog);
      const charts = renderCharts(models);
      const direct = assembleHtml(report, models, charts, { catalog });
      const filled = fillCharts(assembleHtml(report, models, placeholderCharts(models), { catalog }), charts);
      expect(filled, name).toBe(direct);
      expect(direct.match(/<svg class="chart"/g)?.length ?? 0, name).toBeGreaterThan(0);
    }
  });
});
