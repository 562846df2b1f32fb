/**
 * Address text for reports: dotted-quad IPv4 and RFC 5952 canonical IPv6.
 *
 * Addresses are four 32-bit words in network order (PacketView convention,
 * IPv4 in word 3). Called once per flow when reporting, never per packet.
 *
 * RFC 5952 §4: lowercase hexadecimal, leading zeros of each 16-bit field
 * suppressed (§4.1), "::" replaces the longest run of two or more zero fields
 * (§4.2.1-4.2.2), the first such run on a tie (§4.2.3), and a single zero
 * field is never shortened. §5: IPv4-mapped addresses (::ffff:0:0/96) keep
 * the dotted-quad tail, "::ffff:192.0.2.1".
 */
import { Family } from '../decode/packet-view.js';

const IPV4_MAPPED_WORD2 = 0x0000ffff; // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d

/** Dotted-quad text of an IPv4 address held in one 32-bit word. */
export function formatIpv4(word: number): string {
  return `${(word >>> 24) & 0xff}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

/** RFC 5952 text of the IPv6 address in words[off..off+3]. */
export function formatIpv6(words: Uint32Array, off = 0): string {
  const w0 = words[off];
  const w1 = words[off + 1];
  const w2 = words[off + 2];
  const w3 = words[off + 3];
  if (w0 === 0 && w1 === 0 && w2 === IPV4_MAPPED_WORD2) return `::ffff:${formatIpv4(w3)}`;

  const fields = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];

  // Longest run of zero fields (first on a tie); runs of one are left alone.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (fields[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && fields[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }

  if (bestStart < 0) return fields.map(hex).join(':');
  const head = fields.slice(0, bestStart).map(hex).join(':');
  const tail = fields.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/** Text of an address of the given family (Family.V4 or Family.V6). */
export function formatIp(family: number, words: Uint32Array, off = 0): string {
  return family === Family.V4 ? formatIpv4(words[off + 3]) : formatIpv6(words, off);
}

function hex(field: number): string {
  return field.toString(16);
}
