/**
 * The STUN/TURN part of the A/V section, from the report's `stun` section
 * (src/inspect/stun-report.ts): the totals, the TURN allocation ledger, the
 * unanswered requests and error responses per flow (the evidence of blocked
 * UDP or refused credentials), ICE connectivity checks, and the STUN flows
 * with the SOFTWARE and REALM they announced. Every string from the capture
 * (USERNAME, REALM, SOFTWARE, reason phrases, Call-IDs) is shown escaped and cut.
 */
import { ALLOCATION_OUTCOME_LABELS, allocationOutcomes, type StunFlowReport, type StunReport, type TurnAllocationReport } from '../../../inspect/stun-report.js';
import { cut } from '../av-data.js';
import { text } from '../escape.js';
import { count } from '../format.js';
import type { HtmlFlow } from '../input.js';
import { badge, flowLinks, note, rowsCap, TABLE_END, tableStart, td, tdNum } from './parts.js';
import { Markup } from '../markup.js';

/** Outcome keywords with a badge colour (style.ts). */
const OUTCOMES = ['success', 'error', 'unanswered'];

/** Context the STUN tables need: which flows the flow table shows (for links) and the flows by id. */
export interface AvContext {
  shownIds: ReadonlySet<number>;
  flowsById: ReadonlyMap<number, HtmlFlow>;
  maxRows: number;
}

/** A flow id as a link to its row in the flow table, when it is shown there. */
export function flowCell(id: number, ctx: AvContext): string {
  return `<td class="n" data-v="${Number.isFinite(id) ? id : 0}">${flowLinks([id], 1, ctx.shownIds)}</td>`;
}

/** A numeric cell, empty when the value is absent. */
export function numCell(v: number | null | undefined, shown?: string): string {
  return typeof v === 'number' && Number.isFinite(v) ? tdNum(v, shown) : '<td class="n"></td>';
}

function ms(v: number | null | undefined): string {
  return numCell(v, typeof v === 'number' ? v.toFixed(Math.abs(v) < 10 ? 2 : 1) : undefined);
}

/** "client → server" addresses of a flow, when it is in the report. */
function endpoints(id: number, ctx: AvContext): string {
  const f = ctx.flowsById.get(id);
  if (f === undefined) return '';
  const a = (e: { ip: string; port: number }): string => `${e.ip.includes(':') ? `[${e.ip}]` : e.ip}:${e.port}`;
  return `${f.transport} ${a(f.client)} \u2192 ${a(f.server)}`;
}

function errorCodes(codes: readonly { code: number; reason: string; count: number }[] | undefined): string {
  return (codes ?? []).map((e) => `${e.code}${e.reason ? ` ${cut(e.reason, 80)}` : ''} \u00d7${count(e.count)}`).join(', ');
}


export function stunPart(stun: StunReport, ctx: AvContext): string {
  const perFlow = stun.perFlow ?? [];
  const allocations = stun.allocations ?? [];
  if ((stun.messages ?? 0) === 0 && perFlow.length === 0 && allocations.length === 0) {
    return `<h3>STUN/TURN</h3>${note('No STUN, TURN or MS-TURN message in this capture.')}`;
  }
  let html = '<h3>STUN/TURN summary</h3>\n<dl class="facts">';
  const fact = (k: string, v: string): void => { html += `<dt>${text(k)}</dt><dd>${text(v)}</dd>`; };
  fact('Messages', count(stun.messages ?? 0));
  const dialects = Object.entries(stun.byDialect ?? {}).filter(([, n]) => n > 0);
  if (dialects.length > 0) fact('By dialect', dialects.map(([d, n]) => `${d}: ${count(n)}`).join(', '));
  fact('Flows with STUN/TURN', count(stun.flows ?? perFlow.length));
  fact('Requests', count(stun.requests ?? 0));
  fact('Unanswered requests', count(stun.unanswered ?? 0));
  fact('Error responses', (stun.errorCodes ?? []).length > 0 ? errorCodes(stun.errorCodes) : 'none');
  const outcomes = Object.entries(allocationOutcomes(allocations)).map(([o, n]) => `${ALLOCATION_OUTCOME_LABELS[o as keyof typeof ALLOCATION_OUTCOME_LABELS]}: ${count(n)}`);
  fact('TURN allocations', `${count(allocations.length)}${allocations.length > 0 ? ` (${outcomes.join(', ')})` : ''}`);
  html += '</dl>\n';
  const software = new Map(perFlow.map((p) => [p.flow, p.software]));
  html += allocationsTable(allocations, software, ctx);
  html += blockedTable(perFlow, ctx);
  html += iceTable(perFlow, ctx);
  html += stunFlowsTable(perFlow, ctx);
  return html;
}

function allocationsTable(allocations: readonly TurnAllocationReport[], software: ReadonlyMap<number, string | undefined>, ctx: AvContext): string {
  let html = '<h3>TURN allocations</h3>\n';
  if (allocations.length === 0) return html + note('No TURN Allocate request in this capture.');
  html += tableStart([
    { head: 'Flow', numeric: true }, { head: 'Dialect' }, { head: 'Outcome' }, { head: 'Attempts', numeric: true }, { head: 'Retransmissions', numeric: true },
    { head: 'Response (ms)', numeric: true }, { head: 'Relayed' }, { head: 'Reflexive' }, { head: 'Lifetime (s)', numeric: true },
    { head: 'Username' }, { head: 'Realm' }, { head: 'Software' }, { head: 'Refresh / permission / channel' }, { head: 'Relay flows' }, { head: 'Frames' },
  ], { id: 'turn-allocations', sortable: true });
  const shown = Math.min(allocations.length, ctx.maxRows);
  const out = new Markup(html);
  for (let i = 0; i < shown; i++) {
    const a = allocations[i];
    const outcome = `${badge(String(a.outcome), OUTCOMES)}${a.outcome === 'error' ? ` ${text(`${a.errorCode ?? ''} ${cut(a.errorReason ?? '', 80)}`.trim())}` : ''}`;
    const extra = [a.streamType ? `stream ${a.streamType}` : '', a.msVersion !== undefined ? `MS-VERSION ${a.msVersion}` : ''].filter(Boolean).join(', ');
    const followUp = `${count(a.refreshes ?? 0)} refresh${a.refreshErrors ? ` (${count(a.refreshErrors)} failed)` : ''}${a.deleted ? ', deleted' : ''}; ${count(a.permissions ?? 0)} permission; ${count(a.channelBinds ?? 0)} channel bind`
      + `${a.setActiveDestination ? `; ${count(a.setActiveDestination)} set active destination` : ''}; ${count(a.sendIndications ?? 0)} send / ${count(a.dataIndications ?? 0)} data`
      + `${a.connections !== undefined ? `; ${count(a.connects ?? 0)} connect / ${count(a.connectionAttempts ?? 0)} connection attempt` : ''}`;
    const dataConnections = (a.connections ?? []).flatMap((c) => (c.dataConnectionFlow !== null ? [c.dataConnectionFlow] : []));
    out.add(`<tr>${flowCell(a.flow, ctx)}${td(`${a.dialect}${extra ? ` (${extra})` : ''}`)}<td>${outcome}</td>`);
    out.add(`${numCell(a.attempts)}${numCell(Math.max(0, (a.attempts ?? 1) - 1))}${ms(a.responseTimeMs)}`);
    out.add(`${td(a.relayed ?? '', 'mono')}${td(a.reflexive ?? '', 'mono')}${numCell(a.lifetime)}`);
    out.add(`${td(cut(a.username ?? ''), 'mono')}${td(cut(a.realm ?? ''), 'mono')}${td(cut(software.get(a.flow) ?? ''), 'mono')}${td(followUp)}`);
    out.add(`<td>${flowLinks(a.relayFlows ?? [], (a.relayFlows ?? []).length, ctx.shownIds, 8)}`);
    out.add(`${dataConnections.length > 0 ? ` data connections ${flowLinks(dataConnections, dataConnections.length, ctx.shownIds, 8)}` : ''}</td>`);
    out.add(td(`${a.requestFrame}${a.responseFrame !== undefined ? ` \u2192 ${a.responseFrame}` : ''}`, 'mono'));
    out.add('</tr>\n');
  }
  return out.toString() + TABLE_END + rowsCap(shown, allocations.length, 'allocations');
}

/** Transactions per flow and method with unanswered requests or error responses. */
function blockedTable(perFlow: readonly StunFlowReport[], ctx: AvContext): string {
  let html = '<h3>Unanswered STUN requests and error responses</h3>\n';
  const rows: { f: StunFlowReport; m: StunFlowReport['transactions'][number] }[] = [];
  for (const f of perFlow) for (const m of f.transactions ?? []) if (m.unanswered > 0 || m.errors > 0) rows.push({ f, m });
  if (rows.length === 0) return html + note('Every STUN request in this capture was answered, with no error response.');
  html += note('Unanswered requests on UDP are the evidence of a blocked path (or of a capture that ended before the answer); error responses name the refusal (401: credentials, 437/438: allocation state...).');
  html += tableStart([
    { head: 'Flow', numeric: true }, { head: 'Endpoints' }, { head: 'Method' }, { head: 'Requests', numeric: true }, { head: 'Retransmissions', numeric: true },
    { head: 'Success', numeric: true }, { head: 'Errors', numeric: true }, { head: 'Error codes' }, { head: 'Unanswered', numeric: true }, { head: 'Unanswered frames' },
  ], { id: 'stun-failures', sortable: true });
  const shown = Math.min(rows.length, ctx.maxRows);
  const out = new Markup(html);
  for (let i = 0; i < shown; i++) {
    const { f, m } = rows[i];
    out.add(`<tr>${flowCell(f.flow, ctx)}${td(endpoints(f.flow, ctx), 'mono')}${td(`${m.name} (${m.method})`)}${numCell(m.requests)}${numCell(m.retransmissions)}`);
    out.add(`${numCell(m.success)}${numCell(m.errors)}${td(errorCodes(m.errorCodes))}${numCell(m.unanswered)}${td((m.unansweredFrames ?? []).join(', '), 'mono')}</tr>\n`);
  }
  return out.toString() + TABLE_END + rowsCap(shown, rows.length, 'rows');
}

function iceTable(perFlow: readonly StunFlowReport[], ctx: AvContext): string {
  let html = '<h3>ICE connectivity checks</h3>\n';
  const flows = perFlow.filter((f) => f.ice !== undefined && f.ice.checks > 0);
  if (flows.length === 0) return html + note('No ICE connectivity check (STUN Binding request with PRIORITY) in this capture.');
  html += note('Checks count the requests sent, retransmissions included; the Binding columns count transactions (a request and its retransmissions are one).');
  html += tableStart([
    { head: 'Flow', numeric: true }, { head: 'Endpoints' }, { head: 'Checks', numeric: true }, { head: 'USE-CANDIDATE', numeric: true },
    { head: 'Controlling', numeric: true }, { head: 'Controlled', numeric: true }, { head: 'Binding answered', numeric: true },
    { head: 'Binding unanswered', numeric: true }, { head: 'Binding errors', numeric: true }, { head: 'Mean response (ms)', numeric: true }, { head: 'Relayed in TURN', numeric: true },
  ], { id: 'ice-checks', sortable: true });
  const shown = Math.min(flows.length, ctx.maxRows);
  const out = new Markup(html);
  for (let i = 0; i < shown; i++) {
    const f = flows[i];
    const ice = f.ice!;
    const binding = (f.transactions ?? []).find((m) => m.method === '0x001');
    out.add(`<tr>${flowCell(f.flow, ctx)}${td(endpoints(f.flow, ctx), 'mono')}${numCell(ice.checks)}${numCell(ice.useCandidate)}${numCell(ice.controlling)}${numCell(ice.controlled)}`);
    out.add(`${numCell(binding?.success)}${numCell(binding?.unanswered)}${numCell(binding?.errors)}${ms(binding?.responseTimeMs?.mean)}${numCell(f.tunneledStun)}</tr>\n`);
  }
  return out.toString() + TABLE_END + rowsCap(shown, flows.length, 'flows');
}

function stunFlowsTable(perFlow: readonly StunFlowReport[], ctx: AvContext): string {
  if (perFlow.length === 0) return '';
  let html = '<h3>STUN/TURN flows</h3>\n';
  html += tableStart([
    { head: 'Flow', numeric: true }, { head: 'Endpoints' }, { head: 'Dialects' }, { head: 'Messages', numeric: true }, { head: 'Types' },
    { head: 'ChannelData', numeric: true }, { head: 'Software' }, { head: 'Realm' }, { head: 'Fingerprints bad', numeric: true }, { head: 'Microsoft' },
  ], { id: 'stun-flows', sortable: true });
  const shown = Math.min(perFlow.length, ctx.maxRows);
  const out = new Markup(html);
  for (let i = 0; i < shown; i++) {
    const f = perFlow[i];
    const dataConnection = f.dataConnectionFrame ? `data connection from frame ${f.dataConnectionFrame}${f.allocationFlow ? ` for the allocation of flow #${f.allocationFlow}` : ''}` : '';
    const framingNotes = [f.framing, f.pseudoTls ? 'pseudo-TLS' : '', dataConnection].filter(Boolean).join(', ');
    const dialects = `${(f.dialects ?? []).join(', ')}${framingNotes ? ` (${framingNotes})` : ''}`;
    const types = (f.types ?? []).slice(0, 24).map((t) => `${t.name} ${t.direction === 'fromClient' ? '\u2192' : '\u2190'} ${count(t.count)}`).join(', ');
    const ms = f.microsoft;
    const microsoft = ms === undefined ? '' : [
      ms.versions.length > 0 ? `MS-VERSION ${ms.versions.join('/')}` : '', ms.streamTypes.length > 0 ? `streams ${ms.streamTypes.join('/')}` : '',
      ms.callIds.length > 0 ? `Call-ID ${ms.callIds.map((c) => cut(c, 120)).join(', ')}` : '', ms.bandwidthReservation ? 'bandwidth reservation' : '',
    ].filter(Boolean).join('; ');
    out.add(`<tr>${flowCell(f.flow, ctx)}${td(endpoints(f.flow, ctx), 'mono')}${td(dialects)}${numCell(f.messages)}${td(types)}${numCell(f.channelData?.messages)}`);
    out.add(`${td(cut(f.software ?? ''), 'mono')}${td(cut(f.realm ?? ''), 'mono')}${numCell(f.fingerprints?.mismatched)}${td(cut(microsoft, 600))}</tr>\n`);
  }
  return out.toString() + TABLE_END + rowsCap(shown, perFlow.length, 'flows');
}
