/**
 * Byte-level helpers shared by the packet builders: address parsing and the
 * Internet checksum. Written independently of src/ on purpose: the generator
 * is the test oracle for the analyser and must not share its code.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** 4 bytes for an IPv4 address, 16 for an IPv6 address (RFC 4291 §2.2 text forms). */
export function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map((o) => Number(o)));
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...new Array<string>(zeros).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export function isV6(ip: string): boolean {
  return ip.includes(':');
}

/** 6 bytes from "aa:bb:cc:dd:ee:ff". */
export function macBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6) throw new Error(`not a MAC address: ${mac}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/**
 * One's complement sum of 16-bit big-endian words over buf[start, end), added to
 * `acc` (RFC 1071 §4.1). Not folded: call fold() at the end. An odd trailing
 * byte is padded with a zero byte, as RFC 1071 specifies.
 */
export function sum16(buf: Uint8Array, start: number, end: number, acc = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (i < end) acc += buf[i] << 8;
  return acc;
}

/** Folds a 32-bit-or-wider running sum to 16 bits and complements it (RFC 1071). */
export function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** The Internet checksum of a whole buffer. */
export function inetChecksum(buf: Uint8Array, start = 0, end = buf.length, acc = 0): number {
  return fold(sum16(buf, start, end, acc));
}

/** Big-endian u16 as 2 bytes. */
export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff);
  return b;
}

/** Big-endian u32 as 4 bytes. */
export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), as STUN FINGERPRINT uses (RFC 5389 §15.5). */
export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
