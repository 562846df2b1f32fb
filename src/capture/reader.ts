/**
 * The framing loop: turns a byte source into records for a RecordParser,
 * without copying except for a record that straddles two chunks, of which
 * only that record's bytes are copied into a carry buffer. A length beyond
 * the parser's sanity limit stops the input as corrupt; a source that ends
 * inside a record stops it as truncated. Either way, every packet before
 * the damage has been delivered.
 */
import type { AnomalyCounters } from '../anomalies.js';
import type { PacketView } from '../decode/packet-view.js';
import { CaptureFormatError, type StopReason } from './errors.js';
import { isPcapMagic, PcapParser } from './pcap.js';
import { isPcapngMagic, PcapngParser } from './pcapng.js';
import type { PacketHandler, RecordParser } from './record-parser.js';
import type { ByteSource } from './source.js';

export interface ReadResult {
  format: 'pcap' | 'pcapng';
  linkTypes: number[];
  /** Decompressed bytes consumed. */
  bytesRead: number;
  /** Set when reading ended before the end of the source. */
  stopped: StopReason | undefined;
}

export interface ReadOptions {
  /** Counters of this input, for the anomalies a parser notices. */
  anomalies: AnomalyCounters;
  /** Returns true to stop reading early (used to peek at the first packet). */
  shouldStop?: () => boolean;
  /** Called after each chunk of the source (about every 128 KiB), never per packet: progress reporting. */
  onChunk?: () => void;
}

const MAGIC_BYTES = 4;

export async function readCapture(source: ByteSource, pkt: PacketView, onPacket: PacketHandler,
  options: ReadOptions): Promise<ReadResult> {
  let parser: RecordParser | undefined;
  let carry = Buffer.alloc(0);
  let carryLen = 0;
  /** Stream offset of the first byte of the current chunk. */
  let chunkPos = 0;
  let stopped: StopReason | undefined;
  const stop = (kind: StopReason['kind'], atByte: number, message: string) => {
    stopped = { kind, atByte, afterPackets: parser?.packets ?? 0, message };
  };

  const ensureCarry = (size: number) => {
    if (carry.length >= size) return;
    const bigger = Buffer.allocUnsafe(Math.max(size, carry.length * 2, 65536));
    carry.copy(bigger, 0, 0, carryLen);
    carry = bigger;
  };

  try {
    for await (const chunk of source.chunks()) {
      let off = 0;
      const end = chunk.length;

      if (parser === undefined) {
        // Detect the format from the first 4 bytes, which may arrive in pieces.
        const take = Math.min(MAGIC_BYTES - carryLen, end);
        ensureCarry(MAGIC_BYTES);
        chunk.copy(carry, carryLen, 0, take);
        carryLen += take;
        off = take;
        if (carryLen < MAGIC_BYTES) { chunkPos += end; continue; }
        parser = detect(source.path, carry, onPacket, options.anomalies);
      }

      // Finish the record that straddles the previous chunk, copying only its bytes.
      while (carryLen > 0) {
        const need = carryLen < parser.headerBytes ? parser.headerBytes : parser.recordLength(carry, 0);
        if (need < 0) { stop('corrupt', chunkPos - carryLen + off, parser.error); break; }
        if (carryLen >= need) {
          parser.record(carry, 0, carryLen, pkt);
          carryLen = 0;
        } else if (off < end) {
          ensureCarry(need);
          const take = Math.min(need - carryLen, end - off);
          chunk.copy(carry, carryLen, off, off + take);
          carryLen += take;
          off += take;
        } else {
          break;
        }
      }
      if (stopped || options.shouldStop?.()) break;

      // Whole records inside the chunk: no copy at all.
      while (end - off >= parser.headerBytes) {
        const len = parser.recordLength(chunk, off);
        if (len < 0) { stop('corrupt', chunkPos + off, parser.error); break; }
        if (end - off < len) break;
        parser.record(chunk, off, off + len, pkt);
        off += len;
        if (options.shouldStop?.()) break;
      }
      if (stopped || options.shouldStop?.()) break;

      // Keep the tail (part of one record) for the next chunk.
      if (off < end) {
        ensureCarry(end - off);
        chunk.copy(carry, 0, off, end);
        carryLen = end - off;
      }
      chunkPos += end;
      options.onChunk?.();
    }
  } catch (err) {
    // A gzip stream that is cut short or damaged ends the input like a cut file.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      stop(code === 'Z_DATA_ERROR' ? 'corrupt' : 'truncated', chunkPos, `compressed stream ${code === 'Z_DATA_ERROR' ? 'is damaged' : 'ends early'} (${(err as Error).message})`);
    } else {
      throw err;
    }
  }

  if (parser === undefined) {
    if (stopped !== undefined) throw new CaptureFormatError(source.path, `${stopped.message}, before any capture data`);
    throw new CaptureFormatError(source.path, carryLen === 0 ? 'empty input, not a capture' : 'too short to be a capture');
  }
  if (!stopped && carryLen > 0 && !options.shouldStop?.()) {
    const expected = carryLen < parser.headerBytes ? parser.headerBytes : parser.recordLength(carry, 0);
    const what = carryLen < parser.headerBytes ? 'a record header' : 'a record';
    stop('truncated', chunkPos - carryLen,
      `the capture ends inside ${what} (${carryLen} of ${expected > 0 ? expected : '?'} bytes present)`);
  }
  return {
    format: parser.format,
    linkTypes: [...parser.linkTypes].sort((a, b) => a - b),
    bytesRead: stopped ? stopped.atByte : chunkPos,
    stopped,
  };
}

function detect(path: string, head: Buffer, onPacket: PacketHandler, anomalies: AnomalyCounters): RecordParser {
  if (isPcapMagic(head, 0)) return new PcapParser(onPacket);
  if (isPcapngMagic(head, 0)) {
    const parser = new PcapngParser(onPacket);
    parser.anomalies = anomalies;
    return parser;
  }
  throw new CaptureFormatError(path,
    `not a pcap or pcapng capture (starts with ${head.subarray(0, MAGIC_BYTES).toString('hex')})`);
}
