/**
 * Packet builders: Ethernet (optional 802.1Q tag), IPv4, IPv6, TCP, UDP and
 * ICMP/ICMPv6 errors, each with correct lengths and checksums. They allocate
 * freely: the scenario generator builds a few thousand packets; the benchmark
 * generator (bench/) patches templates instead.
 */
import { fold, ipBytes, isV6, macBytes, sum16 } from './bytes.js';

export const EtherType = { IPv4: 0x0800, IPv6: 0x86dd, Vlan: 0x8100 } as const; // IEEE 802 numbers (IANA ieee-802-numbers)
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58 } as const; // IANA protocol numbers
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const; // RFC 9293 §3.1

export const ETH_MIN_FRAME = 60; // IEEE 802.3 minimum frame (64) less the 4-byte FCS, which captures omit
const ETH_HEADER = 14; // dst(6) src(6) type(2)
const VLAN_TAG = 4; // IEEE 802.1Q: TPID(2) TCI(2)
const IPV4_HEADER = 20; // RFC 791, no options
const IPV6_HEADER = 40; // RFC 8200 §3
const TCP_HEADER = 20; // RFC 9293 §3.1, no options
const UDP_HEADER = 8; // RFC 768

export interface L2 {
  src: string;
  dst: string;
  /** 802.1Q VLAN id; absent for an untagged frame. */
  vlan?: number;
}

/**
 * Ethernet II frame, padded with zeros to the 60-byte minimum the way a capture
 * taken on a switch port shows short frames (the analyser must trim it using the
 * IP length).
 *
 *   | dst MAC (6) | src MAC (6) | [0x8100 | PCP/DEI/VID (2)] | EtherType (2) | payload |
 */
export function ethernet(l2: L2, etherType: number, payload: Buffer): Buffer {
  const tag = l2.vlan === undefined ? 0 : VLAN_TAG;
  const len = Math.max(ETH_HEADER + tag + payload.length, ETH_MIN_FRAME);
  const f = Buffer.alloc(len);
  macBytes(l2.dst).copy(f, 0);
  macBytes(l2.src).copy(f, 6);
  let o = 12;
  if (l2.vlan !== undefined) {
    f.writeUInt16BE(EtherType.Vlan, o);
    f.writeUInt16BE(l2.vlan & 0x0fff, o + 2); // PCP 0, DEI 0
    o += VLAN_TAG;
  }
  f.writeUInt16BE(etherType, o);
  payload.copy(f, o + 2);
  return f;
}

export interface Ip {
  src: string;
  dst: string;
  ttl: number;
  /** IPv4 identification; ignored for IPv6. */
  id?: number;
  /** IPv4 Don't Fragment; default true (what Windows and Linux set on TCP and most UDP). */
  df?: boolean;
  /** DSCP/ECN byte (IPv4 TOS, IPv6 traffic class). */
  tos?: number;
}

/** IPv4 or IPv6 packet, by the family of the addresses. */
export function ipPacket(ip: Ip, proto: number, payload: Buffer): Buffer {
  return isV6(ip.src) ? ipv6(ip, proto, payload) : ipv4(ip, proto, payload);
}

/**
 * RFC 791 §3.1
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export function ipv4(ip: Ip, proto: number, payload: Buffer): Buffer {
  const p = Buffer.alloc(IPV4_HEADER + payload.length);
  p[0] = 0x45; // version 4, IHL 5 words
  p[1] = ip.tos ?? 0;
  p.writeUInt16BE(p.length, 2);
  p.writeUInt16BE((ip.id ?? 0) & 0xffff, 4);
  p.writeUInt16BE(ip.df === false ? 0 : 0x4000, 6); // DF bit, offset 0
  p[8] = ip.ttl;
  p[9] = proto;
  ipBytes(ip.src).copy(p, 12);
  ipBytes(ip.dst).copy(p, 16);
  p.writeUInt16BE(fold(sum16(p, 0, IPV4_HEADER)), 10);
  payload.copy(p, IPV4_HEADER);
  return p;
}

/**
 * RFC 8200 §3
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version| Traffic Class |           Flow Label                  |
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   |                 Source Address (128 bits)                     |
 *   |              Destination Address (128 bits)                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export function ipv6(ip: Ip, proto: number, payload: Buffer): Buffer {
  const p = Buffer.alloc(IPV6_HEADER + payload.length);
  p.writeUInt32BE(((6 << 28) | ((ip.tos ?? 0) << 20)) >>> 0, 0); // flow label 0
  p.writeUInt16BE(payload.length, 4);
  p[6] = proto;
  p[7] = ip.ttl;
  ipBytes(ip.src).copy(p, 8);
  ipBytes(ip.dst).copy(p, 24);
  payload.copy(p, IPV6_HEADER);
  return p;
}

/** Sum of the pseudo-header for TCP/UDP/ICMPv6 checksums (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1). */
export function pseudoHeaderSum(src: string, dst: string, proto: number, length: number): number {
  const s = ipBytes(src);
  const d = ipBytes(dst);
  let acc = sum16(s, 0, s.length) + sum16(d, 0, d.length);
  acc += proto;
  acc += isV6(src) ? (length >>> 16) + (length & 0xffff) : length;
  return acc;
}

export interface Tcp {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** Already padded to a multiple of 4 bytes. */
  options?: Buffer;
}

/**
 * RFC 9293 §3.1
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |           Checksum            |         Urgent Pointer        |
 *   |                    Options                    |    Padding    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
export function tcpSegment(src: string, dst: string, t: Tcp, payload: Buffer): Buffer {
  const opts = t.options ?? Buffer.alloc(0);
  if (opts.length % 4 !== 0) throw new Error('TCP options must be padded to 4 bytes');
  const hlen = TCP_HEADER + opts.length;
  const s = Buffer.alloc(hlen + payload.length);
  s.writeUInt16BE(t.sport, 0);
  s.writeUInt16BE(t.dport, 2);
  s.writeUInt32BE(t.seq >>> 0, 4);
  s.writeUInt32BE(t.ack >>> 0, 8);
  s[12] = (hlen / 4) << 4;
  s[13] = t.flags;
  s.writeUInt16BE(t.window, 14);
  opts.copy(s, TCP_HEADER);
  payload.copy(s, hlen);
  const acc = pseudoHeaderSum(src, dst, IpProto.TCP, s.length);
  s.writeUInt16BE(fold(sum16(s, 0, s.length, acc)), 16);
  return s;
}

export const TcpOption = { EOL: 0, NOP: 1, MSS: 2, WindowScale: 3, SackPermitted: 4 } as const; // RFC 9293 §3.2, RFC 7323, RFC 2018

/** SYN options in the order Windows sends them: MSS, NOP, WS, NOP, NOP, SACK-permitted (12 bytes). */
export function synOptions(mss: number, windowScale: number): Buffer {
  return Buffer.from([
    TcpOption.MSS, 4, mss >> 8, mss & 0xff,
    TcpOption.NOP, TcpOption.WindowScale, 3, windowScale,
    TcpOption.NOP, TcpOption.NOP, TcpOption.SackPermitted, 2,
  ]);
}

/**
 * RFC 768
 *
 *   |     Source Port     |   Destination Port  |
 *   |       Length        |       Checksum      |
 */
export function udpDatagram(src: string, dst: string, sport: number, dport: number, payload: Buffer): Buffer {
  const d = Buffer.alloc(UDP_HEADER + payload.length);
  d.writeUInt16BE(sport, 0);
  d.writeUInt16BE(dport, 2);
  d.writeUInt16BE(d.length, 4);
  payload.copy(d, UDP_HEADER);
  const acc = pseudoHeaderSum(src, dst, IpProto.UDP, d.length);
  const c = fold(sum16(d, 0, d.length, acc));
  d.writeUInt16BE(c === 0 ? 0xffff : c, 6); // RFC 768: a computed zero is sent as all ones
  return d;
}

export const Icmp4 = { DestUnreachable: 3 } as const; // RFC 792
export const Icmp4Unreach = { Port: 3, AdminProhibited: 13 } as const; // RFC 792; RFC 1812 §5.2.7.1
export const Icmp6 = { DestUnreachable: 1 } as const; // RFC 4443 §3.1
export const Icmp6Unreach = { AdminProhibited: 1, Port: 4 } as const; // RFC 4443 §3.1

export const ICMP4_QUOTE_MAX = 548; // RFC 1812 §4.3.2.3: as much as fits in 576 bytes
export const ICMP6_QUOTE_MAX = 1232; // RFC 4443 §3.1: without exceeding the 1280-byte minimum MTU

/**
 * ICMP destination unreachable quoting (a prefix of) the offending IP datagram (RFC 792).
 *
 *   | Type | Code | Checksum | unused (4) | IP header + leading bytes of the original datagram |
 */
export function icmp4Error(type: number, code: number, quotedIp: Buffer, quoteMax = ICMP4_QUOTE_MAX): Buffer {
  const q = quotedIp.subarray(0, Math.min(quotedIp.length, quoteMax));
  const m = Buffer.alloc(8 + q.length);
  m[0] = type;
  m[1] = code;
  q.copy(m, 8);
  m.writeUInt16BE(fold(sum16(m, 0, m.length)), 2);
  return m;
}

/** ICMPv6 destination unreachable (RFC 4443 §3.1); the checksum covers the pseudo-header (§2.3). */
export function icmp6Error(src: string, dst: string, type: number, code: number, quotedIp: Buffer): Buffer {
  const q = quotedIp.subarray(0, Math.min(quotedIp.length, ICMP6_QUOTE_MAX));
  const m = Buffer.alloc(8 + q.length);
  m[0] = type;
  m[1] = code;
  q.copy(m, 8);
  const acc = pseudoHeaderSum(src, dst, IpProto.ICMPv6, m.length);
  m.writeUInt16BE(fold(sum16(m, 0, m.length, acc)), 2);
  return m;
}
