/**
 * The in-memory capture a scenario builds: frames with timestamps and the
 * metadata the truth file is computed from (which flow, which direction, TCP
 * flags, payload length). Scenario code describes flows; this module turns
 * them into frames.
 *
 * Time is kept as integer microseconds after the scenario's base second, so
 * that pcap (µs) and pcapng (µs and ns interfaces) carry the same instants and
 * share one truth file.
 */
import { fold, isV6, sum16 } from './bytes.js';
import type { PayloadNote } from './inspection.js';
import { EtherType, IpProto, ethernet, icmp4Error, icmp6Error, ipPacket, type L2 } from './packets.js';

export type Transport = 'tcp' | 'udp';
/** What the scenario means a flow to be (not a catalog verdict). */
export type Intent = 'documented' | 'misdirected' | 'undocumented';

/** A host as seen from the capture point. */
export interface Host {
  ip: string;
  /** Source MAC of its frames on the captured segment (a router's MAC for remote hosts). */
  mac: string;
  /** TTL / hop limit its packets carry when they reach the capture point. */
  ttl: number;
}

/** What the payload of a flow is, for the truth file. */
export interface AppInfo {
  protocol: string;
  sni?: string;
  alpn?: string[];
  tlsVersion?: string;
  stunDialect?: 'rfc5389' | 'ms-turn';
  rtpPayloadType?: number;
  rtpSsrc?: { fromClient?: number; fromServer?: number };
}

export interface FlowSpec {
  label: string;
  intent: Intent;
  transport: Transport;
  client: Host;
  cport: number;
  server: Host;
  sport: number;
  /** Capture interface (pcapng interface id). */
  iface: number;
  vlan?: number;
  app?: AppInfo;
  /** One line on what the flow is meant to show. */
  note?: string;
}

export interface Flow extends FlowSpec {
  readonly id: number;
}

export interface Frame {
  /** Microseconds after the trace's base second. */
  t: number;
  iface: number;
  data: Buffer;
  /** Offset of the IP header in `data`. */
  ipOff: number;
  flow?: Flow;
  fromClient?: boolean;
  tcpFlags?: number;
  tcpSeq?: number;
  /** Transport payload length per the headers (padding excluded). */
  payloadLen: number;
  /** For ICMP errors: the frame quoted, and the ICMP type and code. */
  icmp?: { quoted: Frame; type: number; code: number; from: Host; to: Host };
  /** Position in emission order; breaks timestamp ties deterministically. */
  order: number;
  /** What the payload carries, for the inspection truth (inspection.ts); never written to the capture. */
  notes?: PayloadNote[];
}

export interface InterfaceSpec {
  name: string;
  description: string;
  /** pcapng if_tsresol exponent of ten (6 = µs, 9 = ns). */
  tsresolDigits: number;
}

export class Trace {
  readonly frames: Frame[] = [];
  readonly flows: Flow[] = [];
  private finalized = false;

  constructor(
    readonly name: string,
    /** Epoch second the scenario starts at. */
    readonly baseSec: number,
    readonly interfaces: InterfaceSpec[],
  ) {}

  flow(spec: FlowSpec): Flow {
    const f: Flow = { ...spec, id: this.flows.length };
    this.flows.push(f);
    return f;
  }

  /** Emits an IP packet of `flow` in one direction at time t; the IP ID is assigned in finalize(). */
  emit(flow: Flow, fromClient: boolean, t: number, proto: number, l4: Buffer, payloadLen: number, tcp?: { flags: number; seq: number }): Frame {
    const from = fromClient ? flow.client : flow.server;
    const to = fromClient ? flow.server : flow.client;
    const ip = ipPacket({ src: from.ip, dst: to.ip, ttl: from.ttl }, proto, l4);
    const etherType = isV6(from.ip) ? EtherType.IPv6 : EtherType.IPv4;
    const frame = this.push(flow.iface, t, { src: from.mac, dst: to.mac, vlan: flow.vlan }, etherType, ip);
    frame.flow = flow;
    frame.fromClient = fromClient;
    frame.payloadLen = payloadLen;
    if (tcp) {
      frame.tcpFlags = tcp.flags;
      frame.tcpSeq = tcp.seq;
    }
    return frame;
  }

  /**
   * Schedules an ICMP/ICMPv6 error from `from` to the sender of `quoted`, at time t.
   * The message is built in finalize(), once the quoted packet's IP ID is known.
   */
  icmpError(from: Host, quoted: Frame, t: number, type: number, code: number): Frame {
    const flow = quoted.flow!;
    const to = quoted.fromClient ? flow.client : flow.server;
    const v6 = isV6(to.ip);
    const frame = this.push(flow.iface, t, { src: from.mac, dst: to.mac, vlan: flow.vlan }, v6 ? EtherType.IPv6 : EtherType.IPv4, Buffer.alloc(0));
    frame.icmp = { quoted, type, code, from, to };
    return frame;
  }

  /**
   * Sorts frames by time, assigns each host's IPv4 identification in capture
   * order (a per-host counter, as Windows and older Linux do), and builds ICMP
   * errors from the finished packets they quote.
   */
  finalize(): Frame[] {
    if (this.finalized) return this.frames;
    this.finalized = true;
    this.frames.sort((a, b) => a.t - b.t || a.order - b.order);
    const ipIds = new Map<string, number>();
    for (const f of this.frames) {
      if (f.icmp) this.buildIcmp(f);
      if (f.data[f.ipOff] >> 4 !== 4) continue;
      const src = `${f.data[f.ipOff + 12]}.${f.data[f.ipOff + 13]}.${f.data[f.ipOff + 14]}.${f.data[f.ipOff + 15]}`;
      const id = ipIds.get(src) ?? initialIpId(src);
      ipIds.set(src, (id + 1) & 0xffff);
      f.data.writeUInt16BE(id, f.ipOff + 4);
      f.data.writeUInt16BE(0, f.ipOff + 10);
      f.data.writeUInt16BE(fold(sum16(f.data, f.ipOff, f.ipOff + 20)), f.ipOff + 10);
    }
    return this.frames;
  }

  private buildIcmp(f: Frame): void {
    const { quoted, type, code, from, to } = f.icmp!;
    const ipLen = quotedIpLength(quoted);
    const orig = quoted.data.subarray(quoted.ipOff, quoted.ipOff + ipLen);
    const v6 = isV6(to.ip);
    const msg = v6 ? icmp6Error(from.ip, to.ip, type, code, orig) : icmp4Error(type, code, orig);
    const ip = ipPacket({ src: from.ip, dst: to.ip, ttl: from.ttl, df: false }, v6 ? IpProto.ICMPv6 : IpProto.ICMP, msg);
    const vlan = quoted.flow!.vlan;
    const l2: L2 = { src: from.mac, dst: to.mac, vlan };
    f.data = ethernet(l2, v6 ? EtherType.IPv6 : EtherType.IPv4, ip);
    f.payloadLen = msg.length;
  }

  private push(iface: number, t: number, l2: L2, etherType: number, ip: Buffer): Frame {
    if (this.finalized) throw new Error('trace already finalized');
    if (!Number.isInteger(t) || t < 0) throw new Error(`bad timestamp ${t}`);
    const data = ethernet(l2, etherType, ip);
    const frame: Frame = { t, iface, data, ipOff: l2.vlan === undefined ? 14 : 18, payloadLen: 0, order: this.frames.length };
    this.frames.push(frame);
    return frame;
  }
}

/** Length of the IP datagram in a frame (excluding Ethernet padding). */
function quotedIpLength(f: Frame): number {
  const o = f.ipOff;
  return f.data[o] >> 4 === 4 ? f.data.readUInt16BE(o + 2) : 40 + f.data.readUInt16BE(o + 4);
}

/** A stable, address-derived starting IP ID, so hosts do not all count from zero. */
function initialIpId(ip: string): number {
  let h = 0;
  for (let i = 0; i < ip.length; i++) h = (Math.imul(h, 31) + ip.charCodeAt(i)) >>> 0;
  return h & 0xffff;
}
