/** Annotated STUN messages for the inspect tests: hex with comments, as on the wire. */

/** Hex text with `#` comments and whitespace -> bytes. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

/** RFC 5769 §2.1 sample request: Binding request, SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT. */
export const RFC5769_REQUEST = hex(`
  00 01 00 58                 # Binding request, length 88
  21 12 a4 42                 # magic cookie
  b7 e7 a7 01 bc 34 d6 86 fa 87 df ae   # transaction id
  80 22 00 10                 # SOFTWARE, 16 bytes
  53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74   # "STUN test client"
  00 24 00 04                 # PRIORITY
  6e 00 01 ff
  80 29 00 08                 # ICE-CONTROLLED, tie breaker
  93 2f f9 b1 51 26 3b 36
  00 06 00 09                 # USERNAME, 9 bytes + 3 padding
  65 76 74 6a 3a 68 36 76 59 20 20 20   # "evtj:h6vY"
  00 08 00 14                 # MESSAGE-INTEGRITY (HMAC-SHA1)
  9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04                 # FINGERPRINT
  e5 7a 3b cf                 # CRC-32 XOR 0x5354554E
`);

/** RFC 5769 §2.2 sample IPv4 response: SOFTWARE, XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT. */
export const RFC5769_RESPONSE = hex(`
  01 01 00 3c                 # Binding success response, length 60
  21 12 a4 42                 # magic cookie
  b7 e7 a7 01 bc 34 d6 86 fa 87 df ae   # transaction id (the request's)
  80 22 00 0b                 # SOFTWARE, 11 bytes + 1 padding
  74 65 73 74 20 76 65 63 74 6f 72 20   # "test vector"
  00 20 00 08                 # XOR-MAPPED-ADDRESS
  00 01 a1 47 e1 12 a6 43     # IPv4, port 32853 ^ 0x2112, 192.0.2.1 ^ cookie
  00 08 00 14                 # MESSAGE-INTEGRITY
  2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04                 # FINGERPRINT
  c0 7d 4c 96
`);

/**
 * MS-TURN Allocate response from a Teams relay (shared capture
 * msturn_teams_ndpi.pcap frame 1275). The trap: its 16-byte transaction id
 * begins with 21 12 a4 42, so an RFC 5389 reading accepts it; the first
 * attribute MAGIC-COOKIE says MS-TURN, whose attributes are not padded
 * (SOFTWARE is 9 bytes and BANDWIDTH follows at once).
 */
export const MSTURN_ALLOCATE_RESPONSE = hex(`
  01 03 00 85                 # Allocate response, length 133 (not a multiple of 4)
  21 12 a4 42 22 2f ef c7 f3 92 4b d1 b9 97 27 e4   # transaction id (128 bits)
  00 0f 00 04 72 c6 4b c6     # MAGIC-COOKIE 0x72C64BC6
  00 0d 00 04 00 00 00 3c     # LIFETIME 60 s
  00 01 00 08 00 01 0d 98 34 72 fa 8d   # MAPPED-ADDRESS (the relayed address) 52.114.250.141:3480
  80 08 00 04 00 00 00 06     # MS-VERSION 6
  80 20 00 08 00 01 c1 d5 71 a7 6a 0a   # XOR-MAPPED-ADDRESS (MS code) 80.181.206.72:57543
  80 50 00 18 9b 71 3c 62 3a c1 bf bb f6 d5 23 75 83 af a6 d3 18 e1 46 b4 00 00 00 00   # MS-SEQUENCE-NUMBER: connection id, sequence 0
  80 22 00 09 32 2e 30 2e 31 2e 32 31 31   # SOFTWARE "2.0.1.211", unpadded
  00 10 00 04 00 00 2e e0     # BANDWIDTH 12000 kbps
  00 08 00 20 af fd c3 c5 5c 1f 6d 01 a7 ea 3d af 59 97 ea d0 7e 31 1c a9 10 93 58 4d 7d 83 3b fb 5e b5 07 a9   # MESSAGE-INTEGRITY (SHA-256, MS-VERSION >= 3)
`);

/** MS-TURN Allocate request whose REALM (0x0015 in MS-TURN) and NONCE (0x0014) are swapped relative to the RFC. */
export const MSTURN_ALLOCATE_REQUEST = hex(`
  00 03 00 2c                 # Allocate request, length 44 (not a multiple of 4 after the unpadded strings: 11 + 9)
  21 12 a4 42 00 11 22 33 44 55 66 77 88 99 aa bb   # transaction id beginning with the RFC cookie
  00 0f 00 04 72 c6 4b c6     # MAGIC-COOKIE
  80 08 00 04 00 00 00 03     # MS-VERSION 3
  80 55 00 04 00 01 00 00     # MS-SERVICE-QUALITY: stream type 1 (audio), best effort
  00 15 00 07 65 78 2e 63 6f 6d 21   # REALM "ex.com!" (MS-TURN 0x0015), unpadded
  00 14 00 05 6e 6f 6e 63 65  # NONCE "nonce" (MS-TURN 0x0014), unpadded
`);

/** RFC 3489 classic Binding request: 128-bit transaction id, CHANGE-REQUEST. */
export const CLASSIC_BINDING_REQUEST = hex(`
  00 01 00 08                 # Binding request, length 8
  0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19   # transaction id (no cookie)
  00 03 00 04 00 00 00 00     # CHANGE-REQUEST (no change)
`);

/** RFC 8656 Allocate error 401 with ERROR-CODE, REALM and NONCE (padded). */
export const ALLOCATE_401 = hex(`
  01 13 00 2c                 # Allocate error response, length 44
  21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c
  00 09 00 10 00 00 04 01     # ERROR-CODE class 4 number 1 = 401
  55 6e 61 75 74 68 6f 72 69 7a 65 64   # "Unauthorized"
  00 14 00 07 65 78 2e 63 6f 6d 21 00   # REALM "ex.com!" + 1 padding
  00 15 00 05 6e 6f 6e 63 65 00 00 00   # NONCE "nonce" + 3 padding
`);

/** A ChannelData message (RFC 8656 §12.4) on `channel` around `data`, with `pad` bytes after it (over TCP, to 4: §12.5). */
export function channelData(channel: number, data: Buffer, pad = 0): Buffer {
  const b = Buffer.alloc(4 + data.length + pad);
  b.writeUInt16BE(channel, 0);
  b.writeUInt16BE(data.length, 2);
  data.copy(b, 4);
  return b;
}
