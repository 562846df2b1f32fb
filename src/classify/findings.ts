/**
 * Findings from classified flows: what is worth a person's attention, with
 * severity, evidence frames, a Wireshark display filter and the catalog rows
 * involved. Aggregated per (kind, severity, transport, client, server), so a
 * scan of 5,000 ports by one host is one finding listing the ports compactly.
 * Many clients hitting one undocumented service give one finding per client:
 * each client is a separate actor a firewall rule would name.
 */
import type { Catalog, CatalogRule } from '../catalog/types.js';
import type { FlowRecord, IcmpErrorRecord } from '../flow/flow-record.js';
import { FINDING_KINDS, FINDING_TITLES, SEVERITY_RANK, type Finding, type FindingCitation, type FindingKind, type Severity } from './finding-types.js';
import { icmpErrorKind, icmpErrorName, isPortUnreachable } from './icmp-kinds.js';
import { isLocalGroupAddress } from './infer-address.js';
import { explainFinding } from './finding-explanations.js';
import { addFrame, MAX_DETAILS, type FindingGroup } from './finding-group.js';
import { ANY_PEER, foldPeers } from './fold-findings.js';
import type { PayloadProblem } from './payload-findings.js';
import type { FlowVerdict } from './verdict.js';

export * from './finding-types.js';
export { MAX_DETAILS, MAX_EVIDENCE_FRAMES, type FindingGroup } from './finding-group.js';
export { ANY_PEER, MAX_KIND_FINDINGS, MAX_PEER_FINDINGS } from './fold-findings.js';

/** Flow ids kept in a finding's `flows`. */
export const MAX_FINDING_FLOWS = 100;
/** Rules kept in `citation`. */
export const MAX_CITATIONS = 10;
/** Above this many distinct client port ranges the filter leaves the client ports out (it would grow past usefulness). */
export const MAX_FILTER_CLIENT_RANGES = 50;

/** Zeek conn_state values of a TCP connection whose SYN got no SYN-ACK. */
const UNANSWERED_STATES: ReadonlySet<string> = new Set(['S0', 'SH', 'RSTOS0']);
/** Zeek conn_state of a connection attempt answered by a reset. */
const REFUSED_STATE = 'REJ';

/** The SYN got no SYN-ACK: an unanswered Zeek state, and not a connection whose answer the capture missed. */
function synUnanswered(flow: FlowRecord): boolean {
  const state = flow.tcp?.state;
  return state !== undefined && UNANSWERED_STATES.has(state) && !serverSideMissing(flow);
}

/**
 * A TCP connection whose client acknowledged, sent data or closed after its SYN, with nothing from the
 * server in the capture: the SYN-ACK came (a client sends none of these before it), but the capture
 * holds one direction only (asymmetric routing, a one-way tap or filter). Zeek calls it S0 or SH, as
 * it does a connection never answered; here it is not a failure.
 */
export function serverSideMissing(flow: FlowRecord): boolean {
  const tcp = flow.tcp;
  // With no server packet every history letter is the client's (upper case): 'A' ack, 'D' data, 'F' FIN, none on a SYN (tcp-state.ts).
  return tcp !== undefined && flow.packets.fromServer === 0 && !/[a-z]/.test(tcp.history) && /[ADF]/.test(tcp.history);
}

/** Blocked: the SYN got no SYN-ACK or a reset, or an ICMP error says the server could not be reached. Also the checklist's "failing". */
export function isBlocked(flow: FlowRecord): boolean {
  if (synUnanswered(flow) || flow.tcp?.state === REFUSED_STATE) return true;
  return flow.icmpErrors?.some((e) => !clientClosed(flow, e)) ?? false;
}

/**
 * An ICMP port unreachable sent by the flow's client itself about a datagram from the server: the
 * client had closed its port (a TURN client after its Refresh with lifetime 0, a call that ended
 * while the peer still sent). The server was reached; nothing was blocked.
 */
export function clientClosed(flow: FlowRecord, e: IcmpErrorRecord): boolean {
  return e.quotedFrom === 'server' && e.reporter === flow.client.ip && isPortUnreachable(isV6(flow), e.type, e.code);
}

export interface FindingsResult {
  /** Findings, highest severity first, then by kind (FINDING_KINDS order), then by first flow id. */
  findings: Finding[];
  /**
   * Per flow (same order as the flows given), the kinds of the findings it is
   * part of, in FINDING_KINDS order. Flows with the same kinds share one frozen array.
   */
  flowFindings: (readonly FindingKind[])[];
}

function severityFor(kind: FindingKind, flow: FlowRecord, documented: boolean): Severity {
  switch (kind) {
    case 'undocumented-port':
      // Site-local multicast and broadcast (by address, or by the frame for a subnet's) stay on the local network: discovery chatter, not a path through a firewall.
      return isLocalGroupAddress(flow.server.ip) || flow.linkBroadcast === true ? 'info' : isBlocked(flow) ? 'medium' : 'high';
    case 'misdirected-flow':
      return 'high';
    case 'tcp-unanswered':
    case 'tcp-refused':
    case 'icmp-admin-prohibited':
      return documented ? 'high' : 'info';
    case 'tcp-server-side-missing':
      return 'info';
    case 'icmp-unreachable':
      return documented ? 'medium' : 'info';
    default:
      return 'info';
  }
}

/** Bit of each kind in a flow's kind mask, in FINDING_KINDS order. */
const KIND_BIT = Object.fromEntries(FINDING_KINDS.map((k, i) => [k, 1 << i])) as Record<FindingKind, number>;

/** Groups by client, then server; the few groups of one pair are told apart by kind, severity and transport. */
type GroupIndex = Map<string, Map<string, FindingGroup[]>>;

/** Where emit() puts flows: the groups by pair, every group in creation order, and the last group per kind (scans repeat it). */
interface Grouping {
  readonly index: GroupIndex;
  readonly all: FindingGroup[];
  readonly last: Map<FindingKind, FindingGroup>;
}

/** Adds a flow to the finding group of (kind, severity, transport, client, server). */
function emit(grouping: Grouping, flow: FlowRecord, v: FlowVerdict, kind: FindingKind, frame: number, detail?: string,
  severity = severityFor(kind, flow, v.verdict === 'documented')): void {
  let g = grouping.last.get(kind);
  if (g === undefined || g.severity !== severity || g.client !== flow.client.ip || g.server !== flow.server.ip || g.transport !== flow.transport) {
    g = groupOf(grouping, flow, v, kind, severity);
    grouping.last.set(kind, g);
  }
  if (g.flows[g.flows.length - 1] !== flow.id) {
    g.flows.push(flow.id);
    g.serverPorts.add(flow.server.port);
    g.clientPorts.add(flow.client.port);
    if (v.rules.length > 0 && v.rules !== g.lastRules) {
      for (const r of v.rules) g.rules.add(r);
      g.lastRules = v.rules;
    }
  }
  addFrame(g.frames, frame);
  if (detail !== undefined && !g.details.has(detail)) {
    if (g.details.size < MAX_DETAILS) g.details.add(detail);
    else g.detailsLeftOut.add(detail);
  }
}

function icmpDetail(flow: FlowRecord, icmp: IcmpErrorRecord): string {
  return `${icmpErrorName(isV6(flow), icmp.type, icmp.code)} from ${icmp.reporter}`;
}

function groupOf(grouping: Grouping, flow: FlowRecord, v: FlowVerdict, kind: FindingKind, severity: Severity): FindingGroup {
  const index = grouping.index;
  let byServer = index.get(flow.client.ip);
  if (byServer === undefined) index.set(flow.client.ip, (byServer = new Map()));
  let list = byServer.get(flow.server.ip);
  if (list === undefined) byServer.set(flow.server.ip, (list = []));
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.kind === kind && x.severity === severity && x.transport === flow.transport) return x;
  }
  const g: FindingGroup = {
    kind, severity, transport: flow.transport, client: flow.client.ip, server: flow.server.ip,
    flows: [], firstFlow: flow, firstVerdict: v,
    serverPorts: new Set(), clientPorts: new Set(), frames: [], rules: new Set(), lastRules: undefined, details: new Set(), detailsLeftOut: new Set(),
  };
  list.push(g);
  grouping.all.push(g);
  return g;
}

/**
 * Findings of the flows; `verdicts[i]` is the verdict of `flows[i]`, `problems[i]` what payload
 * inspection found wrong in it (see payload-findings.ts; none when not given).
 */
export function buildFindings(flows: readonly FlowRecord[], verdicts: readonly FlowVerdict[], catalog: Catalog,
  problems?: readonly (readonly PayloadProblem[])[]): FindingsResult {
  const grouping: Grouping = { index: new Map(), all: [], last: new Map() };
  const flowFindings: (readonly FindingKind[])[] = [];
  const kindLists: (readonly FindingKind[] | undefined)[] = []; // by kind mask
  for (let i = 0; i < flows.length; i++) {
    const flow = flows[i];
    const v = verdicts[i];
    let mask = 0;
    const verdictKind = v.verdict === 'undocumented' ? 'undocumented-port' : v.verdict === 'misdirected' ? 'misdirected-flow' : undefined;
    if (verdictKind !== undefined) {
      emit(grouping, flow, v, verdictKind, flow.frames.first);
      mask |= KIND_BIT[verdictKind];
    }
    const errors = flow.icmpErrors;
    let icmpExplained = false;
    if (errors !== undefined) {
      for (const e of errors) {
        const kind = icmpErrorKind(isV6(flow), e.type, e.code);
        if (kind === undefined || clientClosed(flow, e)) continue;
        emit(grouping, flow, v, kind, e.firstFrame, icmpDetail(flow, e));
        mask |= KIND_BIT[kind];
        icmpExplained = true;
      }
    }
    const state = flow.tcp?.state;
    // An ICMP error quoting the SYN says why it went unanswered: one failure, reported once, by its cause.
    const unanswered = synUnanswered(flow) && !icmpExplained;
    const tcpKind = unanswered ? 'tcp-unanswered' : state === REFUSED_STATE ? 'tcp-refused'
      : state !== undefined && UNANSWERED_STATES.has(state) && serverSideMissing(flow) ? 'tcp-server-side-missing' : undefined;
    if (tcpKind !== undefined) {
      emit(grouping, flow, v, tcpKind, flow.frames.first);
      mask |= KIND_BIT[tcpKind];
    }
    const flowProblems = problems?.[i];
    for (let k = 0; flowProblems !== undefined && k < flowProblems.length; k++) {
      const p = flowProblems[k];
      // As for a SYN: an ICMP error quoting the requests already says why they went unanswered.
      if (p.kind === 'stun-unanswered' && icmpExplained) continue;
      emit(grouping, flow, v, p.kind, p.frame, p.detail, p.severity);
      mask |= KIND_BIT[p.kind];
    }
    let kinds = kindLists[mask];
    if (kinds === undefined) {
      kinds = Object.freeze(FINDING_KINDS.filter((k) => (mask & KIND_BIT[k]) !== 0));
      kindLists[mask] = kinds;
    }
    flowFindings.push(kinds);
  }

  const groups = foldPeers(grouping.all);
  groups.sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]
      || FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind)
      || a.flows[0] - b.flows[0],
  );
  return { findings: groups.map((g) => toFinding(g, catalog)), flowFindings };
}

function isV6(flow: FlowRecord): boolean {
  return flow.client.ip.includes(':');
}

function toFinding(g: FindingGroup, catalog: Catalog): Finding {
  const flows = ascending(g.flows) ? g.flows : [...g.flows].sort((a, b) => a - b);
  const ports = compactRanges(g.serverPorts);
  const portList = portsText(g.transport, ports);
  return {
    kind: g.kind,
    severity: g.severity,
    title: FINDING_TITLES[g.kind],
    explanation: explainFinding(g, portList),
    transport: g.transport,
    client: g.client,
    server: g.server,
    flows: flows.slice(0, MAX_FINDING_FLOWS),
    flowCount: flows.length,
    ports: portList,
    evidenceFrames: [...g.frames],
    wiresharkFilter: wiresharkFilter(g.transport, g.client, g.server, ports, compactRanges(g.clientPorts), { v6: isV6(g.firstFlow), excluded: g.folded?.kept }),
    citation: [...g.rules].slice(0, MAX_CITATIONS).map((id) => citationOf(catalog.ruleById.get(id), id)),
    ...(g.folded?.client && { clients: g.folded.client.size }),
    ...(g.folded?.server && { servers: g.folded.server.size }),
  };
}

function ascending(a: readonly number[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1] > a[i]) return false;
  return true;
}

/** Sorted, merged inclusive ranges of a set of ports (duplicates allowed). */
export function compactRanges(ports: Iterable<number>): [number, number][] {
  // A typed array sorts numerically without a comparator call per comparison.
  const list = Array.isArray(ports) ? ports as readonly number[] : [...ports];
  const sorted = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) sorted[i] = list[i];
  sorted.sort();
  const out: [number, number][] = [];
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i];
    const last = out[out.length - 1];
    if (last !== undefined && p <= last[1]) continue; // a duplicate
    if (last !== undefined && last[1] === p - 1) last[1] = p;
    else out.push([p, p]);
  }
  return out;
}

/** "tcp/21,23,25,110", "tcp/1-5000"; just the transport for flows without ports. */
export function portsText(transport: string, ranges: readonly (readonly [number, number])[]): string {
  if (transport !== 'tcp' && transport !== 'udp') return transport;
  return `${transport}/${ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',')}`;
}

/** `tcp.port==21` or `tcp.port in {21, 23, 25..139}` (Wireshark 4 set syntax). */
function portClause(field: string, ranges: readonly (readonly [number, number])[]): string {
  if (ranges.length === 1 && ranges[0][0] === ranges[0][1]) return `${field}==${ranges[0][0]}`;
  return `${field} in {${ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}..${hi}`)).join(', ')}}`;
}

/**
 * A display filter for the flows between `client` and `server`: both
 * addresses (a side folded into ANY_PEER is any address but the `excluded`
 * ones), one port in the server ports and one in the client ports.
 */
export function wiresharkFilter(transport: string, client: string, server: string, serverPorts: readonly (readonly [number, number])[], clientPorts: readonly (readonly [number, number])[],
  { v6 = client.includes(':') || server.includes(':'), excluded }: { v6?: boolean; excluded?: readonly string[] } = {}): string {
  const addr = v6 ? 'ipv6.addr' : 'ip.addr';
  const parts: string[] = [];
  if (client !== ANY_PEER) parts.push(`${addr}==${client}`);
  if (server !== client && server !== ANY_PEER) parts.push(`${addr}==${server}`);
  if (parts.length === 0) parts.push(v6 ? 'ipv6' : 'ip');
  if (excluded !== undefined && excluded.length > 0) parts.push(`!(${addr} in {${excluded.join(', ')}})`);
  if (transport === 'tcp' || transport === 'udp') {
    parts.push(portClause(`${transport}.port`, serverPorts));
    if (clientPorts.length <= MAX_FILTER_CLIENT_RANGES) parts.push(portClause(`${transport}.port`, clientPorts));
  } else if (transport === 'icmp' || transport === 'icmpv6') {
    parts.push(transport);
  } else {
    const proto = transport.slice('ip-'.length);
    parts.push(addr === 'ip.addr' ? `ip.proto==${proto}` : `ipv6.nxt==${proto}`);
  }
  return parts.join(' && ');
}

/** `edge-ports.md, table edge-external, row 7: "E6"`. */
function citationOf(rule: CatalogRule | undefined, id: string): FindingCitation {
  if (rule === undefined) return { rule: id, source: '(rule not in the loaded catalog)' };
  const c = rule.citation;
  let s = c.file ?? c.reference ?? c.document ?? rule.file;
  if (c.table !== undefined) s += `, table ${c.table}`;
  else if (c.section !== undefined) s += `, section ${JSON.stringify(c.section)}`;
  if (c.row !== undefined) s += `, row ${c.row}`;
  if (c.cell !== undefined) s += `: ${JSON.stringify(c.cell)}`;
  return { rule: id, source: s };
}
