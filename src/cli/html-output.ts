/**
 * `analyze --html FILE`: the page's charts are drawn in a worker thread while
 * this thread writes the other reports and assembles the page (see
 * report/html/charts/worker.ts). The page modules loaded here do not load
 * d3-node; only the worker does.
 */
import { writeFile } from 'node:fs/promises';
import { loadCatalog } from '../catalog/load.js';
import type { Catalog } from '../catalog/types.js';
import type { Report } from '../report/model.js';
import { chartModels, type ChartModels } from '../report/html/charts/models.js';
import { ChartWorker } from '../report/html/charts/pool.js';
import { fillCharts, placeholderCharts } from '../report/html/charts/placeholders.js';
import type { ChartSvgs } from '../report/html/charts/render.js';
import type { HtmlReport } from '../report/html/input.js';
import { assembleHtml } from '../report/html/page.js';

export class HtmlReportJob {
  /** Started with the job, before the capture is read: the worker loads d3-node and jsdom meanwhile. */
  private readonly worker = new ChartWorker();
  private started: { report: HtmlReport; catalog: Catalog; models: ChartModels; charts: Promise<ChartSvgs> } | { error: unknown } | undefined;
  /** The drawn charts, once the worker answered. */
  private drawn: ChartSvgs | undefined;

  /**
   * Computes the chart models of `report` and has the worker draw them, so that they are drawn
   * while the JSON report is written. `catalog`: the one the report was classified with (default:
   * as the report's `catalog` names it). A failure here is reported by write(), after the other
   * reports were written.
   */
  start(report: Report, catalog?: Catalog): void {
    try {
      const r = report as unknown as HtmlReport;
      const cat = catalog ?? loadCatalog(r.catalog !== undefined ? { packs: r.catalog.packs, extraFiles: r.catalog.files } : {});
      const models = chartModels(r, cat);
      const charts = this.worker.render(models);
      charts.then((svgs) => { this.drawn = svgs; }, () => {}); // a failure is met in write()
      this.started = { report: r, catalog: cat, models, charts };
    } catch (error) {
      this.started = { error };
    }
  }

  /** Assembles the page of the started report and writes it to `file` ("-": standard output). */
  async write(file: string): Promise<void> {
    if (this.started === undefined) throw new Error('HtmlReportJob.write before start');
    if ('error' in this.started) throw this.started.error;
    const { report, catalog, models, charts } = this.started;
    // Drawn while the JSON was written: the page takes them at once. Else it is assembled around
    // placeholders while the worker finishes.
    const html = this.drawn !== undefined
      ? assembleHtml(report, models, this.drawn, { catalog })
      : fillCharts(assembleHtml(report, models, placeholderCharts(models), { catalog }), await charts);
    if (file === '-') await new Promise<void>((resolve, reject) => process.stdout.write(html, (err) => (err ? reject(err) : resolve())));
    else await writeFile(file, html);
  }

  /** Stops the worker (when the run ends without writing, e.g. on an error). */
  close(): Promise<void> {
    return this.worker.close();
  }
}
