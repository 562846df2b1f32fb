/**
 * The port-usage map: for one transport, the documented ranges of the catalog
 * rules the flows were matched to, above the server ports the flows actually
 * used, per verdict, on a log axis (so that well-known ports and the dynamic
 * range are both readable).
 */
import { count } from '../format.js';
import { Canvas, label, VERDICT_COLOURS, VERDICT_LABELS, legend } from './canvas.js';
import type { PortMapModel } from './models.js';
import { round } from './timeline.js';

const WIDTH = 960;
const LEFT = 300;
const RIGHT = 16;
const TOP = 28;
const ROW = 16;
/** Axis ticks at the IANA range boundaries (RFC 6335 §6: system 0-1023, user 1024-49151, dynamic 49152-65535) and powers of ten. */
const TICKS = [1, 10, 100, 1024, 10000, 49152];

export function portMapSvg(canvas: Canvas, m: PortMapModel): string {
  const d3 = canvas.d3;
  const rows = m.rules.length + m.used.length + (m.rules.length > 0 ? 0 : 1);
  const height = TOP + rows * ROW + 12 + 40 + 36;
  const svg = canvas.svg(WIDTH, height, `Port usage, ${m.transport.toUpperCase()}: documented ranges and ports used`,
    `Documented port ranges of the catalog rules matched by ${m.transport} flows, and the server ports the flows used, per verdict (log scale).`);
  const x = d3.scaleLog().domain([1, 65535]).range([LEFT, WIDTH - RIGHT]).clamp(true);
  const grid = svg.append('g').attr('class', 'grid');
  for (const t of TICKS) grid.append('line').attr('x1', round(x(t))).attr('x2', round(x(t))).attr('y1', TOP).attr('y2', TOP + rows * ROW);
  let y = TOP;
  if (m.rules.length === 0) {
    svg.append('text').attr('x', LEFT).attr('y', y + 11).text('no documented range in use (no flow matched a catalog rule, or the catalog was not given)');
    y += ROW;
  }
  for (const rule of m.rules) {
    svg.append('text').attr('x', LEFT - 6).attr('y', y + 11).attr('text-anchor', 'end').text(label(rule.id, 46))
      .append('title').text(label(rule.label, 160));
    for (const [lo, hi] of rule.ranges) {
      const x0 = x(Math.max(1, lo));
      const w = Math.max(2, x(Math.max(1, hi) + 1) - x0);
      svg.append('rect').attr('x', round(x0)).attr('y', y + 3).attr('width', round(w)).attr('height', 10)
        .attr('fill', '#1a5fb4').attr('fill-opacity', rule.broad ? 0.35 : 0.85)
        .append('title').text(label(`${rule.id}: ${lo === hi ? lo : `${lo}-${hi}`}`));
    }
    y += ROW;
  }
  svg.append('line').attr('x1', 4).attr('x2', WIDTH - RIGHT).attr('y1', y + 2).attr('y2', y + 2).attr('stroke', '#8a8f94');
  y += 6;
  for (const row of m.used) {
    svg.append('text').attr('x', LEFT - 6).attr('y', y + 11).attr('text-anchor', 'end')
      .text(label(`used, ${row.verdict === 'none' ? 'all flows' : row.verdict}: ${count(row.ports)} ports, ${count(row.flows)} flows`));
    for (const [port, flows] of row.marks) {
      svg.append('rect').attr('x', round(x(Math.max(1, port)) - 1)).attr('y', y + 2).attr('width', 2.5).attr('height', 12).attr('fill', VERDICT_COLOURS[row.verdict])
        .append('title').text(label(`port ${port}${flows > 1 ? ` and nearby: ${flows} flows` : ': 1 flow'}`));
    }
    y += ROW;
  }
  const axisY = y + 4;
  svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${axisY})`)
    .call(d3.axisBottom(x).tickValues(TICKS).tickFormat(d3.format('d')));
  svg.append('text').attr('x', LEFT).attr('y', axisY + 32).text(`server port (log scale)${m.rulesLeftOut > 0 ? `; ${m.rulesLeftOut} more rules not drawn` : ''}`);
  legend(svg, LEFT, axisY + 42, [
    { colour: '#1a5fb4', text: 'documented range' },
    ...m.used.map((r) => ({ colour: VERDICT_COLOURS[r.verdict], text: `used, ${VERDICT_LABELS[r.verdict]}` })),
  ], 560);
  return canvas.finish(svg);
}
