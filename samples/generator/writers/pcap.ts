/**
 * Classic libpcap files (draft-ietf-opsawg-pcap §4, §5), in either byte order
 * and with microsecond or nanosecond timestamps.
 *
 * File header (24 bytes):
 *   | magic (4) | major (2) = 2 | minor (2) = 4 | reserved1 (4) | reserved2 (4) | snaplen (4) | linktype (4) |
 * Record header (16 bytes):
 *   | ts seconds (4) | ts µs or ns (4) | captured length (4) | original length (4) | data |
 */
export const PCAP_MAGIC_US = 0xa1b2c3d4; // draft-ietf-opsawg-pcap §4
export const PCAP_MAGIC_NS = 0xa1b23c4d; // draft-ietf-opsawg-pcap §4
export const LINKTYPE_ETHERNET = 1; // tcpdump.org link-layer header types
export const DEFAULT_SNAPLEN = 262144; // tcpdump's default
export const PCAP_FILE_HEADER = 24;
export const PCAP_RECORD_HEADER = 16;

export interface PcapOptions {
  byteOrder?: 'le' | 'be';
  resolution?: 'us' | 'ns';
  linkType?: number;
  snaplen?: number;
}

/** One captured frame: absolute time as whole seconds plus nanoseconds. */
export interface CaptureRecord {
  sec: number;
  nsec: number;
  data: Buffer;
  iface: number;
}

export function pcapFileHeader(opts: PcapOptions = {}): Buffer {
  const le = (opts.byteOrder ?? 'le') === 'le';
  const h = Buffer.alloc(PCAP_FILE_HEADER);
  const w32 = (v: number, o: number) => (le ? h.writeUInt32LE(v >>> 0, o) : h.writeUInt32BE(v >>> 0, o));
  const w16 = (v: number, o: number) => (le ? h.writeUInt16LE(v, o) : h.writeUInt16BE(v, o));
  w32(opts.resolution === 'ns' ? PCAP_MAGIC_NS : PCAP_MAGIC_US, 0);
  w16(2, 4);
  w16(4, 6);
  w32(opts.snaplen ?? DEFAULT_SNAPLEN, 16);
  w32(opts.linkType ?? LINKTYPE_ETHERNET, 20);
  return h;
}

/** Writes a record header at `out[off]`; the frame data follows it. */
export function writePcapRecordHeader(out: Buffer, off: number, sec: number, frac: number, capLen: number, origLen: number, le: boolean): void {
  if (le) {
    out.writeUInt32LE(sec >>> 0, off);
    out.writeUInt32LE(frac >>> 0, off + 4);
    out.writeUInt32LE(capLen, off + 8);
    out.writeUInt32LE(origLen, off + 12);
  } else {
    out.writeUInt32BE(sec >>> 0, off);
    out.writeUInt32BE(frac >>> 0, off + 4);
    out.writeUInt32BE(capLen, off + 8);
    out.writeUInt32BE(origLen, off + 12);
  }
}

/** A whole pcap file in memory. Frames are written uncut (captured length = original length). */
export function writePcap(records: CaptureRecord[], opts: PcapOptions = {}): Buffer {
  const le = (opts.byteOrder ?? 'le') === 'le';
  const ns = opts.resolution === 'ns';
  let size = PCAP_FILE_HEADER;
  for (const r of records) size += PCAP_RECORD_HEADER + r.data.length;
  const out = Buffer.alloc(size);
  pcapFileHeader(opts).copy(out, 0);
  let off = PCAP_FILE_HEADER;
  for (const r of records) {
    const frac = ns ? r.nsec : Math.floor(r.nsec / 1000);
    writePcapRecordHeader(out, off, r.sec, frac, r.data.length, r.data.length, le);
    r.data.copy(out, off + PCAP_RECORD_HEADER);
    off += PCAP_RECORD_HEADER + r.data.length;
  }
  return out;
}
