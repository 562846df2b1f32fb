/**
 * The page's one stylesheet, inline (allowed by its hash in the CSP). System
 * fonts only: the page must open on a jump host with no internet. SVG charts
 * take their text and line styles from here, so they carry no style attributes.
 */
export const PAGE_CSS = `
:root { --documented: #2a7f3e; --misdirected: #c4262e; --undocumented: #e07b00; --unclassified: #7a7a7a; --muted: #5f6368; --line: #d5d8dc; --bg-alt: #f5f6f7; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d1f21; margin: 0 auto; max-width: 1280px; padding: 0 16px 48px; }
header { border-bottom: 2px solid #1d1f21; padding: 16px 0 8px; margin-bottom: 8px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
nav a { margin-right: 14px; }
a { color: #1a5fb4; }
code, .mono, td.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.muted, .note { color: var(--muted); }
.note { font-size: 13px; margin: 4px 0 8px; }
.cap { background: #fff6d6; border: 1px solid #e6cf7a; padding: 6px 10px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); position: sticky; top: 0; }
/* Sections off screen are not laid out until scrolled to: the page stays responsive with thousands of rows. */
section { content-visibility: auto; contain-intrinsic-size: auto 1200px; }
/* The flow table can hold thousands of rows: a fixed layout sizes it from its header, not by measuring every cell. */
#flow-table { table-layout: fixed; }
#flow-table th:nth-child(1) { width: 4.5em; } #flow-table th:nth-child(2) { width: 5em; }
#flow-table th:nth-child(3), #flow-table th:nth-child(4) { width: 15%; }
#flow-table th:nth-child(n+5):nth-child(-n+9) { width: 6.5em; }
#flow-table td { overflow-wrap: anywhere; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
th button.sort { all: unset; cursor: pointer; font-weight: 600; }
th button.sort::after { content: " \\2195"; color: var(--muted); font-weight: 400; }
th[aria-sort="ascending"] button.sort::after { content: " \\2191"; color: #1d1f21; }
th[aria-sort="descending"] button.sort::after { content: " \\2193"; color: #1d1f21; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid var(--line); border-left: 6px solid var(--unclassified); padding: 6px 12px; min-width: 150px; }
.card b { display: block; font-size: 22px; }
.card.documented, .v-documented { border-left-color: var(--documented); }
.card.misdirected, .v-misdirected { border-left-color: var(--misdirected); }
.card.undocumented, .v-undocumented { border-left-color: var(--undocumented); }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; color: #fff; background: var(--unclassified); white-space: nowrap; }
.badge.documented, .badge.working, .badge.success { background: var(--documented); }
.badge.misdirected, .badge.failing, .badge.high, .badge.error { background: var(--misdirected); }
.badge.undocumented, .badge.medium, .badge.unanswered { background: var(--undocumented); }
.badge.low { background: #8a6d00; }
.badge.info, .badge.not-seen { background: var(--unclassified); }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--unclassified); padding: 6px 12px; margin: 10px 0; break-inside: avoid; }
.finding.high { border-left-color: var(--misdirected); }
.finding.medium { border-left-color: var(--undocumented); }
.finding h3 { margin: 0 0 4px; }
.filter { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
.filter input[type="text"] { padding: 4px 6px; font: inherit; flex: 0 1 420px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.wsf-row { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
.wsf-row input { flex: 1 1 auto; padding: 3px 6px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
button.copy { font: inherit; font-size: 12px; padding: 2px 8px; cursor: pointer; }
figure { margin: 10px 0 18px; break-inside: avoid; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 2px; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg.chart text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #1d1f21; }
svg.chart text.title { font-size: 13px; font-weight: 600; }
svg.chart .axis path, svg.chart .axis line { stroke: #8a8f94; }
svg.chart .grid line { stroke: #e3e5e8; }
details > summary { cursor: pointer; }
.nowrap { white-space: nowrap; }
[hidden] { display: none !important; }
@media print {
  body { max-width: none; font-size: 11px; }
  nav, .filter, button.copy { display: none !important; }
  th { position: static; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
}
`;
