/**
 * Payload pools for the benchmark capture: a block of bytes stored twice in a
 * row (so any range of up to one period starting in the first copy is
 * contiguous), with prefix sums of its 16-bit words at both alignments, so the
 * Internet checksum contribution of any payload range costs O(1) instead of a
 * pass over the bytes (RFC 1071 §2: the sum is order-independent per word).
 */
import type { Rng } from '../rng.js';

export class PayloadPool {
  /** The period twice over. */
  readonly bytes: Buffer;
  readonly period: number;
  /** even[k] = sum of words (b[2j] << 8 | b[2j+1]) for j < k. */
  private readonly even: Float64Array;
  /** odd[k] = sum of words (b[2j+1] << 8 | b[2j+2]) for j < k. */
  private readonly odd: Float64Array;

  constructor(period: Buffer) {
    if (period.length % 2 !== 0) throw new Error('pool period must be even');
    this.period = period.length;
    this.bytes = Buffer.concat([period, period, Buffer.alloc(2)]);
    const words = this.bytes.length >> 1;
    this.even = new Float64Array(words + 1);
    this.odd = new Float64Array(words + 1);
    const b = this.bytes;
    for (let k = 0; k < words; k++) {
      this.even[k + 1] = this.even[k] + ((b[2 * k] << 8) | b[2 * k + 1]);
      this.odd[k + 1] = this.odd[k] + (2 * k + 2 < b.length ? (b[2 * k + 1] << 8) | b[2 * k + 2] : b[2 * k + 1] << 8);
    }
  }

  static random(rng: Rng, period: number): PayloadPool {
    return new PayloadPool(rng.bytes(period));
  }

  /**
   * Unfolded checksum sum of bytes[start, start + len) as if they began at an even
   * offset of the datagram (which they do: every header before them is even-sized).
   * Requires start < period and len <= period.
   */
  sum(start: number, len: number): number {
    const end = start + len;
    const pairs = len >> 1;
    let s: number;
    if ((start & 1) === 0) {
      const k = start >> 1;
      s = this.even[k + pairs] - this.even[k];
    } else {
      const k = (start - 1) >> 1;
      s = this.odd[k + pairs] - this.odd[k];
    }
    if (len & 1) s += this.bytes[end - 1] << 8;
    return s;
  }
}
