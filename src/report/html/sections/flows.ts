/**
 * All flows, as one table the inline script sorts and filters. On large
 * captures the table is capped: flagged flows first (all of them if they fit),
 * then the earliest of the rest; the page says how many were left out.
 */
import { attr, text } from '../escape.js';
import { count, seconds, size } from '../format.js';
import { appText } from '../av-data.js';
import { Markup } from '../markup.js';
import { isFlagged, VERDICT_ORDER, type HtmlEndpoint, type HtmlFlow, type HtmlReport } from '../input.js';
import { badge, capNote, filterBox, note, section, TABLE_END, tableStart, td, tdNum } from './parts.js';

/** Rows of the flow table by default. */
export const MAX_FLOW_ROWS = 5000;
/** Characters of a flow's explanation kept in the row's tooltip. */
const MAX_EXPLANATION = 400;

/** The flows the table shows, in id order: flagged ones first in the selection, then by id. */
export function selectFlows(flows: readonly HtmlFlow[], max: number): { shown: HtmlFlow[]; flagged: number } {
  let flagged = 0;
  for (const f of flows) if (isFlagged(f)) flagged++;
  if (flows.length <= max) return { shown: [...flows], flagged };
  const shown: HtmlFlow[] = [];
  for (const f of flows) if (shown.length < max && isFlagged(f)) shown.push(f);
  for (const f of flows) if (shown.length < max && !isFlagged(f)) shown.push(f);
  shown.sort((a, b) => a.id - b.id);
  return { shown, flagged };
}

function endpoint(e: HtmlEndpoint): string {
  const roles = e.roles !== undefined && e.roles.length > 0 ? `${e.roles.join(', ')}${e.roleSource === 'inferred' ? ' (inferred)' : ''}` : '';
  return `<td class="mono">${text(`${e.ip.includes(':') ? `[${e.ip}]` : e.ip}:${e.port}`)}${roles ? `<br><span class="muted">${text(roles)}</span>` : ''}</td>`;
}

export function flowsSection(report: HtmlReport, shown: readonly HtmlFlow[], flagged: number): string {
  const flows = report.flows;
  if (flows.length === 0) return section('flows', 'All flows', note('No flows in this capture.'));
  const body = new Markup();
  const left = flows.length - shown.length;
  if (left > 0) {
    const which = flagged < shown.length
      ? `all ${count(flagged)} flagged flows, then the earliest others`
      : `the earliest ${count(shown.length)} of the ${count(flagged)} flagged flows`;
    body.add(capNote(`Showing ${count(shown.length)} of ${count(flows.length)} flows: ${which}. ${count(left)} flows left out here; the JSON report has every flow, and the counts, charts and checklist above cover them all.`));
  }
  const t0 = Math.min(...report.inputs.map((i) => i.firstPacket ?? Infinity));
  const base = Number.isFinite(t0) ? t0 : 0;
  const hasVerdicts = flows.some((f) => f.verdict !== undefined);
  const hasApps = flows.some((f) => f.apps !== undefined);
  const software = new Map<number, string>();
  for (const p of report.stun?.perFlow ?? []) if (typeof p.software === 'string') software.set(p.flow, p.software);
  const verdicts = hasVerdicts ? [...new Set(shown.map((f) => f.verdict ?? ''))].filter(Boolean).sort() : undefined;
  body.add(filterBox('flow-table', 'filter flows (address, port, rule, state...)', verdicts));
  body.add(tableStart([
    { head: 'Flow', numeric: true }, { head: 'Transport' }, { head: 'Client' }, { head: 'Server' },
    { head: 'Start (s)', numeric: true }, { head: 'Duration', numeric: true },
    { head: 'Packets c\u2192s', numeric: true }, { head: 'Packets s\u2192c', numeric: true }, { head: 'Bytes', numeric: true },
    { head: 'State' },
    ...(hasVerdicts ? [{ head: 'Verdict' }, { head: 'Rules' }, { head: 'Findings' }] : []),
    ...(hasApps ? [{ head: 'Apps' }] : []),
  ], { id: 'flow-table', sortable: true }));
  for (const f of shown) {
    const verdict = f.verdict ?? '';
    const duration = f.lastSeen - f.firstSeen;
    const bytes = f.bytes.fromClient + f.bytes.fromServer;
    const state = f.tcp ? `${f.tcp.state} ${f.tcp.history}` : f.icmpErrors?.length ? 'ICMP error' : '';
    body.add(`<tr id="flow-${f.id}"${verdict ? ` data-verdict="${attr(verdict)}"` : ''}>`);
    body.add(`${tdNum(f.id)}${td(f.transport)}${endpoint(f.client)}${endpoint(f.server)}`);
    body.add(`${tdNum(f.firstSeen - base, (f.firstSeen - base).toFixed(3))}${tdNum(duration, seconds(duration))}`);
    body.add(`${tdNum(f.packets.fromClient)}${tdNum(f.packets.fromServer)}${tdNum(bytes, size(bytes))}${td(state, 'mono')}`);
    if (hasVerdicts) {
      const explanation = f.explanation ? ` title="${attr(cut(f.explanation))}"` : '';
      body.add(`<td${explanation}>${verdict ? badge(verdict, VERDICT_ORDER) : ''}${f.confidence ? ` <span class="muted">${text(f.confidence)}</span>` : ''}</td>`);
      body.add(td((f.rules ?? []).join(', '), 'mono'));
      body.add(td((f.findings ?? []).join(', ')));
    }
    if (hasApps) body.add(`<td>${(f.apps ?? []).map((a) => text(appText(a, software.get(f.id)))).join('<br>')}</td>`);
    body.add('</tr>\n');
  }
  body.add(TABLE_END);
  return section('flows', 'All flows', body.toString());
}

function cut(s: string): string {
  return s.length > MAX_EXPLANATION ? `${s.slice(0, MAX_EXPLANATION)}\u2026` : s;
}
