/**
 * A capture that starts mid-call: the client and the A/V Edge exchange media as TURN ChannelData on
 * UDP 3478, and the Allocate and ChannelBind that set the channel up happened before the capture.
 * The relay port carries TURN, so the flow must read as such (apps, media), not as "no STUN, TURN
 * or media on a port documented for STUN".
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ethernet, EtherType, ipPacket, IpProto, udpDatagram } from '../../samples/generator/packets.js';
import { analyze } from '../../src/analyze.js';
import { pcapFile } from '../helpers/capture-builders.js';

const l2 = { src: '00:15:5d:00:00:01', dst: '00:15:5d:00:00:02' };
const CLIENT: [string, number] = ['198.51.100.20', 50020];
const EDGE: [string, number] = ['131.107.10.12', 3478];

/** ChannelData on `channel` around an RTP packet (PCMU, 20 ms) of stream `ssrc`. */
function mediaOnChannel(channel: number, ssrc: number, seq: number): Buffer {
  const rtp = Buffer.alloc(12 + 160, 0xd5);
  rtp[0] = 0x80;
  rtp[1] = 0; // PCMU
  rtp.writeUInt16BE(seq, 2);
  rtp.writeUInt32BE(seq * 160, 4);
  rtp.writeUInt32BE(ssrc, 8);
  const cd = Buffer.alloc(4 + rtp.length);
  cd.writeUInt16BE(channel, 0);
  cd.writeUInt16BE(rtp.length, 2);
  rtp.copy(cd, 4);
  return cd;
}

describe('a capture that starts mid-call on the relay port', () => {
  it('reads the ChannelData both ways as TURN with its media, and finds no payload mismatch', async () => {
    const frames: Buffer[] = [];
    const datagram = (from: [string, number], to: [string, number], payload: Buffer) =>
      ethernet(l2, EtherType.IPv4, ipPacket({ src: from[0], dst: to[0], ttl: 64 }, IpProto.UDP, udpDatagram(from[0], to[0], from[1], to[1], payload)));
    for (let i = 0; i < 50; i++) {
      frames.push(datagram(CLIENT, EDGE, mediaOnChannel(0x4000, 0x11111111, 2000 + i)));
      frames.push(datagram(EDGE, CLIENT, mediaOnChannel(0x4001, 0x22222222, 7000 + i)));
    }
    const file = join(mkdtempSync(join(tmpdir(), 'flowaudit-midcall-')), 'mid-call.pcap');
    writeFileSync(file, pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000, frac: i * 10_000, data }))));
    const report = await analyze([file]);
    expect(report.flows).toHaveLength(1);
    const [flow] = report.flows;
    expect(flow.server).toMatchObject({ ip: EDGE[0], port: EDGE[1] });
    const channel = flow.apps?.find((a) => a.protocol === 'channeldata');
    expect(channel).toMatchObject({ confidence: 'payload', messages: 100 });
    expect(report.media.streams.map((s) => [s.ssrc, s.packets, s.lost])).toEqual([[0x11111111, 49, 0], [0x22222222, 49, 0]]);
    expect(report.findings.filter((f) => f.kind === 'payload-mismatch')).toEqual([]);
  });
});
