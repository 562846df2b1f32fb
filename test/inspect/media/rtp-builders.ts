/** Builders and annotated fixtures for RTP/RTCP tests. */
export function hex(text: string): Buffer {
  return Buffer.from(text.split('\n').map((l) => l.replace(/#.*/, '')).join('').replace(/\s+/g, ''), 'hex');
}

export interface RtpFields {
  seq: number;
  ts: number;
  ssrc: number;
  pt?: number;
  marker?: boolean;
  payload?: number;
}

/** A minimal RTP packet: 12-byte header, then `payload` bytes (default 160, 20 ms of G.711). */
export function rtp(f: RtpFields): Buffer {
  const b = Buffer.alloc(12 + (f.payload ?? 160), 0xd5);
  b[0] = 0x80;
  b[1] = (f.marker ? 0x80 : 0) | (f.pt ?? 0);
  b.writeUInt16BE(f.seq & 0xffff, 2);
  b.writeUInt32BE(f.ts >>> 0, 4);
  b.writeUInt32BE(f.ssrc >>> 0, 8);
  return b;
}

/** PCMU packet with a CSRC, a one-byte header extension and 4 bytes of padding (RFC 3550 §5.1, §5.3.1). */
export const RTP_FULL_HEADER = hex(`
  b1                # V=2 P=1 X=1 CC=1
  80                # M=1 PT=0 (PCMU)
  1234              # sequence number 4660
  0000a0a0          # timestamp 41120
  cafebabe          # SSRC
  00000001          # CSRC 1
  bede 0001         # extension: profile 0xBEDE (RFC 8285), 1 word
  10ff0000          #   element id 1, 1 byte, padding
  d5d5d5d5d5d5d5d5  # 8 bytes of audio
  00000004          # padding: 4 bytes, the last one counting them
`);

/** RTCP compound: SR from 0x11111111 with one report block on 0xCAFEBABE, then an SDES CNAME. */
export const RTCP_SR = hex(`
  81 c8 000c        # V=2 RC=1 PT=SR(200) length 12 words (52 bytes)
  11111111          # sender SSRC
  e5f0a1b2 00000000 # NTP timestamp
  0001e240          # RTP timestamp
  000003e8          # sender's packet count 1000
  00027100          # sender's octet count 160000
  cafebabe          # report block: source SSRC
  40                #   fraction lost 64/256 = 25%
  fffffe            #   cumulative lost -2 (duplicates outnumber losses)
  00010064          #   extended highest sequence 65636
  00000050          #   jitter 80 timestamp units
  a1b2c3d4          #   LSR
  00010000          #   DLSR
  81 ca 0004        # V=2 SC=1 PT=SDES(202) length 4 words (20 bytes)
  11111111          # SSRC
  01 06 616c69636531 # CNAME "alice1"
  00 00 00 00       # end of list, pad to 32 bits
`);

/** RTCP RR from 0x22222222 with no report block (RFC 3550 §6.4.2 allows RC=0). */
export const RTCP_RR_EMPTY = hex(`
  80 c9 0001        # V=2 RC=0 PT=RR(201) length 1 word (8 bytes)
  22222222          # reporter SSRC
`);
