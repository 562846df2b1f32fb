/**
 * Streaming capture writer for the benchmark: frames are written straight into
 * one reused multi-MB chunk (pcap records or pcapng EPBs) and the chunk is
 * flushed to the file when full, so memory stays bounded whatever the size.
 *
 * Hot packets (RTP, TCP data and ACKs) are written field by field over a
 * per-flow header template, with checksums computed from precomputed partial
 * sums; rare packets (handshakes, scans, STUN, ICMP) come prebuilt from the
 * scenario packet builders and are just copied.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { fold, ipBytes, macBytes, sum16 } from '../bytes.js';
import { ETH_MIN_FRAME, EtherType } from '../packets.js';
import { PCAP_RECORD_HEADER, pcapFileHeader, writePcapRecordHeader } from '../writers/pcap.js';
import { EPB_OVERHEAD, pcapngHeader } from '../writers/pcapng.js';
import type { PayloadPool } from './pool.js';

const CHUNK_BYTES = 8 * 1024 * 1024;
const ETH_IPV4 = 14 + 20;
const TWO32 = 4294967296;

/** One direction of an IPv4 flow: Ethernet + IPv4 header template and the fixed parts of its checksums. */
export class DirTemplate {
  readonly hdr = Buffer.alloc(ETH_IPV4);
  /** IPv4 header words that never change (version..TOS, flags, TTL/protocol, addresses). */
  readonly ipFixedSum: number;
  /** Pseudo-header sum without the length: addresses + protocol (RFC 9293 §3.1, RFC 768). */
  readonly pseudoSum: number;
  ipId: number;

  constructor(srcMac: string, dstMac: string, src: string, dst: string, ttl: number, proto: number, ipId: number) {
    const h = this.hdr;
    macBytes(dstMac).copy(h, 0);
    macBytes(srcMac).copy(h, 6);
    h.writeUInt16BE(EtherType.IPv4, 12);
    h[14] = 0x45;
    h.writeUInt16BE(0x4000, 20); // DF
    h[22] = ttl;
    h[23] = proto;
    ipBytes(src).copy(h, 26);
    ipBytes(dst).copy(h, 30);
    this.ipFixedSum = sum16(h, 14, 34);
    this.pseudoSum = sum16(h, 26, 34) + proto;
    this.ipId = ipId & 0xffff;
  }
}

export class CaptureStream {
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private off = 0;
  private readonly fd: number;
  bytes = 0;
  packets = 0;
  /** Time of the packet being written: whole seconds and microseconds. */
  private sec = 0;
  private usec = 0;
  private slotStart = 0;
  private slotLen = 1;
  private spacing = 1;
  private inSlot = 0;

  constructor(path: string, readonly pcapng: boolean, private readonly baseSec: number) {
    this.fd = openSync(path, 'w');
    const header = pcapng
      ? pcapngHeader({ userAppl: 'flowaudit benchmark generator', interfaces: [{ name: 'edge', description: 'synthetic edge capture' }] })
      : pcapFileHeader();
    header.copy(this.chunk, 0);
    this.off = header.length;
  }

  /**
   * Starts a time slot of `slotLen` µs at `slotStart` µs after the base second.
   * Its packets get evenly spaced, strictly ordered timestamps, spaced for about
   * `expected` packets (and squeezed into the slot's last microsecond if more come).
   */
  startSlot(slotStart: number, slotLen: number, expected: number): void {
    this.slotStart = slotStart;
    this.slotLen = slotLen;
    this.spacing = Math.max(1, Math.floor(slotLen / Math.max(1, expected)));
    this.inSlot = 0;
  }

  /** Starts a frame of `len` bytes at the next timestamp; returns the offset of its first byte in the chunk. */
  private begin(len: number): number {
    if (this.off + len + EPB_OVERHEAD + 4 > CHUNK_BYTES) this.flush();
    const rel = this.slotStart + Math.min(this.inSlot++ * this.spacing, this.slotLen - 1);
    this.sec = this.baseSec + Math.floor(rel / 1e6);
    this.usec = rel % 1e6;
    const o = this.off;
    const c = this.chunk;
    if (this.pcapng) {
      const padded = (len + 3) & ~3;
      const total = EPB_OVERHEAD + padded;
      const units = this.sec * 1e6 + this.usec; // µs resolution (default if_tsresol)
      const hi = Math.floor(units / TWO32);
      c.writeUInt32LE(6, o); // EPB
      c.writeUInt32LE(total, o + 4);
      c.writeUInt32LE(0, o + 8);
      c.writeUInt32LE(hi, o + 12);
      c.writeUInt32LE(units - hi * TWO32, o + 16);
      c.writeUInt32LE(len, o + 20);
      c.writeUInt32LE(len, o + 24);
      c.fill(0, o + 28 + len, o + 28 + padded);
      c.writeUInt32LE(total, o + 28 + padded);
      this.off += total;
      this.bytes += total;
      this.packets++;
      return o + 28;
    }
    writePcapRecordHeader(c, o, this.sec, this.usec, len, len, true);
    this.off += PCAP_RECORD_HEADER + len;
    this.bytes += PCAP_RECORD_HEADER + len;
    this.packets++;
    return o + PCAP_RECORD_HEADER;
  }

  /** Copies a prebuilt frame. */
  frame(data: Buffer): void {
    const o = this.begin(data.length);
    data.copy(this.chunk, o);
  }

  /**
   * A UDP datagram: `head` bytes (e.g. an RTP header) followed by `len` bytes
   * from the pool at `poolStart`.
   */
  udp(t: DirTemplate, sport: number, dport: number, head: Buffer, headLen: number, pool: PayloadPool, poolStart: number, len: number): void {
    const udpLen = 8 + headLen + len;
    const frameLen = Math.max(ETH_IPV4 + udpLen, ETH_MIN_FRAME);
    const o = this.begin(frameLen);
    const c = this.chunk;
    this.ipHeader(o, t, 20 + udpLen, frameLen);
    const u = o + ETH_IPV4;
    c.writeUInt16BE(sport, u);
    c.writeUInt16BE(dport, u + 2);
    c.writeUInt16BE(udpLen, u + 4);
    head.copy(c, u + 8, 0, headLen);
    pool.bytes.copy(c, u + 8 + headLen, poolStart, poolStart + len);
    let s = t.pseudoSum + udpLen + sport + dport + udpLen + sum16(head, 0, headLen);
    s += pool.sum(poolStart, len); // headLen is even, so the pool bytes start on a word boundary
    const ck = fold(s);
    c.writeUInt16BE(ck === 0 ? 0xffff : ck, u + 6);
  }

  /**
   * A TCP segment: optional options (padded to 4 bytes), then `head` bytes and
   * `poolLen` pool bytes from `poolStart` (head must be even-sized when pool bytes follow).
   */
  tcp(t: DirTemplate, sport: number, dport: number, seq: number, ack: number, flags: number, window: number,
    options: Buffer | null, head: Buffer | null, pool: PayloadPool | null, poolStart: number, poolLen: number): void {
    const optLen = options ? options.length : 0;
    const headLen = head ? head.length : 0;
    const hdrLen = 20 + optLen;
    const tcpLen = hdrLen + headLen + poolLen;
    const frameLen = Math.max(ETH_IPV4 + tcpLen, ETH_MIN_FRAME);
    const o = this.begin(frameLen);
    const c = this.chunk;
    this.ipHeader(o, t, 20 + tcpLen, frameLen);
    const p = o + ETH_IPV4;
    const offFlags = ((hdrLen / 4) << 12) | flags;
    c.writeUInt16BE(sport, p);
    c.writeUInt16BE(dport, p + 2);
    c.writeUInt32BE(seq >>> 0, p + 4);
    c.writeUInt32BE(ack >>> 0, p + 8);
    c.writeUInt16BE(offFlags, p + 12);
    c.writeUInt16BE(window, p + 14);
    c.writeUInt32BE(0, p + 16); // checksum, urgent pointer
    let s = t.pseudoSum + tcpLen + sport + dport + (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + offFlags + window;
    if (options) {
      options.copy(c, p + 20);
      s += sum16(options, 0, optLen);
    }
    if (head) {
      head.copy(c, p + hdrLen);
      s += sum16(head, 0, headLen);
    }
    if (pool && poolLen > 0) {
      pool.bytes.copy(c, p + hdrLen + headLen, poolStart, poolStart + poolLen);
      s += pool.sum(poolStart, poolLen);
    }
    c.writeUInt16BE(fold(s), p + 16);
  }

  private ipHeader(o: number, t: DirTemplate, ipLen: number, frameLen: number): void {
    const c = this.chunk;
    t.hdr.copy(c, o);
    c.writeUInt16BE(ipLen, o + 16);
    c.writeUInt16BE(t.ipId, o + 18);
    c.writeUInt16BE(fold(t.ipFixedSum + ipLen + t.ipId), o + 24);
    t.ipId = (t.ipId + 1) & 0xffff;
    if (frameLen > 14 + ipLen) c.fill(0, o + 14 + ipLen, o + frameLen); // Ethernet padding
  }

  flush(): void {
    if (this.off > 0) writeSync(this.fd, this.chunk, 0, this.off);
    this.off = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

