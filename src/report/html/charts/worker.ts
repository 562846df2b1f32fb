/**
 * Worker thread that draws the charts. Started by the CLI before the capture
 * is read, so that loading d3-node and jsdom (a few hundred milliseconds) runs
 * on the other core while the main thread decodes packets; it then receives
 * the chart models (small aggregates) and answers with SVG markup.
 */
import { parentPort } from 'node:worker_threads';
import { Canvas } from './canvas.js';
import type { ChartModels } from './models.js';
import { renderCharts } from './render.js';

/** One chart of each kind, drawn once at start so that d3 and jsdom are compiled before the real charts are asked for. */
const WARM_UP: ChartModels = {
  timeline: { t0: 0, t1: 10, verdicts: ['documented'], bins: [{ start: 0, end: 10, counts: { documented: 1, misdirected: 0, undocumented: 0, unclassified: 0, none: 0 } }] },
  portMaps: [{ transport: 'tcp', rules: [{ id: 'r', label: 'r', ranges: [[1, 2]], broad: false }], rulesLeftOut: 0, used: [{ verdict: 'documented', marks: [[1, 1]], ports: 1, flows: 1 }] }],
  roleMatrix: { clients: ['a'], servers: ['b'], cells: [[{ flows: 1, verdict: 'documented' }]] },
  protocolMix: [{ title: 't', bars: [{ label: 'tcp', value: 1 }] }],
  media: [{ label: 's', summary: '', bucketSeconds: 1, points: [{ t: 0, lossPct: 1, jitterMs: 1 }, { t: 1, lossPct: 2, jitterMs: 2 }] }],
  mediaLeftOut: 0,
};

const port = parentPort;
if (port !== null) {
  const canvas = new Canvas();
  renderCharts(WARM_UP, canvas);
  port.on('message', (models: ChartModels) => {
    try {
      port.postMessage({ ok: true, charts: renderCharts(models, canvas) });
    } catch (err) {
      port.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  port.postMessage({ ready: true });
}
