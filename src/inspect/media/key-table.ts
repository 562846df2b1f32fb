/**
 * A fixed-capacity open-addressing index from up to three 32-bit keys to a
 * dense entry number (0, 1, 2... in insertion order). No strings, no
 * allocation after construction: media streams and RTCP report blocks are
 * looked up per packet. When `capacity` entries exist, `insert` returns -1 and
 * the caller counts the overflow; the table never grows.
 */
const SLOT_WORDS = 4;

export class KeyTable {
  /** Entries inserted so far (at most `capacity`). */
  count = 0;
  readonly capacity: number;
  private readonly mask: number;
  /**
   * Per slot, SLOT_WORDS words: the three keys and entry + 1 (0 = empty). The keys sit beside the
   * entry so that a lookup reads one cache line, not the slot and then the entry's keys.
   */
  private readonly slots: Int32Array;
  /** Entry -> its keys, three words per entry. */
  readonly keys: Uint32Array;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let size = 8;
    while (size < capacity * 2) size *= 2; // load factor at most 1/2: short probe chains
    this.mask = size - 1;
    this.slots = new Int32Array(size * SLOT_WORDS);
    this.keys = new Uint32Array(capacity * 3);
  }

  /** The entry of (a, b, c), or -1. */
  find(a: number, b: number, c: number): number {
    const slots = this.slots;
    a |= 0;
    b |= 0;
    c |= 0;
    let i = mix3(a, b, c) & this.mask;
    for (;;) {
      const k = i * SLOT_WORDS;
      const e = slots[k + 3] - 1;
      if (e < 0) return -1;
      if (slots[k] === a && slots[k + 1] === b && slots[k + 2] === c) return e;
      i = (i + 1) & this.mask;
    }
  }

  /** Adds (a, b, c), which must not be present; returns its entry, or -1 when full. */
  insert(a: number, b: number, c: number): number {
    if (this.count >= this.capacity) return -1;
    let i = mix3(a, b, c) & this.mask;
    while (this.slots[i * SLOT_WORDS + 3] !== 0) i = (i + 1) & this.mask;
    const e = this.count++;
    const j = i * SLOT_WORDS;
    this.slots[j] = a;
    this.slots[j + 1] = b;
    this.slots[j + 2] = c;
    this.slots[j + 3] = e + 1;
    const k = e * 3;
    this.keys[k] = a;
    this.keys[k + 1] = b;
    this.keys[k + 2] = c;
    return e;
  }
}

/** A 32-bit mix of three words (murmur3 finaliser steps); numeric only. */
export function hash3(a: number, b: number, c: number): number {
  return mix3(a, b, c);
}

/** hash3 for this module's lookups, which run per packet: V8 reads an exported function through a cell at every call. */
function mix3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
