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
 * same per client for its servers.
 */
import { addFrame, MAX_DETAILS, type FindingGroup } from './finding-group.js';

/** Findings of distinct peers kept per kind, severity, transport and other side before the rest fold into one. */
export const MAX_PEER_FINDINGS = 20;
/** The client or server of a folded finding: several addresses. */
export const ANY_PEER = '*';

/** `groups` with the peers past MAX_PEER_FINDINGS folded (a new array; groups that fold are replaced). */
export function foldPeers(groups: FindingGroup[]): FindingGroup[] {
  return foldSide(foldSide(groups, 'client'), 'server');
}

type Side = 'client' | 'server';

/** Folds the groups of each (kind, severity, transport, other side) past the first MAX_PEER_FINDINGS peers on `side`. */
function foldSide(groups: FindingGroup[], side: Side): FindingGroup[] {
  const other: Side = side === 'client' ? 'server' : 'client';
  const byOther = new Map<string, FindingGroup[]>();
  let folds = false;
  for (const g of groups) {
    // The family too: a side folded in the first pass holds addresses of one family only, and so must a filter.
    const key = `${g.kind}|${g.severity}|${g.transport}|${g.firstFlow.client.ip.includes(':')}|${g[other]}`;
    const list = byOther.get(key);
    if (list === undefined) byOther.set(key, [g]);
    else if (list.push(g) > FOLD_FROM) folds = true;
  }
  if (!folds) return groups;
  const out: FindingGroup[] = [];
  for (const list of byOther.values()) {
    if (list.length <= FOLD_FROM) {
      out.push(...list);
      continue;
    }
    list.sort((a, b) => a.flows[0] - b.flows[0]);
    const kept = list.slice(0, MAX_PEER_FINDINGS);
    out.push(...kept, fold(list.slice(MAX_PEER_FINDINGS), side, kept));
  }
  return out;
}

/** Groups of one other side up to this many stay as they are. */
const FOLD_FROM = MAX_PEER_FINDINGS + 1;

/** One group of the flows of `groups` (two at least, sorted by first flow), their `side` peers folded; `kept`: the groups before them. */
function fold(groups: FindingGroup[], side: Side, kept: readonly FindingGroup[]): FindingGroup {
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
  return {
    ...first,
    [side]: ANY_PEER,
    flows,
    serverPorts,
    clientPorts,
    frames,
    rules,
    lastRules: undefined,
    details,
    detailsLeftOut,
    folded: {
      client: first.client === ANY_PEER || side === 'client' ? peers.client : undefined,
      server: first.server === ANY_PEER || side === 'server' ? peers.server : undefined,
      // Only when the other side is one address: a filter cannot leave out pairs of a fold of both sides.
      kept: first[side === 'client' ? 'server' : 'client'] === ANY_PEER ? undefined : kept.map((g) => g[side]),
    },
  };
}
