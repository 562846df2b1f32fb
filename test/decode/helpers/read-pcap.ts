/**
 * A tiny classic-pcap reader for decoder tests: the whole file in memory, one
 * PacketView per record. The streaming reader lives in src/capture/; this one
 * exists so decoder tests do not depend on it.
 */
import { readFileSync } from 'node:fs';
import { PacketView } from '../../../src/decode/packet-view.js';

export interface PcapRecord {
  /** Offset of the packet bytes in the file buffer. */
  readonly off: number;
  readonly capLen: number;
  readonly wireLen: number;
  readonly ts: number;
}

export interface PcapFile {
  readonly buf: Buffer;
  readonly linkType: number;
  readonly records: readonly PcapRecord[];
}

const MAGIC_USEC = 0xa1b2c3d4; // pcap file format: microsecond timestamps
const MAGIC_NSEC = 0xa1b23c4d; // pcap file format: nanosecond timestamps
const GLOBAL_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

export function readPcap(path: string): PcapFile {
  const buf = readFileSync(path);
  let le: boolean;
  let nsec: boolean;
  const magicLe = buf.readUInt32LE(0);
  const magicBe = buf.readUInt32BE(0);
  if (magicLe === MAGIC_USEC || magicLe === MAGIC_NSEC) {
    le = true;
    nsec = magicLe === MAGIC_NSEC;
  } else if (magicBe === MAGIC_USEC || magicBe === MAGIC_NSEC) {
    le = false;
    nsec = magicBe === MAGIC_NSEC;
  } else {
    throw new Error(`${path}: not a classic pcap file`);
  }
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff; // upper bits: FCS info (pcap file format §4)
  const records: PcapRecord[] = [];
  let o = GLOBAL_HEADER_LEN;
  while (o + RECORD_HEADER_LEN <= buf.length) {
    const capLen = u32(o + 8);
    if (o + RECORD_HEADER_LEN + capLen > buf.length) break; // cut short: stop, as readers do
    records.push({
      off: o + RECORD_HEADER_LEN,
      capLen,
      wireLen: u32(o + 12),
      ts: u32(o) + u32(o + 4) / (nsec ? 1e9 : 1e6),
    });
    o += RECORD_HEADER_LEN + capLen;
  }
  return { buf, linkType, records };
}

/** Points `pkt` (the reused view) at record `i` of `file`, as the real reader would. */
export function loadRecord(pkt: PacketView, file: PcapFile, i: number): PacketView {
  const r = file.records[i];
  pkt.buf = file.buf;
  pkt.frameStart = r.off;
  pkt.frameEnd = r.off + r.capLen;
  pkt.wireLen = r.wireLen;
  pkt.ts = r.ts;
  pkt.linkType = file.linkType;
  pkt.frameNo = i + 1;
  return pkt;
}
