/** Flagged flows: every finding with its explanation, flows, evidence frames, a copyable Wireshark filter and the catalog citation. */
import { findingPeers } from '../../../classify/finding-types.js';
import { attr, text } from '../escape.js';
import { count, plural } from '../format.js';
import type { HtmlReport } from '../input.js';
import { badge, capNote, flowLinks, note, section } from './parts.js';
import { Markup } from '../markup.js';

/** Findings shown in full; the rest are counted (the JSON report has them all). */
export const MAX_FINDINGS_SHOWN = 1000;

export function findingsSection(report: HtmlReport, shownFlows: ReadonlySet<number>, maxFindings = MAX_FINDINGS_SHOWN): string {
  const findings = report.findings;
  if (findings === undefined) return section('findings', 'Flagged flows', note('Findings: not part of this report (written without classification).'));
  if (findings.length === 0) return section('findings', 'Flagged flows', note('No findings in this capture.'));
  const body = new Markup();
  const bySeverity: Record<string, number> = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  body.add(`<p>${text(`${plural(findings.length, 'finding')}: ${['high', 'medium', 'low', 'info'].filter((s) => bySeverity[s]).map((s) => `${count(bySeverity[s])} ${s}`).join(', ')}. Highest severity first. Each Wireshark filter selects the finding\u2019s packets (and ICMP errors quoting them).`)}</p>\n`);
  const shown = findings.slice(0, maxFindings);
  if (shown.length < findings.length) body.add(capNote(`Showing the first ${count(shown.length)} of ${count(findings.length)} findings; ${count(findings.length - shown.length)} left out here (all are in the JSON report).`));
  shown.forEach((f, i) => {
    const n = i + 1;
    const sev = ['high', 'medium', 'low', 'info'].includes(f.severity) ? f.severity : '';
    body.add(`<article class="finding ${sev}" id="finding-${n}">\n`);
    body.add(`<h3>${badge(f.severity, ['high', 'medium', 'low', 'info'])} ${text(f.title)}</h3>\n`);
    body.add(`<p>${text(f.explanation)}</p>\n`);
    const { client, server } = findingPeers(f);
    body.add(`<dl class="facts"><dt>Flows</dt><dd>${text(`${f.transport} ${client} \u2192 ${server} ${f.ports}`)}, ${text(plural(f.flowCount, 'flow'))}: ${flowLinks(f.flows, f.flowCount, shownFlows)}</dd>`);
    body.add(`<dt>Evidence frames</dt><dd class="mono">${text(f.evidenceFrames.join(', ') || 'none')}</dd>`);
    if (f.citation.length > 0) body.add(`<dt>Catalog</dt><dd>${f.citation.map((c) => `<span class="mono">${text(c.rule)}</span> (${text(c.source)})`).join('; ')}</dd>`);
    body.add(`<dt>Kind</dt><dd class="mono">${text(f.kind)}</dd></dl>\n`);
    // A readonly input: selectable and copyable by hand without JavaScript; the button (shown by the script) copies it.
    body.add(`<div class="wsf-row"><label for="wsf-${n}" class="muted nowrap">Wireshark filter</label><input type="text" class="wsf" id="wsf-${n}" readonly value="${attr(f.wiresharkFilter)}"><button type="button" class="copy" data-target="wsf-${n}" hidden>Copy</button></div>\n`);
    body.add('</article>\n');
  });
  return section('findings', 'Flagged flows', body.toString());
}
