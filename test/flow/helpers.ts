/**
 * Hand-filled PacketViews for flow tests: the flow table only reads the
 * decoded fields, so tests set them directly instead of building frames.
 */
import { Family, IpProto, PacketView, TcpFlag } from '../../src/decode/packet-view.js';
import type { FlowTable } from '../../src/flow/flow-table.js';

/** Address text -> family and four words (IPv4 in word 3). Accepts "::" and IPv4-mapped tails. */
export function parseIp(text: string): { family: number; words: Uint32Array } {
  const words = new Uint32Array(4);
  if (!text.includes(':')) {
    words[3] = parseV4(text);
    return { family: Family.V4, words };
  }
  let groups: number[] = [];
  let tail = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const extra: number[] = [];
  if (dotted) {
    const v = parseV4(dotted[1]);
    extra.push(v >>> 16, v & 0xffff);
    tail = text.slice(0, -dotted[1].length);
    if (tail.endsWith(':') && !tail.endsWith('::')) tail = tail.slice(0, -1);
  }
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  if (tail.includes('::')) {
    const [head, rest] = tail.split('::');
    const h = parse(head);
    const r = [...parse(rest), ...extra];
    groups = [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
  } else {
    groups = [...parse(tail), ...extra];
  }
  if (groups.length !== 8) throw new Error(`bad IPv6 text ${text}`);
  for (let i = 0; i < 4; i++) words[i] = ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0;
  return { family: Family.V6, words };
}

function parseV4(text: string): number {
  const p = text.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** "S", "SA", "A", "PA", "FA", "R", "RA", "SF"...: TCP flag letters. */
export function flags(letters: string): number {
  let f = 0;
  for (const ch of letters) {
    if (ch === 'S') f |= TcpFlag.SYN;
    else if (ch === 'A') f |= TcpFlag.ACK;
    else if (ch === 'F') f |= TcpFlag.FIN;
    else if (ch === 'R') f |= TcpFlag.RST;
    else if (ch === 'P') f |= TcpFlag.PSH;
    else throw new Error(`unknown flag ${ch}`);
  }
  return f;
}

export interface PacketSpec {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto?: number;
  /** TCP flag letters, see flags(). */
  tcp?: string;
  seq?: number;
  win?: number;
  /** Payload length. */
  len?: number;
  ts?: number;
  /** Wire length; default 54 + len. */
  wire?: number;
  frame?: number;
  /** Non-zero: a non-first fragment at this byte offset (no transport header). */
  fragOffset?: number;
  icmpType?: number;
  icmpCode?: number;
  /** ICMP error: the quoted datagram, from its sender's point of view. */
  inner?: { src: string; dst: string; sport: number; dport: number; proto: number };
}

let frameCounter = 0;

/** Fills `pkt` as the decoder would for this packet and returns it. */
export function fill(pkt: PacketView, p: PacketSpec): PacketView {
  pkt.resetLayers();
  const src = parseIp(p.src);
  const dst = parseIp(p.dst);
  pkt.family = src.family;
  pkt.src.set(src.words);
  pkt.dst.set(dst.words);
  pkt.proto = p.proto ?? IpProto.TCP;
  pkt.ts = p.ts ?? 0;
  pkt.frameNo = p.frame ?? ++frameCounter;
  const len = p.len ?? 0;
  pkt.wireLen = p.wire ?? 54 + len;
  pkt.srcPort = p.sport ?? 0;
  pkt.dstPort = p.dport ?? 0;
  if (p.fragOffset) {
    pkt.isFragment = true;
    pkt.fragOffset = p.fragOffset;
    pkt.l4Off = -1;
    return pkt;
  }
  pkt.l4Off = 34;
  pkt.payloadLen = len;
  pkt.payloadOff = 34 + 20;
  pkt.payloadEnd = pkt.payloadOff + len;
  pkt.tcpFlags = p.tcp === undefined ? 0 : flags(p.tcp);
  pkt.tcpSeq = (p.seq ?? 0) >>> 0;
  pkt.tcpWindow = p.win ?? 65535;
  if (p.icmpType !== undefined) {
    pkt.icmpType = p.icmpType;
    pkt.icmpCode = p.icmpCode ?? 0;
  }
  if (p.inner) {
    const is = parseIp(p.inner.src);
    pkt.icmpIsError = true;
    pkt.innerFamily = is.family;
    pkt.innerProto = p.inner.proto;
    pkt.innerSrc.set(is.words);
    pkt.innerDst.set(parseIp(p.inner.dst).words);
    pkt.innerSrcPort = p.inner.sport;
    pkt.innerDstPort = p.inner.dport;
  }
  return pkt;
}

/**
 * A TCP conversation between a client and a server that tracks sequence
 * numbers: c('S'), s('SA'), c('A'), c('PA', 100)... Each call adds one packet
 * to the table and returns the flow index.
 */
export class TcpConversation {
  readonly pkt = new PacketView();
  clientSeq = 1000;
  serverSeq = 5000;
  ts = 0;

  constructor(
    readonly table: FlowTable,
    readonly client = '10.0.0.1',
    readonly cport = 40000,
    readonly server = '10.0.0.2',
    readonly sport = 443,
  ) {}

  c(tcp: string, len = 0, opts: { seq?: number; win?: number; dt?: number } = {}): number {
    return this.send(true, tcp, len, opts);
  }

  s(tcp: string, len = 0, opts: { seq?: number; win?: number; dt?: number } = {}): number {
    return this.send(false, tcp, len, opts);
  }

  private send(fromClient: boolean, tcp: string, len: number, opts: { seq?: number; win?: number; dt?: number }): number {
    this.ts += opts.dt ?? 0.01;
    const seq = opts.seq ?? (fromClient ? this.clientSeq : this.serverSeq);
    const f = flags(tcp);
    let adv = len;
    if (f & TcpFlag.SYN) adv++;
    if (f & TcpFlag.FIN) adv++;
    if (f & TcpFlag.RST) adv = 0;
    if (opts.seq === undefined) {
      if (fromClient) this.clientSeq = (seq + adv) >>> 0;
      else this.serverSeq = (seq + adv) >>> 0;
    }
    fill(this.pkt, {
      src: fromClient ? this.client : this.server,
      dst: fromClient ? this.server : this.client,
      sport: fromClient ? this.cport : this.sport,
      dport: fromClient ? this.sport : this.cport,
      tcp,
      seq,
      len,
      win: opts.win,
      ts: this.ts,
    });
    return this.table.add(this.pkt);
  }
}
