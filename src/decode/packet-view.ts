/**
 * The one reused view of the packet being processed. The capture reader fills
 * the frame fields, the decoders fill the rest; nothing here is allocated per
 * packet. Anything kept beyond the current packet must be copied out, because
 * `buf` is the reader's chunk and is overwritten by the next read.
 *
 * Addresses are four 32-bit words in network order. IPv4 uses word 3 only
 * (words 0-2 are zero) and `family` tells the two apart.
 */
export const Family = { None: 0, V4: 4, V6: 6 } as const;

/** IP protocol numbers the decoder understands (IANA "Assigned Internet Protocol Numbers"). */
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

export class PacketView {
  // ---- frame (filled by the capture reader) ----
  /** The chunk holding the frame. Valid for this packet only. */
  buf: Buffer = Buffer.alloc(0);
  /** Offset of the first link-layer byte in `buf`. */
  frameStart = 0;
  /** Offset one past the last captured byte in `buf`. */
  frameEnd = 0;
  /** Length of the frame on the wire (pcap orig_len), which tshark's byte counts use. */
  wireLen = 0;
  /** Capture timestamp, epoch seconds (fractional). */
  ts = 0;
  /** LINKTYPE_* of the interface the frame came from. */
  linkType = 0;
  /** 1-based frame number across all inputs of the run, as tshark numbers them per file. */
  frameNo = 0;

  // ---- network layer ----
  family: number = Family.None;
  /** Source and destination addresses, 4 words each (see class comment). */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  /** Transport protocol number after IPv6 extension headers. */
  proto = 0;
  /** Offset of the IP header. */
  l3Off = 0;
  /** Offset one past the IP datagram's last captured byte (padding trimmed). */
  l3End = 0;
  /** True for any fragment (first or not). */
  isFragment = false;
  /** Fragment offset in bytes; a non-first fragment has no transport header. */
  fragOffset = 0;
  /** IPv4 identification (16 bits) or IPv6 fragment identification (32 bits). */
  fragId = 0;

  // ---- transport layer ----
  /** Offset of the transport header, or -1 when there is none in this packet. */
  l4Off = -1;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  /** Offset of the transport payload in `buf`. */
  payloadOff = 0;
  /** Offset one past the captured payload. */
  payloadEnd = 0;
  /** Payload length according to the headers (may exceed what was captured). */
  payloadLen = 0;

  // ---- ICMP ----
  icmpType = 0;
  icmpCode = 0;
  /** True when this ICMP message is an error quoting a datagram (unreachable, time exceeded...). */
  icmpIsError = false;
  /** The quoted datagram's header, from the original sender's point of view. */
  innerFamily: number = Family.None;
  innerProto = 0;
  readonly innerSrc = new Uint32Array(4);
  readonly innerDst = new Uint32Array(4);
  innerSrcPort = 0;
  innerDstPort = 0;

  /** Resets the decoded fields before the next packet. Frame fields are overwritten by the reader. */
  resetLayers(): void {
    this.family = Family.None;
    this.proto = 0;
    this.isFragment = false;
    this.fragOffset = 0;
    this.fragId = 0;
    this.l4Off = -1;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.payloadOff = 0;
    this.payloadEnd = 0;
    this.payloadLen = 0;
    this.icmpIsError = false;
    this.innerFamily = Family.None;
  }
}

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;
