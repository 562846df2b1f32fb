/**
 * Captures that start mid-call on TCP: the A/V Edge relays media over TCP 443 in MS-TURN data frames
 * (UDP was blocked), and a TURN server relays it over TCP as ChannelData; the pseudo-TLS handshake,
 * the Allocate and the ChannelBind came before the capture. A SIP/TLS connection on 5061 shows only
 * records of data. Each flow must read as what it is (apps, media), in the main thread and in the
 * inspection worker alike. Runs the built library (dist/), since the worker is a compiled module.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as Library from '../../src/index.js';
import { ethernet, EtherType, ipPacket, IpProto, TcpFlag, tcpSegment } from '../../samples/generator/packets.js';
import { pcapFile } from '../helpers/capture-builders.js';
import { REPO_ROOT } from '../helpers/environment.js';
import { rtp } from '../inspect/media/rtp-builders.js';

const lib = (await import(pathToFileURL(join(REPO_ROOT, 'dist', 'index.js')).href)) as typeof Library;

const l2 = { src: '00:15:5d:00:00:01', dst: '00:15:5d:00:00:02' };
const CLIENT = '198.51.100.20';
const EDGE = '131.107.10.12';

/** An RTP packet (PCMU, 20 ms) of stream `ssrc`. */
const media = (ssrc: number, seq: number) => rtp({ seq, ts: seq * 160, ssrc });

const msTurnData = (p: Buffer) => Buffer.concat([Buffer.from([0x03, 0, p.length >> 8, p.length & 0xff]), p]);
const channelData = (p: Buffer) => Buffer.concat([Buffer.from([0x40, 0x01, p.length >> 8, p.length & 0xff]), p, Buffer.alloc((4 - (p.length % 4)) % 4)]);
const tlsData = (p: Buffer) => Buffer.concat([Buffer.from([0x17, 0x03, 0x03, p.length >> 8, p.length & 0xff]), p]);

/** 40 payloads each way between the client's port `clientPort` and the Edge's `port`, wrapped by `wrap`, as one capture. */
function capture(port: number, clientPort: number, wrap: (p: Buffer) => Buffer): Buffer[] {
  const frames: Buffer[] = [];
  const seq = [1000, 9000];
  const send = (fromClient: boolean, payload: Buffer) => {
    const [src, dst] = fromClient ? [CLIENT, EDGE] : [EDGE, CLIENT];
    const [sport, dport] = fromClient ? [clientPort, port] : [port, clientPort];
    const [mine, theirs] = fromClient ? [0, 1] : [1, 0];
    const tcp = tcpSegment(src, dst, { sport, dport, seq: seq[mine], ack: seq[theirs], flags: TcpFlag.ACK | TcpFlag.PSH, window: 512 }, payload);
    frames.push(ethernet(l2, EtherType.IPv4, ipPacket({ src, dst, ttl: 64 }, IpProto.TCP, tcp)));
    seq[mine] += payload.length;
  };
  for (let i = 0; i < 40; i++) {
    send(true, wrap(media(0x1111, 100 + i)));
    send(false, wrap(media(0x2222, 700 + i)));
  }
  return frames;
}

describe('a capture that starts mid-call on TCP', async () => {
  const frames = [...capture(443, 50020, msTurnData), ...capture(3478, 50030, channelData), ...capture(5061, 50040, tlsData)];
  const file = join(mkdtempSync(join(tmpdir(), 'flowaudit-midcall-tcp-')), 'mid-call-tcp.pcap');
  writeFileSync(file, pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000, frac: i * 10_000, data }))));
  const inline = await lib.analyze([file], { inspectionWorker: false });
  const worker = await lib.analyze([file], { inspectionWorker: true });
  const flowTo = (port: number) => inline.flows.find((f) => f.server.port === port)!;

  it('reads MS-TURN data frames on TCP 443 as MS-TURN over TCP, with their media', () => {
    expect(flowTo(443).apps?.map((a) => [a.protocol, a.messages])).toEqual([['ms-turn-tcp', 80], ['rtp', undefined]]);
  });

  it('reads ChannelData over TCP as ChannelData, with its media', () => {
    expect(flowTo(3478).apps?.map((a) => [a.protocol, a.messages])).toEqual([['channeldata', 80], ['rtp', undefined]]);
  });

  it('reads records of data on 5061 as TLS seen after its handshake', () => {
    expect(flowTo(5061).apps).toMatchObject([{ protocol: 'tls', midSession: true, recordVersion: 'TLS 1.2', evidenceFrames: [161, 162] }]);
  });

  it('measures every relayed stream whole, and finds no payload mismatch', () => {
    const streams = inline.media.streams.map((s) => [s.ssrc, s.packets, s.lost]);
    expect(streams).toEqual([[0x1111, 40, 0], [0x2222, 40, 0], [0x1111, 40, 0], [0x2222, 40, 0]]);
    expect(inline.findings.filter((f) => f.kind === 'payload-mismatch')).toEqual([]);
  });

  it('gives the same report in the inspection worker', () => {
    expect(lib.reportToJson(worker)).toBe(lib.reportToJson(inline));
  });
});
