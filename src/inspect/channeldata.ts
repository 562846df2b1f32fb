/**
 * TURN ChannelData (RFC 8656 §12.4) and Microsoft multiplexed TURN.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Channel Number        |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   /                       Application Data                        /
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Channels 0x4000-0x7FFF (RFC 5766 §11; RFC 8656 narrowed them to
 * 0x4000-0x4FFF, older servers still use the rest). Over TCP the message is
 * padded to 4 bytes and the padding is not counted in Length (RFC 8656 §12.5).
 *
 * Microsoft multiplexed TURN ([MS-TURN] §2.2.4, MS-VERSION 5 and 6): channel
 * 0xFF10, Length (counting what follows it), an 8-byte session id, then the
 * data. Matches no RFC 7983 range: recognised only on flows with TURN.
 *
 * A ChannelData guess is weak on its own (any byte 64-79 starts one); the
 * inspector accepts it on a flow where TURN was already seen, and otherwise
 * only as inspector.ts standaloneChannelData says.
 */
import { Decode } from '../decode/status.js';

export const CHANNELDATA_HEADER = 4; // RFC 8656 §12.4
export const CHANNEL_MIN = 0x4000; // RFC 5766 §11
export const CHANNEL_MAX = 0x7fff; // RFC 5766 §11
export const MS_MUX_CHANNEL = 0xff10; // [MS-TURN] §2.2.4 multiplexed TURN
export const MS_MUX_SESSION_ID = 8; // [MS-TURN] §2.2.4: 8-byte session id

/** Where the last parseChannelData found the application data. */
export class ChannelDataView {
  channel = 0;
  /** Offset and end of the application data in the parsed buffer (the captured part). */
  dataOff = 0;
  dataEnd = 0;
  /** Bytes the message occupies including padding when `padded` (TCP). */
  total = 0;
}

/**
 * Parses a ChannelData or multiplexed-TURN message at `off`. `avail` is the
 * number of bytes the transport gives it (the datagram, or the rest of a TCP
 * stream buffer); `padded` for TCP. Returns Ok, NotMine (not a channel
 * number), Truncated (the capture ends early: a snaplen) or Malformed (the
 * length runs past `avail`).
 */
export function parseChannelData(buf: Buffer, off: number, end: number, avail: number, padded: boolean, view: ChannelDataView): number {
  if (end - off < CHANNELDATA_HEADER || avail < CHANNELDATA_HEADER) return Decode.NotMine;
  const channel = (buf[off] << 8) | buf[off + 1];
  const length = (buf[off + 2] << 8) | buf[off + 3];
  let dataOff = off + CHANNELDATA_HEADER;
  if (channel === MS_MUX_CHANNEL) {
    if (length < MS_MUX_SESSION_ID) return Decode.Malformed;
    dataOff += MS_MUX_SESSION_ID;
  } else if (channel < CHANNEL_MIN || channel > CHANNEL_MAX) {
    return Decode.NotMine;
  }
  const total = CHANNELDATA_HEADER + length;
  view.channel = channel;
  view.total = padded && channel !== MS_MUX_CHANNEL ? (total + 3) & ~3 : total;
  if (total > avail) return Decode.Malformed;
  view.dataOff = dataOff;
  view.dataEnd = Math.min(off + total, end);
  return off + total > end ? Decode.Truncated : Decode.Ok;
}
