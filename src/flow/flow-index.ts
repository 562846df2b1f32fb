/**
 * The lookup structure of live flows: open addressing over typed arrays.
 *
 * Linear probing, power-of-two capacity kept at most half full, and
 * backward-shift deletion, so there are no tombstones and probe runs stay
 * short however many flows come and go. A slot holds a flow index (-1 =
 * empty) and the flow's key hash, side by side in one array so that a probe
 * reads one cache line; the hash is compared before the flow's record is
 * touched. The keys themselves live in the FlowStore's hot records in
 * client/server orientation (the IPv4 addresses, ports, family and protocol
 * in four words, next to the counters the packet then updates). The hash is
 * direction-independent (flow-hash.ts), so one probe finds a packet's flow
 * and tells its direction.
 *
 * Each slot also keeps a coarse copy of its flow's last-seen time (whole
 * seconds since a base the table chooses) and idle timeout (whole seconds),
 * written by the table into the line the probe just read, so that an idle
 * sweep can skip the flows that cannot have timed out by scanning the slots
 * alone instead of touching every live flow's record (see collectIdle).
 *
 * Nothing here allocates on lookup, insertion or deletion; only growth
 * (doubling) does.
 */
import { Family } from '../decode/packet-view.js';
import { flowKeyHash } from './flow-hash.js';
import { keyKind, REC_U32, W_CLIENT_ADDR, W_KIND, W_PORTS, W_SERVER_ADDR, type FlowStore } from './flow-store.js';

const INITIAL_SLOTS = 1024;
/** int32 per slot, and the offset of each field in a slot. */
const SLOT_INTS = 4;
const SLOT_SHIFT = 2;
const S_FLOW = 0; // flow index, -1 = empty
const S_HASH = 1; // flowKeyHash | 0
const S_SEEN = 2; // coarse last-seen time (setSeen)
const S_TIMEOUT = 3; // coarse idle timeout (setTimeout)
/** S_SEEN value meaning "unknown": a sweep checks such a flow exactly. */
export const SEEN_UNKNOWN = -0x80000000;

export class FlowIndex {
  /** Number of flows in the index. */
  size = 0;
  /** Direction found by the last successful probe: 0 = the key's a is the client, 1 = the server. */
  dir = 0;
  /** SLOT_INTS int32 per slot: flow (-1 = empty), key hash (| 0), coarse last-seen time. */
  private slots: Int32Array;
  private mask: number;

  constructor(private readonly store: FlowStore) {
    this.slots = emptySlots(INITIAL_SLOTS);
    this.mask = INITIAL_SLOTS - 1;
  }

  /** Number of slots (for tests and memory estimates). */
  get capacity(): number {
    return this.slots.length >> SLOT_SHIFT;
  }

  /** The flow in a slot returned by probe(). */
  flowAt(slot: number): number {
    return this.slots[(slot << SLOT_SHIFT) + S_FLOW];
  }

  /**
   * Records the coarse last-seen time of the flow in `slot`: a lower bound, in
   * whole seconds, of its last-seen time minus the table's base, or
   * SEEN_UNKNOWN. Only an idle sweep reads it (collectIdle).
   */
  setSeen(slot: number, seen: number): void {
    this.slots[(slot << SLOT_SHIFT) + S_SEEN] = seen;
  }

  /**
   * Records the coarse idle timeout of the flow in `slot`: a lower bound, in
   * whole seconds (0..2^31-1), of the timeout that applies to it now. Only an
   * idle sweep reads it (collectIdle).
   */
  setTimeout(slot: number, timeout: number): void {
    this.slots[(slot << SLOT_SHIFT) + S_TIMEOUT] = timeout;
  }

  /**
   * Finds the slot of the flow with key (family, proto, a:aPort, b:bPort) in
   * either direction, setting `dir`; -1 when absent. `hash` is flowKeyHash of the key.
   */
  probe(hash: number, family: number, proto: number, a: Uint32Array, aOff: number, aPort: number, b: Uint32Array, bOff: number, bPort: number): number {
    const sl = this.slots;
    const rw = this.store.recW;
    const mask = this.mask;
    const h = hash | 0;
    let i = hash & mask;
    for (;;) {
      const f = sl[i << SLOT_SHIFT];
      if (f < 0) return -1;
      if (sl[(i << SLOT_SHIFT) + S_HASH] === h) {
        // The hash matched: confirm on the record's key words (one cache line).
        const w = f * REC_U32;
        if (rw[w + W_KIND] === keyKind(family, proto)) {
          const x = a[aOff + 3];
          const ca = rw[w + W_CLIENT_ADDR];
          const ports = rw[w + W_PORTS];
          if (ca === x) {
            if (ports === ((aPort << 16) | bPort) >>> 0 && rw[w + W_SERVER_ADDR] === b[bOff + 3] && (family === Family.V4 || matchV6(this.store, f, a, aOff, b, bOff))) {
              this.dir = 0;
              return i;
            }
          }
          if (ports === ((bPort << 16) | aPort) >>> 0 && ca === b[bOff + 3] && rw[w + W_SERVER_ADDR] === x && (family === Family.V4 || matchV6(this.store, f, b, bOff, a, aOff))) {
            this.dir = 1;
            return i;
          }
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds a flow known to be absent, growing the slot array first when it would pass half full; returns its slot. */
  insert(hash: number, flow: number, seen: number, timeout: number): number {
    if ((this.size + 1) * 2 > this.capacity) this.grow();
    this.size++;
    return this.place(hash | 0, flow, seen, timeout);
  }

  /** Backward-shift deletion: later entries of the probe run move into the hole when their home allows it. */
  removeSlot(slot: number): void {
    const sl = this.slots;
    const mask = this.mask;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const jo = j << SLOT_SHIFT;
      const f = sl[jo + S_FLOW];
      if (f < 0) break;
      const h = sl[jo + S_HASH];
      const home = h & mask;
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        const ho = hole << SLOT_SHIFT;
        sl[ho + S_FLOW] = f;
        sl[ho + S_HASH] = h;
        sl[ho + S_SEEN] = sl[jo + S_SEEN];
        sl[ho + S_TIMEOUT] = sl[jo + S_TIMEOUT];
        hole = j;
      }
    }
    sl[(hole << SLOT_SHIFT) + S_FLOW] = -1;
    this.size--;
  }

  /** The slot holding `flow`, or -1 when it is not in the index. */
  slotOf(flow: number): number {
    const s = this.store;
    const o = flow << 2;
    const hash = flowKeyHash(s.family(flow), s.proto(flow), s.clientAddr, o, s.clientPort(flow), s.serverAddr, o, s.serverPort(flow));
    const sl = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const f = sl[(i << SLOT_SHIFT) + S_FLOW];
      if (f === flow) return i;
      if (f < 0) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Writes the flows accepted by `keep` into out[0..n) in slot order and returns n; `out` must hold `size`. */
  collect(out: Int32Array, keep: (flow: number) => boolean): number {
    const sl = this.slots;
    let n = 0;
    for (let i = S_FLOW; i < sl.length; i += SLOT_INTS) {
      const f = sl[i];
      if (f >= 0 && keep(f)) out[n++] = f;
    }
    return n;
  }

  /**
   * Writes into out[0..n) (slot order) the flows that may have been idle for
   * longer than their timeout at time `nowRel` (seconds since the base of
   * setSeen), and returns n: all flows except those whose coarse last-seen
   * time plus coarse timeout proves they were not. `out` must hold `size`.
   */
  collectIdle(out: Int32Array, nowRel: number): number {
    const sl = this.slots;
    // Both coarse values are lower bounds; one second of margin absorbs the rounding of nowRel.
    const limit = nowRel + 1;
    let n = 0;
    for (let i = 0; i < sl.length; i += SLOT_INTS) {
      const f = sl[i + S_FLOW];
      if (f < 0) continue;
      const seen = sl[i + S_SEEN];
      if (seen === SEEN_UNKNOWN || !(seen + sl[i + S_TIMEOUT] >= limit)) out[n++] = f;
    }
    return n;
  }

  /** Empties the index. */
  clear(): void {
    const sl = this.slots;
    for (let i = S_FLOW; i < sl.length; i += SLOT_INTS) sl[i] = -1;
    this.size = 0;
  }

  /** Consistency check for tests: null when every flow is reachable from its home slot and counted. */
  check(): string | null {
    const sl = this.slots;
    let count = 0;
    for (let i = 0; i < sl.length >> SLOT_SHIFT; i++) {
      const f = sl[(i << SLOT_SHIFT) + S_FLOW];
      if (f < 0) continue;
      count++;
      if (this.slotOf(f) !== i) return `flow ${f} in slot ${i} is not reachable from its home slot`;
    }
    return count === this.size ? null : `${count} flows in slots, size = ${this.size}`;
  }

  private place(h: number, flow: number, seen: number, timeout: number): number {
    const sl = this.slots;
    const mask = this.mask;
    let i = h & mask;
    while (sl[(i << SLOT_SHIFT) + S_FLOW] >= 0) i = (i + 1) & mask;
    const o = i << SLOT_SHIFT;
    sl[o + S_FLOW] = flow;
    sl[o + S_HASH] = h;
    sl[o + S_SEEN] = seen;
    sl[o + S_TIMEOUT] = timeout;
    return i;
  }

  private grow(): void {
    const old = this.slots;
    const n = (old.length >> SLOT_SHIFT) * 2;
    this.slots = emptySlots(n);
    this.mask = n - 1;
    for (let i = 0; i < old.length; i += SLOT_INTS) {
      if (old[i + S_FLOW] >= 0) this.place(old[i + S_HASH], old[i + S_FLOW], old[i + S_SEEN], old[i + S_TIMEOUT]);
    }
  }
}

/** A slot array of n empty slots. */
function emptySlots(n: number): Int32Array {
  const sl = new Int32Array(n * SLOT_INTS);
  for (let i = S_FLOW; i < sl.length; i += SLOT_INTS) sl[i] = -1;
  return sl;
}

/** True when IPv6 flow f's client is `c` and its server `v`, all four words (word 3 was compared in the hot record). */
function matchV6(s: FlowStore, f: number, c: Uint32Array, cOff: number, v: Uint32Array, vOff: number): boolean {
  return eq4(c, cOff, s.clientAddr, f << 2) && eq4(v, vOff, s.serverAddr, f << 2);
}

/**
 * 0 if (a:aPort -> b:bPort) is flow f's client -> server direction, 1 if
 * server -> client, -1 if it is not this flow's key (family and protocol are
 * not compared: callers found f with them).
 */
export function matchDir(s: FlowStore, f: number, family: number, a: Uint32Array, aOff: number, aPort: number, b: Uint32Array, bOff: number, bPort: number): number {
  const o = f << 2;
  const ca = s.clientAddr;
  const sa = s.serverAddr;
  const cp = s.clientPort(f);
  const sp = s.serverPort(f);
  let fwd: boolean;
  let rev: boolean;
  if (family === Family.V4) {
    const x = a[aOff + 3];
    const y = b[bOff + 3];
    fwd = x === ca[o + 3] && y === sa[o + 3];
    rev = x === sa[o + 3] && y === ca[o + 3];
  } else {
    fwd = eq4(a, aOff, ca, o) && eq4(b, bOff, sa, o);
    rev = eq4(a, aOff, sa, o) && eq4(b, bOff, ca, o);
  }
  if (fwd && aPort === cp && bPort === sp) return 0;
  if (rev && aPort === sp && bPort === cp) return 1;
  return -1;
}

function eq4(a: Uint32Array, ao: number, b: Uint32Array, bo: number): boolean {
  return a[ao] === b[bo] && a[ao + 1] === b[bo + 1] && a[ao + 2] === b[bo + 2] && a[ao + 3] === b[bo + 3];
}
