/**
 * What the HTML renderer reads: the report object the JSON report serialises,
 * with every field that classification and payload inspection add treated as
 * optional, so that the page renders whatever a given build of flowaudit put
 * in the report (and says so in one line where a section has no data).
 *
 * The classification fields follow src/classify (verdict, rules, findings,
 * checklist, roles). The payload-inspection sections `stun` and `media` have
 * the types analyze() gives them (src/inspect/stun-report.ts,
 * src/inspect/media/media-report.ts); each is optional as a whole, and a
 * section whose lists are empty renders as a one-line note. A flow's `apps`
 * details are open records: the renderer shows the detail fields it knows
 * (SNI, SIP User-Agent...), escaped like every other string.
 */
import type { ChecklistRow } from '../../classify/checklist.js';
import type { Finding } from '../../classify/finding-types.js';
import type { FlowRecord } from '../../flow/flow-record.js';
import type { MediaReport } from '../../inspect/media/media-report.js';
import type { StunReport } from '../../inspect/stun-report.js';
import type { Report } from '../model.js';

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
  stun?: StunReport;
  media?: MediaReport;
};

/** Verdicts in the order the page lists them, most urgent first. */
export const VERDICT_ORDER = ['misdirected', 'undocumented', 'documented', 'unclassified'] as const;

/** Flagged: a flow a person should look at (a finding, or a verdict other than documented/unclassified). */
export function isFlagged(flow: HtmlFlow): boolean {
  if (flow.findings !== undefined && flow.findings.length > 0) return true;
  return flow.verdict === 'misdirected' || flow.verdict === 'undocumented';
}
