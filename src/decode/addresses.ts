/**
 * Copies an IP header's source and destination into the 4-word address
 * arrays of the PacketView (see packet-view.ts: IPv4 uses word 3 only).
 * The caller has checked that the header is captured.
 */
import { u32 } from '../bytes.js';

/** IPv4 addresses at header offsets 12 and 16 (RFC 791 §3.1). */
export function readIpv4Addresses(buf: Buffer, off: number, src: Uint32Array, dst: Uint32Array): void {
  src[0] = 0;
  src[1] = 0;
  src[2] = 0;
  src[3] = u32(buf, off + 12);
  dst[0] = 0;
  dst[1] = 0;
  dst[2] = 0;
  dst[3] = u32(buf, off + 16);
}

/** IPv6 addresses at header offsets 8 and 24 (RFC 8200 §3). */
export function readIpv6Addresses(buf: Buffer, off: number, src: Uint32Array, dst: Uint32Array): void {
  src[0] = u32(buf, off + 8);
  src[1] = u32(buf, off + 12);
  src[2] = u32(buf, off + 16);
  src[3] = u32(buf, off + 20);
  dst[0] = u32(buf, off + 24);
  dst[1] = u32(buf, off + 28);
  dst[2] = u32(buf, off + 32);
  dst[3] = u32(buf, off + 36);
}
