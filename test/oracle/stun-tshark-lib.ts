/**
 * STUN message counts per flow and type, from tshark's decode and from the
 * flowaudit report, keyed alike: "udp 10.0.0.1:5000 10.0.0.2:3478" with the
 * two endpoints in sorted order, then "0x0003" -> count.
 */
import { expect } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { reportToJson } from '../../src/report/json.js';
import { tsharkOutput } from '../helpers/environment.js';

export type Counts = Map<string, Map<string, number>>;

function add(counts: Counts, flow: string, type: string, n = 1): void {
  let m = counts.get(flow);
  if (m === undefined) counts.set(flow, (m = new Map()));
  m.set(type, (m.get(type) ?? 0) + n);
}

export function flowKey(transport: string, a: string, ap: number, b: string, bp: number): string {
  const x = `${a.includes(':') ? `[${a}]` : a}:${ap}`;
  const y = `${b.includes(':') ? `[${b}]` : b}:${bp}`;
  return `${transport} ${x < y ? `${x} ${y}` : `${y} ${x}`}`;
}

/**
 * tshark's STUN messages (RFC 5389 dissector and classic STUN), ICMP-quoted
 * copies excluded (they are not messages of the flow). `retransmitted` gets
 * the messages tshark decoded in TCP segments it flags as retransmissions.
 */
export function tsharkStun(file: string, retransmitted: Counts, extraArgs: string[] = []): Counts {
  const out = tsharkOutput(['-n', '-r', file, ...extraArgs, '-Y', '(stun || classicstun) && !icmp && !icmpv6', '-T', 'fields', '-E', 'separator=\t',
    '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'tcp.srcport', '-e', 'tcp.dstport',
    '-e', 'stun.type', '-e', 'classicstun.type', '-e', 'stun.channel', '-e', 'tcp.analysis.retransmission']);
  const counts: Counts = new Map();
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const [s4, s6, d4, d6, us, ud, ts, td, stype, ctype, channel, retrans] = line.split('\t');
    const tcp = ts !== '';
    const key = flowKey(tcp ? 'tcp' : 'udp', (s4 || s6).split(',')[0], Number(tcp ? ts : us), (d4 || d6).split(',')[0], Number(tcp ? td : ud));
    const target = retrans !== '' ? retransmitted : counts;
    for (const t of [...stype.split(','), ...ctype.split(',')]) if (t !== '') add(target, key, `0x${t.replace(/^0x/, '').padStart(4, '0')}`);
    for (const c of channel.split(',')) if (c !== '') add(target, key, 'channeldata');
  }
  return counts;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export function reportStun(report: Json): Counts {
  const counts: Counts = new Map();
  const byId = new Map<number, Json>();
  for (const f of report.flows) byId.set(f.id, f);
  for (const s of report.stun.perFlow) {
    const f = byId.get(s.flow);
    const key = flowKey(f.transport, f.client.ip, f.client.port, f.server.ip, f.server.port);
    for (const t of s.types) add(counts, key, t.type, t.count);
    if (s.channelData) add(counts, key, 'channeldata', s.channelData.messages);
  }
  return counts;
}

/** Differences as "flow type: ours vs theirs" lines, sorted. */
export function diff(ours: Counts, theirs: Counts): string[] {
  const lines: string[] = [];
  for (const flow of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(flow) ?? new Map();
    const b = theirs.get(flow) ?? new Map();
    for (const t of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(t) ?? 0;
      const y = b.get(t) ?? 0;
      if (x !== y) lines.push(`${flow} ${t}: flowaudit ${x} tshark ${y}`);
    }
  }
  return lines.sort();
}

function subtract(theirs: Counts, retransmitted: Counts): void {
  for (const [flow, types] of retransmitted) {
    const t = theirs.get(flow);
    if (t === undefined) continue;
    for (const [type, n] of types) t.set(type, (t.get(type) ?? 0) - n);
  }
}

/**
 * flowaudit's STUN counts per flow and type against tshark's, less what tshark cannot see (MS-TURN
 * over TCP with pseudo-TLS: such flows must hold messages of ours) and what it decodes twice (TCP
 * retransmissions). `differences` is empty when they agree. `tsharkArgs`: more options for tshark
 * (Decode As for ports it gives another protocol).
 */
export async function compareStunWithTshark(file: string, tsharkArgs: string[] = []): Promise<{ ours: Counts; differences: string[]; report: Json }> {
  const report = JSON.parse(reportToJson(await analyze([file]))) as Json;
  const ours = reportStun(report);
  const retransmitted: Counts = new Map();
  const theirs = tsharkStun(file, retransmitted, tsharkArgs);
  subtract(theirs, retransmitted);
  // tshark limitation: MS-TURN over TCP with pseudo-TLS is never decoded as STUN.
  const byId = new Map<number, Json>(report.flows.map((f: Json) => [f.id, f]));
  for (const s of report.stun.perFlow) {
    if (s.framing !== 'ms-turn-tcp') continue;
    const f = byId.get(s.flow);
    const key = flowKey(f.transport, f.client.ip, f.client.port, f.server.ip, f.server.port);
    expect(s.messages, `${key}: an MS-TURN TCP flow holds messages`).toBeGreaterThan(0);
    ours.delete(key);
    theirs.delete(key);
  }
  for (const [k, m] of theirs) for (const [t, n] of m) if (n === 0) m.delete(t), m.size === 0 && theirs.delete(k);
  return { ours, differences: diff(ours, theirs), report };
}
