/**
 * A/V calls: STUN/TURN transactions, TURN allocations, ICE checks, and media
 * streams with loss and jitter. Built on payload inspection; the records are
 * read loosely (see loose.ts) and every value is shown escaped.
 */
import { attr, text } from '../escape.js';
import { count, percent } from '../format.js';
import { loose, type HtmlReport, type LooseRecord } from '../input.js';
import { cellText, jitterMs, looseColumns, lossRatio, streamLabel } from '../loose.js';
import type { ChartSvgs } from '../charts/render.js';
import type { ChartModels } from '../charts/models.js';
import { capNote, note, section, TABLE_END, tableStart } from './parts.js';
import { figure } from './summary.js';

/** Rows per A/V table (allocations, checks, streams); the rest are counted. */
export const MAX_AV_ROWS = 2000;

export function avSection(report: HtmlReport, charts: ChartSvgs, models: ChartModels, maxRows = MAX_AV_ROWS): string {
  if (report.stun === undefined && report.media === undefined) {
    return section('av', 'A/V calls', note('No STUN/TURN or media data: payload inspection is not part of this report.'));
  }
  let body = '';
  const stun = report.stun;
  if (stun === undefined) body += note('STUN/TURN: not part of this report.');
  else {
    const tx = stun.transactions;
    if (tx !== undefined && typeof tx === 'object') {
      const facts = Object.entries(tx).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
      if (facts.length > 0) body += `<h3>STUN/TURN transactions</h3><dl class="facts">${facts.map(([k, v]) => `<dt>${text(k)}</dt><dd>${text(cellText(v))}</dd>`).join('')}</dl>\n`;
    }
    body += looseTable('TURN allocations', 'turn-allocations', loose(stun.allocations), maxRows, 'No TURN allocation in this capture.');
    body += looseTable('ICE connectivity checks', 'ice-checks', loose(stun.checks), maxRows, 'No ICE connectivity check in this capture.');
  }
  const streams = loose(report.media?.streams);
  if (report.media === undefined) body += note('Media: not part of this report.');
  else if (streams === undefined || streams.length === 0) body += note('No RTP media stream in this capture.');
  else {
    body += `<h3>Media streams</h3>\n`;
    const derived = streams.map((s) => ({ loss: lossRatio(s), jitter: jitterMs(s) }));
    const extra = looseColumns(streams);
    body += tableStart([{ head: 'Stream' }, { head: 'Loss', numeric: true }, { head: 'Jitter (ms)', numeric: true }, ...extra.map((head) => ({ head }))], { id: 'media-table', sortable: true });
    const shown = Math.min(streams.length, maxRows);
    for (let i = 0; i < shown; i++) {
      const { loss, jitter } = derived[i];
      body += `<tr><td>${text(streamLabel(streams[i]))}</td>`;
      body += loss === undefined ? '<td class="n"></td>' : `<td class="n" data-v="${attr(loss)}">${text(percent(loss))}</td>`;
      body += jitter === undefined ? '<td class="n"></td>' : `<td class="n" data-v="${attr(jitter)}">${text(jitter.toFixed(1))}</td>`;
      body += extra.map((k) => `<td>${text(cellText(streams[i][k]))}</td>`).join('');
      body += '</tr>\n';
    }
    body += TABLE_END;
    if (shown < streams.length) body += capNote(`Showing ${count(shown)} of ${count(streams.length)} streams; ${count(streams.length - shown)} left out (all are in the JSON report).`);
    models.media.forEach((m, i) => {
      body += charts.media[i] ? figure(charts.media[i], `${m.label}: ${m.summary}`) : note(`${m.label}: ${m.summary || 'no loss or jitter figures'}; no time series in the report.`);
    });
    if (models.mediaLeftOut > 0) body += capNote(`Charts for the ${count(models.media.length)} streams with the most loss; ${count(models.mediaLeftOut)} more streams are in the table above.`);
  }
  return section('av', 'A/V calls', body);
}

function looseTable(title: string, id: string, records: readonly LooseRecord[] | undefined, maxRows: number, empty: string): string {
  if (records === undefined) return '';
  if (records.length === 0) return `<h3>${text(title)}</h3>${note(empty)}`;
  const columns = looseColumns(records);
  let html = `<h3>${text(title)}</h3>\n${tableStart(columns.map((head) => ({ head })), { id, sortable: true })}`;
  const shown = Math.min(records.length, maxRows);
  for (let i = 0; i < shown; i++) {
    html += `<tr>${columns.map((k) => {
      const v = records[i][k];
      return typeof v === 'number' ? `<td class="n" data-v="${attr(v)}">${text(cellText(v))}</td>` : `<td>${text(cellText(v))}</td>`;
    }).join('')}</tr>\n`;
  }
  html += TABLE_END;
  if (shown < records.length) html += capNote(`Showing ${count(shown)} of ${count(records.length)}; ${count(records.length - shown)} left out (all are in the JSON report).`);
  return html;
}
