/**
 * The page: one self-contained HTML file. No request leaves it: no external
 * script, style, font or image, and a Content-Security-Policy that forbids
 * them (default-src 'none'), allowing only the page's one inline style and
 * one inline script, by their SHA-256 hashes. It opens from a jump host with
 * no internet, and a hostile string that got past escaping still could not run.
 *
 * `assembleHtml` takes the charts already drawn (see charts/render.ts), so that
 * this module and the sections load without d3-node and jsdom.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../../catalog/types.js';
import { attr, text } from './escape.js';
import { count } from './format.js';
import type { HtmlReport } from './input.js';
import { chartModels, type ChartModels } from './charts/models.js';
import type { ChartSvgs } from './charts/render.js';
import { PAGE_SCRIPT } from './script.js';
import { PAGE_CSS } from './style.js';
import { anomaliesSection } from './sections/anomalies.js';
import { avSection, MAX_AV_ROWS } from './sections/av.js';
import { checklistSection } from './sections/checklist.js';
import { findingsSection, MAX_FINDINGS_SHOWN } from './sections/findings.js';
import { flowsSection, MAX_FLOW_ROWS, selectFlows } from './sections/flows.js';
import { summarySection } from './sections/summary.js';

export interface HtmlOptions {
  /** The catalog the report was classified with: rule details in the checklist, documented ranges in the port map. */
  catalog?: Catalog;
  /** Rows of the flow table (default 5,000); flagged flows first. */
  maxFlowRows?: number;
  /** Findings shown in full (default 1,000). */
  maxFindings?: number;
  /** Rows per A/V table (default 2,000). */
  maxAvRows?: number;
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

/** The page's Content-Security-Policy: nothing from anywhere, except its own inline style and script. */
export const CSP = `default-src 'none'; style-src 'sha256-${sha256(PAGE_CSS)}'; script-src 'sha256-${sha256(PAGE_SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;

export function assembleHtml(report: HtmlReport, models: ChartModels, charts: ChartSvgs, options: HtmlOptions = {}): string {
  const { shown, flagged } = selectFlows(report.flows, options.maxFlowRows ?? MAX_FLOW_ROWS);
  const shownIds = new Set(shown.map((f) => f.id));
  const names = report.inputs.map((i) => i.path).join(', ');
  const title = `flowaudit report: ${names || 'no input'}`;
  const sections = [
    summarySection(report, charts),
    findingsSection(report, shownIds, options.maxFindings ?? MAX_FINDINGS_SHOWN),
    checklistSection(report, charts, shownIds, options.catalog),
    avSection(report, charts, models, shownIds, options.maxAvRows ?? MAX_AV_ROWS),
    flowsSection(report, shown, flagged),
    anomaliesSection(report),
  ];
  const nav = [['summary', 'Summary'], ['findings', 'Flagged flows'], ['checklist', 'Firewall checklist'], ['av', 'A/V calls'], ['flows', 'All flows'], ['anomalies', 'Anomalies']]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${attr(`${report.tool.name} ${report.tool.version}`)}">
<title>${text(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${text(title)}</h1>
<p class="muted">${text(`${count(report.totals.packets)} packets, ${count(report.totals.flows)} flows. Audited against the documented ports of Lync Server 2013 / Skype for Business Server 2015.`)}</p>
<nav>${nav}</nav>
</header>
<main>
${sections.join('')}</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

