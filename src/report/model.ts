/**
 * The JSON report: a public contract (`schema: "flowaudit-report/1"`). Later
 * versions add fields; they never rename, retype or remove one. Every field
 * is documented here with its unit and caveats. Ordering is stable: inputs in
 * processing order, flows by id, object keys as written here, anomaly names
 * sorted, so that two runs on the same capture are byte-identical.
 */
import type { ChecklistRow } from '../classify/checklist.js';
import type { Finding, FindingKind } from '../classify/finding-types.js';
import type { RoleSource } from '../classify/roles.js';
import type { Confidence, Verdict } from '../classify/verdict.js';
import type { FlowEndpoint, FlowRecord } from '../flow/flow-record.js';
import type { MediaReport } from '../inspect/media/media-report.js';
import type { AppRecord, StunReport } from '../inspect/stun-report.js';

export const REPORT_SCHEMA = 'flowaudit-report/1';

export interface Report {
  /** Contract version; always "flowaudit-report/1" for this shape. */
  schema: typeof REPORT_SCHEMA;
  /** The program that wrote the report. */
  tool: { name: 'flowaudit'; version: string };
  /** One entry per capture read, in the order they were processed: by first packet time, unless that was turned off or standard input was read. */
  inputs: InputReport[];
  totals: Totals;
  /** The catalog the flows were classified against. */
  catalog: CatalogUsed;
  /** Roles of the addresses seen: from the topology file, or inferred from the traffic. */
  topology: TopologyReport;
  /** Every flow, finished or evicted, ordered by id (first packet order). */
  flows: ReportFlow[];
  /**
   * Aggregated findings, highest severity first (src/classify/findings.ts):
   * one finding per kind, severity, transport, client and server, so a scan of
   * thousands of ports is one finding; findings of many peers fold
   * (src/classify/fold-findings.ts).
   */
  findings: Finding[];
  /** The firewall checklist: one row per catalog rule, in catalog order, with the flows behind it. */
  checklist: ChecklistRow[];
  /**
   * STUN/TURN/MS-TURN seen in the payloads: message counts per flow by type
   * and direction, transactions per method (response times,
   * retransmissions, unanswered requests, error codes) and the TURN
   * allocation ledger. Every field is documented in src/inspect/stun-report.ts.
   */
  stun: StunReport;
  /**
   * RTP streams (loss, jitter per RFC 3550, with the clock rate assumed) and
   * RTCP reports, on plain UDP and inside TURN ChannelData / Data. Every
   * field is documented in src/inspect/media/media-report.ts.
   */
  media: MediaReport;
}

export interface CatalogUsed {
  /** Ids of the packs loaded, in load order (user rule files appear with their own pack id). */
  packs: string[];
  /** User rule files given with --catalog-file, as given. */
  files: string[];
}

export interface TopologyReport {
  /** The topology file given (--topology), as given; null without one. */
  file: string | null;
  /** Its `name`, when it has one. */
  name?: string;
  /** Whether roles were inferred from the traffic for the addresses the topology does not list. */
  inferred: boolean;
  /** Every address of the flows that has a role, ascending (IPv4 before IPv6), with where the role came from and why. */
  hosts: HostRoles[];
  /** Addresses where inference found conflicting evidence and left the role unknown, with that evidence. */
  undecided: { address: string; evidence: string[] }[];
}

export interface HostRoles {
  address: string;
  /** Role ids of catalog/roles.json. */
  roles: string[];
  source: Exclude<RoleSource, 'unknown'>;
  /** One plain sentence per reason: the topology entry holding the address, or the traffic that convinced inference. */
  evidence: string[];
}

/** An endpoint of a classified flow: the address and port, with its roles. */
export interface ReportEndpoint extends FlowEndpoint {
  /** Role ids of the address; empty when unknown. */
  roles: string[];
  /** 'configured' (topology file), 'inferred' (from traffic, see report.topology) or 'unknown'. */
  roleSource: RoleSource;
}

/**
 * A flow record with its classification (src/classify/verdict.ts). In the
 * object analyze() returns, the arrays `rules`, `findings` and the endpoints'
 * `roles` are frozen and shared by the flows with the same answer (copy one
 * before changing it): a capture has millions of flows and few distinct answers.
 */
export interface ReportFlow extends FlowRecord {
  client: ReportEndpoint;
  server: ReportEndpoint;
  /**
   * documented: a catalog rule documents the port, and (with known roles) the
   * roles and direction; misdirected: a rule documents the port, but not
   * between these roles or in this direction; undocumented: no rule documents
   * it; unclassified: not TCP or UDP (the catalog has no ports for it).
   */
  verdict: Verdict;
  /** Catalog rule ids behind the verdict (see `flowaudit catalog show <id>`); empty for undocumented and unclassified. */
  rules: string[];
  /** 'role': both roles the verdict needed were known; 'port': it rests on transport and port alone. */
  confidence: Confidence;
  /** One to three plain sentences on why the flow got its verdict. English; not for parsing. */
  explanation: string;
  /** Kinds of the findings this flow belongs to (see `findings`). */
  findings: FindingKind[];
  /**
   * Application protocols found by payload inspection, when any: one entry
   * per protocol ('stun', 'channeldata', 'ms-turn-tcp' (its data frames,
   * when no STUN was seen), 'rtp', 'rtcp', 'dtls', 'tls' (`midSession: true`
   * when the capture began after the hellos), 'sip', 'http'...), each with
   * its confidence ('payload': the bytes parsed as that protocol), first
   * evidence frames and details (AppRecord in src/inspect/stun-report.ts).
   * Absent when nothing was recognised.
   */
  apps?: AppRecord[];
}

export interface InputReport {
  /** The path as given on the command line; "-" for standard input. */
  path: string;
  /** Container format, detected from the magic number (not from the file name). */
  format: 'pcap' | 'pcapng';
  /** True when the bytes were gzip-compressed (detected by magic). */
  compressed: boolean;
  /** LINKTYPE_* numbers declared by the file header or pcapng interfaces, ascending. */
  linkTypes: number[];
  /** Packet records read (every record, decoded or not). */
  packets: number;
  /** Sum of the packets' original (on-the-wire) lengths, in bytes, as capinfos' "data size" counts captured bytes and tshark's conversations count wire bytes; this is the wire sum. */
  bytes: number;
  /** Sum of captured lengths, in bytes (smaller than `bytes` when a snaplen cut packets). */
  capturedBytes: number;
  /** Packets attributed to a flow. `packets - packetsInFlows` equals the sum of the fate anomalies. */
  packetsInFlows: number;
  /** Timestamps of the first and last packet, epoch seconds (fractional); null without packets. */
  firstPacket: number | null;
  lastPacket: number | null;
  /** Named anomaly counts (see src/anomalies.ts for each name and whether it kept packets out of flows); zero counts omitted, names sorted. New names appear as flowaudit learns to name more problems. */
  anomalies: Record<string, number>;
  /** Present when reading stopped before the end of the input: where, and why. */
  stopped?: { kind: 'truncated' | 'corrupt'; atByte: number; afterPackets: number; message: string };
}

export interface Totals {
  /** Packets read across all inputs. */
  packets: number;
  /** Wire bytes across all inputs. */
  bytes: number;
  /** Number of flows in `flows`. */
  flows: number;
  /** Flows per transport name ("tcp", "udp", "icmp", "icmpv6", "ip-<n>"), keys sorted. */
  flowsByTransport: Record<string, number>;
  /** Flows finished early by the idle timeout or the live-flow cap (still reported). */
  flowsEvicted: number;
  /** Largest number of flows alive at once. */
  peakLiveFlows: number;
  /** Flows per verdict. */
  verdicts: Record<Verdict, number>;
}
