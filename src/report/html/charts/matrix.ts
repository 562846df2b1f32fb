/** The role-to-role matrix: flows per (client role, server role), coloured by the most urgent verdict among them. */
import { count } from '../format.js';
import { Canvas, label, VERDICT_COLOURS, verdictLegend } from './canvas.js';
import { VERDICT_KEYS, type RoleMatrixModel, type VerdictKey } from './models.js';

const LEFT = 210;
/** Room per character of a column label rotated by 40 degrees (sin 40 ~ 0.64 of ~6.2 px). */
const RISE_PER_CHAR = 4;
const MAX_ROLE_CHARS = 32;
const CELL_W = 64;
const CELL_H = 22;

export function roleMatrixSvg(canvas: Canvas, m: RoleMatrixModel): string {
  const longest = Math.min(MAX_ROLE_CHARS, Math.max(...m.servers.map((s) => s.length)));
  const TOP = 36 + longest * RISE_PER_CHAR;
  const width = Math.max(640, LEFT + m.servers.length * CELL_W + longest * 5 + 20);
  const height = TOP + m.clients.length * CELL_H + 60;
  const svg = canvas.svg(width, height, 'Role-to-role matrix: flows from client role (rows) to server role (columns)',
    'Number of flows per pair of roles; colour is the most urgent verdict among them, stronger for more flows.');
  let max = 1;
  const present = new Set<VerdictKey>();
  for (const row of m.cells) for (const c of row) { max = Math.max(max, c.flows); if (c.flows > 0) present.add(c.verdict); }
  m.servers.forEach((s, j) => {
    const cx = LEFT + j * CELL_W + CELL_W / 2;
    svg.append('text').attr('transform', `translate(${cx},${TOP - 6}) rotate(-40)`).text(label(s, MAX_ROLE_CHARS));
  });
  m.clients.forEach((c, i) => {
    const y = TOP + i * CELL_H;
    svg.append('text').attr('x', LEFT - 6).attr('y', y + 15).attr('text-anchor', 'end').text(label(c, MAX_ROLE_CHARS));
    m.cells[i].forEach((cell, j) => {
      const x = LEFT + j * CELL_W;
      svg.append('rect').attr('x', x).attr('y', y).attr('width', CELL_W - 2).attr('height', CELL_H - 2)
        .attr('fill', cell.flows > 0 ? VERDICT_COLOURS[cell.verdict] : '#f1f2f3')
        .attr('fill-opacity', cell.flows > 0 ? Math.round((0.35 + 0.65 * Math.log1p(cell.flows) / Math.log1p(max)) * 100) / 100 : 1);
      if (cell.flows > 0) svg.append('text').attr('x', x + CELL_W / 2 - 1).attr('y', y + 15).attr('text-anchor', 'middle').text(count(cell.flows));
    });
  });
  verdictLegend(svg, LEFT, TOP + m.clients.length * CELL_H + 16, VERDICT_KEYS.filter((v) => present.has(v)), width - LEFT);
  return canvas.finish(svg);
}
