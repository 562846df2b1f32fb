/**
 * The firewall checklist: one row per catalog rule of the chosen packs, with
 * the flows it documented in this capture and whether they got through.
 */
import type { Catalog } from '../catalog/types.js';
import type { FlowRecord } from '../flow/flow-record.js';
import { isBlocked } from './findings.js';
import type { FlowVerdict } from './verdict.js';

/**
 * - working: at least one flow documented by the rule got through.
 * - failing: flows were documented by the rule and none got through.
 * - not-seen: no flow of the capture was documented by the rule.
 */
export type ChecklistStatus = 'working' | 'failing' | 'not-seen';

/** Flow ids kept in a row's `flows`. */
export const MAX_CHECKLIST_FLOWS = 100;

export interface ChecklistRow {
  /** Catalog rule id. */
  rule: string;
  status: ChecklistStatus;
  /** Ids of the flows documented by the rule (verdict documented, with role or port confidence), ascending; at most 100. */
  flows: number[];
  /** Number of such flows (may exceed flows.length). */
  flowCount: number;
  /** Flows that got through: TCP with an answer to the SYN; UDP with packets both ways, or one way without an ICMP error (and, with payload inspection, not STUN requests all unanswered). */
  working: number;
  /**
   * Flows that failed: TCP state S0, SH, RSTOS0 or REJ, any ICMP error
   * quoting the flow, or STUN requests of which none was answered. With
   * 'port' confidence a flow counts for every rule its port could match, so
   * one blocked flow can mark several rows failing.
   */
  failing: number;
}

/** Counts of the flows documented by one shared rule list (verdicts of one case share their `rules` array). */
interface Tally {
  readonly rules: readonly string[];
  readonly flows: number[];
  count: number;
  working: number;
  failing: number;
}

/**
 * One row per rule, in catalog order; `verdicts[i]` is the verdict of `flows[i]`. `unreachable(i)`:
 * payload inspection shows that nothing flow i asked for was answered (STUN requests), so it failed
 * even though, as UDP without an ICMP error, its packets alone would not say so.
 */
export function buildChecklist(flows: readonly FlowRecord[], verdicts: readonly FlowVerdict[], catalog: Catalog,
  unreachable?: (i: number) => boolean): ChecklistRow[] {
  // Tally per rule list first: one lookup per flow instead of one per rule.
  const tallies = new Map<readonly string[], Tally>();
  for (let i = 0; i < flows.length; i++) {
    const v = verdicts[i];
    if (v.verdict !== 'documented' || v.rules.length === 0) continue;
    let t = tallies.get(v.rules);
    if (t === undefined) tallies.set(v.rules, (t = { rules: v.rules, flows: [], count: 0, working: 0, failing: 0 }));
    t.count++;
    if (t.flows.length < MAX_CHECKLIST_FLOWS) t.flows.push(flows[i].id);
    if (isBlocked(flows[i]) || unreachable?.(i) === true) t.failing++;
    else t.working++;
  }
  const rows = new Map<string, ChecklistRow>();
  for (const r of catalog.rules) rows.set(r.id, { rule: r.id, status: 'not-seen', flows: [], flowCount: 0, working: 0, failing: 0 });
  for (const t of tallies.values()) {
    for (const id of t.rules) {
      const row = rows.get(id);
      if (row === undefined) continue;
      row.flowCount += t.count;
      row.working += t.working;
      row.failing += t.failing;
      row.flows.push(...t.flows);
    }
  }
  for (const row of rows.values()) {
    // Several lists may feed one row: keep its smallest ids.
    if (row.flows.length > 1) row.flows.sort((a, b) => a - b);
    if (row.flows.length > MAX_CHECKLIST_FLOWS) row.flows.length = MAX_CHECKLIST_FLOWS;
    row.status = row.working > 0 ? 'working' : row.failing > 0 ? 'failing' : 'not-seen';
  }
  return [...rows.values()];
}
