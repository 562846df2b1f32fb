/**
 * Fixed-width reads for the hot path. Buffer#readUInt32BE range-checks its
 * argument and is not always inlined (it showed as 8% of decode time in a
 * profile); callers here have already checked the length once per header.
 */

/** The unsigned 32-bit big-endian word at `o`. The caller guarantees `o + 4 <= end`. */
export function u32(buf: Buffer, o: number): number {
  return ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
}

/** The unsigned 32-bit little-endian word at `o`. The caller guarantees `o + 4 <= end`. */
export function u32le(buf: Buffer, o: number): number {
  return (buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24)) >>> 0;
}
