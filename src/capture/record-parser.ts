import type { PacketView } from '../decode/packet-view.js';

/**
 * A capture format seen as a sequence of self-delimiting records. The framing
 * loop (reader.ts) asks for the length of the record at hand, makes sure the
 * whole record is in one buffer, and hands it over. Parsers keep their state
 * (byte order, interfaces) between records and never hold on to a buffer.
 */
export interface RecordParser {
  readonly format: 'pcap' | 'pcapng';
  /** Bytes needed before recordLength() can tell the length of the next record. */
  readonly headerBytes: number;
  /**
   * Length of the record at `off` (at least headerBytes are available), or -1
   * when the header is impossible; `error` then says why.
   */
  recordLength(buf: Buffer, off: number): number;
  /** Consumes one whole record; calls `onPacket` for each packet it holds. */
  record(buf: Buffer, off: number, end: number, pkt: PacketView): void;
  /** Why recordLength() returned -1. */
  error: string;
  /** Packets handed to the handler so far (not pcapng blocks that only take a frame number). */
  readonly packets: number;
  /** Link types declared so far (pcap header or pcapng IDBs). */
  readonly linkTypes: Set<number>;
}

/** Called once per packet with the shared view filled; must not keep `pkt.buf`. */
export type PacketHandler = (pkt: PacketView) => void;

/**
 * The largest record we agree to assemble. Wireshark refuses packets over
 * 262144 bytes (WTAP_MAX_PACKET_SIZE_STANDARD); pcapng blocks may carry large
 * options, so blocks get 16 MiB (Wireshark's MAX_BLOCK_SIZE is of that order).
 * Anything larger is corruption, never a reason to buffer more.
 */
export const MAX_PACKET_BYTES = 262_144;
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
