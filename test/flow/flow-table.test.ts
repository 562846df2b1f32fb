import { describe, expect, it } from 'vitest';
import { A } from '../../src/anomalies.js';
import { IpProto, PacketView } from '../../src/decode/packet-view.js';
import { EndedBy, OrientedBy } from '../../src/flow/flow-store.js';
import { FlowTable, type ServicePorts } from '../../src/flow/flow-table.js';
import { connState, history } from '../../src/flow/tcp-state.js';
import { fill, TcpConversation, type PacketSpec } from './helpers.js';

const UDP = IpProto.UDP;
const TCP = IpProto.TCP;

function ports(tcp: number[], udp: number[]): ServicePorts {
  const p = { tcp: new Uint8Array(65536), udp: new Uint8Array(65536) };
  for (const n of tcp) p.tcp[n] = 1;
  for (const n of udp) p.udp[n] = 1;
  return p;
}

/** Adds one packet built from the spec; returns [flow, dir]. */
function send(t: FlowTable, spec: PacketSpec, pkt = new PacketView()): [number, number] {
  const f = t.add(fill(pkt, spec));
  return [f, t.lastDir];
}

describe('bidirectional lookup', () => {
  it('both directions of a UDP exchange land in one flow, counted per direction', () => {
    const t = new FlowTable();
    expect(send(t, { src: '10.1.1.1', dst: '10.2.2.2', sport: 50000, dport: 3478, proto: UDP, len: 20, wire: 62 })).toEqual([0, 0]);
    expect(t.lastCreated).toBe(true);
    expect(send(t, { src: '10.2.2.2', dst: '10.1.1.1', sport: 3478, dport: 50000, proto: UDP, len: 32, wire: 74 })).toEqual([0, 1]);
    expect(t.lastCreated).toBe(false);
    expect(send(t, { src: '10.1.1.1', dst: '10.2.2.2', sport: 50000, dport: 3478, proto: UDP, len: 20, wire: 62 })).toEqual([0, 0]);
    const s = t.store;
    expect(s.count).toBe(1);
    expect([s.packets(0, 0), s.packets(0, 1)]).toEqual([2, 1]);
    expect([s.wireBytes(0, 0), s.wireBytes(0, 1)]).toEqual([124, 74]);
    expect([s.payloadBytes(0, 0), s.payloadBytes(0, 1)]).toEqual([40, 32]);
  });

  it('a different port, address or protocol is a different flow', () => {
    const t = new FlowTable();
    const base = { src: '10.1.1.1', dst: '10.2.2.2', sport: 50000, dport: 443, proto: TCP, tcp: 'PA' };
    const a = send(t, base)[0];
    const b = send(t, { ...base, sport: 50001 })[0];
    const c = send(t, { ...base, dst: '10.2.2.3' })[0];
    const d = send(t, { ...base, proto: UDP })[0];
    // Ports swapped but addresses not: not the reverse direction.
    const e = send(t, { ...base, sport: 443, dport: 50000 })[0];
    expect(new Set([a, b, c, d, e]).size).toBe(5);
    expect(t.live).toBe(5);
  });

  it('IPv4 and IPv6 keys with equal low words stay apart', () => {
    const t = new FlowTable();
    const a = send(t, { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: UDP })[0];
    const b = send(t, { src: '::a00:1', dst: '::a00:2', sport: 1, dport: 2, proto: UDP })[0];
    expect(a).not.toBe(b);
    expect(send(t, { src: '::a00:2', dst: '::a00:1', sport: 2, dport: 1, proto: UDP })).toEqual([b, 1]);
    expect(send(t, { src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1, proto: UDP })).toEqual([a, 1]);
  });

  it('IPv6 flows differing only in high words are distinct; both directions match', () => {
    const t = new FlowTable();
    const a = send(t, { src: '2001:db8:1::10', dst: '2001:db8:2::20', sport: 5061, dport: 50000, proto: TCP, tcp: 'S' })[0];
    const b = send(t, { src: '2001:db9:1::10', dst: '2001:db8:2::20', sport: 5061, dport: 50000, proto: TCP, tcp: 'S' })[0];
    expect(a).not.toBe(b);
    expect(send(t, { src: '2001:db8:2::20', dst: '2001:db8:1::10', sport: 50000, dport: 5061, proto: TCP, tcp: 'SA' })).toEqual([a, 1]);
    expect(t.store.orientedBy[a]).toBe(OrientedBy.Syn);
    expect(connState(t.store, a)).toBe('S1'); // the SYN-ACK establishes both sides (Zeek)
    expect(history(t.store, a)).toBe('Sh');
  });

  it('find() looks up without counting', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const f = t.add(fill(p, { src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: UDP }));
    fill(p, { src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1, proto: UDP });
    expect(t.find(p)).toBe(f);
    expect(t.lastDir).toBe(1);
    expect(t.store.packets(0, 1)).toBe(0);
    fill(p, { src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 9, proto: UDP });
    expect(t.find(p)).toBe(-1);
  });

  it('ICMP echo request and reply (ports as the decoder writes them) share a flow', () => {
    const t = new FlowTable();
    // decode/icmp.ts: request srcPort = type 8, dstPort = identifier; reply swapped.
    const req = send(t, { src: '192.0.2.1', dst: '192.0.2.9', sport: 8, dport: 0x1234, proto: IpProto.ICMP });
    const rep = send(t, { src: '192.0.2.9', dst: '192.0.2.1', sport: 0x1234, dport: 8, proto: IpProto.ICMP });
    expect(rep).toEqual([req[0], 1]);
    expect(t.store.clientPort(req[0])).toBe(8);
    expect(t.store.serverPort(req[0])).toBe(0x1234);
    expect(t.store.orientedBy[req[0]]).toBe(OrientedBy.FirstPacket);
  });
});

describe('orientation', () => {
  it('SYN: the sender is the client even from a service port', () => {
    const t = new FlowTable({ servicePorts: ports([5061], []) });
    const [f] = send(t, { src: '10.0.0.5', dst: '10.0.0.6', sport: 5061, dport: 50123, tcp: 'S' });
    expect(t.store.orientedBy[f]).toBe(OrientedBy.Syn);
    expect(t.store.clientPort(f)).toBe(5061);
  });

  it('SYN-ACK first: the receiver is the client, history starts with ^', () => {
    const t = new FlowTable();
    const [f, dir] = send(t, { src: '10.0.0.6', dst: '10.0.0.5', sport: 50123, dport: 50124, tcp: 'SA' });
    expect(dir).toBe(1);
    expect(t.store.orientedBy[f]).toBe(OrientedBy.SynAck);
    expect([t.store.clientPort(f), t.store.serverPort(f)]).toEqual([50124, 50123]);
    expect(history(t.store, f)).toBe('^h');
  });

  it('mid-flow TCP between high ports: first packet sender, no ^', () => {
    const t = new FlowTable();
    const [f, dir] = send(t, { src: '10.0.0.6', dst: '10.0.0.5', sport: 50001, dport: 50002, tcp: 'PA', len: 10 });
    expect(dir).toBe(0);
    expect(t.store.orientedBy[f]).toBe(OrientedBy.FirstPacket);
    expect(t.store.clientPort(f)).toBe(50001);
    expect(history(t.store, f)).toBe('D');
  });

  it('mid-flow TCP from a port below 1024: that side is the server (well-known-port)', () => {
    const t = new FlowTable();
    const [f, dir] = send(t, { src: '10.0.0.6', dst: '10.0.0.5', sport: 443, dport: 50002, tcp: 'PA', len: 10 });
    expect(dir).toBe(1);
    expect(t.store.orientedBy[f]).toBe(OrientedBy.WellKnownPort);
    expect([t.store.clientPort(f), t.store.serverPort(f)]).toEqual([50002, 443]);
    expect(history(t.store, f)).toBe('^d');
  });

  it('mid-flow TCP with both ports below 1024: first packet sender', () => {
    const t = new FlowTable();
    const [f] = send(t, { src: '10.0.0.6', dst: '10.0.0.5', sport: 22, dport: 80, tcp: 'A' });
    expect(t.store.orientedBy[f]).toBe(OrientedBy.FirstPacket);
    expect(t.store.clientPort(f)).toBe(22);
  });

  it('mid-flow TCP from a catalog service port: service-port, even above 1024', () => {
    const t = new FlowTable({ servicePorts: ports([5061], []) });
    const [f, dir] = send(t, { src: '10.0.0.6', dst: '10.0.0.5', sport: 5061, dport: 50002, tcp: 'PA', len: 10 });
    expect(dir).toBe(1);
    expect(t.store.orientedBy[f]).toBe(OrientedBy.ServicePort);
    expect(t.store.serverPort(f)).toBe(5061);
    expect(history(t.store, f)).toBe('^d');
  });

  it('service-port beats well-known-port; both ports in the catalog falls back to the port below 1024', () => {
    const t = new FlowTable({ servicePorts: ports([5061, 443], []) });
    const [a] = send(t, { src: '10.0.0.6', dst: '10.0.0.5', sport: 80, dport: 5061, tcp: 'A' });
    expect(t.store.orientedBy[a]).toBe(OrientedBy.ServicePort);
    expect(t.store.serverPort(a)).toBe(5061);
    const [b] = send(t, { src: '10.0.0.6', dst: '10.0.0.5', sport: 443, dport: 5061, tcp: 'A' });
    expect(t.store.orientedBy[b]).toBe(OrientedBy.WellKnownPort);
    expect(t.store.serverPort(b)).toBe(443);
  });

  it('UDP: first packet sender without service ports; the catalog port side with them', () => {
    const plain = new FlowTable();
    const [a] = send(plain, { src: '10.0.0.6', dst: '10.0.0.5', sport: 3478, dport: 50002, proto: UDP });
    expect(plain.store.orientedBy[a]).toBe(OrientedBy.FirstPacket);
    expect(plain.store.clientPort(a)).toBe(3478);
    // No well-known-port rule for UDP.
    const [b] = send(plain, { src: '10.0.0.6', dst: '10.0.0.5', sport: 53, dport: 50002, proto: UDP });
    expect(plain.store.orientedBy[b]).toBe(OrientedBy.FirstPacket);

    const cat = new FlowTable();
    cat.setServicePorts(ports([], [3478]));
    const [c, dir] = send(cat, { src: '10.0.0.6', dst: '10.0.0.5', sport: 3478, dport: 50002, proto: UDP });
    expect(dir).toBe(1);
    expect(cat.store.orientedBy[c]).toBe(OrientedBy.ServicePort);
    expect([cat.store.clientPort(c), cat.store.serverPort(c)]).toEqual([50002, 3478]);
    // The TCP bitmap does not orient UDP.
    const [d] = send(cat, { src: '10.0.0.6', dst: '10.0.0.5', sport: 5061, dport: 50002, proto: UDP });
    expect(cat.store.orientedBy[d]).toBe(OrientedBy.FirstPacket);
  });

  it('rejects bitmaps of the wrong size', () => {
    expect(() => new FlowTable({ servicePorts: { tcp: new Uint8Array(10), udp: new Uint8Array(65536) } })).toThrow(RangeError);
  });
});

describe('TCP port reuse', () => {
  it('a SYN after a closed connection starts a new flow; the old one ends as reuse', () => {
    const t = new FlowTable();
    const c = new TcpConversation(t);
    c.c('S');
    c.s('SA');
    c.c('A');
    c.c('FA');
    c.s('FA');
    const old = c.c('A');
    c.clientSeq = 90000;
    const fresh = c.c('S');
    expect(fresh).not.toBe(old);
    expect(t.store.endedBy[old]).toBe(EndedBy.Reuse);
    expect(connState(t.store, old)).toBe('SF');
    expect(history(t.store, fresh)).toBe('S');
    expect(t.live).toBe(1);
    expect(t.anomalies[A.FlowEvictedIdle] + t.anomalies[A.FlowEvictedCap]).toBe(0);
  });

  it('a SYN after a reset starts a new flow (retry after REJ)', () => {
    const t = new FlowTable();
    const c = new TcpConversation(t);
    const first = c.c('S');
    c.s('RA');
    const retry = c.c('S', 0, { seq: 1000, dt: 1 });
    expect(retry).toBe(first + 1);
    expect(connState(t.store, first)).toBe('REJ');
    expect(connState(t.store, retry)).toBe('S0');
  });

  it('a SYN on an open connection does not, nor a SYN-ACK or ACK after close', () => {
    const t = new FlowTable();
    const c = new TcpConversation(t);
    const f = c.c('S');
    c.s('SA');
    c.c('A');
    expect(c.c('S', 0, { seq: 1000 })).toBe(f);
    c.c('FA');
    c.s('FA');
    expect(c.c('A')).toBe(f);
    expect(c.s('SA')).toBe(f);
    expect(t.store.count).toBe(1);
  });
});

describe('non-first fragments', () => {
  it('are counted in the flow and apart, without ports of their own needed', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const first = t.add(fill(p, { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, proto: UDP, len: 3000, wire: 1514 }));
    const frag = t.add(fill(p, { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, proto: UDP, fragOffset: 1480, wire: 1514 }));
    t.add(fill(p, { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, proto: UDP, fragOffset: 2960, wire: 82 }));
    expect(frag).toBe(first);
    const s = t.store;
    expect(s.packets(0, 0)).toBe(3);
    expect(s.wireBytes(0, 0)).toBe(1514 + 1514 + 82);
    expect(s.fragPackets[0]).toBe(2);
    expect(s.fragBytes[0]).toBe(1514 + 82);
    expect(s.payloadBytes(0, 0)).toBe(3000);
  });

  it('do not touch TCP state', () => {
    const t = new FlowTable();
    const c = new TcpConversation(t);
    c.c('S');
    c.s('SA');
    const f = c.c('A');
    const p = new PacketView();
    t.add(fill(p, { src: '10.0.0.2', dst: '10.0.0.1', sport: 443, dport: 40000, fragOffset: 1480, ts: 1 }));
    expect(history(t.store, f)).toBe('ShA');
    expect(t.store.fragPackets[f * 2 + 1]).toBe(1);
    expect(t.store.packets(f, 1)).toBe(2);
  });
});

describe('ICMP errors', () => {
  const udp = { src: '10.0.0.1', dst: '198.51.100.7', sport: 50000, dport: 3478, proto: UDP };
  const unreachable = (reporter: string, inner: typeof udp, ts = 1, code = 3): PacketSpec => ({
    src: reporter, dst: inner.src, proto: IpProto.ICMP, sport: 3, dport: code, icmpType: 3, icmpCode: code, ts,
    inner: { src: inner.src, dst: inner.dst, sport: inner.sport, dport: inner.dport, proto: inner.proto },
  });

  it('are attributed to the quoted flow, one entry per reporter/type/code/side', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const flow = t.add(fill(p, { ...udp, ts: 0 }));
    for (const [reporter, ts, code] of [['198.51.100.7', 1, 3], ['198.51.100.7', 2, 3], ['203.0.113.1', 3, 13], ['198.51.100.7', 4, 1]] as const) {
      t.add(fill(p, unreachable(reporter, udp, ts, code)));
      const quoted = t.findQuoted(p);
      expect(quoted).toBe(flow);
      t.recordIcmpError(quoted, p);
    }
    const errors = t.store.icmpErrors.get(flow)!;
    expect(errors.map((e) => [e.reporter, e.type, e.code, e.count, e.firstTs, e.lastTs, e.quotedFrom])).toEqual([
      ['198.51.100.7', 3, 3, 2, 1, 2, 'client'],
      ['203.0.113.1', 3, 13, 1, 3, 3, 'client'],
      ['198.51.100.7', 3, 1, 1, 4, 4, 'client'],
    ]);
    // The ICMP packets themselves form their own flows, apart from the UDP flow.
    expect(t.store.count).toBe(4);
  });

  it('knows which side sent the quoted datagram', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const flow = t.add(fill(p, { ...udp, ts: 0 }));
    const reverse = { src: udp.dst, dst: udp.src, sport: udp.dport, dport: udp.sport, proto: UDP };
    t.add(fill(p, unreachable('10.0.0.254', reverse)));
    expect(t.findQuoted(p)).toBe(flow);
    t.recordIcmpError(flow, p);
    expect(t.store.icmpErrors.get(flow)![0].quotedFrom).toBe('server');
  });

  it('find no flow for an unknown quote, a finished flow, or a too-short quote', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const flow = t.add(fill(p, { ...udp, ts: 0 }));
    fill(p, unreachable('10.0.0.254', { ...udp, dport: 3479 }));
    expect(t.findQuoted(p)).toBe(-1);
    fill(p, unreachable('10.0.0.254', udp));
    p.innerFamily = 0;
    expect(t.findQuoted(p)).toBe(-1);
    t.finishFlow(flow);
    fill(p, unreachable('10.0.0.254', udp));
    expect(t.findQuoted(p)).toBe(-1);
  });
});
