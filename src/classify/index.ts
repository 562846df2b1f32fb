/**
 * The classifier: flows (plain FlowRecords) + catalog + roles -> verdicts,
 * findings and the firewall checklist. Pure: no I/O, no process access; the
 * catalog, topology and inferred roles are loaded by the caller.
 */
import type { Topology } from '../catalog/topology.js';
import type { Catalog } from '../catalog/types.js';
import { compileCatalogIndex } from './catalog-index.js';
import { buildChecklist, type ChecklistRow } from './checklist.js';
import { buildFindings, SEVERITY_RANK, type Finding, type FindingKind, type Severity } from './findings.js';
import { resolverFor, type EndpointRoles } from './roles.js';
import { PayloadProblems, type PayloadEvidence } from './payload-findings.js';
import { flowClassifier, type ClassifiableFlow, type FlowVerdict } from './verdict.js';

export * from './findings.js';
export { buildChecklist, MAX_CHECKLIST_FLOWS, type ChecklistRow, type ChecklistStatus } from './checklist.js';
export { addressWords, isKnown, resolverFor, UNKNOWN_ROLES, type EndpointRoles, type RoleResolver, type RoleSource } from './roles.js';
export { classifyFlow, flowClassifier, hasMedia, MEDIA_PROTOCOLS, type AppEvidence, type ClassifiableFlow, type Confidence, type FlowClassifier, type FlowVerdict, type Verdict } from './verdict.js';
export { compileCatalogIndex, type CatalogIndex } from './catalog-index.js';
export { describeEndpoint } from './explain.js';
export { MEDIA_MIN_PACKETS, MEDIA_POOR_JITTER_MS, MEDIA_POOR_LOSS_PCT, PayloadProblems, type PayloadEvidence, type PayloadProblem } from './payload-findings.js';
export { icmpErrorKind, icmpErrorName } from './icmp-kinds.js';

export interface ClassifyOptions {
  readonly catalog: Catalog;
  /** The user's topology; its addresses are 'configured' and win over inference. */
  readonly topology?: Topology;
  /** Roles inferred from the traffic, by address text; used for addresses the topology does not list. */
  readonly inferred?: ReadonlyMap<string, EndpointRoles>;
  /** The STUN and media sections of payload inspection: findings on them (payload-findings.ts). Without them, none are made. */
  readonly payload?: PayloadEvidence;
}

export interface ClassifyResult {
  /** One verdict per flow, in the order of the flows given. */
  verdicts: FlowVerdict[];
  /** Aggregated findings, highest severity first (see buildFindings). */
  findings: Finding[];
  /** Per flow (same order), the kinds of the findings it belongs to: the report's per-flow `findings` (shared frozen arrays). */
  flowFindings: (readonly FindingKind[])[];
  /** One row per rule of the catalog, in catalog order. */
  checklist: ChecklistRow[];
}

export function classify(flows: readonly ClassifiableFlow[], options: ClassifyOptions): ClassifyResult {
  const classifyOne = flowClassifier(compileCatalogIndex(options.catalog), resolverFor(options.topology, options.inferred));
  const verdicts: FlowVerdict[] = new Array(flows.length);
  for (let i = 0; i < flows.length; i++) verdicts[i] = classifyOne(flows[i]);
  const payload = options.payload && new PayloadProblems(options.payload, options.catalog, flows);
  const problems = payload && flows.map((f, i) => payload.of(f, verdicts[i]));
  const { findings, flowFindings } = buildFindings(flows, verdicts, options.catalog, problems);
  // A flow whose STUN requests were all left unanswered failed, as an unanswered SYN does.
  const unreachable = problems && ((i: number) => problems[i].some((p) => p.unreachable === true));
  return { verdicts, findings, flowFindings, checklist: buildChecklist(flows, verdicts, options.catalog, unreachable) };
}

/** `--fail-on` levels: a severity, or 'none' (never fail on findings). */
export type FailOnLevel = Severity | 'none';

/** True when a finding has severity `level` or above (`--fail-on`: exit 1); always false for 'none'. */
export function severityAtLeast(findings: readonly Finding[], level: FailOnLevel): boolean {
  if (level === 'none') return false;
  const min = SEVERITY_RANK[level];
  return findings.some((f) => SEVERITY_RANK[f.severity] >= min);
}
