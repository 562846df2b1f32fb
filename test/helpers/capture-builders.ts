/**
 * Tiny writers for hand-made captures in tests. They are deliberately plain
 * (Buffer writes, no shared code with src/) so that reader bugs cannot hide
 * behind writer bugs of the same making.
 */
export interface TestPacket {
  sec: number;
  /** Fraction in the file's unit (µs or ns for pcap; units of the interface for pcapng). */
  frac: number;
  data: Buffer;
  origLen?: number;
  ifId?: number;
}

export function pcapFile(packets: TestPacket[], opts: { bigEndian?: boolean; nanos?: boolean; linkType?: number; snaplen?: number } = {}): Buffer {
  const be = opts.bigEndian ?? false;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, o: number) => (be ? b.writeUInt32BE(v >>> 0, o) : b.writeUInt32LE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (be ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o));
  w32(h, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, opts.snaplen ?? 262144, 16);
  w32(h, opts.linkType ?? 1, 20);
  parts.push(h);
  for (const p of packets) {
    const r = Buffer.alloc(16);
    w32(r, p.sec, 0);
    w32(r, p.frac, 4);
    w32(r, p.data.length, 8);
    w32(r, p.origLen ?? p.data.length, 12);
    parts.push(r, p.data);
  }
  return Buffer.concat(parts);
}

export class PcapngWriter {
  private parts: Buffer[] = [];
  constructor(private be = false) {}

  private w32(b: Buffer, v: number, o: number) { this.be ? b.writeUInt32BE(v >>> 0, o) : b.writeUInt32LE(v >>> 0, o); }
  private w16(b: Buffer, v: number, o: number) { this.be ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o); }

  block(type: number, body: Buffer): this {
    const padded = Buffer.alloc((body.length + 3) & ~3);
    body.copy(padded);
    const total = 12 + padded.length;
    const head = Buffer.alloc(8);
    this.w32(head, type, 0);
    this.w32(head, total, 4);
    const tail = Buffer.alloc(4);
    this.w32(tail, total, 0);
    this.parts.push(head, padded, tail);
    return this;
  }

  section(): this {
    const body = Buffer.alloc(16);
    this.w32(body, 0x1a2b3c4d, 0);
    this.w16(body, 1, 4);
    this.w16(body, 0, 6);
    body.writeInt32LE(-1, 8);
    body.writeInt32LE(-1, 12);
    return this.block(0x0a0d0d0a, body);
  }

  /** tsresol: raw if_tsresol byte (6 = µs, 9 = ns, 0x80|n = 2^-n); omitted when undefined. */
  iface(linkType: number, opts: { snaplen?: number; tsresol?: number; tsoffset?: number } = {}): this {
    const options: Buffer[] = [];
    if (opts.tsresol !== undefined) {
      const o = Buffer.alloc(8);
      this.w16(o, 9, 0);
      this.w16(o, 1, 2);
      o[4] = opts.tsresol;
      options.push(o);
    }
    if (opts.tsoffset !== undefined) {
      const o = Buffer.alloc(12);
      this.w16(o, 14, 0);
      this.w16(o, 8, 2);
      if (this.be) { o.writeInt32BE(Math.floor(opts.tsoffset / 2 ** 32), 4); o.writeUInt32BE(opts.tsoffset >>> 0, 8); }
      else { o.writeUInt32LE(opts.tsoffset >>> 0, 4); o.writeInt32LE(Math.floor(opts.tsoffset / 2 ** 32), 8); }
      options.push(o);
    }
    if (options.length) options.push(Buffer.alloc(4)); // opt_endofopt
    const body = Buffer.alloc(8);
    this.w16(body, linkType, 0);
    this.w32(body, opts.snaplen ?? 262144, 4);
    return this.block(1, Buffer.concat([body, ...options]));
  }

  /** Enhanced Packet Block; ts in interface units as a (high, low) pair computed from a BigInt-free number. */
  epb(ifId: number, units: number, data: Buffer, origLen = data.length): this {
    const body = Buffer.alloc(20);
    this.w32(body, ifId, 0);
    this.w32(body, Math.floor(units / 2 ** 32), 4);
    this.w32(body, units % 2 ** 32, 8);
    this.w32(body, data.length, 12);
    this.w32(body, origLen, 16);
    return this.block(6, Buffer.concat([body, data]));
  }

  spb(data: Buffer, origLen = data.length): this {
    const body = Buffer.alloc(4);
    this.w32(body, origLen, 0);
    return this.block(3, Buffer.concat([body, data]));
  }

  /** Obsolete Packet Block (type 2). */
  pb(ifId: number, units: number, data: Buffer): this {
    const body = Buffer.alloc(20);
    this.w16(body, ifId, 0);
    this.w32(body, Math.floor(units / 2 ** 32), 4);
    this.w32(body, units % 2 ** 32, 8);
    this.w32(body, data.length, 12);
    this.w32(body, data.length, 16);
    return this.block(2, Buffer.concat([body, data]));
  }

  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A ByteSource over an in-memory buffer, cut into chunks of the given sizes (cycled). */
export function memorySource(bytes: Buffer, chunkSizes: number[] = [bytes.length || 1]) {
  return {
    path: 'memory',
    compressed: false,
    sizeOnDisk: bytes.length,
    rawBytesRead: () => 0,
    async *chunks() {
      let off = 0;
      let i = 0;
      while (off < bytes.length) {
        const n = Math.max(1, chunkSizes[i++ % chunkSizes.length]);
        // A fresh copy each time, then scribbled over after use, as a reused read buffer would be.
        const chunk = Buffer.from(bytes.subarray(off, off + n));
        yield chunk;
        chunk.fill(0xee);
        off += n;
      }
    },
  };
}
