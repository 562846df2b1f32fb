/**
 * Classic libpcap files (draft-ietf-opsawg-pcap).
 *
 *   File header (24 bytes)                      Record header (16 bytes)
 *   +-------------------------------+          +-------------------------------+
 *   | magic 0xA1B2C3D4 / 0xA1B23C4D  |          | timestamp seconds             |
 *   | major(2) minor(2)              |          | timestamp usec or nsec        |
 *   | reserved1 (thiszone)           |          | captured length               |
 *   | reserved2 (sigfigs)            |          | original length               |
 *   | snaplen                        |          +-------------------------------+
 *   | FCS bits(4) ... linktype(16)   |          | packet data (captured length) |
 *   +-------------------------------+          +-------------------------------+
 *
 * Both byte orders, microsecond and nanosecond magic, and the Kuznetzov
 * "modified" format (magic 0xA1B2CD34, 8 extra bytes per record header).
 */
import { u32, u32le } from '../bytes.js';
import type { PacketView } from '../decode/packet-view.js';
import { MAX_PACKET_BYTES, type PacketHandler, type RecordParser } from './record-parser.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34; // Alexey Kuznetzov's patched libpcap
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const MODIFIED_RECORD_HEADER_BYTES = 24;

/** True when the first 4 bytes are a pcap magic number in either byte order. */
export function isPcapMagic(buf: Buffer, off: number): boolean {
  const be = buf.readUInt32BE(off);
  const le = buf.readUInt32LE(off);
  return (
    be === PCAP_MAGIC_USEC || be === PCAP_MAGIC_NSEC || be === PCAP_MAGIC_MODIFIED ||
    le === PCAP_MAGIC_USEC || le === PCAP_MAGIC_NSEC || le === PCAP_MAGIC_MODIFIED
  );
}

export class PcapParser implements RecordParser {
  readonly format = 'pcap' as const;
  headerBytes = FILE_HEADER_BYTES;
  error = '';
  packets = 0;
  readonly linkTypes = new Set<number>();
  private littleEndian = true;
  private fracPerSecond = 1e6;
  private linkType = 0;
  // The file's snaplen is not trusted for this: a corrupt header would let one record claim megabytes.
  private readonly maxCapLen = MAX_PACKET_BYTES;
  private recordHeaderBytes = RECORD_HEADER_BYTES;
  private sawFileHeader = false;

  constructor(private readonly onPacket: PacketHandler) {}

  recordLength(buf: Buffer, off: number): number {
    if (!this.sawFileHeader) return FILE_HEADER_BYTES;
    const capLen = this.littleEndian ? u32le(buf, off + 8) : u32(buf, off + 8);
    if (capLen > this.maxCapLen) {
      this.error = `record claims ${capLen} captured bytes, more than the maximum of ${this.maxCapLen}`;
      return -1;
    }
    return this.recordHeaderBytes + capLen;
  }

  record(buf: Buffer, off: number, end: number, pkt: PacketView): void {
    if (!this.sawFileHeader) {
      this.fileHeader(buf, off);
      return;
    }
    // Buffer#readUInt32LE validates its argument on every call; per record that shows in profiles.
    const le = this.littleEndian;
    const sec = le ? u32le(buf, off) : u32(buf, off);
    const frac = le ? u32le(buf, off + 4) : u32(buf, off + 4);
    const origLen = le ? u32le(buf, off + 12) : u32(buf, off + 12);
    pkt.buf = buf;
    pkt.frameStart = off + this.recordHeaderBytes;
    pkt.frameEnd = end;
    pkt.wireLen = origLen;
    pkt.ts = sec + frac / this.fracPerSecond;
    pkt.linkType = this.linkType;
    this.packets++;
    this.onPacket(pkt);
  }

  private fileHeader(buf: Buffer, off: number): void {
    const magicLe = buf.readUInt32LE(off);
    this.littleEndian = magicLe === PCAP_MAGIC_USEC || magicLe === PCAP_MAGIC_NSEC || magicLe === PCAP_MAGIC_MODIFIED;
    const magic = this.littleEndian ? magicLe : buf.readUInt32BE(off);
    this.fracPerSecond = magic === PCAP_MAGIC_NSEC ? 1e9 : 1e6;
    if (magic === PCAP_MAGIC_MODIFIED) this.recordHeaderBytes = MODIFIED_RECORD_HEADER_BYTES;
    const network = this.littleEndian ? buf.readUInt32LE(off + 20) : buf.readUInt32BE(off + 20);
    // The upper bits carry the FCS length (draft-ietf-opsawg-pcap §4); the link type is the low 16.
    this.linkType = network & 0xffff;
    this.linkTypes.add(this.linkType);
    this.headerBytes = this.recordHeaderBytes;
    this.sawFileHeader = true;
  }
}
