/**
 * The lookup structure of live flows: open addressing over typed arrays.
 *
 * Linear probing, power-of-two capacity kept at most half full, and
 * backward-shift deletion, so there are no tombstones and probe runs stay
 * short however many flows come and go. A slot holds a flow index (-1 =
 * empty) and the flow's key hash; the keys themselves live in the FlowStore
 * in client/server orientation. The hash is direction-independent
 * (flow-hash.ts), so one probe finds a packet's flow and tells its direction.
 *
 * Nothing here allocates on lookup, insertion or deletion; only growth
 * (doubling) does.
 */
import { Family } from '../decode/packet-view.js';
import { flowKeyHash } from './flow-hash.js';
import type { FlowStore } from './flow-store.js';

const INITIAL_SLOTS = 1024;

export class FlowIndex {
  /** Number of flows in the index. */
  size = 0;
  /** Direction found by the last successful probe: 0 = the key's a is the client, 1 = the server. */
  dir = 0;
  private slotFlow: Int32Array;
  private slotHash: Uint32Array;
  private mask: number;

  constructor(private readonly store: FlowStore) {
    this.slotFlow = new Int32Array(INITIAL_SLOTS).fill(-1);
    this.slotHash = new Uint32Array(INITIAL_SLOTS);
    this.mask = INITIAL_SLOTS - 1;
  }

  /** Number of slots (for tests and memory estimates). */
  get capacity(): number {
    return this.slotFlow.length;
  }

  /** The flow in a slot returned by probe(). */
  flowAt(slot: number): number {
    return this.slotFlow[slot];
  }

  /**
   * Finds the slot of the flow with key (family, proto, a:aPort, b:bPort) in
   * either direction, setting `dir`; -1 when absent. `hash` is flowKeyHash of the key.
   */
  probe(hash: number, family: number, proto: number, a: Uint32Array, aOff: number, aPort: number, b: Uint32Array, bOff: number, bPort: number): number {
    const s = this.store;
    const sf = this.slotFlow;
    const sh = this.slotHash;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const f = sf[i];
      if (f < 0) return -1;
      if (sh[i] === hash && s.proto[f] === proto && s.family[f] === family) {
        const d = matchDir(s, f, family, a, aOff, aPort, b, bOff, bPort);
        if (d >= 0) {
          this.dir = d;
          return i;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds a flow known to be absent, growing the slot arrays first when they would pass half full. */
  insert(hash: number, flow: number): void {
    if ((this.size + 1) * 2 > this.slotFlow.length) this.grow();
    this.place(hash, flow);
    this.size++;
  }

  /** Backward-shift deletion: later entries of the probe run move into the hole when their home allows it. */
  removeSlot(slot: number): void {
    const sf = this.slotFlow;
    const sh = this.slotHash;
    const mask = this.mask;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const f = sf[j];
      if (f < 0) break;
      const home = sh[j] & mask;
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        sf[hole] = f;
        sh[hole] = sh[j];
        hole = j;
      }
    }
    sf[hole] = -1;
    this.size--;
  }

  /** The slot holding `flow`, or -1 when it is not in the index. */
  slotOf(flow: number): number {
    const s = this.store;
    const o = flow << 2;
    const hash = flowKeyHash(s.family[flow], s.proto[flow], s.clientAddr, o, s.clientPort[flow], s.serverAddr, o, s.serverPort[flow]);
    const sf = this.slotFlow;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const f = sf[i];
      if (f === flow) return i;
      if (f < 0) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Writes the flows accepted by `keep` into out[0..n) in slot order and returns n; `out` must hold `size`. */
  collect(out: Int32Array, keep: (flow: number) => boolean): number {
    const sf = this.slotFlow;
    let n = 0;
    for (let i = 0; i < sf.length; i++) {
      const f = sf[i];
      if (f >= 0 && keep(f)) out[n++] = f;
    }
    return n;
  }

  /** Empties the index. */
  clear(): void {
    this.slotFlow.fill(-1);
    this.size = 0;
  }

  /** Consistency check for tests: null when every flow is reachable from its home slot and counted. */
  check(): string | null {
    const sf = this.slotFlow;
    let count = 0;
    for (let i = 0; i < sf.length; i++) {
      if (sf[i] < 0) continue;
      count++;
      if (this.slotOf(sf[i]) !== i) return `flow ${sf[i]} in slot ${i} is not reachable from its home slot`;
    }
    return count === this.size ? null : `${count} flows in slots, size = ${this.size}`;
  }

  private place(hash: number, flow: number): void {
    const sf = this.slotFlow;
    const mask = this.mask;
    let i = hash & mask;
    while (sf[i] >= 0) i = (i + 1) & mask;
    sf[i] = flow;
    this.slotHash[i] = hash;
  }

  private grow(): void {
    const oldFlow = this.slotFlow;
    const oldHash = this.slotHash;
    const n = oldFlow.length * 2;
    this.slotFlow = new Int32Array(n).fill(-1);
    this.slotHash = new Uint32Array(n);
    this.mask = n - 1;
    for (let i = 0; i < oldFlow.length; i++) if (oldFlow[i] >= 0) this.place(oldHash[i], oldFlow[i]);
  }
}

/**
 * 0 if (a:aPort -> b:bPort) is flow f's client -> server direction, 1 if
 * server -> client, -1 if it is not this flow's key.
 */
export function matchDir(s: FlowStore, f: number, family: number, a: Uint32Array, aOff: number, aPort: number, b: Uint32Array, bOff: number, bPort: number): number {
  const o = f << 2;
  const ca = s.clientAddr;
  const sa = s.serverAddr;
  const cp = s.clientPort[f];
  const sp = s.serverPort[f];
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
