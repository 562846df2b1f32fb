/**
 * Findings of many peers, folded. Findings are kept per client and server
 * (findings.ts), so a flood of spoofed clients (a STUN reflection attack on
 * 3478) or one scanner sweeping a subnet would give one finding per peer:
 * 20,000 findings that say the same thing hide the few that say something
 * else, and made the JSON report 67 times the size of such a capture.
 *
 * Per kind, severity, transport, address family and server, the first
 * MAX_PEER_FINDINGS clients (by first flow) keep findings of their own, and
 * the rest (two at least: one alone would lose its address for nothing) fold
 * into one finding whose client is ANY_PEER and which counts them; then the
 * same per client for its servers. Last, past MAX_KIND_FINDINGS findings of
 * one kind, severity, transport and family (flows that each have a client and
 * a server of their own: backscatter, a random scan), the rest fold into one
 * of any client and any server. So the findings of a run are bounded, however
 * many peers it has.
 */
import { addFrame, MAX_DETAILS, type FindingGroup } from './finding-group.js';

/** Findings of distinct peers kept per kind, severity, transport and other side before the rest fold into one. */
export const MAX_PEER_FINDINGS = 20;
/** Findings kept per kind, severity, transport and address family before the rest fold into one. */
export const MAX_KIND_FINDINGS = 100;
/** The client or server of a folded finding: several addresses. */
export const ANY_PEER = '*';

type Side = 'client' | 'server';

/** One folding pass: groups of one key past `limit` (and two more at least) fold their `sides`. */
interface Pass {
  readonly limit: number;
  readonly sides: readonly Side[];
  readonly key: (g: FindingGroup) => string;
}

// The family is part of every key: a filter names ip or ipv6, so a fold must hold one family only.
const kindKey = (g: FindingGroup) => `${g.kind}|${g.severity}|${g.transport}|${g.firstFlow.client.ip.includes(':')}`;
const PASSES: readonly Pass[] = [
  { limit: MAX_PEER_FINDINGS, sides: ['client'], key: (g) => `${kindKey(g)}|${g.server}` },
  { limit: MAX_PEER_FINDINGS, sides: ['server'], key: (g) => `${kindKey(g)}|${g.client}` },
  { limit: MAX_KIND_FINDINGS, sides: ['client', 'server'], key: kindKey },
];

/** `groups` with the peers past the limits folded (a new array when any fold; groups that fold are replaced). */
export function foldPeers(groups: FindingGroup[]): FindingGroup[] {
  return PASSES.reduce(foldPass, groups);
}

function foldPass(groups: FindingGroup[], pass: Pass): FindingGroup[] {
  const byKey = new Map<string, FindingGroup[]>();
  let folds = false;
  for (const g of groups) {
    const key = pass.key(g);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [g]);
    else if (list.push(g) > pass.limit + 1) folds = true;
  }
  if (!folds) return groups;
  const out: FindingGroup[] = [];
  for (const list of byKey.values()) {
    if (list.length <= pass.limit + 1) {
      out.push(...list);
      continue;
    }
    list.sort((a, b) => a.flows[0] - b.flows[0]);
    const kept = list.slice(0, pass.limit);
    out.push(...kept, fold(list.slice(pass.limit), pass.sides, kept));
  }
  return out;
}

/** One group of the flows of `groups` (two at least, sorted by first flow), their `sides` folded; `kept`: the groups before them. */
function fold(groups: FindingGroup[], sides: readonly Side[], kept: readonly FindingGroup[]): FindingGroup {
  const first = groups[0];
  const flows = groups.flatMap((g) => g.flows).sort((a, b) => a - b);
  const frames: number[] = [];
  const rules = new Set<string>();
  const details = new Set<string>();
  const detailsLeftOut = new Set<string>();
  const serverPorts = new Set<number>();
  const clientPorts = new Set<number>();
  const peers = { client: new Set<string>(), server: new Set<string>() };
  for (const g of groups) {
    for (const f of g.frames) addFrame(frames, f);
    for (const r of g.rules) rules.add(r);
    for (const d of g.details) {
      if (details.has(d)) continue;
      if (details.size < MAX_DETAILS) details.add(d);
      else detailsLeftOut.add(d);
    }
    for (const d of g.detailsLeftOut) if (!details.has(d)) detailsLeftOut.add(d);
    for (const p of g.serverPorts) serverPorts.add(p);
    for (const p of g.clientPorts) clientPorts.add(p);
    for (const s of ['client', 'server'] as const) for (const address of g.folded?.[s] ?? [g[s]]) peers[s].add(address);
  }
  // A side of one address stays that address (past the kind limit, all the flows may share a client or a server).
  const folds = (side: Side) => first[side] === ANY_PEER || (sides.includes(side) && (sides.length === 1 || peers[side].size > 1));
  const other: Side = sides[0] === 'client' ? 'server' : 'client';
  return {
    ...first,
    client: folds('client') ? ANY_PEER : first.client,
    server: folds('server') ? ANY_PEER : first.server,
    flows,
    serverPorts,
    clientPorts,
    frames,
    rules,
    lastRules: undefined,
    details,
    detailsLeftOut,
    folded: {
      client: folds('client') ? peers.client : undefined,
      server: folds('server') ? peers.server : undefined,
      // Only for a fold of one side of one address's peers: past the kind limit, the kept findings are not that address's.
      kept: sides.length === 1 && first[other] !== ANY_PEER ? kept.map((g) => g[sides[0]]) : undefined,
      pastKindLimit: sides.length === 2,
    },
  };
}
