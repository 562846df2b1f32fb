/**
 * Direction-independent hash of a flow key: (family, proto, address A,
 * port A, address B, port B) hashes the same as (family, proto, B, A), so a
 * packet finds its flow whichever way it travels without building a
 * canonical key first.
 *
 * Each endpoint (address words + port) is folded to 32 bits alone, the two
 * are combined symmetrically and with the protocol, then finalised with
 * MurmurHash3's fmix32 (public domain, Austin Appleby). Six integer
 * multiplications for IPv4: this runs once per packet.
 *
 * ICMP needs no special case: the decoder writes ICMP "ports" per packet from
 * its sender's point of view (an echo reply carries the request's type and
 * identifier swapped, see decode/icmp.ts), so they swap like real ports.
 */
import { Family } from '../decode/packet-view.js';

const GOLDEN = 0x9e3779b1; // 2^32 / golden ratio (Knuth multiplicative hashing)
const M1 = 0x85ebca6b; // MurmurHash3 fmix32 multipliers
const M2 = 0xc2b2ae35;
const K1 = 0xcc9e2d51; // MurmurHash3 x86_32 block constants
const K2 = 0x1b873593;

/** One endpoint (address + port) folded to 32 bits; cheap, the final mix does the avalanche. */
function endpoint(family: number, addr: Uint32Array, off: number, port: number): number {
  let x = addr[off + 3] ^ Math.imul(port, GOLDEN);
  if (family !== Family.V4) {
    // IPv4 has only word 3 (words 0-2 are zero by convention): the other words matter for IPv6 only.
    x = Math.imul(x, K1) ^ addr[off + 2];
    x = Math.imul(x, K2) ^ addr[off + 1];
    x = Math.imul(x, M1) ^ addr[off];
  }
  return x | 0;
}

/**
 * 32-bit hash of a flow key, equal for both orders of the endpoints, as a
 * signed int32: V8's small integers are int32 on Node's 64-bit builds, so an
 * unsigned hash at or above 2^31 handed to a call that is not inlined (the
 * flow index's probe) was a new heap number, for every other packet. The two
 * endpoint values are put in numeric order without a branch (the direction of
 * packets is random, a branch on it would mispredict).
 */
export function flowKeyHash(
  family: number,
  proto: number,
  a: Uint32Array,
  aOff: number,
  aPort: number,
  b: Uint32Array,
  bOff: number,
  bPort: number,
): number {
  if (family === Family.V4) return flowKeyHashV4(proto, a[aOff + 3], aPort, b[bOff + 3], bPort);
  return mix(endpoint(family, a, aOff, aPort) >>> 0, endpoint(family, b, bOff, bPort) >>> 0, (proto << 8) | family);
}

/**
 * flowKeyHash of an IPv4 key (addresses as uint32); flowKeyHash itself
 * delegates here for IPv4. Kept small and free of calls (it repeats mix())
 * so that the per-packet path can inline it: V8 would not inline the general
 * function with its IPv6 branches.
 */
export function flowKeyHashV4(proto: number, a: number, aPort: number, b: number, bPort: number): number {
  const ea = (a ^ Math.imul(aPort, GOLDEN)) >>> 0;
  const eb = (b ^ Math.imul(bPort, GOLDEN)) >>> 0;
  const lo = Math.min(ea, eb);
  const hi = ea ^ eb ^ lo;
  let h = Math.imul(lo ^ ((proto << 8) | Family.V4), K1);
  h = ((h << 15) | (h >>> 17)) ^ hi;
  h = Math.imul(h, K2);
  h ^= h >>> 16;
  h = Math.imul(h, M1);
  h ^= h >>> 13;
  h = Math.imul(h, M2);
  h ^= h >>> 16;
  return h | 0;
}

/** Combines the two endpoint values symmetrically with `kind` (proto << 8 | family) and finalises. */
function mix(ea: number, eb: number, kind: number): number {
  const lo = Math.min(ea, eb);
  const hi = ea ^ eb ^ lo;
  let h = Math.imul(lo ^ kind, K1);
  h = ((h << 15) | (h >>> 17)) ^ hi;
  h = Math.imul(h, K2);
  // MurmurHash3 fmix32: every input bit affects every output bit, so the low bits used as slot index are well spread.
  h ^= h >>> 16;
  h = Math.imul(h, M1);
  h ^= h >>> 13;
  h = Math.imul(h, M2);
  h ^= h >>> 16;
  return h | 0;
}
