/**
 * The short console summary: what was read, what flows were found, what went
 * wrong. Plain text lines; colouring (on a TTY only) is the CLI's business.
 */
import { linkTypeName } from '../capture/link-types.js';
import type { Report } from './model.js';

const TCP_STATE_HINTS: Record<string, string> = {
  S0: 'no answer to SYN',
  REJ: 'refused by RST',
  SH: 'SYN then FIN, no answer',
  RSTOS0: 'SYN then RST, no answer',
};

export function summaryLines(report: Report): string[] {
  const lines: string[] = [];
  const t = report.totals;
  const transports = Object.entries(t.flowsByTransport).map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
  lines.push(`${fmt(t.packets)} packets, ${bytes(t.bytes)}, ${fmt(t.flows)} flows${transports ? ` (${transports})` : ''}`);
  for (const input of report.inputs) {
    const kinds = input.linkTypes.map(linkTypeName).join('+') || 'no interfaces';
    lines.push(`  ${input.path}: ${input.format}${input.compressed ? ' (gzip)' : ''}, ${kinds}, ${fmt(input.packets)} packets`);
  }
  const states: Record<string, number> = {};
  let icmpErrorFlows = 0;
  for (const flow of report.flows) {
    if (flow.tcp) states[flow.tcp.state] = (states[flow.tcp.state] ?? 0) + 1;
    if (flow.icmpErrors && flow.icmpErrors.length > 0) icmpErrorFlows++;
  }
  const stateText = Object.keys(states).sort().map((s) => `${s} ${fmt(states[s])}${TCP_STATE_HINTS[s] ? ` (${TCP_STATE_HINTS[s]})` : ''}`);
  if (stateText.length > 0) lines.push(`TCP states: ${stateText.join(', ')}`);
  if (icmpErrorFlows > 0) lines.push(`ICMP errors received by ${fmt(icmpErrorFlows)} flow${icmpErrorFlows === 1 ? '' : 's'}`);
  if (t.flowsEvicted > 0) lines.push(`${fmt(t.flowsEvicted)} flows ended early by idle timeout or the live-flow cap (still reported)`);
  const anomalies: Record<string, number> = {};
  for (const input of report.inputs) {
    for (const [name, n] of Object.entries(input.anomalies)) anomalies[name] = (anomalies[name] ?? 0) + n;
  }
  const anomalyText = Object.keys(anomalies).sort().map((k) => `${k} ${fmt(anomalies[k])}`);
  if (anomalyText.length > 0) lines.push(`Anomalies: ${anomalyText.join(', ')}`);
  return lines;
}

/** One line per input that stopped early, for stderr. */
export function warningLines(report: Report): string[] {
  return report.inputs
    .filter((i) => i.stopped)
    .map((i) => `warning: ${i.path}: ${i.stopped!.kind} at byte ${i.stopped!.atByte} after ${fmt(i.stopped!.afterPackets)} packets: ${i.stopped!.message}; everything before it is reported`);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}
