/** Horizontal bar charts (the protocol mix). */
import { count } from '../format.js';
import { Canvas, label } from './canvas.js';
import type { BarModel } from './models.js';
import { round } from './timeline.js';

const WIDTH = 640;
const LEFT = 180;
const TOP = 28;
const ROW = 18;

export function barsSvg(canvas: Canvas, m: BarModel): string {
  const height = TOP + m.bars.length * ROW + 30;
  const svg = canvas.svg(WIDTH, height, m.title, `${m.title}: number of flows per category.`);
  const max = Math.max(1, ...m.bars.map((b) => b.value));
  const x = canvas.d3.scaleLinear().domain([0, max]).range([0, WIDTH - LEFT - 90]);
  m.bars.forEach((b, i) => {
    const y = TOP + i * ROW;
    svg.append('text').attr('x', LEFT - 6).attr('y', y + 12).attr('text-anchor', 'end').text(label(b.label, 28));
    const w = Math.max(1, x(b.value));
    svg.append('rect').attr('x', LEFT).attr('y', y + 2).attr('width', round(w)).attr('height', ROW - 5).attr('fill', '#1a5fb4');
    svg.append('text').attr('x', round(LEFT + w + 4)).attr('y', y + 12).text(count(b.value));
  });
  svg.append('text').attr('x', LEFT).attr('y', height - 8).text('flows');
  return canvas.finish(svg);
}
