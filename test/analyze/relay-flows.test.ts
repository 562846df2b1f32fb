/** An allocation's relayFlows: the flows on its relayed address and port, of the relayed transport only. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { pcapFile, type TestPacket } from '../helpers/capture-builders.js';
import { MSTURN_ALLOCATE_REQUEST, MSTURN_ALLOCATE_RESPONSE } from '../inspect/fixtures.js';

const ip4 = (s: string) => Buffer.from(s.split('.').map(Number));

/** Ethernet + IPv4 + UDP or TCP (a bare SYN when `syn`), checksums left zero. */
function frame(proto: 'udp' | 'tcp', src: string, sport: number, dst: string, dport: number, payload: Buffer<ArrayBufferLike> = Buffer.alloc(0)): Buffer {
  const l4 = proto === 'udp' ? Buffer.alloc(8) : Buffer.alloc(20);
  l4.writeUInt16BE(sport, 0);
  l4.writeUInt16BE(dport, 2);
  if (proto === 'udp') l4.writeUInt16BE(8 + payload.length, 4);
  else {
    l4[12] = 5 << 4;
    l4[13] = 0x02; // SYN
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + l4.length + payload.length, 2);
  ip[8] = 64;
  ip[9] = proto === 'udp' ? 17 : 6;
  ip4(src).copy(ip, 12);
  ip4(dst).copy(ip, 16);
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  return Buffer.concat([eth, ip, l4, payload]);
}

describe('relayFlows', () => {
  it('lists the UDP flow on an MS-TURN UDP allocation\'s relayed address, not a TCP connection to the same port', async () => {
    const response = Buffer.from(MSTURN_ALLOCATE_RESPONSE);
    MSTURN_ALLOCATE_REQUEST.copy(response, 4, 4, 20); // the request's transaction id
    const relay = '52.114.250.141'; // the response's MAPPED-ADDRESS, port 3480
    const packets: TestPacket[] = [
      frame('udp', '10.0.0.1', 50000, relay, 3478, MSTURN_ALLOCATE_REQUEST),
      frame('udp', relay, 3478, '10.0.0.1', 50000, response),
      frame('udp', '198.51.100.7', 40000, relay, 3480, Buffer.alloc(40, 0x80)),
      frame('tcp', '198.51.100.8', 40001, relay, 3480),
    ].map((data, i) => ({ sec: 1_700_000_000, frac: i * 1000, data }));
    const path = join(mkdtempSync(join(tmpdir(), 'flowaudit-relay-')), 'relay.pcap');
    writeFileSync(path, pcapFile(packets));
    const report = await analyze([path]);
    const [a] = report.stun!.allocations;
    expect(a).toMatchObject({ outcome: 'success', relayed: `${relay}:3480` });
    const udp = report.flows.find((f) => f.transport === 'udp' && f.server.port === 3480)!;
    expect(report.flows.some((f) => f.transport === 'tcp' && f.server.port === 3480)).toBe(true);
    expect(a.relayFlows).toEqual([udp.id]);
  });
});
