/**
 * Seeded pseudo-random numbers, so that every sample is the same byte for byte
 * on every run and every machine. Never Math.random(): the generator is a
 * source of truth and must be reproducible.
 *
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, good enough for
 * addresses, ports, sequence numbers and filler bytes, and trivially portable.
 */
export class Rng {
  private state: number;
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.state = this.seed;
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** `n` pseudo-random bytes. */
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    this.fill(out, 0, n);
    return out;
  }

  /** Fills `buf[start, end)` with pseudo-random bytes. */
  fill(buf: Buffer, start: number, end: number): void {
    let i = start;
    while (i + 4 <= end) {
      buf.writeUInt32LE(this.u32(), i);
      i += 4;
    }
    if (i < end) {
      const last = this.u32();
      for (let k = 0; i < end; i++, k++) buf[i] = (last >>> (8 * k)) & 0xff;
    }
  }

  /**
   * An independent stream derived from this generator's seed and a name, so that
   * adding or reordering flows in a scenario does not shift every other flow's bytes.
   */
  fork(name: string): Rng {
    return new Rng(fnv1a(name) ^ this.seed);
  }
}

/** FNV-1a 32-bit hash of a string's UTF-16 code units (draft-eastlake-fnv). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
