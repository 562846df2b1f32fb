/**
 * The truth file of a sample: every flow with its endpoints, per-direction
 * packet and byte counts, timing and Zeek-style state, all computed from the
 * frames the generator emitted (never from the analyser under test).
 * Format documented in samples/README.md.
 */
import { isV6 } from './bytes.js';
import { topologyRoles, type PackVariant } from './expect.js';
import { computeInspection, type AllocationTruth, type FlowStunTruth, type MediaStreamTruth, type RtcpTruth } from './inspection.js';
import type { AppInfo, Flow, Frame, Intent, Trace, Transport } from './trace.js';
import type { FlowClassification } from './verdicts.js';
import { zeekTcp, zeekUdp } from './zeek.js';

export const TRUTH_SCHEMA = 'flowaudit-sample-truth/1';

export interface DirCounts {
  fromClient: number;
  fromServer: number;
}

/** The classification fields (verdicts.ts) are present in scenarios that declare expectations. */
export interface TruthFlow extends Partial<FlowClassification> {
  id: number;
  label: string;
  intent: Intent;
  transport: Transport;
  family: 4 | 6;
  /** role: the scenario's role of the address (Truth.roles), null when it has none. */
  client: { ip: string; port: number; role: string | null };
  server: { ip: string; port: number; role: string | null };
  /** pcapng interface id (0 = external side, 1 = internal side); the pcap has one interface. */
  interface: number;
  vlan: number | null;
  packets: DirCounts;
  /** Whole frame lengths (Ethernet header, VLAN tag and padding included), as tshark's conversations count them. */
  bytes: DirCounts;
  /** TCP/UDP payload bytes per the IP and transport headers. */
  payloadBytes: DirCounts;
  /** Epoch seconds, microsecond precision. */
  firstSeen: number;
  lastSeen: number;
  /** 1-based frame numbers, the same in the pcap and the pcapng. */
  firstFrame: number;
  lastFrame: number;
  /** Zeek conn_state and history as Zeek would log them. */
  state: string;
  history: string;
  /** ICMP/ICMPv6 errors quoting a packet of this flow. */
  icmpErrors: number;
  app: AppInfo | null;
  note: string | null;
  /** Inspection truth (scenarios built with payload notes): payload protocols inspection should report, sorted. */
  apps?: string[];
  /** STUN/TURN messages, transactions and their summary; null when the flow carries none. */
  stun?: FlowStunTruth | null;
  /** Strings copied from packets that a report must render as text (hostile-strings). */
  strings?: { field: string; value: string }[];
}

export interface TruthIcmp {
  frame: number;
  ts: number;
  from: string;
  to: string;
  family: 4 | 6;
  type: number;
  code: number;
  /** Frame length, bytes. */
  bytes: number;
  /** The flow whose packet it quotes. */
  flowId: number;
  quotedFrame: number;
}

export interface TruthFile {
  format: 'pcap' | 'pcapng';
  byteOrder: 'le' | 'be';
  /** Per interface, in pcapng interface order. */
  interfaces: { name: string; linkType: number; tsresolDigits: number }[];
  packets: number;
  sizeBytes: number;
}

export interface Truth {
  schema: string;
  scenario: string;
  description: string;
  regenerate: string;
  files: Record<string, TruthFile>;
  /** The scenario's topology: role -> addresses, in the analyser's topology file format. */
  roles: Record<string, string[]>;
  /** Topology file beside the truth holding `roles`, when the scenario declares expected verdicts. */
  topology?: string;
  /** Catalog packs the expected verdicts were computed with (the default ones). */
  packs?: string[];
  variants?: PackVariant[];
  classification?: { spec: string; payloadEvidence: string; readings: Record<string, string>; notes: string[] };
  totals: { packets: number; flows: number; tcpFlows: number; udpFlows: number; icmpErrors: number; firstSeen: number; lastSeen: number };
  flows: TruthFlow[];
  icmp: TruthIcmp[];
  /** Inspection truth: every Allocate transaction with its outcome. */
  stun?: { allocations: AllocationTruth[] };
  /** Inspection truth: RTP streams (per flow, direction and SSRC) and RTCP packets. */
  media?: { streams: MediaStreamTruth[]; rtcp: RtcpTruth[] };
}

function firstOf(byFlow: Map<Flow, Frame[]>, flow: Flow): Frame {
  const fs = byFlow.get(flow);
  if (!fs?.length) throw new Error(`flow ${flow.label} emitted no packets`);
  return fs[0];
}

/** Epoch seconds with exactly microsecond precision. */
export function epoch(trace: Trace, t: number): number {
  return Number((trace.baseSec + t / 1e6).toFixed(6));
}

export function computeTruth(
  trace: Trace, description: string, files: Record<string, TruthFile>, roles: Record<string, string[]>, opts: { inspection?: boolean } = {},
): Truth {
  const rolesOf = topologyRoles(roles);
  const roleOf = (ip: string) => rolesOf(ip)[0] ?? null;
  const frames = trace.finalize();
  const frameNo = new Map<Frame, number>();
  frames.forEach((f, i) => frameNo.set(f, i + 1));
  const byFlow = new Map<Flow, Frame[]>();
  const icmpCount = new Map<Flow, number>();
  const icmp: TruthIcmp[] = [];
  for (const f of frames) {
    if (f.icmp) {
      const q = f.icmp.quoted;
      icmpCount.set(q.flow!, (icmpCount.get(q.flow!) ?? 0) + 1);
      icmp.push({
        frame: frameNo.get(f)!, ts: epoch(trace, f.t), from: f.icmp.from.ip, to: f.icmp.to.ip, family: isV6(f.icmp.from.ip) ? 6 : 4,
        type: f.icmp.type, code: f.icmp.code, bytes: f.data.length, flowId: q.flow!.id, quotedFrame: frameNo.get(q)!,
      });
      continue;
    }
    const list = byFlow.get(f.flow!) ?? [];
    list.push(f);
    byFlow.set(f.flow!, list);
  }
  // Flows are numbered in order of their first frame, whatever order the scenario declared them in.
  const ordered = [...trace.flows].sort((a, b) => frameNo.get(firstOf(byFlow, a))! - frameNo.get(firstOf(byFlow, b))!);
  const idOf = new Map<Flow, number>(ordered.map((f, i) => [f, i]));
  for (const m of icmp) m.flowId = idOf.get(trace.flows[m.flowId])!;
  const flows: TruthFlow[] = [];
  const insp = opts.inspection ? computeInspection(trace, { frameNo, idOf: (f) => idOf.get(f)! }) : null;
  for (const flow of ordered) {
    const fs = byFlow.get(flow)!;
    if (!fs[0].fromClient) throw new Error(`flow ${flow.label}: the first packet must come from the client`);
    const dir = (pick: (f: Frame) => number): DirCounts => ({
      fromClient: fs.filter((f) => f.fromClient).reduce((a, f) => a + pick(f), 0),
      fromServer: fs.filter((f) => !f.fromClient).reduce((a, f) => a + pick(f), 0),
    });
    const zeek = flow.transport === 'tcp'
      ? zeekTcp(fs.map((f) => ({ fromOrig: f.fromClient!, flags: f.tcpFlags!, seq: f.tcpSeq!, payloadLen: f.payloadLen })))
      : zeekUdp(fs.map((f) => ({ fromOrig: f.fromClient! })));
    flows.push({
      id: idOf.get(flow)!, label: flow.label, intent: flow.intent, transport: flow.transport, family: isV6(flow.client.ip) ? 6 : 4,
      client: { ip: flow.client.ip, port: flow.cport, role: roleOf(flow.client.ip) },
      server: { ip: flow.server.ip, port: flow.sport, role: roleOf(flow.server.ip) },
      interface: flow.iface, vlan: flow.vlan ?? null,
      packets: dir(() => 1), bytes: dir((f) => f.data.length), payloadBytes: dir((f) => f.payloadLen),
      firstSeen: epoch(trace, fs[0].t), lastSeen: epoch(trace, fs[fs.length - 1].t),
      firstFrame: frameNo.get(fs[0])!, lastFrame: frameNo.get(fs[fs.length - 1])!,
      state: zeek.state, history: zeek.history, icmpErrors: icmpCount.get(flow) ?? 0,
      app: flow.app ?? null, note: flow.note ?? null,
    });
    const mine = insp?.perFlow.get(flow);
    if (mine) {
      const t = flows[flows.length - 1];
      t.apps = mine.apps;
      t.stun = mine.stun ?? null;
      if (mine.strings) t.strings = mine.strings;
    }
  }
  return {
    schema: TRUTH_SCHEMA,
    scenario: trace.name,
    description,
    regenerate: 'npm run samples',
    files,
    roles,
    totals: {
      packets: frames.length, flows: flows.length,
      tcpFlows: flows.filter((f) => f.transport === 'tcp').length, udpFlows: flows.filter((f) => f.transport === 'udp').length,
      icmpErrors: icmp.length, firstSeen: epoch(trace, frames[0].t), lastSeen: epoch(trace, frames[frames.length - 1].t),
    },
    flows,
    icmp,
    ...(insp ? { stun: { allocations: insp.allocations }, media: { streams: insp.streams, rtcp: insp.rtcp } } : {}),
  };
}
