/**
 * Draws every chart of the page with d3-node (server side, into SVG markup).
 * Loading d3-node loads jsdom, which takes a few hundred milliseconds: the
 * CLI does it in a worker thread while the capture is read (worker.ts);
 * renderHtml() calls it directly.
 */
import { barsSvg } from './bars.js';
import { Canvas } from './canvas.js';
import { roleMatrixSvg } from './matrix.js';
import { mediaSvg } from './media.js';
import type { ChartModels } from './models.js';
import { portMapSvg } from './portmap.js';
import { timelineSvg } from './timeline.js';

/** SVG markup per chart; absent or empty when the report has no data for it. */
export interface ChartSvgs {
  timeline?: string;
  portMaps: string[];
  roleMatrix?: string;
  protocolMix: string[];
  /** Same order as ChartModels.media; '' for a stream without a time series. */
  media: string[];
}

/** `canvas`: a document to draw in, reused across calls by the worker (creating one costs ~15-60 ms). */
export function renderCharts(models: ChartModels, canvas = new Canvas()): ChartSvgs {
  return {
    timeline: models.timeline && timelineSvg(canvas, models.timeline),
    portMaps: models.portMaps.map((m) => portMapSvg(canvas, m)),
    roleMatrix: models.roleMatrix && roleMatrixSvg(canvas, models.roleMatrix),
    protocolMix: models.protocolMix.map((m) => barsSvg(canvas, m)),
    media: models.media.map((m) => (m.points.length > 0 ? mediaSvg(canvas, m) : '')),
  };
}
