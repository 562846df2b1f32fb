/** The flow timeline, coloured by verdict: one lane per flow for small captures, active flows per time bin otherwise. */
import type { Selection } from 'd3-node';
import { utc } from '../format.js';
import { Canvas, label, VERDICT_COLOURS, verdictLegend } from './canvas.js';
import { VERDICT_KEYS, type TimelineModel } from './models.js';

const WIDTH = 960;
const LEFT = 120;
const RIGHT = 16;
const TOP = 40;

export function timelineSvg(canvas: Canvas, m: TimelineModel): string {
  const d3 = canvas.d3;
  const span = m.t1 - m.t0;
  const lanes = m.lanes;
  const plotHeight = lanes !== undefined ? lanes.length * 13 : 180;
  const height = TOP + plotHeight + 40 + 36;
  const svg = canvas.svg(WIDTH, height, lanes !== undefined ? 'Flow timeline (one lane per flow)' : 'Flow timeline (active flows over time)',
    `Flows over the capture, coloured by verdict; time in seconds since ${utc(m.t0)}.`);
  const x = d3.scaleLinear().domain([0, span]).range([LEFT, WIDTH - RIGHT]);
  const plot = svg.append('g');
  if (lanes !== undefined) {
    lanes.forEach((lane, i) => {
      const y = TOP + i * 13;
      plot.append('text').attr('x', LEFT - 6).attr('y', y + 9).attr('text-anchor', 'end').text(label(lane.label, 18));
      const x0 = x(lane.start - m.t0);
      const w = Math.max(2, x(lane.end - m.t0) - x0);
      plot.append('rect').attr('x', round(x0)).attr('y', y + 1).attr('width', round(w)).attr('height', 10).attr('fill', VERDICT_COLOURS[lane.verdict])
        .append('title').text(label(`${lane.label}: ${lane.verdict}`));
    });
  } else {
    const bins = m.bins ?? [];
    let max = 1;
    for (const b of bins) max = Math.max(max, VERDICT_KEYS.reduce((sum, v) => sum + b.counts[v], 0));
    const y = d3.scaleLinear().domain([0, max]).nice().range([TOP + plotHeight, TOP]);
    yAxis(svg, d3.axisLeft(y).ticks(5), LEFT, 'active flows', TOP - 4);
    for (const b of bins) {
      let acc = 0;
      const x0 = x(b.start - m.t0);
      const w = Math.max(1, x(b.end - m.t0) - x0 - 0.5);
      for (const v of m.verdicts) {
        const n = b.counts[v];
        if (n <= 0) continue;
        plot.append('rect').attr('x', round(x0)).attr('y', round(y(acc + n))).attr('width', round(w)).attr('height', round(y(acc) - y(acc + n))).attr('fill', VERDICT_COLOURS[v]);
        acc += n;
      }
    }
  }
  const axisY = TOP + plotHeight + 4;
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${axisY})`).call(d3.axisBottom(x).ticks(10));
  svg.append('text').attr('x', LEFT).attr('y', axisY + 32).text(label(`seconds since ${utc(m.t0)}`));
  verdictLegend(svg, LEFT, axisY + 42, m.verdicts, WIDTH - LEFT);
  return canvas.finish(svg);
}

function yAxis(svg: Selection, axis: (s: Selection) => void, x: number, title: string, y: number): void {
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${x},0)`).call(axis);
  svg.append('text').attr('x', x + 6).attr('y', y).text(label(title));
}

export function round(v: number): number {
  return Math.round(v * 10) / 10;
}
