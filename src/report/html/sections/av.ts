/**
 * A/V calls: STUN/TURN (summary, TURN allocations, unanswered requests and
 * errors, ICE checks: see stun.ts) and media (RTP streams with loss and
 * jitter, RTCP, charts: see media.ts), from payload inspection. A report
 * without either section says so in one line.
 */
import type { HtmlFlow, HtmlReport } from '../input.js';
import type { ChartSvgs } from '../charts/render.js';
import type { ChartModels } from '../charts/models.js';
import { mediaPart } from './media.js';
import { note, section } from './parts.js';
import { stunPart, type AvContext } from './stun.js';

/** Rows per A/V table (allocations, transactions, streams, RTCP reports); the rest are counted. */
export const MAX_AV_ROWS = 2000;

export function avSection(report: HtmlReport, charts: ChartSvgs, models: ChartModels, shownIds: ReadonlySet<number>, maxRows = MAX_AV_ROWS): string {
  if (report.stun === undefined && report.media === undefined) {
    return section('av', 'A/V calls', note('No STUN/TURN or media data: payload inspection is not part of this report.'));
  }
  const ctx: AvContext = { shownIds, flowsById: new Map<number, HtmlFlow>(report.flows.map((f) => [f.id, f])), maxRows };
  let body = '';
  body += report.stun === undefined ? note('STUN/TURN: not part of this report.') : stunPart(report.stun, ctx);
  body += report.media === undefined ? note('Media: not part of this report.') : mediaPart(report.media, charts, models, ctx);
  return section('av', 'A/V calls', body);
}
