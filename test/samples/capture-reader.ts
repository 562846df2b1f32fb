/**
 * A deliberately naive, independent reader for the generator's own output:
 * pcap (both byte orders, µs/ns) and pcapng (SHB/IDB/EPB), then Ethernet,
 * 802.1Q, IPv4/IPv6, TCP/UDP/ICMP with checksum verification. Test code only:
 * it shares nothing with src/ (the analyser) or samples/generator (the
 * generator), so the two checking each other means something.
 */
export interface Rec {
  iface: number;
  /** Timestamp in integer nanoseconds since the epoch. */
  tsNs: bigint;
  data: Buffer;
  origLen: number;
}

export function readCapture(buf: Buffer): Rec[] {
  const magicLe = buf.readUInt32LE(0);
  if (magicLe === 0x0a0d0d0a) return readPcapng(buf);
  return readPcap(buf);
}

function readPcap(buf: Buffer): Rec[] {
  const m = buf.readUInt32LE(0);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  const magic = le ? m : buf.readUInt32BE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`bad pcap magic ${m.toString(16)}`);
  const ns = magic === 0xa1b23c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const out: Rec[] = [];
  let o = 24;
  while (o < buf.length) {
    if (o + 16 > buf.length) throw new Error('truncated record header');
    const sec = BigInt(u32(o));
    const frac = BigInt(u32(o + 4));
    const cap = u32(o + 8);
    const orig = u32(o + 12);
    if (o + 16 + cap > buf.length) throw new Error('truncated record');
    out.push({ iface: 0, tsNs: sec * 1_000_000_000n + (ns ? frac : frac * 1000n), data: buf.subarray(o + 16, o + 16 + cap), origLen: orig });
    o += 16 + cap;
  }
  return out;
}

function readPcapng(buf: Buffer): Rec[] {
  const le = buf.readUInt32LE(8) === 0x1a2b3c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const tsresol: number[] = [];
  const out: Rec[] = [];
  let o = 0;
  while (o < buf.length) {
    const type = u32(o);
    const len = u32(o + 4);
    if (len < 12 || len % 4 !== 0 || o + len > buf.length) throw new Error(`bad block length ${len} at ${o}`);
    if (u32(o + len - 4) !== len) throw new Error(`trailing length mismatch at ${o}`);
    if (type === 1) {
      let res = 6;
      for (let p = o + 16; p + 4 <= o + len - 4;) {
        const code = u16(p);
        const olen = u16(p + 2);
        if (code === 0) break;
        if (code === 9) res = buf[p + 4];
        p += 4 + ((olen + 3) & ~3);
      }
      tsresol.push(res);
    } else if (type === 6) {
      const iface = u32(o + 8);
      const units = (BigInt(u32(o + 12)) << 32n) | BigInt(u32(o + 16));
      const cap = u32(o + 20);
      const res = tsresol[iface];
      if (res === undefined || res & 0x80) throw new Error(`EPB for unknown interface ${iface}`);
      const tsNs = units * 10n ** BigInt(9 - res);
      out.push({ iface, tsNs, data: buf.subarray(o + 28, o + 28 + cap), origLen: u32(o + 24) });
    } else if (type !== 0x0a0d0d0a) throw new Error(`unexpected block type ${type.toString(16)}`);
    o += len;
  }
  return out;
}

export interface Pkt {
  vlan: number | null;
  family: 4 | 6;
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  tcpFlags: number;
  payloadLen: number;
  /** For ICMP errors: the quoted packet's 5-tuple as the original sender sent it. */
  quoted?: { src: string; dst: string; proto: number; sport: number; dport: number };
  icmpType?: number;
  icmpCode?: number;
  /** Names of the checksums that did not verify. */
  badChecksums: string[];
}

function sum(b: Buffer, start: number, end: number, acc = 0): number {
  for (let i = start; i < end; i += 2) acc += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  return acc;
}

function ok(acc: number): boolean {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 65536);
  return acc === 0xffff;
}

function addr(b: Buffer, o: number, v6: boolean): string {
  if (!v6) return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(o + i).toString(16));
  // Compress the longest run of zero groups (RFC 5952 §4.2).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function pseudo(b: Buffer, srcOff: number, dstOff: number, v6: boolean, proto: number, len: number): number {
  const n = v6 ? 16 : 4;
  return sum(b, srcOff, srcOff + n) + sum(b, dstOff, dstOff + n) + proto + (len >>> 16) + (len & 0xffff);
}

export function parseFrame(data: Buffer): Pkt {
  let o = 12;
  let vlan: number | null = null;
  let type = data.readUInt16BE(o);
  if (type === 0x8100) {
    vlan = data.readUInt16BE(o + 2) & 0x0fff;
    o += 4;
    type = data.readUInt16BE(o);
  }
  o += 2;
  const bad: string[] = [];
  const p = parseIp(data, o, type, bad, false);
  return { ...p, vlan, badChecksums: bad };
}

function parseIp(b: Buffer, o: number, etherType: number, bad: string[], inner: boolean): Omit<Pkt, 'vlan' | 'badChecksums'> {
  const v6 = etherType === 0x86dd;
  if (!v6 && etherType !== 0x0800) throw new Error(`unexpected EtherType ${etherType.toString(16)}`);
  let l4: number;
  let end: number;
  let proto: number;
  let srcOff: number;
  let dstOff: number;
  if (v6) {
    proto = b[o + 6];
    srcOff = o + 8;
    dstOff = o + 24;
    l4 = o + 40;
    end = Math.min(l4 + b.readUInt16BE(o + 4), b.length);
  } else {
    const ihl = (b[o] & 0x0f) * 4;
    if (!inner && !ok(sum(b, o, o + ihl))) bad.push('ipv4');
    proto = b[o + 9];
    srcOff = o + 12;
    dstOff = o + 16;
    l4 = o + ihl;
    end = Math.min(o + b.readUInt16BE(o + 2), b.length);
  }
  const src = addr(b, srcOff, v6);
  const dst = addr(b, dstOff, v6);
  const l4Len = end - l4;
  const base = { family: (v6 ? 6 : 4) as 4 | 6, src, dst, proto, sport: 0, dport: 0, tcpFlags: 0, payloadLen: 0 };
  if (proto === 6) {
    const hl = (b[l4 + 12] >> 4) * 4;
    if (!inner && !ok(sum(b, l4, end, pseudo(b, srcOff, dstOff, v6, 6, l4Len)))) bad.push('tcp');
    return { ...base, sport: b.readUInt16BE(l4), dport: b.readUInt16BE(l4 + 2), tcpFlags: b[l4 + 13], payloadLen: inner ? 0 : l4Len - hl };
  }
  if (proto === 17) {
    if (!inner && !ok(sum(b, l4, end, pseudo(b, srcOff, dstOff, v6, 17, l4Len)))) bad.push('udp');
    return { ...base, sport: b.readUInt16BE(l4), dport: b.readUInt16BE(l4 + 2), payloadLen: inner ? 0 : l4Len - 8 };
  }
  if (proto === 1 || proto === 58) {
    const acc = proto === 58 ? pseudo(b, srcOff, dstOff, true, 58, l4Len) : 0;
    if (!ok(sum(b, l4, end, acc))) bad.push(proto === 1 ? 'icmp' : 'icmpv6');
    const q = parseIp(b, l4 + 8, proto === 58 ? 0x86dd : 0x0800, bad, true);
    return { ...base, payloadLen: l4Len, icmpType: b[l4], icmpCode: b[l4 + 1], quoted: { src: q.src, dst: q.dst, proto: q.proto, sport: q.sport, dport: q.dport } };
  }
  throw new Error(`unexpected IP protocol ${proto}`);
}
