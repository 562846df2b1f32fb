import { describe, expect, it } from 'vitest';
import { IpProto, PacketView } from '../../src/decode/packet-view.js';
import { flowRecord, transportName } from '../../src/flow/flow-record.js';
import { FlowTable } from '../../src/flow/flow-table.js';
import { fill, TcpConversation } from './helpers.js';

describe('flowRecord', () => {
  it('turns a TCP connection into the report object, in client/server orientation', () => {
    const t = new FlowTable();
    const c = new TcpConversation(t, '192.0.2.10', 51000, '198.51.100.20', 5061);
    c.c('S'); // 0.01
    c.s('SA');
    c.c('A');
    c.c('PA', 300);
    c.s('PA', 1200);
    c.c('FA');
    c.s('FA');
    c.c('A'); // 0.08
    const r = flowRecord(t.store, 0);
    expect(r).toEqual({
      id: 1,
      transport: 'tcp',
      client: { ip: '192.0.2.10', port: 51000 },
      server: { ip: '198.51.100.20', port: 5061 },
      firstSeen: 0.01,
      lastSeen: expect.closeTo(0.08, 9),
      frames: { first: expect.any(Number), last: expect.any(Number) },
      packets: { fromClient: 5, fromServer: 3 },
      bytes: { fromClient: 5 * 54 + 300, fromServer: 3 * 54 + 1200 },
      payloadBytes: { fromClient: 300, fromServer: 1200 },
      orientedBy: 'syn',
      endedBy: 'end',
      tcp: { state: 'SF', history: 'ShADdFf' },
    });
    expect(r.frames.last - r.frames.first).toBe(7);
    // Key order is part of the contract (stable JSON).
    expect(Object.keys(r)).toEqual(['id', 'transport', 'client', 'server', 'firstSeen', 'lastSeen', 'frames', 'packets', 'bytes', 'payloadBytes', 'orientedBy', 'endedBy', 'tcp']);
    // The table is accepted in place of its store.
    expect(flowRecord(t, 0)).toEqual(r);
  });

  it('UDP over IPv6 with fragments and ICMP errors', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const udp = { src: '2001:db8:0:0:1::10', dst: '2001:db8::20', sport: 5062, dport: 5060, proto: IpProto.UDP };
    t.add(fill(p, { ...udp, len: 2000, wire: 1510, ts: 1 }));
    t.add(fill(p, { ...udp, fragOffset: 1448, wire: 700, ts: 1 }));
    t.add(fill(p, { src: '2001:db8::1', dst: udp.src, proto: IpProto.ICMPV6, sport: 1, dport: 4, icmpType: 1, icmpCode: 4, ts: 2,
      inner: { src: udp.src, dst: udp.dst, sport: udp.sport, dport: udp.dport, proto: IpProto.UDP } }));
    t.recordIcmpError(t.findQuoted(p), p);
    t.finish();
    const r = flowRecord(t.store, 0);
    expect(r.transport).toBe('udp');
    expect(r.client).toEqual({ ip: '2001:db8::1:0:0:10', port: 5062 });
    expect(r.server).toEqual({ ip: '2001:db8::20', port: 5060 });
    expect(r.tcp).toBeUndefined();
    expect(r.fragments).toEqual({ fromClient: { packets: 1, bytes: 700 }, fromServer: { packets: 0, bytes: 0 } });
    expect(r.packets).toEqual({ fromClient: 2, fromServer: 0 });
    expect(r.icmpErrors).toEqual([
      { type: 1, code: 4, reporter: '2001:db8::1', quotedFrom: 'client', count: 1, firstFrame: expect.any(Number), firstSeen: 2 },
    ]);
    expect(r.orientedBy).toBe('first-packet');
    expect(r.endedBy).toBe('end');
    const icmp = flowRecord(t.store, 1);
    expect(icmp.transport).toBe('icmpv6');
    expect(icmp.client).toEqual({ ip: '2001:db8::1', port: 1 });
    expect(icmp.icmpErrors).toBeUndefined();
    expect(icmp.fragments).toBeUndefined();
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('names transports and reports idle endings', () => {
    expect([6, 17, 1, 58, 47, 132].map(transportName)).toEqual(['tcp', 'udp', 'icmp', 'icmpv6', 'ip-47', 'ip-132']);
    const t = new FlowTable();
    const p = new PacketView();
    t.add(fill(p, { src: '10.0.0.1', dst: '10.0.0.2', proto: 47, ts: 0 }));
    t.add(fill(p, { src: '10.0.0.2', dst: '10.0.0.1', proto: 47, ts: 100 }));
    expect(flowRecord(t.store, 0)).toMatchObject({ id: 1, transport: 'ip-47', endedBy: 'idle', client: { ip: '10.0.0.1', port: 0 } });
    expect(flowRecord(t.store, 1)).toMatchObject({ id: 2, endedBy: 'end', client: { ip: '10.0.0.2' } });
    expect(() => flowRecord(t.store, 2)).toThrow(RangeError);
  });
});
