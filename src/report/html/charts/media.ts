/**
 * Per media stream: loss (%) and max jitter (ms) per time bucket of the
 * stream's series, two lines on two axes, each bucket drawn at its middle
 * and marked with a dot (a stream of one bucket is still visible).
 */
import { Canvas, label, legend } from './canvas.js';
import type { MediaChartModel } from './models.js';
import { round } from './timeline.js';

const WIDTH = 960;
const HEIGHT = 190;
const LEFT = 56;
const RIGHT = 60;
const TOP = 30;
const PLOT = 110;
const LOSS = '#c4262e';
const JITTER = '#1a5fb4';
/** Points marked with a dot; longer series are lines only. */
const MAX_DOTS = 60;

export function mediaSvg(canvas: Canvas, m: MediaChartModel): string {
  const d3 = canvas.d3;
  const svg = canvas.svg(WIDTH, HEIGHT, `Media stream ${m.label}`, `Packet loss (percent, left axis) and largest jitter (milliseconds, right axis) per ${m.bucketSeconds} s over time. ${m.summary}`);
  const t0 = 0;
  const half = m.bucketSeconds / 2;
  const span = Math.max(1e-3, m.points[m.points.length - 1].t + m.bucketSeconds);
  const x = d3.scaleLinear().domain([0, span]).range([LEFT, WIDTH - RIGHT]);
  const maxLoss = Math.max(1, ...m.points.map((p) => p.lossPct ?? 0));
  const maxJitter = Math.max(1, ...m.points.map((p) => p.jitterMs ?? 0));
  const yl = d3.scaleLinear().domain([0, maxLoss]).nice().range([TOP + PLOT, TOP]);
  const yj = d3.scaleLinear().domain([0, maxJitter]).nice().range([TOP + PLOT, TOP]);
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${LEFT},0)`).call(d3.axisLeft(yl).ticks(4));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${WIDTH - RIGHT},0)`).call(d3.axisRight(yj).ticks(4));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${TOP + PLOT})`).call(d3.axisBottom(x).ticks(10));
  const path = (pick: (p: MediaChartModel['points'][number]) => number | undefined, y: (v: number) => number): string => {
    let d = '';
    let pen = false;
    for (const p of m.points) {
      const v = pick(p);
      if (v === undefined) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${round(x(p.t - t0 + half))},${round(y(v))}`;
      pen = true;
    }
    return d;
  };
  const loss = path((p) => p.lossPct, yl);
  const jitter = path((p) => p.jitterMs, yj);
  if (loss !== '') svg.append('path').attr('d', loss).attr('fill', 'none').attr('stroke', LOSS).attr('stroke-width', 1.6);
  if (jitter !== '') svg.append('path').attr('d', jitter).attr('fill', 'none').attr('stroke', JITTER).attr('stroke-width', 1.6);
  if (m.points.length <= MAX_DOTS) {
    const dots = (pick: (p: MediaChartModel['points'][number]) => number | undefined, y: (v: number) => number, colour: string, cls: string): void => {
      const g = svg.append('g').attr('class', cls).attr('fill', colour);
      for (const p of m.points) {
        const v = pick(p);
        if (v !== undefined) g.append('circle').attr('cx', round(x(p.t - t0 + half))).attr('cy', round(y(v))).attr('r', 2.5);
      }
    };
    dots((p) => p.lossPct, yl, LOSS, 'loss');
    dots((p) => p.jitterMs, yj, JITTER, 'jitter');
  }
  svg.append('text').attr('x', LEFT).attr('y', HEIGHT - 14).text(label('seconds since the stream\u2019s first packet'));
  legend(svg, WIDTH - 420, HEIGHT - 24, [{ colour: LOSS, text: 'loss % (left axis)' }, { colour: JITTER, text: 'max jitter ms (right axis)' }], 400);
  return canvas.finish(svg);
}
