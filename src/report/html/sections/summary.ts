/** The summary: verdict counts, the top findings in plain language, capture facts, and the overview charts. */
import { linkTypeName } from '../../../capture/link-types.js';
import { findingPeers } from '../../../classify/finding-types.js';
import { text } from '../escape.js';
import { count, plural, seconds, size, utc } from '../format.js';
import { VERDICT_ORDER, type HtmlReport } from '../input.js';
import type { ChartSvgs } from '../charts/render.js';
import { badge, note, section, TABLE_END, tableStart, td, tdNum } from './parts.js';

/** Findings named in the summary. */
export const TOP_FINDINGS = 5;

export function verdictCounts(report: HtmlReport): Record<string, number> | undefined {
  if (report.totals.verdicts !== undefined) return report.totals.verdicts;
  if (!report.flows.some((f) => f.verdict !== undefined)) return undefined;
  const counts: Record<string, number> = {};
  for (const f of report.flows) if (f.verdict !== undefined) counts[f.verdict] = (counts[f.verdict] ?? 0) + 1;
  return counts;
}

export function summarySection(report: HtmlReport, charts: ChartSvgs): string {
  let body = '';
  const verdicts = verdictCounts(report);
  if (verdicts === undefined) {
    body += note('No verdicts: this report was written without classification against the catalog.');
  } else {
    const keys = [...VERDICT_ORDER.filter((v) => v in verdicts), ...Object.keys(verdicts).filter((v) => !(VERDICT_ORDER as readonly string[]).includes(v)).sort()];
    body += `<div class="cards">${keys.map((v) => `<div class="card ${(VERDICT_ORDER as readonly string[]).includes(v) ? v : ''}"><b>${text(count(verdicts[v]))}</b>${text(v)}</div>`).join('')}</div>\n`;
  }
  body += topFindings(report);
  body += captureFacts(report);
  if (charts.timeline) body += figure(charts.timeline, 'Each flow from its first to its last packet; colour is its verdict.');
  for (const svg of charts.protocolMix) body += figure(svg, 'Protocol mix: transports from the flow table; application protocols when payload inspection ran.');
  if (charts.roleMatrix) body += figure(charts.roleMatrix, 'Roles come from the topology file (configured) or from the traffic (inferred); "unknown" where neither gave one.');
  else body += note('Role-to-role matrix: no roles in this report (no topology given and none inferred).');
  return section('summary', 'Summary', body);
}

function topFindings(report: HtmlReport): string {
  if (report.findings === undefined) return note('Findings: not part of this report.');
  if (report.findings.length === 0) return note('No findings: nothing in this capture needs attention by the catalog\u2019s rules.');
  const items = report.findings.slice(0, TOP_FINDINGS).map((f, i) => {
    const { client, server } = findingPeers(f);
    return `<li>${badge(f.severity, ['high', 'medium', 'low', 'info'])} <a href="#finding-${i + 1}">${text(f.title)}</a>: ${text(`${client} \u2192 ${server} ${f.ports}`)} <span class="muted">(${text(plural(f.flowCount, 'flow'))})</span></li>`;
  });
  const more = report.findings.length - items.length;
  return `<h3>Top findings</h3><ol>${items.join('')}</ol>${more > 0 ? note(`${count(more)} more in Flagged flows below.`) : ''}\n`;
}

function captureFacts(report: HtmlReport): string {
  const t = report.totals;
  let first = Infinity;
  let last = -Infinity;
  for (const i of report.inputs) {
    if (i.firstPacket !== null && i.firstPacket < first) first = i.firstPacket;
    if (i.lastPacket !== null && i.lastPacket > last) last = i.lastPacket;
  }
  const facts: [string, string][] = [
    ['Packets', count(t.packets)],
    ['Bytes (on the wire)', `${count(t.bytes)} (${size(t.bytes)})`],
    ['Flows', `${count(t.flows)} (${Object.entries(t.flowsByTransport).map(([k, n]) => `${k} ${count(n)}`).join(', ') || 'none'})`],
    ['First packet', Number.isFinite(first) ? utc(first) : 'none'],
    ['Last packet', Number.isFinite(last) ? utc(last) : 'none'],
    ['Duration', Number.isFinite(first) ? seconds(last - first) : '0'],
    ['Flows ended early (idle timeout or live-flow cap)', count(t.flowsEvicted)],
    ['Peak live flows', count(t.peakLiveFlows)],
  ];
  if (report.topology !== undefined) facts.push(['Topology', report.topology.file ?? `none given (${plural(report.topology.hosts.length, 'host')} with inferred roles)`]);
  if (report.catalog !== undefined) facts.push(['Catalog', [...report.catalog.packs, ...report.catalog.files].join(', ') || 'none']);
  facts.push(['Written by', `${report.tool.name} ${report.tool.version}, report ${report.schema}`]);
  let html = `<h3>Capture</h3><dl class="facts">${facts.map(([k, v]) => `<dt>${text(k)}</dt><dd>${text(v)}</dd>`).join('')}</dl>\n`;
  html += tableStart([{ head: 'Input' }, { head: 'Format' }, { head: 'Link types' }, { head: 'Packets', numeric: true }, { head: 'Bytes', numeric: true },
    { head: 'First packet' }, { head: 'Last packet' }, { head: 'Read' }], { caption: 'Inputs, in the order they were read' });
  for (const i of report.inputs) {
    const read = i.stopped ? `stopped: ${i.stopped.kind} at byte ${i.stopped.atByte} after ${i.stopped.afterPackets} packets: ${i.stopped.message}` : 'complete';
    html += `<tr>${td(i.path, 'mono')}${td(`${i.format}${i.compressed ? ' (gzip)' : ''}`)}${td(i.linkTypes.map(linkTypeName).join(', '))}${tdNum(i.packets)}${tdNum(i.bytes, size(i.bytes))}${td(utc(i.firstPacket))}${td(utc(i.lastPacket))}${td(read)}</tr>\n`;
  }
  return html + TABLE_END;
}

/** A chart with its caption. `svg` is markup from renderCharts (built by d3 and serialised by jsdom, which escapes text). */
export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${text(caption)}</figcaption></figure>\n`;
}
