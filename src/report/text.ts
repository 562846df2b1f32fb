/**
 * The short console summary: what was read, what flows were found, how they
 * were judged, the top findings, what went wrong, and where the reports went.
 * Plain text lines; a TextStyle may decorate words (the CLI passes colours on
 * a terminal only; see cli/colour.ts), and the words are the same either way.
 */
import { linkTypeName } from '../capture/link-types.js';
import { findingPeers } from '../classify/finding-types.js';
import { count, size } from './html/format.js';
import { ALLOCATION_OUTCOME_LABELS, allocationOutcomes } from '../inspect/stun-report.js';
import type { Report } from './model.js';

/**
 * `text` (a file name, a message naming one) safe to print on a terminal or into a log: control
 * characters (C0 with newline and escape, DEL, C1) as \xNN, so that a name cannot move the cursor,
 * colour the screen or forge a line.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The classification parts of a report, optional here so that the summary
 * renders reports with and without them (they are being added to the model).
 */
export interface SummaryFinding {
  kind: string;
  severity: string;
  title: string;
  transport: string;
  client: string;
  server: string;
  clients?: number;
  servers?: number;
  flowCount: number;
  ports: string;
  evidenceFrames: readonly number[];
}
interface ClassifiedParts {
  totals: { verdicts?: Record<string, number> };
  findings?: readonly SummaryFinding[];
}

/** Decoration of summary words; identity in plain text. */
export interface TextStyle {
  /** A severity name or a text coloured by it ('high', 'medium', 'low', 'info'). */
  severity(severity: string, text: string): string;
  /** A verdict count coloured by the verdict ('documented', 'misdirected', 'undocumented', 'unclassified'). */
  verdict(verdict: string, text: string): string;
  /** Emphasis (headings, the warning word). */
  strong(text: string): string;
  /** Something to notice but not alarming (warnings). */
  warn(text: string): string;
}

export const PLAIN_STYLE: TextStyle = {
  severity: (_s, text) => text,
  verdict: (_v, text) => text,
  strong: (text) => text,
  warn: (text) => text,
};

/** Verdicts in the order the summary lists them. */
const VERDICT_ORDER = ['documented', 'misdirected', 'undocumented', 'unclassified'];
const SEVERITY_ORDER = ['high', 'medium', 'low', 'info'];
/** Findings listed by name in the summary; the rest are counted. */
export const TOP_FINDINGS = 5;
/** Widest severity name, for aligned columns. */
const SEVERITY_WIDTH = 6;

const TCP_STATE_HINTS: Record<string, string> = {
  S0: 'no answer to SYN',
  REJ: 'refused by RST',
  SH: 'SYN then FIN, no answer',
  RSTOS0: 'SYN then RST, no answer',
};

export function summaryLines(report: Report, style: TextStyle = PLAIN_STYLE): string[] {
  const lines: string[] = [];
  const t = report.totals;
  const transports = Object.entries(t.flowsByTransport).map(([k, n]) => `${k} ${count(n)}`).join(', ');
  lines.push(`${count(t.packets)} packets, ${size(t.bytes)}, ${count(t.flows)} flows${transports ? ` (${transports})` : ''}`);
  for (const input of report.inputs) {
    const kinds = input.linkTypes.map(linkTypeName).join('+') || 'no interfaces';
    lines.push(`  ${printable(input.path)}: ${input.format}${input.compressed ? ' (gzip)' : ''}, ${kinds}, ${count(input.packets)} packets`);
  }
  const states: Record<string, number> = {};
  let icmpErrorFlows = 0;
  for (const flow of report.flows) {
    if (flow.tcp) states[flow.tcp.state] = (states[flow.tcp.state] ?? 0) + 1;
    if (flow.icmpErrors && flow.icmpErrors.length > 0) icmpErrorFlows++;
  }
  const stateText = Object.keys(states).sort().map((s) => `${s} ${count(states[s])}${TCP_STATE_HINTS[s] ? ` (${TCP_STATE_HINTS[s]})` : ''}`);
  if (stateText.length > 0) lines.push(`TCP states: ${stateText.join(', ')}`);
  if (icmpErrorFlows > 0) lines.push(`ICMP errors received by ${count(icmpErrorFlows)} flow${icmpErrorFlows === 1 ? '' : 's'}`);
  if (t.flowsEvicted > 0) lines.push(`${count(t.flowsEvicted)} flows ended early by idle timeout or the live-flow cap (still reported)`);
  const anomalies: Record<string, number> = {};
  for (const input of report.inputs) {
    for (const [name, n] of Object.entries(input.anomalies)) anomalies[name] = (anomalies[name] ?? 0) + n;
  }
  const anomalyText = Object.keys(anomalies).sort().map((k) => `${k} ${count(anomalies[k])}`);
  if (anomalyText.length > 0) lines.push(`Anomalies: ${anomalyText.join(', ')}`);
  lines.push(...avLines(report));
  lines.push(...classificationLines(report as Report & ClassifiedParts, style));
  return lines;
}

/** STUN/TURN and RTP in one line each, when payload inspection found them: what an A/V troubleshooter looks at first. */
function avLines(report: Partial<Pick<Report, 'stun' | 'media'>>): string[] {
  const lines: string[] = [];
  const stun = report.stun;
  if (stun !== undefined && stun.flows > 0) {
    const outcomes = Object.entries(allocationOutcomes(stun.allocations)).filter(([, n]) => n > 0);
    const allocations = stun.allocations.length === 0 ? ''
      : `; TURN allocations ${count(stun.allocations.length)} (${outcomes.map(([o, n]) => `${count(n)} ${ALLOCATION_OUTCOME_LABELS[o as keyof typeof ALLOCATION_OUTCOME_LABELS]}`).join(', ')})`;
    lines.push(`STUN/TURN: ${count(stun.flows)} flow${stun.flows === 1 ? '' : 's'}, ${count(stun.requests)} requests, ${count(stun.unanswered)} unanswered${allocations}`);
  }
  const streams = report.media?.streams ?? [];
  if (streams.length > 0) {
    type Stream = (typeof streams)[number];
    const worst = (of: (s: Stream) => number, among: readonly Stream[]) => among.reduce((a, b) => (of(b) > of(a) ? b : a));
    const loss = worst((s) => s.lossPct, streams);
    // Jitter at an assumed clock rate (a dynamic payload type on a stream too short to infer it) is not a measurement.
    const rated = streams.filter((s) => s.clockRateSource !== 'default');
    const jitter = rated.length > 0 ? worst((s) => s.meanJitterMs, rated) : undefined;
    const jitterText = jitter !== undefined ? `worst mean jitter ${jitter.meanJitterMs} ms (flow ${jitter.flow})` : 'jitter not measured (no stream long enough to know its clock rate)';
    lines.push(`RTP: ${count(streams.length)} stream${streams.length === 1 ? '' : 's'}; worst loss ${loss.lossPct}% (flow ${loss.flow}), ${jitterText}`);
  }
  return lines;
}

/** Verdict counts and the top findings, when the report has them. */
function classificationLines(report: Report & ClassifiedParts, style: TextStyle): string[] {
  const lines: string[] = [];
  const verdicts = report.totals.verdicts;
  if (verdicts !== undefined) {
    const names = [...VERDICT_ORDER, ...Object.keys(verdicts).filter((v) => !VERDICT_ORDER.includes(v)).sort()];
    const parts = names.filter((v) => (verdicts[v] ?? 0) > 0).map((v) => style.verdict(v, `${count(verdicts[v])} ${v}`));
    lines.push(`${style.strong('Verdicts:')} ${parts.length > 0 ? parts.join(', ') : 'no flows'}`);
  }
  const findings = report.findings;
  if (findings === undefined) return lines;
  if (findings.length === 0) {
    lines.push(`${style.strong('Findings:')} none`);
    return lines;
  }
  const bySeverity: Record<string, number> = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  const severities = [...SEVERITY_ORDER, ...Object.keys(bySeverity).filter((s) => !SEVERITY_ORDER.includes(s)).sort()];
  const counts = severities.filter((s) => bySeverity[s] > 0).map((s) => style.severity(s, `${count(bySeverity[s])} ${s}`));
  lines.push(`${style.strong('Findings:')} ${count(findings.length)} (${counts.join(', ')})`);
  // The worst first: the report lists findings highest severity first; info findings (blocked as they should be) are only counted.
  const top = [...findings].filter((f) => f.severity !== 'info')
    .sort((a, b) => rank(a.severity) - rank(b.severity))
    .slice(0, TOP_FINDINGS);
  for (const f of top) lines.push(`  ${style.severity(f.severity, f.severity.toUpperCase().padEnd(SEVERITY_WIDTH))} ${findingText(f)}`);
  const rest = findings.length - top.length;
  if (top.length > 0 && rest > 0) lines.push(`  ... and ${count(rest)} more in the report`);
  return lines;
}

/** One finding in plain words: what, between whom, on which ports, how many flows, where to look. */
export function findingText(f: SummaryFinding): string {
  const flows = `${count(f.flowCount)} flow${f.flowCount === 1 ? '' : 's'}`;
  const frame = f.evidenceFrames.length > 0 ? `, first at frame ${f.evidenceFrames[0]}` : '';
  const { client, server } = findingPeers(f);
  return `${f.title}: ${client} -> ${server} ${f.ports} (${flows}${frame})`;
}

function rank(severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/** Where the reports were written: one line per output, "-" meaning standard output. */
export function outputLines(outputs: readonly { what: string; path: string }[]): string[] {
  return outputs.map((o) => `${o.what}: ${o.path === '-' ? 'standard output' : printable(o.path)}`);
}

/** One line per input that stopped early, for stderr. */
export function warningLines(report: Report, style: TextStyle = PLAIN_STYLE): string[] {
  return report.inputs
    .filter((i) => i.stopped)
    .map((i) => `${style.warn('warning:')} ${printable(i.path)}: ${i.stopped!.kind} at byte ${i.stopped!.atByte} after ${count(i.stopped!.afterPackets)} packet${i.stopped!.afterPackets === 1 ? '' : 's'}: ${i.stopped!.message}; everything before it is reported`);
}
