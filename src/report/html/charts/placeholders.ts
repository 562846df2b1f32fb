/** Chart placeholders: assemble the page while the charts are drawn elsewhere (no d3-node here). */
import type { ChartModels } from './models.js';
import type { ChartSvgs } from './render.js';

/**
 * Stand-ins for the charts of `models`, so that the page can be assembled
 * while a worker draws them; fillCharts() swaps in the SVGs. A marker holds a
 * NUL character, which no escaped string on the page can contain (text() and
 * attr() show control characters as visible escapes).
 */
export function placeholderCharts(models: ChartModels): ChartSvgs {
  const mark = (key: string): string => `\u0000chart:${key}\u0000`;
  return {
    timeline: models.timeline && mark('timeline'),
    portMaps: models.portMaps.map((_, i) => mark(`portMaps.${i}`)),
    roleMatrix: models.roleMatrix && mark('roleMatrix'),
    protocolMix: models.protocolMix.map((_, i) => mark(`protocolMix.${i}`)),
    media: models.media.map((m, i) => (m.points.length > 0 ? mark(`media.${i}`) : '')),
  };
}

/** The page assembled with placeholderCharts(), with the drawn charts in their places. */
export function fillCharts(page: string, charts: ChartSvgs): string {
  return page.replace(/\u0000chart:([a-zA-Z]+)(?:\.(\d+))?\u0000/g, (_, key: keyof ChartSvgs, index: string | undefined) => {
    const value = charts[key];
    return (Array.isArray(value) ? value[Number(index)] : value) ?? '';
  });
}
