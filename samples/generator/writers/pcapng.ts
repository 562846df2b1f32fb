/**
 * pcapng files (draft-ietf-opsawg-pcapng): one Section Header Block, one
 * Interface Description Block per interface (with if_tsresol when not the
 * default microseconds) and an Enhanced Packet Block per frame.
 *
 * Every block:  | block type (4) | block total length (4) | body | block total length (4) |
 * SHB body:     | byte-order magic 0x1A2B3C4D | major 1 | minor 0 | section length (8) = -1 | options |
 * IDB body:     | link type (2) | reserved (2) | snaplen (4) | options |
 * EPB body:     | interface id (4) | ts high (4) | ts low (4) | captured len (4) | original len (4) | data, padded to 4 | options |
 * Option:       | code (2) | length (2) | value, padded to 4 |   ... opt_endofopt (0, 0)
 */
import { DEFAULT_SNAPLEN, LINKTYPE_ETHERNET, type CaptureRecord } from './pcap.js';

export const BlockType = { SHB: 0x0a0d0d0a, IDB: 0x00000001, EPB: 0x00000006 } as const; // pcapng §4.1, §4.2, §4.3
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d; // pcapng §4.1
export const OptionCode = { EndOfOpt: 0, Comment: 1, ShbUserAppl: 4, IfName: 2, IfDescription: 3, IfTsresol: 9 } as const; // pcapng §3.5, §4.1, §4.2
export const EPB_OVERHEAD = 32; // block header 8 + fixed body 20 + trailing length 4

export interface PcapngInterface {
  name: string;
  description?: string;
  linkType?: number;
  /** Decimal exponent for if_tsresol: 6 = µs (the default, then the option is omitted), 9 = ns. */
  tsresolDigits?: number;
}

export interface PcapngOptions {
  byteOrder?: 'le' | 'be';
  userAppl?: string;
  interfaces: PcapngInterface[];
}

class BlockWriter {
  private parts: Buffer[] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): this { this.parts.push(Buffer.from([v])); return this; }
  u16(v: number): this { const b = Buffer.alloc(2); this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v); this.parts.push(b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); this.le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0); this.parts.push(b); return this; }
  bytes(b: Buffer): this { this.parts.push(b, Buffer.alloc((4 - (b.length % 4)) % 4)); return this; }
  option(code: number, value: Buffer): this { return this.u16(code).u16(value.length).bytes(value); }
  endOfOptions(): this { return this.u16(OptionCode.EndOfOpt).u16(0); }
  block(type: number): Buffer {
    const body = Buffer.concat(this.parts);
    const total = 12 + body.length;
    return Buffer.concat([new BlockWriter(this.le).u32(type).u32(total).done(), body, new BlockWriter(this.le).u32(total).done()]);
  }
  done(): Buffer { return Buffer.concat(this.parts); }
}

/** SHB followed by one IDB per interface. */
export function pcapngHeader(opts: PcapngOptions): Buffer {
  const le = (opts.byteOrder ?? 'le') === 'le';
  const shb = new BlockWriter(le).u32(BYTE_ORDER_MAGIC).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff); // section length unknown (-1)
  if (opts.userAppl) shb.option(OptionCode.ShbUserAppl, Buffer.from(opts.userAppl, 'utf8')).endOfOptions();
  const blocks = [shb.block(BlockType.SHB)];
  for (const i of opts.interfaces) {
    const idb = new BlockWriter(le).u16(i.linkType ?? LINKTYPE_ETHERNET).u16(0).u32(DEFAULT_SNAPLEN);
    idb.option(OptionCode.IfName, Buffer.from(i.name, 'utf8'));
    if (i.description) idb.option(OptionCode.IfDescription, Buffer.from(i.description, 'utf8'));
    if ((i.tsresolDigits ?? 6) !== 6) idb.option(OptionCode.IfTsresol, Buffer.from([i.tsresolDigits!]));
    blocks.push(idb.endOfOptions().block(BlockType.IDB));
  }
  return Buffer.concat(blocks);
}

/** Timestamp in units of 10^-digits seconds, split into the EPB's high and low words. */
export function epbTimestamp(sec: number, nsec: number, digits: number): [number, number] {
  const units = BigInt(sec) * 10n ** BigInt(digits) + BigInt(nsec) / 10n ** BigInt(9 - digits);
  return [Number(units >> 32n), Number(units & 0xffffffffn)];
}

/** Writes one EPB at out[off] and returns its length. */
export function writeEpb(out: Buffer, off: number, iface: number, tsHigh: number, tsLow: number, data: Buffer, le: boolean): number {
  const padded = (data.length + 3) & ~3;
  const total = EPB_OVERHEAD + padded;
  const w = (v: number, o: number) => (le ? out.writeUInt32LE(v >>> 0, off + o) : out.writeUInt32BE(v >>> 0, off + o));
  w(BlockType.EPB, 0);
  w(total, 4);
  w(iface, 8);
  w(tsHigh, 12);
  w(tsLow, 16);
  w(data.length, 20);
  w(data.length, 24);
  data.copy(out, off + 28);
  out.fill(0, off + 28 + data.length, off + 28 + padded);
  w(total, 28 + padded);
  return total;
}

/** A whole pcapng file in memory. */
export function writePcapng(records: CaptureRecord[], opts: PcapngOptions): Buffer {
  const le = (opts.byteOrder ?? 'le') === 'le';
  const header = pcapngHeader(opts);
  let size = header.length;
  for (const r of records) size += EPB_OVERHEAD + ((r.data.length + 3) & ~3);
  const out = Buffer.alloc(size);
  header.copy(out, 0);
  let off = header.length;
  for (const r of records) {
    const digits = opts.interfaces[r.iface]?.tsresolDigits ?? 6;
    const [hi, lo] = epbTimestamp(r.sec, r.nsec, digits);
    off += writeEpb(out, off, r.iface, hi, lo, r.data, le);
  }
  return out;
}
