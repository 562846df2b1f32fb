/**
 * Compiled forms of a catalog for the code that runs per flow or per packet:
 * port bitmaps for the flow table's orientation guess, and a port -> rules
 * index for the classifier and `flowaudit catalog lookup tcp/5061`.
 */
import type { Catalog, CatalogRule, Transport } from './types.js';

const PORTS = 65536;

export interface ServicePortBitmaps {
  /** 65536 entries; 1 where a non-broad rule documents the port as the server (destination) side. */
  readonly tcp: Uint8Array;
  readonly udp: Uint8Array;
}

/**
 * 1 for every port a non-broad rule with portSide "server" documents. Broad
 * media ranges are left out (they would mark most of the port space), and so
 * are "client" and "either" ports, which do not say which side listens.
 */
export function servicePortBitmaps(catalog: Catalog): ServicePortBitmaps {
  const out = { tcp: new Uint8Array(PORTS), udp: new Uint8Array(PORTS) };
  for (const r of catalog.rules) {
    if (r.broad || r.portSide !== 'server') continue;
    const bits = out[r.transport];
    for (const [lo, hi] of r.ranges) bits.fill(1, lo, hi + 1);
  }
  return out;
}

interface PortIndex {
  /** Per port, an index into `sets`. */
  readonly slot: Uint16Array;
  /** Distinct rule lists, frozen, in catalog order; sets[0] is empty. */
  readonly sets: readonly (readonly CatalogRule[])[];
}

const EMPTY: readonly CatalogRule[] = Object.freeze([]);
const indexes = new WeakMap<Catalog, Record<Transport, PortIndex>>();

function buildIndex(rules: readonly CatalogRule[]): PortIndex {
  // Sweep the boundaries of all ranges: between two boundaries the set of
  // matching rules is constant, and equal sets share one frozen array.
  const cuts = new Set<number>([0, PORTS]);
  for (const r of rules) for (const [lo, hi] of r.ranges) cuts.add(lo).add(hi + 1);
  const points = [...cuts].sort((a, b) => a - b);
  const slot = new Uint16Array(PORTS);
  const sets: (readonly CatalogRule[])[] = [EMPTY];
  const byKey = new Map<string, number>([['', 0]]);
  for (let k = 0; k + 1 < points.length; k++) {
    const p = points[k];
    const hits = rules.filter((r) => r.ranges.some(([lo, hi]) => lo <= p && p <= hi));
    const key = hits.map((r) => r.id).join('\n');
    let idx = byKey.get(key);
    if (idx === undefined) {
      idx = sets.push(Object.freeze(hits)) - 1;
      byKey.set(key, idx);
    }
    slot.fill(idx, p, points[k + 1]);
  }
  return { slot, sets };
}

function indexOf(catalog: Catalog): Record<Transport, PortIndex> {
  let idx = indexes.get(catalog);
  if (idx === undefined) {
    idx = {
      tcp: buildIndex(catalog.rules.filter((r) => r.transport === 'tcp')),
      udp: buildIndex(catalog.rules.filter((r) => r.transport === 'udp')),
    };
    indexes.set(catalog, idx);
  }
  return idx;
}

/**
 * Every rule (broad ones included, whatever their portSide) whose ranges hold
 * `port` on `transport`, in catalog order. The array is shared and frozen; the
 * first call builds the index, later calls allocate nothing.
 */
export function lookup(catalog: Catalog, transport: Transport, port: number): readonly CatalogRule[] {
  if (!Number.isInteger(port) || port < 0 || port >= PORTS) return EMPTY;
  const idx = indexOf(catalog)[transport];
  return idx === undefined ? EMPTY : idx.sets[idx.slot[port]];
}

/** Parses "tcp/5061" or "udp/3478" (as typed on the command line); undefined when malformed. */
export function parsePortSpec(spec: string): { transport: Transport; port: number } | undefined {
  const m = /^(tcp|udp)\/(\d{1,5})$/i.exec(spec.trim());
  if (m === null) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port < PORTS ? { transport: m[1].toLowerCase() as Transport, port } : undefined;
}
