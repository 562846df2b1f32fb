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

/** One folding pass: groups of one kind key and `peer` past `limit` (and two more at least) fold their `sides`. */
interface Pass {
  readonly limit: number;
  readonly sides: readonly Side[];
  /** The other side's address, whose peers fold ('' past the kind limit: any). */
  readonly peer: (g: FindingGroup) => string;
}

// The family is part of every key: a filter names ip or ipv6, so a fold must hold one family only.
const kindKey = (g: FindingGroup) => `${g.kind}|${g.severity}|${g.transport}|${g.firstFlow.client.ip.includes(':')}`;
const PASSES: readonly Pass[] = [
  { limit: MAX_PEER_FINDINGS, sides: ['client'], peer: (g) => g.server },
  { limit: MAX_PEER_FINDINGS, sides: ['server'], peer: (g) => g.client },
  { limit: MAX_KIND_FINDINGS, sides: ['client', 'server'], peer: () => '' },
];

/** `groups` with the peers past the limits folded (a new array when any fold; groups that fold are replaced). */
export function foldPeers(groups: FindingGroup[]): FindingGroup[] {
  return PASSES.reduce(foldPass, groups);
}

function foldPass(groups: FindingGroup[], pass: Pass): FindingGroup[] {
  // Counted first, by kind and then by peer, with no list or joined key per group: most runs fold nothing.
  const counts = new Map<string, Map<string, number>>();
  let folds = false;
  for (const g of groups) {
    const kind = kindKey(g);
    let byPeer = counts.get(kind);
    if (byPeer === undefined) counts.set(kind, (byPeer = new Map()));
    const peer = pass.peer(g);
    const n = (byPeer.get(peer) ?? 0) + 1;
    byPeer.set(peer, n);
    if (n > pass.limit + 1) folds = true;
  }
  if (!folds) return groups;
  const out: FindingGroup[] = [];
  const folding = new Map<Map<string, number>, Map<string, FindingGroup[]>>();
  for (const g of groups) {
    const byPeer = counts.get(kindKey(g))!;
    const peer = pass.peer(g);
    if (byPeer.get(peer)! <= pass.limit + 1) {
      out.push(g);
      continue;
    }
    let lists = folding.get(byPeer);
    if (lists === undefined) folding.set(byPeer, (lists = new Map()));
    const list = lists.get(peer);
    if (list === undefined) lists.set(peer, [g]);
    else list.push(g);
  }
  for (const lists of folding.values()) {
    for (const list of lists.values()) {
      list.sort((a, b) => a.flows[0] - b.flows[0]);
      const kept = list.slice(0, pass.limit);
      for (const g of kept) out.push(g);
      out.push(fold(list.slice(pass.limit), pass.sides, kept));
    }
  }
  return out;
}

/** One group of the flows of `groups` (two at least, sorted by first flow), their `sides` folded; `kept`: the groups before them. */
function fold(groups: FindingGroup[], sides: readonly Side[], kept: readonly FindingGroup[]): FindingGroup {
  const first = groups[0];
  const flows: number[] = [];
  for (const g of groups) for (const f of g.flows) flows.push(f);
  flows.sort((a, b) => a - b);
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
    addPeers(peers.client, g.client, g.folded?.client);
    addPeers(peers.server, g.server, g.folded?.server);
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

/** A group's addresses of one side: the one it names, or those it folded already. */
function addPeers(into: Set<string>, address: string, folded: ReadonlySet<string> | undefined): void {
  if (folded === undefined) into.add(address);
  else for (const a of folded) into.add(a);
}
