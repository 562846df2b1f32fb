/**
 * `analyze --html FILE`: starts the chart worker before the capture is read
 * (see report/html/charts/worker.ts), then assembles and writes the page. The
 * page modules loaded here do not load d3-node; only the worker does.
 */
import { writeFile } from 'node:fs/promises';
import { loadCatalog } from '../catalog/load.js';
import type { Catalog } from '../catalog/types.js';
import type { Report } from '../report/model.js';
import { chartModels } from '../report/html/charts/models.js';
import { ChartWorker } from '../report/html/charts/pool.js';
import { fillCharts, placeholderCharts } from '../report/html/charts/placeholders.js';
import type { HtmlReport } from '../report/html/input.js';
import { assembleHtml } from '../report/html/page.js';

export class HtmlReportJob {
  private readonly worker = new ChartWorker();

  /** Renders `report` and writes it to `file` ("-": standard output). `catalog`: the one the report was classified with (default: as the report's `catalog` names it). */
  async write(report: Report, file: string, catalog?: Catalog): Promise<void> {
    const r = report as unknown as HtmlReport;
    const cat = catalog ?? loadCatalog(r.catalog !== undefined ? { packs: r.catalog.packs, extraFiles: r.catalog.files } : {});
    const models = chartModels(r, cat);
    // The worker draws while this thread assembles the rest of the page.
    const charts = this.worker.render(models);
    const page = assembleHtml(r, models, placeholderCharts(models), { catalog: cat });
    const html = fillCharts(page, await charts);
    if (file === '-') await new Promise<void>((resolve, reject) => process.stdout.write(html, (err) => (err ? reject(err) : resolve())));
    else await writeFile(file, html);
  }

  /** Stops the worker (when the run ends without writing, e.g. on an error). */
  close(): Promise<void> {
    return this.worker.close();
  }
}
