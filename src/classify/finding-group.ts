/**
 * The flows of one finding as they are collected (findings.ts), folded
 * (fold-findings.ts) and worded (finding-explanations.ts).
 */
import type { FlowRecord } from '../flow/flow-record.js';
import type { FindingKind, Severity } from './finding-types.js';
import type { FlowVerdict } from './verdict.js';

/** Frames kept in `evidenceFrames`. */
export const MAX_EVIDENCE_FRAMES = 20;
/** Detail texts kept per finding (ICMP reporters, payload problems). */
export const MAX_DETAILS = 10;

/** The flows of one finding as they are collected (see emit); finding-explanations.ts words them. */
export interface FindingGroup {
  readonly kind: FindingKind;
  readonly severity: Severity;
  readonly transport: string;
  readonly client: string;
  readonly server: string;
  /** Ids of every flow of the group, in the order seen (ascending once folded). */
  readonly flows: number[];
  readonly firstFlow: FlowRecord;
  readonly firstVerdict: FlowVerdict;
  readonly serverPorts: Set<number>;
  readonly clientPorts: Set<number>;
  /** The smallest evidence frames seen, ascending, at most MAX_EVIDENCE_FRAMES. */
  readonly frames: number[];
  /** Rule ids in order of first use; the verdicts' rule arrays are shared, so this stays short. */
  readonly rules: Set<string>;
  /** The last verdict rule array added, to skip the common repeat cheaply. */
  lastRules: readonly string[] | undefined;
  /** Distinct details: ICMP "port unreachable from 10.0.0.1" texts, payload problems ("Allocate: 3 of 3 requests unanswered"). */
  readonly details: Set<string>;
  /** Distinct details beyond MAX_DETAILS: counted, not shown. */
  readonly detailsLeftOut: Set<string>;
  /**
   * The addresses of a side folded into ANY_PEER (fold-findings.ts); absent for a group of one client
   * and one server. `kept`: when one side only is folded, the peers of that side whose flows with the
   * other side are in findings of their own (the Wireshark filter leaves them out). `pastKindLimit`:
   * the last fold was of the findings past MAX_KIND_FINDINGS of the kind.
   */
  readonly folded?: {
    readonly client?: ReadonlySet<string>;
    readonly server?: ReadonlySet<string>;
    readonly kept?: readonly string[];
    readonly pastKindLimit?: boolean;
  };
}

/** Inserts `frame` into the ascending list of the smallest frames. */
export function addFrame(frames: number[], frame: number): void {
  const n = frames.length;
  if (n === MAX_EVIDENCE_FRAMES && frame >= frames[n - 1]) return;
  let i = n;
  while (i > 0 && frames[i - 1] > frame) i--;
  if (frames[i - 1] === frame) return;
  frames.splice(i, 0, frame);
  if (frames.length > MAX_EVIDENCE_FRAMES) frames.pop();
}
