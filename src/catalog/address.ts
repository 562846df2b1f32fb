/**
 * IPv4 / IPv6 addresses and CIDR prefixes of topology files, as four 32-bit
 * words in the layout of PacketView (src/decode/packet-view.ts): IPv4 in word
 * 3 with words 0-2 zero, IPv6 in words 0-3, most significant first.
 */
import { Family } from '../decode/packet-view.js';

export interface Prefix {
  readonly family: typeof Family.V4 | typeof Family.V6;
  readonly words: Uint32Array;
  /** Prefix length in bits: 0-32 for IPv4, 0-128 for IPv6. */
  readonly len: number;
}

/** Mask of the `bits` most significant bits of a 32-bit word (bits clamped to 0..32). */
function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

function parseV4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    // No leading zeros: "010" reads as octal in some tools and as decimal in others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v >>> 0;
}

function parseV6(s: string): Uint32Array | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p); // RFC 4291 §2.2 form 3: trailing dotted IPv4
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = ((all[2 * i] << 16) | all[2 * i + 1]) >>> 0;
  return w;
}

/** Parses "a.b.c.d", an IPv6 address, or either with "/len"; returns an error message on failure. */
export function parsePrefix(text: string): Prefix | string {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  let family: Prefix['family'];
  let words: Uint32Array;
  const v4 = parseV4(addr);
  if (v4 !== undefined) {
    family = Family.V4;
    words = new Uint32Array([0, 0, 0, v4]);
  } else {
    const v6 = addr.includes(':') ? parseV6(addr) : undefined;
    if (v6 === undefined) return `${JSON.stringify(text)} is not an IPv4 or IPv6 address or CIDR prefix`;
    family = Family.V6;
    words = v6;
  }
  const max = family === Family.V4 ? 32 : 128;
  if (lenText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(lenText)) return `${JSON.stringify(text)} has an invalid prefix length`;
  const len = lenText === undefined ? max : Number(lenText);
  if (len > max) return `${JSON.stringify(text)} has a prefix length above ${max}`;
  const p: Prefix = { family, words, len };
  const network = maskedWords(p);
  if (network.some((w, i) => w !== words[i])) {
    return `${JSON.stringify(text)} has host bits set (did you mean ${formatPrefix({ family, words: network, len })}?)`;
  }
  return p;
}

function maskedWords(p: Prefix): Uint32Array {
  const out = new Uint32Array(4);
  const offset = p.family === Family.V4 ? 96 : 0; // IPv4 bits start at word 3
  for (let i = 0; i < 4; i++) out[i] = (p.words[i] & wordMask(p.len + offset - 32 * i)) >>> 0;
  if (p.family === Family.V4) out[0] = out[1] = out[2] = 0;
  return out;
}

/** True when the address (family, 4 words) lies inside the prefix. No allocation. */
export function prefixContains(p: Prefix, family: number, words: Uint32Array): boolean {
  if (family !== p.family) return false;
  const offset = p.family === Family.V4 ? 96 : 0;
  for (let i = p.family === Family.V4 ? 3 : 0; i < 4; i++) {
    const m = wordMask(p.len + offset - 32 * i);
    if (m === 0) return true;
    if (((words[i] ^ p.words[i]) & m) !== 0) return false;
  }
  return true;
}

/** Text form: dotted IPv4, RFC 5952 IPv6 (longest zero run compressed), "/len" unless a host. */
export function formatPrefix(p: Prefix): string {
  let s: string;
  if (p.family === Family.V4) {
    const v = p.words[3];
    s = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  } else {
    const g: number[] = [];
    for (let i = 0; i < 4; i++) g.push(p.words[i] >>> 16, p.words[i] & 0xffff);
    let best = -1;
    let bestLen = 1; // RFC 5952 §4.2.2: a single zero group is not compressed
    for (let i = 0; i < 8; ) {
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i > bestLen) [best, bestLen] = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
    s = best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
  }
  const max = p.family === Family.V4 ? 32 : 128;
  return p.len === max ? s : `${s}/${p.len}`;
}
