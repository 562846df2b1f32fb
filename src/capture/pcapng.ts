/**
 * pcapng (draft-ietf-opsawg-pcapng). Every block has the same frame:
 *
 *    0                   1                   2                   3
 *   +---------------------------------------------------------------+
 *   |                          Block Type                           |
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *   /                          Block Body                           /
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *
 * A Section Header Block (type 0x0A0D0D0A, a palindrome) starts each section
 * and fixes its byte order through the byte-order magic 0x1A2B3C4D at body
 * offset 0. Interface Description Blocks declare, per section, each
 * interface's link type, snaplen, if_tsresol and if_tsoffset. Packets come in
 * Enhanced Packet Blocks, Simple Packet Blocks (interface 0, no timestamp) and
 * the obsolete Packet Block. Every other block is skipped by its length.
 */
import { A, type AnomalyCounters } from '../anomalies.js';
import { u32, u32le } from '../bytes.js';
import type { PacketView } from '../decode/packet-view.js';
import { MAX_BLOCK_BYTES, type PacketHandler, type RecordParser } from './record-parser.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002; // obsolete Packet Block
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const MIN_BLOCK_BYTES = 12;
// NRB, ISB, IRIG timestamp, ARINC 429, decryption secrets.
const KNOWN_NON_PACKET_BLOCKS = new Set([0x4, 0x5, 0x7, 0x8, 0xa]);
/**
 * Blocks without a packet that Wireshark (4.0) lists as frames of their own: systemd journal
 * export, custom (copyable and not), sysdig events (0x204, 0x216, 0x221). They take a frame number
 * (LINK_FRAME_ONLY), so that every later frame number, the report's evidence, is the one Wireshark shows.
 */
const NUMBERED_NON_PACKET_BLOCKS = new Set([0x9, 0xbad, 0x40000bad, 0x204, 0x216, 0x221]);

/**
 * Pseudo link types for packets that cannot be decoded because of their block,
 * so that they are still counted (under pcapng_unknown_interface or
 * pcapng_malformed_packet_block) instead of vanishing.
 */
export const LINK_UNKNOWN_INTERFACE = -1;
export const LINK_MALFORMED_BLOCK = -2;
/** Not a packet: a block that takes a frame number only (NUMBERED_NON_PACKET_BLOCKS); not counted in `packets`. */
export const LINK_FRAME_ONLY = -3;

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second, from if_tsresol (default 10^6). */
  unitsPerSecond: number;
  /** if_tsoffset: seconds to add to every timestamp. */
  offsetSeconds: number;
}

export function isPcapngMagic(buf: Buffer, off: number): boolean {
  return buf.readUInt32BE(off) === BLOCK_SHB;
}

export class PcapngParser implements RecordParser {
  readonly format = 'pcapng' as const;
  // Any block is at least 12 bytes; an SHB needs them to show its byte order.
  readonly headerBytes = MIN_BLOCK_BYTES;
  error = '';
  packets = 0;
  readonly linkTypes = new Set<number>();
  /** Anomaly counters of the input being read (set by the reader). */
  anomalies: AnomalyCounters | null = null;
  private littleEndian = true;
  private sawSection = false;
  private interfaces: Interface[] = [];
  /** Last timestamp seen, lent to Simple Packet Blocks, which have none. */
  private lastTs = 0;

  constructor(private readonly onPacket: PacketHandler) {}

  private u32(buf: Buffer, off: number): number {
    return this.littleEndian ? u32le(buf, off) : u32(buf, off);
  }

  private u16(buf: Buffer, off: number): number {
    return this.littleEndian ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
  }

  recordLength(buf: Buffer, off: number): number {
    const type = u32le(buf, off); // the SHB type reads the same in both orders
    if (type === BLOCK_SHB) {
      const bom = buf.readUInt32LE(off + 8);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (buf.readUInt32BE(off + 8) === BYTE_ORDER_MAGIC) this.littleEndian = false;
      else {
        this.error = `section header block with an unknown byte-order magic 0x${bom.toString(16)}`;
        return -1;
      }
    } else if (!this.sawSection) {
      this.error = 'block before the first section header block';
      return -1;
    }
    const total = this.u32(buf, off + 4);
    if (total < MIN_BLOCK_BYTES || total % 4 !== 0 || total > MAX_BLOCK_BYTES) {
      this.error = `block of type 0x${this.u32(buf, off).toString(16)} claims an impossible length of ${total} bytes`;
      return -1;
    }
    return total;
  }

  record(buf: Buffer, off: number, end: number, pkt: PacketView): void {
    const type = this.u32(buf, off);
    const bodyEnd = end - 4;
    switch (type) {
      case BLOCK_SHB:
        this.sawSection = true;
        this.interfaces = [];
        return;
      case BLOCK_IDB:
        this.interfaceBlock(buf, off + 8, bodyEnd);
        return;
      case BLOCK_EPB:
        this.enhancedPacket(buf, off + 8, bodyEnd, pkt);
        return;
      case BLOCK_SPB:
        this.simplePacket(buf, off + 8, bodyEnd, pkt);
        return;
      case BLOCK_PB:
        this.obsoletePacket(buf, off + 8, bodyEnd, pkt);
        return;
      default:
        // Name resolution, statistics, secrets, custom blocks... carry no packets.
        if (NUMBERED_NON_PACKET_BLOCKS.has(type)) this.emit(buf, off, 0, 0, LINK_FRAME_ONLY, this.lastTs, pkt);
        else if (!KNOWN_NON_PACKET_BLOCKS.has(type) && this.anomalies) this.anomalies[A.PcapngBlockSkipped]++;
    }
  }

  private interfaceBlock(buf: Buffer, body: number, bodyEnd: number): void {
    if (bodyEnd - body < 8) {
      // Without it later packets name an interface that does not exist, and are counted as such.
      if (this.anomalies) this.anomalies[A.PcapngBlockSkipped]++;
      return;
    }
    const iface: Interface = {
      linkType: this.u16(buf, body),
      snaplen: this.u32(buf, body + 4),
      unitsPerSecond: 1e6,
      offsetSeconds: 0,
    };
    // Options: code(2) length(2) value padded to 4 bytes; a broken option list ends the walk.
    let o = body + 8;
    while (bodyEnd - o >= 4) {
      const code = this.u16(buf, o);
      const len = this.u16(buf, o + 2);
      if (code === OPT_END || o + 4 + len > bodyEnd) break;
      if (code === OPT_IF_TSRESOL && len >= 1) {
        const r = buf[o + 4];
        // MSB clear: 10^-n seconds; MSB set: 2^-n seconds (pcapng §4.2).
        iface.unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === OPT_IF_TSOFFSET && len >= 8) {
        const hi = this.littleEndian ? buf.readInt32LE(o + 8) : buf.readInt32BE(o + 4);
        const lo = this.littleEndian ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 8);
        iface.offsetSeconds = hi * 4294967296 + lo;
      }
      o += 4 + ((len + 3) & ~3);
    }
    this.interfaces.push(iface);
    this.linkTypes.add(iface.linkType);
  }

  private enhancedPacket(buf: Buffer, body: number, bodyEnd: number, pkt: PacketView): void {
    const capLen = bodyEnd - body < 20 ? -1 : this.u32(buf, body + 12);
    if (capLen < 0 || capLen > bodyEnd - body - 20) return this.malformedPacket(buf, body, pkt);
    this.packet(buf, body + 20, capLen, this.u32(buf, body + 16), this.u32(buf, body),
      this.u32(buf, body + 4), this.u32(buf, body + 8), pkt);
  }

  private obsoletePacket(buf: Buffer, body: number, bodyEnd: number, pkt: PacketView): void {
    const capLen = bodyEnd - body < 20 ? -1 : this.u32(buf, body + 12);
    if (capLen < 0 || capLen > bodyEnd - body - 20) return this.malformedPacket(buf, body, pkt);
    this.packet(buf, body + 20, capLen, this.u32(buf, body + 16), this.u16(buf, body),
      this.u32(buf, body + 4), this.u32(buf, body + 8), pkt);
  }

  private simplePacket(buf: Buffer, body: number, bodyEnd: number, pkt: PacketView): void {
    if (bodyEnd - body < 4) return this.malformedPacket(buf, body, pkt);
    const origLen = this.u32(buf, body);
    const iface = this.interfaces[0];
    let capLen = Math.min(origLen, bodyEnd - body - 4);
    if (iface && iface.snaplen > 0) capLen = Math.min(capLen, iface.snaplen);
    if (this.anomalies) this.anomalies[A.PcapngSimplePacketNoTimestamp]++;
    this.emit(buf, body + 4, capLen, origLen, iface ? iface.linkType : LINK_UNKNOWN_INTERFACE, this.lastTs, pkt);
  }

  private packet(buf: Buffer, data: number, capLen: number, origLen: number, ifId: number,
    tsHigh: number, tsLow: number, pkt: PacketView): void {
    const iface = this.interfaces[ifId];
    if (iface === undefined) {
      this.emit(buf, data, capLen, origLen, LINK_UNKNOWN_INTERFACE, this.lastTs, pkt);
      return;
    }
    const ts = (tsHigh * 4294967296 + tsLow) / iface.unitsPerSecond + iface.offsetSeconds;
    this.lastTs = ts;
    this.emit(buf, data, capLen, origLen, iface.linkType, ts, pkt);
  }

  private emit(buf: Buffer, data: number, capLen: number, origLen: number, linkType: number,
    ts: number, pkt: PacketView): void {
    pkt.buf = buf;
    pkt.frameStart = data;
    pkt.frameEnd = data + capLen;
    pkt.wireLen = origLen;
    pkt.ts = ts;
    pkt.linkType = linkType;
    if (linkType !== LINK_FRAME_ONLY) this.packets++;
    this.onPacket(pkt);
  }

  /** A packet block whose own lengths disagree: framing is intact, the packet is counted, not decoded. */
  private malformedPacket(buf: Buffer, body: number, pkt: PacketView): void {
    this.emit(buf, body, 0, 0, LINK_MALFORMED_BLOCK, this.lastTs, pkt);
  }
}
