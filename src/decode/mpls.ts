/**
 * MPLS label stack (RFC 3032 §2.1), skipped to an IPv4/IPv6 payload.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Label                  | TC  |S|       TTL     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * MPLS does not say what follows the bottom-of-stack entry (S = 1). Like
 * Wireshark and Zeek, we look at the first nibble: 4 or 6 is taken as IP.
 * Anything else (a pseudowire control word 0, Ethernet over MPLS...) is
 * reported as a non-IP frame rather than guessed at.
 */
import { Family, type PacketView } from './packet-view.js';
import { Decode } from './status.js';

export const MPLS_ENTRY_LEN = 4; // RFC 3032 §2.1
const MPLS_BOS_BIT = 0x01; // RFC 3032 §2.1: S bit, lowest bit of the third byte
/** Real stacks are 1-4 deep (L3VPN, TE, FRR); a longer run is taken for garbage. */
const MAX_MPLS_LABELS = 8;

/** Decodes the label stack starting at `off` (just after the 0x8847/0x8848 EtherType). */
export function decodeMpls(buf: Buffer, off: number, end: number, pkt: PacketView): Decode {
  for (let labels = 0; ; labels++) {
    if (labels === MAX_MPLS_LABELS) return Decode.NotMine;
    if (end - off < MPLS_ENTRY_LEN) return Decode.Truncated;
    const bottom = buf[off + 2] & MPLS_BOS_BIT;
    off += MPLS_ENTRY_LEN;
    if (bottom !== 0) break;
  }
  if (end - off < 1) return Decode.Truncated;
  const version = buf[off] >> 4;
  if (version === 4) pkt.family = Family.V4;
  else if (version === 6) pkt.family = Family.V6;
  else return Decode.NotMine;
  pkt.l3Off = off;
  return Decode.Ok;
}
