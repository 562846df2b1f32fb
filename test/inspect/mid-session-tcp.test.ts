/**
 * TCP flows captured after they started (tcp-framing.ts relayedFrames, apps/tls-records.ts): a call
 * relayed over TCP whose pseudo-TLS handshake and Allocate came before the capture, and a TLS
 * connection whose hellos did. Each is recognised by structure that fills its segments; look-alikes
 * are not.
 */
import { describe, expect, it } from 'vitest';
import { A, newAnomalyCounters } from '../../src/anomalies.js';
import { IpProto, TcpFlag } from '../../src/decode/packet-view.js';
import { APP_PARSERS } from '../../src/inspect/inspection.js';
import { FlowMode, Inspector } from '../../src/inspect/inspector.js';
import { RtpStreams } from '../../src/inspect/media/rtp-streams.js';
import { appsOf } from '../../src/inspect/stun-report.js';
import { Framing, SYNC_SEGMENTS } from '../../src/inspect/tcp-framing.js';
import { CLIENT_HELLO, tlsRecord } from './apps/fixtures.js';
import { channelData as channelDataMessage, RFC5769_REQUEST } from './fixtures.js';
import { rtp } from './media/rtp-builders.js';
import { payloadView } from './payload-view.js';

/** An MS-TURN over TCP frame ([MS-TURN] §2.1): type (0x02 control, 0x03 data), 0, length, then the message. */
function msTurn(type: number, message: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 0, message.length >> 8, message.length & 0xff]), message]);
}

/** TURN over TCP ChannelData (RFC 8656 §12.5): channel, length, data, padded to 4 bytes unless `pad` says otherwise. */
const channelData = (channel: number, data: Buffer, pad = (4 - (data.length % 4)) % 4) => channelDataMessage(channel, data, pad);

function inspector(): { ins: Inspector; media: RtpStreams; mode: Uint8Array } {
  const media = new RtpStreams();
  const mode = new Uint8Array(1024);
  const ins = new Inspector(media, APP_PARSERS, mode);
  ins.anomalies = newAnomalyCounters();
  return { ins, media, mode };
}

/** Feeds `payloads` as consecutive segments of one direction of flow 0, from sequence number 1000. */
function stream(ins: Inspector, payloads: Buffer[], dir = 0, firstFrame = 1): void {
  let seq = 1000;
  payloads.forEach((p, i) => {
    ins.onPacket(0, dir, payloadView(IpProto.TCP, p, { seq, flags: TcpFlag.ACK | TcpFlag.PSH, frameNo: firstFrame + i, ts: 1.7e9 + i * 0.02 }));
    seq += p.length;
  });
}

const media = (n: number, ssrc = 0x1111) => Array.from({ length: n }, (_, i) => rtp({ seq: 100 + i, ts: i * 160, ssrc }));

describe('MS-TURN over TCP captured after its handshake', () => {
  it('frames data frames of RTP, measures the media and names the flow ms-turn-tcp', () => {
    const { ins, media: streams, mode } = inspector();
    const frames = media(20).map((p) => msTurn(0x03, p));
    // Two frames in one segment, then one frame split over two segments: the framing carries on.
    const joined = Buffer.concat(frames.slice(2));
    stream(ins, [Buffer.concat([frames[0], frames[1]]), joined.subarray(0, 100), joined.subarray(100)]);
    const st = ins.state(0)!;
    expect(st.framing).toBe(Framing.MsTurnTcp);
    expect(mode[0]).toBe(FlowMode.Active);
    expect(ins.anomalies[A.InspectTcpDesync]).toBe(0);
    expect(streams.report().streams).toMatchObject([{ ssrc: 0x1111, packets: 20, lost: 0 }]);
    expect(appsOf(st)).toEqual([{ protocol: 'ms-turn-tcp', confidence: 'payload', evidenceFrames: [1, 3], messages: 20 }]); // frame 2 completed no frame
  });

  it('counts ICE checks relayed in data frames, and STUN in control frames makes it a STUN flow as before', () => {
    const { ins } = inspector();
    stream(ins, [msTurn(0x03, RFC5769_REQUEST), msTurn(0x02, RFC5769_REQUEST)]);
    const st = ins.state(0)!;
    expect(st.tunneledStun).toBe(1);
    expect(st.stunMessages).toBe(1);
    expect(appsOf(st).map((a) => a.protocol)).toEqual(['stun']); // the STUN entry names the framing
    expect(appsOf(st)[0]).toMatchObject({ framing: 'ms-turn-tcp' });
  });

  it('frames the other direction from its first segment that starts with whole frames, without losing sync', () => {
    const { ins, media: streams } = inspector();
    stream(ins, media(10, 0x1111).map((p) => msTurn(0x03, p)), 0, 1);
    // The server's first captured segment starts inside a frame (the capture began in the middle of a write).
    const fromServer = media(10, 0x2222).map((p) => msTurn(0x03, p));
    stream(ins, [fromServer[0].subarray(50), ...fromServer.slice(1)], 1, 11);
    const st = ins.state(0)!;
    expect(ins.anomalies[A.InspectTcpDesync]).toBe(0);
    expect(st.tcp![1].unsynced).toBe(1);
    expect(st.msTurnDataFrames).toBe(19); // the cut frame is not guessed
    expect(streams.report().streams.map((s) => [s.ssrc, s.packets, s.lost])).toEqual([[0x1111, 10, 0], [0x2222, 9, 0]]);
  });

  it('gives up waiting after SYNC_SEGMENTS segments of a direction, and counts the lost sync', () => {
    const { ins } = inspector();
    stream(ins, media(3, 0x1111).map((p) => msTurn(0x03, p)), 0, 1);
    stream(ins, Array.from({ length: SYNC_SEGMENTS + 1 }, () => Buffer.alloc(100, 0x5a)), 1, 4);
    expect(ins.state(0)!.tcp![1].unsynced).toBe(SYNC_SEGMENTS);
    expect(ins.anomalies[A.InspectTcpDesync]).toBe(1);
  });

  it('is not framed when the data is neither RTP, RTCP nor STUN, or the frame does not fill its segment', () => {
    const opaque = inspector();
    stream(opaque.ins, Array.from({ length: 6 }, () => msTurn(0x03, Buffer.alloc(172, 0x5a))));
    expect(opaque.ins.state(0)?.framing ?? 0).toBe(Framing.None);
    const short = inspector();
    stream(short.ins, media(6).map((p) => Buffer.concat([msTurn(0x03, p), Buffer.alloc(3)])));
    expect(short.ins.state(0)?.framing ?? 0).toBe(Framing.None);
    expect(short.mode[0]).toBe(FlowMode.Skip);
  });
});

describe('TURN over TCP (RFC 8656, RFC 6062) captured after its Allocate', () => {
  it('believes ChannelData that fills its segments, counts it and measures its media', () => {
    const { ins, media: streams } = inspector();
    stream(ins, media(12, 0x2222).map((p) => channelData(0x4001, rtp({ seq: p.readUInt16BE(2), ts: p.readUInt32BE(4), ssrc: 0x2222, payload: 161 }))));
    const st = ins.state(0)!;
    expect(st.framing).toBe(Framing.StunStream);
    expect(st.channelData).toBe(12);
    expect(st.channels).toEqual([0x4001]);
    expect(streams.report().streams).toMatchObject([{ ssrc: 0x2222, packets: 12, lost: 0 }]);
    expect(appsOf(st)).toEqual([{ protocol: 'channeldata', confidence: 'payload', evidenceFrames: [1, 2, 3], messages: 12, multiplexedTurn: 0 }]);
  });

  it('believes ChannelData in sync after a STUN message opened the framing (a Binding before the media)', () => {
    const { ins, media: streams } = inspector();
    const frames = media(10, 0x2222).map((p) => channelData(0x4001, rtp({ seq: p.readUInt16BE(2), ts: p.readUInt32BE(4), ssrc: 0x2222, payload: 161 })));
    stream(ins, [RFC5769_REQUEST, ...frames]);
    const st = ins.state(0)!;
    expect(st.framing).toBe(Framing.StunStream);
    expect(st.channelData).toBe(10);
    expect(streams.report().streams).toMatchObject([{ ssrc: 0x2222, packets: 10 }]);
  });

  it('does not believe ChannelData in sync whose data is neither RTP, RTCP nor STUN', () => {
    const { ins } = inspector();
    stream(ins, [RFC5769_REQUEST, ...Array.from({ length: 4 }, () => channelData(0x4001, Buffer.alloc(100, 0x5a)))]);
    expect(ins.state(0)!.channelData).toBe(0);
  });

  it('is not framed without the padding to four bytes that TCP requires', () => {
    const { ins } = inspector();
    stream(ins, media(6).map((p) => channelData(0x4001, Buffer.concat([p, Buffer.alloc(1)]), 0)));
    expect(ins.state(0)?.framing ?? 0).toBe(Framing.None);
  });
});

describe('TLS captured after its handshake', () => {
  it('is TLS, mid-session, from records of application data', () => {
    const { ins, mode } = inspector();
    stream(ins, [Buffer.concat([tlsRecord(23, 40), tlsRecord(23, 30)]), tlsRecord(23, 200), tlsRecord(21, 26)]);
    expect(appsOf(ins.state(0))).toEqual([{ protocol: 'tls', confidence: 'payload', evidenceFrames: [1, 2], midSession: true, recordVersion: 'TLS 1.2', anomaly: null }]);
    expect(mode[0]).toBe(FlowMode.Skip); // records in two payloads: the flow has shown what it is
  });

  it('is not mid-session when its ClientHello was seen', () => {
    const { ins } = inspector();
    stream(ins, [CLIENT_HELLO, tlsRecord(23, 100), tlsRecord(23, 100)]);
    const [tls] = appsOf(ins.state(0));
    expect(tls).toMatchObject({ protocol: 'tls', handshake: 'client_hello' });
    expect(tls).not.toHaveProperty('midSession');
  });

  it('parses no hello once only records of data were seen: a later handshake record is ciphertext', () => {
    const { ins } = inspector();
    const encrypted = tlsRecord(22, 40);
    encrypted[5] = 1; // the first byte of ciphertext happens to read as a ClientHello
    ins.onPacket(0, 0, payloadView(IpProto.TCP, tlsRecord(23, 100), { seq: 1000, flags: TcpFlag.ACK, frameNo: 1 }));
    ins.onPacket(0, 1, payloadView(IpProto.TCP, encrypted, { seq: 9000, flags: TcpFlag.ACK, frameNo: 2 }));
    expect(appsOf(ins.state(0))).toEqual([{ protocol: 'tls', confidence: 'payload', evidenceFrames: [1, 2], midSession: true, recordVersion: 'TLS 1.2', anomaly: null }]);
    expect(ins.anomalies[A.TlsHelloMalformed]).toBe(0);
  });

  it('is not TLS when the bytes after a record are no record header', () => {
    const { ins } = inspector();
    stream(ins, Array.from({ length: 4 }, () => Buffer.concat([tlsRecord(23, 40), Buffer.from('GET / HTTP/1.1\r\n')])));
    expect(ins.state(0)?.apps ?? []).toEqual([]);
  });
});
