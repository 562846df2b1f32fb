/** Anomalies per input: what flowaudit could not decode or found odd, by name, with each name's meaning. */
import { ANOMALIES } from '../../../anomalies.js';
import { text } from '../escape.js';
import type { HtmlReport } from '../input.js';
import { note, section, TABLE_END, tableStart, td, tdNum } from './parts.js';

const INFO = new Map(ANOMALIES.map((a) => [a.name, a]));

export function anomaliesSection(report: HtmlReport): string {
  let body = '';
  for (const input of report.inputs) {
    body += `<h3 class="mono">${text(input.path)}</h3>\n`;
    if (input.stopped) body += `<p class="cap">${text(`Reading stopped early: ${input.stopped.kind} at byte ${input.stopped.atByte} after ${input.stopped.afterPackets} packets: ${input.stopped.message}. Everything before it is reported.`)}</p>\n`;
    const names = Object.keys(input.anomalies);
    if (names.length === 0) { body += note('No anomalies.'); continue; }
    body += `<p>${text(`${input.packets - input.packetsInFlows} of ${input.packets} packets were kept out of flows (anomalies marked "yes" below).`)}</p>\n`;
    body += tableStart([{ head: 'Anomaly' }, { head: 'Count', numeric: true }, { head: 'Packet kept out of flows' }, { head: 'Meaning' }], { sortable: true });
    for (const name of names) {
      const info = INFO.get(name);
      body += `<tr>${td(name, 'mono')}${tdNum(input.anomalies[name])}${td(info === undefined ? '' : info.fate ? 'yes' : 'no')}${td(info?.description ?? 'not known to this version of flowaudit')}</tr>\n`;
    }
    body += TABLE_END;
  }
  return section('anomalies', 'Anomalies', body || note('No inputs.'));
}
