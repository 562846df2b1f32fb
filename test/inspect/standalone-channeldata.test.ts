/**
 * ChannelData on a flow without TURN messages (inspector.ts standaloneChannelData): a capture that
 * starts mid-call sees the client's media to the relay as ChannelData before any Allocate or
 * ChannelBind. It is believed only on structure confirmed twice; look-alikes (a QUIC short header
 * starts with the same bytes) are not.
 */
import { describe, expect, it } from 'vitest';
import { newAnomalyCounters } from '../../src/anomalies.js';
import { IpProto } from '../../src/decode/packet-view.js';
import { HELD_CHANNELS } from '../../src/inspect/flow-state.js';
import { FlowMode, Inspector } from '../../src/inspect/inspector.js';
import { RtpStreams } from '../../src/inspect/media/rtp-streams.js';
import { channelData } from './fixtures.js';
import { payloadView } from './payload-view.js';

/** A 12-byte RTP header (PCMU) and `body` payload bytes. */
function rtp(seq: number, body = 160): Buffer {
  const b = Buffer.alloc(12 + body, 0xd5);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(0x1234abcd, 8);
  return b;
}

function inspector(): { ins: Inspector; media: RtpStreams; mode: Uint8Array } {
  const media = new RtpStreams();
  const mode = new Uint8Array(1024); // the inspector's per-flow FlowMode
  const ins = new Inspector(media, undefined, mode);
  ins.anomalies = newAnomalyCounters();
  return { ins, media, mode };
}

function feed(ins: Inspector, payloads: Buffer[], wireExtra = 0): void {
  payloads.forEach((p, i) => ins.onPacket(0, 0, payloadView(IpProto.UDP, p, { frameNo: i + 1, ts: 1.7e9 + i * 0.02, wireLen: p.length + wireExtra })));
}

describe('ChannelData without TURN on the flow', () => {
  it('is believed from the second message on the same channel, the first counted with it, and its media measured', () => {
    const { ins, media, mode } = inspector();
    feed(ins, Array.from({ length: 10 }, (_, i) => channelData(0x4001, rtp(1000 + i))));
    const st = ins.state(0)!;
    expect(st.channelData).toBe(10);
    expect(st.channelFrames).toEqual([1, 2, 3]); // the evidence kept: the first frames
    expect(st.channels).toEqual([0x4001]);
    expect(mode[0]).toBe(FlowMode.Active);
    const [stream] = media.report().streams;
    expect(stream.ssrc).toBe(0x1234abcd);
    expect(stream.packets).toBe(9); // from the second: the first one's media is not replayed
    expect(stream.lost).toBe(0);
  });

  it('takes the padding to four bytes (RFC 8656 §12.5) as filling the datagram', () => {
    const { ins } = inspector();
    feed(ins, [channelData(0x4001, rtp(1, 161), 3), channelData(0x4001, rtp(2, 161), 3)]);
    expect(ins.state(0)?.channelData).toBe(2);
  });

  it('believes two channels that take turns in one direction (audio and video on one allocation), with both held candidates', () => {
    const { ins } = inspector();
    feed(ins, [channelData(0x4001, rtp(1)), channelData(0x4002, rtp(2)), channelData(0x4001, rtp(3)), channelData(0x4002, rtp(4))]);
    const st = ins.state(0)!;
    expect(st.channelData).toBe(4);
    expect(st.channelFrames).toEqual([1, 2, 3]);
    expect([...st.channels].sort((a, b) => a - b)).toEqual([0x4001, 0x4002]);
  });

  it('counts the candidates held in both directions, and lists their channels in the order they came', () => {
    const { ins } = inspector();
    // Server 0x4003, client 0x4002, server 0x4001, then the client confirms 0x4002.
    const packets: [number, number][] = [[1, 0x4003], [0, 0x4002], [1, 0x4001], [0, 0x4002]];
    packets.forEach(([dir, c], i) => ins.onPacket(0, dir, payloadView(IpProto.UDP, channelData(c, rtp(i)), { frameNo: i + 1, ts: 1.7e9 + i * 0.02 })));
    const st = ins.state(0)!;
    expect(st.channelData).toBe(4);
    expect(st.channels).toEqual([0x4003, 0x4002, 0x4001]);
    expect(st.channelFrames).toEqual([1, 2, 3]);
  });

  it('is not believed while each candidate names a channel no longer held (more channels in turn than HELD_CHANNELS)', () => {
    const { ins } = inspector();
    const channels = Array.from({ length: HELD_CHANNELS + 1 }, (_, i) => 0x4001 + i);
    feed(ins, [...channels, ...channels].map((c, i) => channelData(c, rtp(i))));
    expect(ins.state(0)?.channelData ?? 0).toBe(0);
  });

  it('is not believed when the message does not fill the datagram, or the capture cut it', () => {
    const short = inspector();
    feed(short.ins, Array.from({ length: 8 }, (_, i) => channelData(0x4001, rtp(i), 8)));
    expect(short.ins.state(0)?.channelData ?? 0).toBe(0);
    const cut = inspector();
    feed(cut.ins, Array.from({ length: 8 }, (_, i) => channelData(0x4001, rtp(i))), 100); // a snaplen kept only the start
    expect(cut.ins.state(0)?.channelData ?? 0).toBe(0);
  });

  it('is not believed around data that is neither RTP, RTCP nor STUN (a QUIC short header with a lucky length)', () => {
    const { ins, mode } = inspector();
    const notRtp = Buffer.alloc(200, 0x5a);
    notRtp[0] = 0x45; // RTP-range? no: version 1
    const rtpRangeNoHeader = Buffer.alloc(200, 0x5a);
    rtpRangeNoHeader[0] = 0x90; // version 2, extension bit, but no room for what it says
    rtpRangeNoHeader.writeUInt16BE(0xffff, 14);
    feed(ins, [channelData(0x4001, notRtp), channelData(0x4001, notRtp), channelData(0x4001, rtpRangeNoHeader), channelData(0x4001, rtpRangeNoHeader)]);
    expect(ins.state(0)?.channelData ?? 0).toBe(0);
    expect(mode[0]).not.toBe(FlowMode.Active);
  });

  it('still believes Microsoft multiplexed TURN (0xFF10) from its first message', () => {
    const { ins } = inspector();
    const mux = Buffer.concat([Buffer.from([0xff, 0x10, 0, 0]), Buffer.alloc(8, 7), rtp(1)]);
    mux.writeUInt16BE(mux.length - 4, 2);
    feed(ins, [mux]);
    expect(ins.state(0)?.channelData).toBe(1);
    expect(ins.state(0)?.multiplexedTurn).toBe(1);
  });

  it('keeps the evidence frames ascending and lists the channel of every message counted', () => {
    const { ins } = inspector();
    const mux = Buffer.concat([Buffer.from([0xff, 0x10, 0, 0]), Buffer.alloc(8, 7), rtp(2)]);
    mux.writeUInt16BE(mux.length - 4, 2);
    // The server's candidate on 0x4002 (frame 1), multiplexed TURN (frame 2, believed at once), then the client's 0x4001 twice.
    const packets: [number, Buffer][] = [[1, channelData(0x4002, rtp(1))], [0, mux], [0, channelData(0x4001, rtp(3))], [0, channelData(0x4001, rtp(4))]];
    packets.forEach(([dir, p], i) => ins.onPacket(0, dir, payloadView(IpProto.UDP, p, { frameNo: i + 1, ts: 1.7e9 + i * 0.02 })));
    const st = ins.state(0)!;
    expect(st.channelData).toBe(4);
    expect(st.channelFrames).toEqual([1, 2, 3]);
    expect([...st.channels].sort((a, b) => a - b)).toEqual([0x4001, 0x4002, 0xff10]);
  });
});
