/**
 * CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), the checksum that
 * STUN's FINGERPRINT attribute carries XOR 0x5354554E (RFC 8489 §14.7).
 * Table-driven over a byte range of the caller's buffer: no allocation.
 */
const POLY = 0xedb88320; // ISO 3309 / ITU-T V.42 CRC-32, bit-reversed

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of buf[off, end), as an unsigned 32-bit number. */
export function crc32(buf: Uint8Array, off: number, end: number): number {
  let c = -1;
  for (let i = off; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
