/**
 * What the HTML renderer reads: the report object the JSON report serialises,
 * with every field that classification and payload inspection add treated as
 * optional, so that the page renders whatever a given build of flowaudit put
 * in the report (and says so in one line where a section has no data).
 *
 * The classification fields follow src/classify (verdict, rules, findings,
 * checklist, roles). The payload-inspection fields (`apps`, `stun`, `media`)
 * are read loosely: only the fields named here are interpreted, by name, and
 * any other primitive field of an allocation, ICE check or stream is shown as
 * an extra column, escaped like every other string.
 */
import type { ChecklistRow } from '../../classify/checklist.js';
import type { Finding } from '../../classify/finding-types.js';
import type { FlowRecord } from '../../flow/flow-record.js';
import type { Report } from '../model.js';

/** A primitive value the page may show in a generic column. */
export type Scalar = string | number | boolean | null;

/** A flow endpoint as classification extends it. */
export interface HtmlEndpoint {
  ip: string;
  port: number;
  /** Role ids (empty or absent when unknown). */
  roles?: readonly string[];
  /** 'configured' | 'inferred' | 'unknown' (shown as given). */
  roleSource?: string;
}

/** One application protocol payload inspection saw in a flow. */
export interface HtmlApp {
  protocol: string;
  /** 'payload' (seen in the bytes) or 'port' (assumed from the port). */
  confidence?: string;
  evidenceFrames?: readonly number[];
  /** Details (SNI, SIP User-Agent, STUN SOFTWARE...): primitive values are shown, escaped. */
  [detail: string]: unknown;
}

/** A flow record with the optional fields classification and payload inspection add. */
export type HtmlFlow = Omit<FlowRecord, 'client' | 'server'> & {
  client: HtmlEndpoint;
  server: HtmlEndpoint;
  /** 'documented' | 'misdirected' | 'undocumented' | 'unclassified'. */
  verdict?: string;
  rules?: readonly string[];
  /** 'role' | 'port'. */
  confidence?: string;
  explanation?: string;
  /** Finding kinds the flow belongs to. */
  findings?: readonly string[];
  apps?: readonly HtmlApp[];
};

/** A record of unknown shape from payload inspection (a TURN allocation, an ICE check, a media stream). */
export type LooseRecord = Record<string, unknown>;

/** Records of payload inspection, read by field name (their types have no index signature). */
export function loose(records: readonly object[] | undefined): readonly LooseRecord[] | undefined {
  return records as readonly LooseRecord[] | undefined;
}

export interface HtmlStun {
  /** Transaction counts (requests, responses, errors, unanswered...): numeric fields shown as given. */
  transactions?: Record<string, unknown>;
  /** TURN allocations; interpreted fields: flow, client, server, relayed, username, software, result, error/errorCode, lifetime, evidenceFrames. */
  allocations?: readonly object[];
  /** ICE connectivity checks (STUN Binding between candidates); shown as a generic table. */
  checks?: readonly object[];
  [other: string]: unknown;
}

export interface HtmlMedia {
  /**
   * RTP streams. Interpreted fields: flow, ssrc, payloadType, packets, lost,
   * lossRatio or lossPercent, jitterMs, maxJitterMs, and a time series in
   * `intervals` (or `series`/`samples`) of {t|time|start, loss fields, jitterMs}.
   */
  streams?: readonly object[];
  [other: string]: unknown;
}

export interface HtmlTopologyHost {
  address: string;
  roles: readonly string[];
  source: string;
  evidence?: readonly string[];
}

/** The report as the renderer takes it. A plain `Report` is accepted as is, and so is one without classification. */
export type HtmlReport = Omit<Report, 'flows' | 'totals' | 'findings' | 'checklist' | 'topology' | 'catalog' | 'stun' | 'media'> & {
  flows: readonly HtmlFlow[];
  totals: Omit<Report['totals'], 'verdicts'> & { verdicts?: Record<string, number> };
  findings?: readonly Finding[];
  checklist?: readonly ChecklistRow[];
  topology?: { file: string | null; hosts: readonly HtmlTopologyHost[] };
  catalog?: { packs: readonly string[]; files: readonly string[] };
  stun?: HtmlStun;
  media?: HtmlMedia;
};

/** Verdicts in the order the page lists them, most urgent first. */
export const VERDICT_ORDER = ['misdirected', 'undocumented', 'documented', 'unclassified'] as const;

/** Flagged: a flow a person should look at (a finding, or a verdict other than documented/unclassified). */
export function isFlagged(flow: HtmlFlow): boolean {
  if (flow.findings !== undefined && flow.findings.length > 0) return true;
  return flow.verdict === 'misdirected' || flow.verdict === 'undocumented';
}
