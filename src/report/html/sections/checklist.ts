/** The firewall checklist: one row per catalog rule, seen working, seen failing or not seen, with its flows. */
import type { Catalog, CatalogRule } from '../../../catalog/types.js';
import { text } from '../escape.js';
import { count } from '../format.js';
import type { HtmlReport } from '../input.js';
import type { ChartSvgs } from '../charts/render.js';
import { badge, filterBox, flowLinks, note, section, TABLE_END, tableStart, td, tdNum } from './parts.js';
import { Markup } from '../markup.js';
import { figure } from './summary.js';

const STATUSES = ['working', 'failing', 'not-seen'];

export function ranges(rule: CatalogRule): string {
  return rule.ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(',');
}

export function citationText(rule: CatalogRule): string {
  const c = rule.citation;
  const doc = c.reference ?? c.file ?? c.document ?? rule.file;
  return [doc, c.section, c.table && `table ${c.table}`, c.row !== undefined && `row ${c.row}`, c.cell && `"${c.cell}"`].filter(Boolean).join(', ');
}

export function checklistSection(report: HtmlReport, charts: ChartSvgs, shownFlows: ReadonlySet<number>, catalog?: Catalog): string {
  const body = new Markup();
  for (const svg of charts.portMaps) body.add(figure(svg, 'Blue: the port ranges of the catalog rules matched by flows (pale: broad media ranges, which document a flow only with media payload or fitting roles). Below: the server ports flows used, per verdict.'));
  const rows = report.checklist;
  if (rows === undefined) return section('checklist', 'Firewall checklist', body.toString() + note('Checklist: not part of this report (written without classification).'));
  const tally = { working: 0, failing: 0, 'not-seen': 0 } as Record<string, number>;
  for (const r of rows) tally[r.status] = (tally[r.status] ?? 0) + 1;
  body.add(`<p>${text(`${count(rows.length)} catalog rules: ${count(tally.working ?? 0)} seen working, ${count(tally.failing ?? 0)} seen failing, ${count(tally['not-seen'] ?? 0)} not seen in this capture.`)}</p>\n`);
  if (catalog === undefined) body.add(note('Rule details (service, ports, roles, source) need the catalog, which was not given to the renderer; see `flowaudit catalog show RULE`.'));
  body.add(filterBox('checklist-table', 'filter rules (id, service, port, status...)'));
  const detail = catalog !== undefined;
  body.add(tableStart([
    { head: 'Rule' }, { head: 'Status' },
    ...(detail ? [{ head: 'Service' }, { head: 'Protocol' }, { head: 'Ports' }, { head: 'From \u2192 to' }] : []),
    { head: 'Working', numeric: true }, { head: 'Failing', numeric: true }, { head: 'Flows' },
    ...(detail ? [{ head: 'Source' }] : []),
  ], { id: 'checklist-table', sortable: true }));
  // Failing rows first: that is what a firewall review starts with; then working; then not seen, in catalog order.
  const order = (s: string): number => (s === 'failing' ? 0 : s === 'working' ? 1 : 2);
  const sorted = rows.map((r, i) => ({ r, i })).sort((a, b) => order(a.r.status) - order(b.r.status) || a.i - b.i);
  for (const { r } of sorted) {
    const rule = catalog?.ruleById.get(r.rule);
    body.add(`<tr>${td(r.rule, 'mono')}<td>${badge(r.status, STATUSES)}</td>`);
    if (detail) {
      body.add(rule === undefined
        ? '<td colspan="4" class="muted">not in the catalog given to the renderer</td>'
        : `${td(rule.service)}${td(rule.protocol)}${td(`${rule.transport}/${ranges(rule)}${rule.portSide === 'server' ? '' : ` (${rule.portSide} side)`}`, 'mono')}${td(`${rule.from.join(', ')} \u2192 ${rule.to.join(', ')}`)}`);
    }
    body.add(`${tdNum(r.working)}${tdNum(r.failing)}<td>${r.flowCount === 0 ? '' : flowLinks(r.flows, r.flowCount, shownFlows, 12)}</td>`);
    if (detail) body.add(rule === undefined ? '<td></td>' : td(citationText(rule)));
    body.add('</tr>\n');
  }
  return section('checklist', 'Firewall checklist', body.toString() + TABLE_END);
}
