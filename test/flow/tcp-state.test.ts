import { describe, expect, it } from 'vitest';
import { FlowTable } from '../../src/flow/flow-table.js';
import { connState, history, TcpEndpoint } from '../../src/flow/tcp-state.js';
import { PacketView } from '../../src/decode/packet-view.js';
import { fill, TcpConversation } from './helpers.js';

function conversation(): TcpConversation {
  return new TcpConversation(new FlowTable());
}

function summary(conv: TcpConversation, flow: number): { state: string; history: string } {
  const s = conv.table.store;
  return { state: connState(s, flow), history: history(s, flow) };
}

function handshake(conv: TcpConversation): number {
  conv.c('S');
  conv.s('SA');
  return conv.c('A');
}

// Expected values follow Zeek's conn.log documentation (scripts/base/protocols/conn/main.zeek):
// conn_state meanings and history letters, e.g. "ShADadFf" for a normal connection.
describe('conn_state and history per Zeek', () => {
  it('SF: normal establishment and termination gives "ShADadFf"', () => {
    const c = conversation();
    handshake(c);
    c.c('PA', 100);
    c.s('A');
    c.s('PA', 200);
    c.c('FA');
    c.s('FA');
    const f = c.c('A');
    expect(summary(c, f)).toEqual({ state: 'SF', history: 'ShADadFf' });
    const s = c.table.store;
    expect([s.tcpState(f, 0), s.tcpState(f, 1)]).toEqual([TcpEndpoint.Closed, TcpEndpoint.Closed]);
  });

  it('S0: a SYN without reply, retransmitted, stays one flow', () => {
    const c = conversation();
    const f = c.c('S');
    expect(c.c('S', 0, { seq: 1000, dt: 1 })).toBe(f);
    expect(c.c('S', 0, { seq: 1000, dt: 2 })).toBe(f);
    expect(summary(c, f)).toEqual({ state: 'S0', history: 'S' });
    expect(c.table.store.packets(f, 0)).toBe(3);
  });

  it('REJ: SYN answered by RST-ACK', () => {
    const c = conversation();
    c.c('S');
    const f = c.s('RA');
    expect(summary(c, f)).toEqual({ state: 'REJ', history: 'Sr' });
  });

  it('S1: established, not terminated', () => {
    const c = conversation();
    handshake(c);
    c.c('PA', 10);
    const f = c.s('A');
    expect(summary(c, f)).toEqual({ state: 'S1', history: 'ShADa' });
  });

  it('S2: the client closed, no FIN from the server', () => {
    const c = conversation();
    handshake(c);
    c.c('FA');
    const f = c.s('A');
    expect(summary(c, f)).toEqual({ state: 'S2', history: 'ShAFa' });
  });

  it('S3: the server closed, no FIN from the client', () => {
    const c = conversation();
    handshake(c);
    const f = c.s('FA');
    expect(summary(c, f)).toEqual({ state: 'S3', history: 'ShAf' });
  });

  it('RSTO: established, the client aborts', () => {
    const c = conversation();
    handshake(c);
    c.c('PA', 10);
    const f = c.c('RA');
    expect(summary(c, f)).toEqual({ state: 'RSTO', history: 'ShADR' });
  });

  it('RSTR: established, the server aborts', () => {
    const c = conversation();
    handshake(c);
    const f = c.s('R');
    expect(summary(c, f)).toEqual({ state: 'RSTR', history: 'ShAr' });
  });

  it('RSTOS0: SYN then RST from the client, no SYN-ACK', () => {
    const c = conversation();
    c.c('S');
    const f = c.c('R');
    expect(summary(c, f)).toEqual({ state: 'RSTOS0', history: 'SR' });
  });

  it('RSTRH: SYN-ACK then RST from the server, no SYN seen', () => {
    const c = conversation();
    c.s('SA');
    const f = c.s('R');
    expect(summary(c, f)).toEqual({ state: 'RSTRH', history: '^hr' });
  });

  it('SH: SYN then FIN from the client, no SYN-ACK', () => {
    const c = conversation();
    c.c('S');
    const f = c.c('F');
    expect(summary(c, f)).toEqual({ state: 'SH', history: 'SF' });
  });

  it('SHR: SYN-ACK then FIN from the server, no SYN seen', () => {
    const c = conversation();
    c.s('SA');
    const f = c.s('FA');
    expect(summary(c, f)).toEqual({ state: 'SHR', history: '^hf' });
  });

  it('OTH: midstream traffic only', () => {
    const c = conversation();
    c.c('PA', 100);
    const f = c.s('PA', 100);
    expect(summary(c, f)).toEqual({ state: 'OTH', history: 'Dd' });
    const s = c.table.store;
    expect([s.tcpState(f, 0), s.tcpState(f, 1)]).toEqual([TcpEndpoint.Partial, TcpEndpoint.Partial]);
  });

  it('OTH with ^: the server spoke first mid-flow (oriented by its port below 1024)', () => {
    const c = conversation();
    c.s('PA', 100);
    const f = c.c('A');
    expect(summary(c, f)).toEqual({ state: 'OTH', history: '^dA' });
  });

  it('S1 when the SYN was missed but the SYN-ACK and the ACK were seen', () => {
    const c = conversation();
    c.s('SA');
    const f = c.c('A');
    expect(summary(c, f)).toEqual({ state: 'S1', history: '^hA' });
  });

  it('a FIN followed by a RST from the same side after the peer FIN still ends SF', () => {
    const c = conversation();
    handshake(c);
    c.c('FA');
    c.s('FA');
    const f = c.c('R');
    // Closed state ignores a RST once the peer has closed too (Zeek UpdateClosedState).
    expect(summary(c, f)).toEqual({ state: 'SF', history: 'ShAFfR' });
  });

  it('a RST after the own FIN, before the peer FIN, turns back into SF when the peer FIN comes', () => {
    const c = conversation();
    handshake(c);
    c.c('FA');
    c.c('R');
    const f = c.s('FA');
    expect(summary(c, f)).toEqual({ state: 'SF', history: 'ShAFRf' });
  });

  it('REJ after a reset with no payload from either side', () => {
    const c = conversation();
    c.c('S');
    c.c('R');
    const f = c.s('R');
    expect(summary(c, f).state).toBe('REJ');
  });
});

describe('history letters', () => {
  it('T: payload at a sequence number already sent is a retransmission', () => {
    const c = conversation();
    handshake(c);
    c.c('PA', 100);
    const f = c.c('PA', 100, { seq: 1001 });
    expect(history(c.table.store, f)).toBe('ShADT');
  });

  it('no T for new data, nor for a pure ACK at the same sequence number', () => {
    const c = conversation();
    handshake(c);
    c.c('PA', 100);
    c.c('PA', 100);
    const f = c.c('A');
    expect(history(c.table.store, f)).toBe('ShAD');
  });

  it('T across the 32-bit sequence wrap', () => {
    const c = conversation();
    c.clientSeq = 0xffffffff - 50;
    handshake(c);
    c.c('PA', 100); // wraps past 2^32
    c.c('PA', 100);
    expect(history(c.table.store, 0)).toBe('ShAD');
    c.c('PA', 100, { seq: 0xffffffff - 49 });
    expect(history(c.table.store, 0)).toBe('ShADT');
  });

  it('W: zero window advertisement, not when it comes with a RST', () => {
    const c = conversation();
    handshake(c);
    c.s('R', 0, { win: 0 });
    expect(history(c.table.store, 0)).toBe('ShAr');
    const d = conversation();
    handshake(d);
    d.s('A', 0, { win: 0 });
    expect(history(d.table.store, 0)).toBe('ShAaw');
  });

  it('Q: SYN+FIN, I: FIN+RST', () => {
    const c = conversation();
    c.c('SF');
    expect(history(c.table.store, 0)).toBe('Q');
    const d = conversation();
    handshake(d);
    d.s('FR');
    expect(history(d.table.store, 0)).toBe('ShAi');
  });

  it('each letter at most once per direction, uppercase for the client, lowercase for the server', () => {
    const c = conversation();
    handshake(c);
    for (let i = 0; i < 5; i++) {
      c.c('PA', 10);
      c.s('PA', 10);
      c.c('A');
      c.s('A');
    }
    expect(history(c.table.store, 0)).toBe('ShADda');
  });

  it('a data-bearing SYN records S only, its retransmission T', () => {
    const c = conversation();
    c.c('S', 20);
    expect(history(c.table.store, 0)).toBe('S');
    c.c('S', 20, { seq: 1000 });
    expect(history(c.table.store, 0)).toBe('ST');
  });
});

describe('connState for UDP and others', () => {
  it('UDP: SF both ways, S0 one way', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const a = t.add(fill(p, { src: '10.0.0.1', dst: '10.0.0.2', sport: 5000, dport: 53, proto: 17 }));
    const b = t.add(fill(p, { src: '10.0.0.3', dst: '10.0.0.2', sport: 5000, dport: 53, proto: 17 }));
    t.add(fill(p, { src: '10.0.0.2', dst: '10.0.0.1', sport: 53, dport: 5000, proto: 17 }));
    expect(connState(t.store, a)).toBe('SF');
    expect(connState(t.store, b)).toBe('S0');
    expect(history(t.store, a)).toBe('');
    const g = t.add(fill(p, { src: '10.0.0.1', dst: '10.0.0.2', proto: 47 }));
    expect(connState(t.store, g)).toBe('OTH');
  });
});
