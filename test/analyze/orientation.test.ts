/**
 * Flow orientation when the capture starts mid-connection: the catalog's
 * documented service port names the server (ARCHITECTURE.md, "Flow orientation").
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { analyze } from '../../src/analyze.js';
import { ethernet, EtherType, ipPacket, IpProto, TcpFlag, tcpSegment } from '../../samples/generator/packets.js';
import { pcapFile } from '../helpers/capture-builders.js';

const l2 = { src: '00:15:5d:00:00:01', dst: '00:15:5d:00:00:02' };

/** A TCP segment as a frame; `from` sends it to `to`. */
function segment(from: [string, number], to: [string, number], flags: number, payload = Buffer.alloc(0)): Buffer {
  const tcp = tcpSegment(from[0], to[0], { sport: from[1], dport: to[1], seq: 1000, ack: 2000, flags, window: 8192 }, payload);
  return ethernet(l2, EtherType.IPv4, ipPacket({ src: from[0], dst: to[0], ttl: 128 }, IpProto.TCP, tcp));
}

async function flowsOf(frames: Buffer[]) {
  const file = pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000 + i, frac: 0, data })));
  return (await analyze(['-'], { stdin: Readable.from([file]) })).flows;
}

const edge: [string, number] = ['10.0.1.10', 5061];
const frontEnd: [string, number] = ['10.0.2.3', 50999];

describe('orientation of a connection whose start was not captured', () => {
  it('makes the side on a documented service port the server, even when it spoke first', async () => {
    const [flow] = await flowsOf([
      segment(edge, frontEnd, TcpFlag.ACK | TcpFlag.PSH, Buffer.alloc(100, 1)),
      segment(frontEnd, edge, TcpFlag.ACK),
    ]);
    expect({ ip: flow.server.ip, port: flow.server.port }).toEqual({ ip: edge[0], port: edge[1] });
    expect({ ip: flow.client.ip, port: flow.client.port }).toEqual({ ip: frontEnd[0], port: frontEnd[1] });
    expect(flow.orientedBy).toBe('service-port');
    expect(flow.packets).toEqual({ fromClient: 1, fromServer: 1 });
    expect(flow.tcp?.history).toMatch(/^\^/); // Zeek's mark: the originator is not the first sender
  });

  it('falls back to the first sender when neither port is documented nor privileged', async () => {
    const a: [string, number] = ['10.0.9.1', 40001];
    const b: [string, number] = ['10.0.9.2', 40002];
    const [flow] = await flowsOf([segment(b, a, TcpFlag.ACK, Buffer.alloc(10)), segment(a, b, TcpFlag.ACK)]);
    expect({ ip: flow.client.ip, port: flow.client.port }).toEqual({ ip: b[0], port: b[1] });
    expect(flow.orientedBy).toBe('first-packet');
  });

  it('lets a seen SYN decide, whatever the ports', async () => {
    const [flow] = await flowsOf([segment(edge, frontEnd, TcpFlag.SYN), segment(frontEnd, edge, TcpFlag.SYN | TcpFlag.ACK)]);
    expect({ ip: flow.client.ip, port: flow.client.port }).toEqual({ ip: edge[0], port: edge[1] });
    expect(flow.orientedBy).toBe('syn');
  });

  it('uses only the packs chosen', async () => {
    const flows = await analyze(['-'], {
      stdin: Readable.from([pcapFile([segment(edge, frontEnd, TcpFlag.ACK, Buffer.alloc(10))].map((data) => ({ sec: 1, frac: 0, data })))]),
      catalog: { packs: ['reverse-proxy'] },
    });
    // The reverse-proxy pack documents 80/443/4443/8080 only: 5061 is no service port there.
    expect(flows.flows[0].orientedBy).toBe('first-packet');
  });
});
