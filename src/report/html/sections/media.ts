/**
 * The media part of the A/V section, from the report's `media` section
 * (src/inspect/media/media-report.ts): RTP streams with loss and jitter (RFC
 * 3550), what the endpoints reported in RTCP, and a loss/jitter chart per
 * stream (the worst ones first) drawn from each stream's series.
 */
import type { MediaReport } from '../../../inspect/media/media-report.js';
import { directionText, ssrcHex } from '../av-data.js';
import { count } from '../format.js';
import type { ChartModels } from '../charts/models.js';
import type { ChartSvgs } from '../charts/render.js';
import { flowCell, numCell, type AvContext } from './stun.js';
import { capNote, note, rowsCap, TABLE_END, tableStart, td } from './parts.js';
import { Markup } from '../markup.js';
import { figure } from './summary.js';

function fixed(v: number | null | undefined, digits: number): string {
  return numCell(v, typeof v === 'number' ? v.toFixed(digits) : undefined);
}


export function mediaPart(media: MediaReport, charts: ChartSvgs, models: ChartModels, ctx: AvContext): string {
  const streams = media.streams ?? [];
  let html = '<h3>Media streams (RTP)</h3>\n';
  if (streams.length === 0) html += note('No RTP media stream in this capture.');
  else {
    html += tableStart([
      { head: 'Flow', numeric: true }, { head: 'Direction' }, { head: 'SSRC' }, { head: 'Payload type' }, { head: 'Clock rate (Hz)', numeric: true },
      { head: 'Packets', numeric: true }, { head: 'Expected', numeric: true }, { head: 'Lost', numeric: true }, { head: 'Loss %', numeric: true },
      { head: 'Out of order', numeric: true }, { head: 'Duplicates', numeric: true }, { head: 'Jitter (ms)', numeric: true }, { head: 'Max jitter (ms)', numeric: true },
      { head: 'Frames' },
    ], { id: 'media-table', sortable: true });
    const shown = Math.min(streams.length, ctx.maxRows);
    const out = new Markup(html);
    for (let i = 0; i < shown; i++) {
      const s = streams[i];
      const source = s.clockRateSource === 'static' ? '' : ` ${s.clockRateSource}`;
      out.add(`<tr>${flowCell(s.flow, ctx)}${td(directionText(s.direction))}${td(ssrcHex(s.ssrc, s.ssrcHex), 'mono')}${td((s.payloadTypes ?? []).join(', '))}`);
      out.add(`${numCell(s.clockRate, `${count(s.clockRate)}${source}`)}${numCell(s.packets)}${numCell(s.expected)}${numCell(s.lost)}${fixed(s.lossPct, 2)}`);
      out.add(`${numCell(s.outOfOrder)}${numCell(s.duplicates)}${fixed(s.jitterMs, 2)}${fixed(s.maxJitterMs, 2)}${td(`${s.firstFrame}\u2013${s.lastFrame}`, 'mono')}</tr>\n`);
    }
    html = out.toString() + TABLE_END + rowsCap(shown, streams.length, 'streams');
    if (streams.some((s) => s.clockRateSource !== 'static')) {
      html += note(`Clock rates marked "inferred" were derived from the RTP timestamps of a dynamic payload type; "default" assumed ${count(media.defaultDynamicClockRate)} Hz. Jitter in milliseconds depends on it.`);
    }
  }
  if ((media.streamsDropped ?? 0) > 0) html += capNote(`${count(media.streamsDropped)} more streams were not tracked: the stream table was full.`);
  html += rtcpTables(media, ctx);
  if (streams.length > 0) {
    html += '<h3>Loss and jitter over time</h3>\n';
    models.media.forEach((m, i) => {
      html += charts.media[i] ? figure(charts.media[i], `${m.label}: ${m.summary}`) : note(`${m.label}: ${m.summary}; no time series in the report.`);
    });
    if (models.mediaLeftOut > 0) html += capNote(`Charts for the ${count(models.media.length)} streams with the most loss; ${count(models.mediaLeftOut)} more streams are in the table above.`);
  }
  return html;
}

function rtcpTables(media: MediaReport, ctx: AvContext): string {
  const rtcp = media.rtcp;
  if (rtcp === undefined || (rtcp.packets ?? 0) === 0) return `<h3>RTCP</h3>${note('No RTCP packet in this capture.')}`;
  let html = `<h3>RTCP</h3>\n${note(`${count(rtcp.packets)} RTCP compound packets${rtcp.unverified > 0 ? `, ${count(rtcp.unverified)} of them unverified (SRTCP or damaged: their report blocks are not used)` : ''}.`)}`;
  const rr = rtcp.receptionReports ?? [];
  if (rr.length > 0) {
    html += tableStart([
      { head: 'Flow', numeric: true }, { head: 'Direction' }, { head: 'Reporter SSRC' }, { head: 'Source SSRC' }, { head: 'Reports', numeric: true },
      { head: 'Fraction lost %', numeric: true }, { head: 'Max fraction lost %', numeric: true }, { head: 'Cumulative lost', numeric: true },
      { head: 'Jitter (ms)', numeric: true }, { head: 'Frames' },
    ], { id: 'rtcp-reception', sortable: true, caption: 'Reception reports: what each receiver said about a source (latest values).' });
    const shown = Math.min(rr.length, ctx.maxRows);
    const out = new Markup(html);
    for (let i = 0; i < shown; i++) {
      const r = rr[i];
      out.add(`<tr>${flowCell(r.flow, ctx)}${td(directionText(r.direction))}${td(ssrcHex(r.reporterSsrc), 'mono')}${td(ssrcHex(r.sourceSsrc), 'mono')}${numCell(r.reports)}`);
      out.add(`${fixed(r.fractionLostPct, 2)}${fixed(r.maxFractionLostPct, 2)}${numCell(r.cumulativeLost)}`);
      out.add(`${r.jitterMs === null ? numCell(r.jitter, `${count(r.jitter)} units`) : fixed(r.jitterMs, 2)}${td(`${r.firstFrame}\u2013${r.lastFrame}`, 'mono')}</tr>\n`);
    }
    html = out.toString() + TABLE_END + rowsCap(shown, rr.length, 'reception reports');
  }
  const sr = rtcp.senderReports ?? [];
  if (sr.length > 0) {
    html += tableStart([
      { head: 'Flow', numeric: true }, { head: 'Direction' }, { head: 'SSRC' }, { head: 'Reports', numeric: true }, { head: 'Packets sent', numeric: true }, { head: 'Octets sent', numeric: true },
    ], { id: 'rtcp-senders', sortable: true, caption: 'Sender reports: what each sender said it sent (latest values).' });
    const shown = Math.min(sr.length, ctx.maxRows);
    const out = new Markup(html);
    for (let i = 0; i < shown; i++) {
      const r = sr[i];
      out.add(`<tr>${flowCell(r.flow, ctx)}${td(directionText(r.direction))}${td(ssrcHex(r.ssrc), 'mono')}${numCell(r.reports)}${numCell(r.packetCount)}${numCell(r.octetCount)}</tr>\n`);
    }
    html = out.toString() + TABLE_END + rowsCap(shown, sr.length, 'sender reports');
  }
  return html;
}
