/**
 * Annotated hex building blocks for the decoder tests. Checksums are zero:
 * the decoders do not verify them (captures on the sending host carry
 * offloaded, not-yet-computed checksums).
 *
 * Addresses used throughout: 192.168.1.10 (client), 10.0.0.1 (server),
 * 10.0.0.254 (a router reporting ICMP errors), 2001:db8::1 / 2001:db8::2.
 */
import { hex } from './frames.js';

// ---- link layers ----

export const ETH_V4 = hex`
  00 11 22 33 44 55   # destination MAC
  66 77 88 99 aa bb   # source MAC
  08 00               # EtherType IPv4
`;

export const ETH_V6 = hex`
  00 11 22 33 44 55   # destination MAC
  66 77 88 99 aa bb   # source MAC
  86 dd               # EtherType IPv6
`;

// ---- IPv4 ----

/** IPv4 + UDP 5060 -> 3389 with 8 payload bytes: 36 bytes. */
export const V4_UDP = hex`
  45 00 00 24         # version 4, IHL 5, TOS 0, total length 36
  12 34 00 00         # identification 0x1234, no flags, fragment offset 0
  40 11 00 00         # TTL 64, protocol 17 (UDP), header checksum
  c0 a8 01 0a         # source 192.168.1.10
  0a 00 00 01         # destination 10.0.0.1
  13 c4 0d 3d         # UDP source port 5060, destination port 3389
  00 10 00 00         # UDP length 16, checksum
  01 02 03 04 05 06 07 08   # payload, 8 bytes
`;

/** IPv4 + TCP 50000 -> 5061, SYN+ACK, 20 bytes of options, payload "hello": 65 bytes. */
export const V4_TCP_OPTIONS = hex`
  45 00 00 41         # version 4, IHL 5, total length 65
  00 01 40 00         # identification 1, DF, offset 0
  40 06 00 00         # TTL 64, protocol 6 (TCP)
  c0 a8 01 0a         # source 192.168.1.10
  0a 00 00 01         # destination 10.0.0.1
  c3 50 13 c5         # TCP source port 50000, destination port 5061
  11 22 33 44         # sequence number 0x11223344
  55 66 77 88         # acknowledgment number 0x55667788
  a0 12 fa f0         # data offset 10 (40 bytes), flags SYN|ACK, window 64240
  00 00 00 00         # checksum, urgent pointer
  02 04 05 b4         # option MSS 1460
  04 02               # option SACK permitted
  08 0a 00 00 00 01 00 00 00 00   # option timestamps
  01                  # option NOP
  03 03 07            # option window scale 7
  68 65 6c 6c 6f      # payload "hello"
`;

/** IPv4 with IHL 7 (8 bytes of options: record route, padded) + UDP 1024 -> 53, 2 payload bytes: 38 bytes. */
export const V4_OPTIONS_UDP = hex`
  47 00 00 26         # version 4, IHL 7 (28 bytes), total length 38
  00 02 00 00         # identification 2
  40 11 00 00         # TTL 64, UDP
  c0 a8 01 0a         # source 192.168.1.10
  0a 00 00 01         # destination 10.0.0.1
  07 07 04 00 00 00 00 00   # option record route (length 7, pointer 4) + end-of-options padding
  04 00 00 35         # UDP 1024 -> 53
  00 0a 00 00         # UDP length 10
  ab cd               # payload
`;

/** IPv4 GRE (protocol 47), 4 bytes of GRE header as payload: 24 bytes. */
export const V4_GRE = hex`
  45 00 00 18         # total length 24
  00 03 00 00
  40 2f 00 00         # TTL 64, protocol 47 (GRE)
  c0 a8 01 0a         # 192.168.1.10
  0a 00 00 01         # 10.0.0.1
  00 00 08 00         # GRE: no flags, protocol IPv4
`;

/** ICMP echo request 192.168.1.10 -> 10.0.0.1, identifier 0x1234, sequence 1: 32 bytes. */
export const V4_ECHO_REQUEST = hex`
  45 00 00 20         # total length 32
  00 04 00 00
  40 01 00 00         # protocol 1 (ICMP)
  c0 a8 01 0a         # 192.168.1.10
  0a 00 00 01         # 10.0.0.1
  08 00 00 00         # type 8 echo request, code 0, checksum
  12 34 00 01         # identifier 0x1234, sequence 1
  61 62 63 64         # data "abcd"
`;

/** The matching echo reply 10.0.0.1 -> 192.168.1.10. */
export const V4_ECHO_REPLY = hex`
  45 00 00 20
  00 05 00 00
  40 01 00 00         # ICMP
  0a 00 00 01         # 10.0.0.1
  c0 a8 01 0a         # 192.168.1.10
  00 00 00 00         # type 0 echo reply, code 0
  12 34 00 01         # identifier 0x1234, sequence 1
  61 62 63 64
`;

/** ICMP port unreachable from 10.0.0.1 quoting V4_UDP's header + 8 bytes: 56 bytes. */
export const V4_PORT_UNREACHABLE = hex`
  45 00 00 38         # total length 56
  00 06 00 00
  40 01 00 00         # ICMP
  0a 00 00 01         # source 10.0.0.1 (the reporter)
  c0 a8 01 0a         # destination 192.168.1.10 (the original sender)
  03 03 00 00         # type 3 destination unreachable, code 3 port unreachable
  00 00 00 00         # unused
  45 00 00 24         # quoted: IPv4, total length 36
  12 34 00 00
  40 11 00 00         # quoted: UDP
  c0 a8 01 0a         # quoted source 192.168.1.10
  0a 00 00 01         # quoted destination 10.0.0.1
  13 c4 0d 3d         # quoted UDP 5060 -> 3389
  00 10 00 00         # quoted UDP length, checksum
`;

/** ICMP administratively prohibited (3/13) from router 10.0.0.254 quoting a TCP SYN 192.168.1.10:50001 -> 10.0.0.1:443. */
export const V4_ADMIN_PROHIBITED = hex`
  45 00 00 38         # total length 56
  00 07 00 00
  40 01 00 00         # ICMP
  0a 00 00 fe         # source 10.0.0.254 (a firewall)
  c0 a8 01 0a         # destination 192.168.1.10
  03 0d 00 00         # type 3, code 13 communication administratively prohibited
  00 00 00 00
  45 00 00 3c         # quoted IPv4, total length 60 (only the first 28 bytes are quoted)
  00 08 40 00
  40 06 00 00         # quoted TCP
  c0 a8 01 0a         # quoted source
  0a 00 00 01         # quoted destination
  c3 51 01 bb         # quoted TCP 50001 -> 443
  00 00 00 01         # quoted sequence number
`;

// ---- IPv4 fragments: one UDP datagram 192.168.1.10:4000 -> 10.0.0.1:5004 with 40 payload bytes ----

/** First fragment: UDP header + 16 payload bytes, MF set, id 0xbeef: 44 bytes. */
export const V4_FRAG_FIRST = hex`
  45 00 00 2c         # total length 44
  be ef 20 00         # identification 0xbeef, MF, offset 0
  40 11 00 00         # UDP
  c0 a8 01 0a         # 192.168.1.10
  0a 00 00 01         # 10.0.0.1
  0f a0 13 8c         # UDP 4000 -> 5004
  00 30 00 00         # UDP length 48 (the whole datagram: 8 + 40)
  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f   # payload bytes 0-15
`;

/** Last fragment: offset 24 (3 units), 24 payload bytes: 44 bytes. */
export const V4_FRAG_LAST = hex`
  45 00 00 2c         # total length 44
  be ef 00 03         # identification 0xbeef, MF clear, offset 3 * 8 = 24
  40 11 00 00         # UDP (but no UDP header in this fragment)
  c0 a8 01 0a
  0a 00 00 01
  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f   # payload bytes 16-39
  20 21 22 23 24 25 26 27
`;

// ---- IPv6 ----

export const V6_SRC = '2001:db8::1';
export const V6_DST = '2001:db8::2';
const V6_ADDRS = `
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # source 2001:db8::1
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # destination 2001:db8::2
`;

/** IPv6 + TCP SYN 54321 -> 443, no options: 60 bytes. */
export const V6_TCP_SYN = hex`
  60 00 00 00         # version 6, traffic class 0, flow label 0
  00 14 06 40         # payload length 20, next header 6 (TCP), hop limit 64
  ${V6_ADDRS}
  d4 31 01 bb         # TCP 54321 -> 443
  00 00 00 01         # sequence 1
  00 00 00 00         # ack 0
  50 02 ff ff         # data offset 5, SYN, window 65535
  00 00 00 00
`;

/**
 * IPv6 with every skippable extension header before UDP 5062 -> 5060:
 * hop-by-hop (8), destination options (8), routing (24), AH (16), then UDP (8 + 4).
 */
export const V6_EXT_CHAIN_UDP = hex`
  60 00 00 00
  00 44 00 40         # payload length 68, next header 0 (hop-by-hop)
  ${V6_ADDRS}
  3c 00 01 04 00 00 00 00   # hop-by-hop: next 60, len 0 (8 bytes), PadN
  2b 00 01 04 00 00 00 00   # destination options: next 43, len 0, PadN
  33 02 00 01 00 00 00 00   # routing: next 51 (AH), len 2 (24 bytes), type 0, segments left 1
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 03   #   one address
  11 02 00 00 00 00 01 00   # AH: next 17 (UDP), payload len 2 ((2+2)*4 = 16 bytes), SPI 0x100
  00 00 00 01 00 00 00 00   #   sequence 1, ICV (4 bytes)
  13 c6 13 c4         # UDP 5062 -> 5060
  00 0c 00 00         # UDP length 12
  de ad be ef         # payload
`;

/** IPv6 first fragment: UDP 5062 -> 5060, UDP header + 16 bytes, id 0xcafe, M set: 72 bytes. */
export const V6_FRAG_FIRST = hex`
  60 00 00 00
  00 20 2c 40         # payload length 32, next header 44 (fragment)
  ${V6_ADDRS}
  11 00 00 01         # fragment: next 17 (UDP), offset 0, M = 1
  00 00 ca fe         # identification 0x0000cafe
  13 c6 13 c4         # UDP 5062 -> 5060
  00 30 00 00         # UDP length 48 (whole datagram)
  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
`;

/** IPv6 last fragment: offset 24, 24 bytes: 80 bytes. */
export const V6_FRAG_LAST = hex`
  60 00 00 00
  00 20 2c 40         # payload length 32, next header 44 (fragment)
  ${V6_ADDRS}
  11 00 00 18         # fragment: next 17, offset 3 (3 * 8 = 24 bytes; field 0x0018), M = 0
  00 00 ca fe         # identification 0x0000cafe
  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
  20 21 22 23 24 25 26 27
`;

/** ICMPv6 destination unreachable (1/4 port unreachable) from 2001:db8::2 quoting V6_TCP_SYN: 108 bytes. */
export const V6_UNREACHABLE_TCP = hex`
  60 00 00 00
  00 44 3a 40         # payload length 68, next header 58 (ICMPv6)
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # source 2001:db8::2 (reporter)
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # destination 2001:db8::1
  01 04 00 00         # type 1 destination unreachable, code 4 port unreachable
  00 00 00 00         # unused
  60 00 00 00         # quoted IPv6 header
  00 14 06 40         # quoted: payload length 20, TCP
  ${V6_ADDRS}
  d4 31 01 bb         # quoted TCP 54321 -> 443
  00 00 00 01
  00 00 00 00
  50 02 ff ff
  00 00 00 00
`;

/** ICMPv6 echo request 2001:db8::1 -> ::2, identifier 0x0042: 48 bytes. */
export const V6_ECHO_REQUEST = hex`
  60 00 00 00
  00 08 3a 40         # payload length 8, ICMPv6
  ${V6_ADDRS}
  80 00 00 00         # type 128 echo request, code 0
  00 42 00 07         # identifier 0x0042, sequence 7
`;
