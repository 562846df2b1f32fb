/**
 * Ports for non-first IP fragments, remembered from their first fragment.
 *
 * Only a first fragment (offset 0) carries the transport header; the others
 * belong to the same flow but say nothing of its ports. No reassembly is
 * done: the table maps (family, src, dst, proto, fragment id) -> (srcPort,
 * dstPort) from first fragments, so later fragments of the same datagram
 * join its flow. RFC 791 §2.3 / RFC 8200 §4.5 define a datagram by exactly
 * that key.
 *
 * Bounded by construction: a fixed number of slots in typed arrays, open
 * addressing with a short linear probe and no deletion. Entries expire
 * `ttlSeconds` of capture time after their first fragment (30 s, Linux's
 * ipfrag_time default and RFC 8200 §4.5's 60 s halved: fragments of one
 * datagram arrive within milliseconds). When every slot of a probe run is
 * live, the oldest is overwritten and `remember` says so (FragmentTableFull).
 * A non-first fragment that arrives before its first fragment, or after its
 * entry was overwritten, is not attributed (FragmentUnattributed).
 */
import type { PacketView } from './packet-view.js';

export const FRAG_TABLE_DEFAULT_CAPACITY = 4096;
export const FRAG_TTL_SECONDS = 30; // Linux net.ipv4.ipfrag_time default
/**
 * Slots looked at per key; beyond that the oldest of them is replaced. Long
 * enough that a half-full table of live entries loses nothing to clustering
 * (see the test), short enough to stay cheap: it is walked only for fragments.
 */
const PROBE_LENGTH = 32;
/** Key words per slot: src (4), dst (4), fragment id, family << 8 | proto. */
const KEY_WORDS = 10;

export class FragmentTable {
  private readonly mask: number;
  private readonly probe: number;
  private readonly keys: Uint32Array;
  private readonly times: Float64Array;
  private readonly ports: Uint32Array;
  private readonly used: Uint8Array;

  /** `capacity` is rounded up to a power of two. */
  constructor(
    capacity: number = FRAG_TABLE_DEFAULT_CAPACITY,
    private readonly ttlSeconds: number = FRAG_TTL_SECONDS,
  ) {
    let cap = 1;
    while (cap < capacity) cap *= 2;
    this.mask = cap - 1;
    this.probe = cap < PROBE_LENGTH ? cap : PROBE_LENGTH;
    this.keys = new Uint32Array(cap * KEY_WORDS);
    this.times = new Float64Array(cap);
    this.ports = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * Remembers the ports of the first fragment in `pkt`. Returns true when a
   * live entry of another datagram had to be overwritten.
   */
  remember(pkt: PacketView): boolean {
    const h = hashKey(pkt);
    const now = pkt.ts;
    let target = -1;
    let oldest = -1;
    for (let i = 0; i < this.probe; i++) {
      const slot = (h + i) & this.mask;
      if (this.used[slot] === 0 || !this.live(slot, now)) {
        if (target < 0) target = slot;
        continue;
      }
      if (this.matches(slot, pkt)) {
        target = slot; // a repeated first fragment: refresh it
        break;
      }
      if (oldest < 0 || this.times[slot] < this.times[oldest]) oldest = slot;
    }
    let evicted = false;
    if (target < 0) {
      target = oldest;
      evicted = true;
    }
    const k = target * KEY_WORDS;
    const keys = this.keys;
    const src = pkt.src;
    const dst = pkt.dst;
    keys[k] = src[0];
    keys[k + 1] = src[1];
    keys[k + 2] = src[2];
    keys[k + 3] = src[3];
    keys[k + 4] = dst[0];
    keys[k + 5] = dst[1];
    keys[k + 6] = dst[2];
    keys[k + 7] = dst[3];
    keys[k + 8] = pkt.fragId;
    keys[k + 9] = (pkt.family << 8) | pkt.proto;
    this.times[target] = now;
    this.ports[target] = ((pkt.srcPort << 16) | pkt.dstPort) >>> 0;
    this.used[target] = 1;
    return evicted;
  }

  /** The ports of `pkt`'s datagram as `srcPort * 65536 + dstPort`, or -1 when unknown. */
  lookup(pkt: PacketView): number {
    const h = hashKey(pkt);
    for (let i = 0; i < this.probe; i++) {
      const slot = (h + i) & this.mask;
      if (this.used[slot] !== 0 && this.matches(slot, pkt) && this.live(slot, pkt.ts)) return this.ports[slot];
    }
    return -1;
  }

  /** Forgets everything (e.g. between unrelated inputs). */
  clear(): void {
    this.used.fill(0);
  }

  /** Live within the TTL either way: a clock that jumps back (a second input file) also expires entries. */
  private live(slot: number, now: number): boolean {
    const age = now - this.times[slot];
    return age <= this.ttlSeconds && age >= -this.ttlSeconds;
  }

  private matches(slot: number, pkt: PacketView): boolean {
    const k = slot * KEY_WORDS;
    const keys = this.keys;
    const src = pkt.src;
    const dst = pkt.dst;
    return (
      keys[k + 8] === pkt.fragId &&
      keys[k + 9] === ((pkt.family << 8) | pkt.proto) &&
      keys[k + 3] === src[3] &&
      keys[k + 7] === dst[3] &&
      keys[k] === src[0] &&
      keys[k + 1] === src[1] &&
      keys[k + 2] === src[2] &&
      keys[k + 4] === dst[0] &&
      keys[k + 5] === dst[1] &&
      keys[k + 6] === dst[2]
    );
  }
}

/** Mixes the key words (murmur3-style multiply and rotate); direction matters here, unlike for flows. */
function hashKey(pkt: PacketView): number {
  const src = pkt.src;
  const dst = pkt.dst;
  let h = (pkt.family << 8) | pkt.proto;
  h = mix(h, pkt.fragId);
  h = mix(h, src[0]);
  h = mix(h, src[1]);
  h = mix(h, src[2]);
  h = mix(h, src[3]);
  h = mix(h, dst[0]);
  h = mix(h, dst[1]);
  h = mix(h, dst[2]);
  h = mix(h, dst[3]);
  // murmur3 fmix32: spreads the high bits into the low ones the mask keeps.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
