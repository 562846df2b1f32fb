import { describe, expect, it } from 'vitest';
import { A } from '../../src/anomalies.js';
import { IpProto, PacketView } from '../../src/decode/packet-view.js';
import { EndedBy } from '../../src/flow/flow-store.js';
import { FlowTable } from '../../src/flow/flow-table.js';
import { fill, TcpConversation } from './helpers.js';

const udpSpec = { src: '10.0.0.1', dst: '10.0.0.2', sport: 5000, dport: 53, proto: IpProto.UDP };

describe('idle timeouts', () => {
  it('a UDP packet after more than the timeout starts a new flow; the old one is idle-evicted', () => {
    const t = new FlowTable({ idleTimeouts: { udp: 60 } });
    const p = new PacketView();
    const a = t.add(fill(p, { ...udpSpec, ts: 100 }));
    expect(t.add(fill(p, { ...udpSpec, ts: 159.9 }))).toBe(a);
    const b = t.add(fill(p, { ...udpSpec, ts: 220 }));
    expect(b).toBe(a + 1);
    expect(t.store.endedBy[a]).toBe(EndedBy.Idle);
    expect(t.anomalies[A.FlowEvictedIdle]).toBe(1);
    expect(t.evictedCount).toBe(1);
    expect(t.store.packets(a, 0)).toBe(2);
    expect(t.store.lastTs(a)).toBe(159.9);
  });

  it('established TCP uses the long timeout, a half-open one the short one', () => {
    const t = new FlowTable();
    const est = new TcpConversation(t);
    est.c('S');
    est.s('SA');
    const f = est.c('A');
    expect(est.c('PA', 10, { dt: 3000 })).toBe(f);

    const half = new TcpConversation(t, '10.0.0.9');
    const g = half.c('S');
    expect(half.c('A', 0, { dt: 301 })).not.toBe(g);
    expect(t.store.endedBy[g]).toBe(EndedBy.Idle);
  });

  it('a closed TCP connection lingers, then ends as closed without an anomaly', () => {
    const t = new FlowTable({ idleTimeouts: { tcpClosed: 30 } });
    const c = new TcpConversation(t);
    c.c('S');
    c.s('SA');
    c.c('FA');
    const f = c.s('FA');
    expect(c.c('A', 0, { dt: 29 })).toBe(f);
    expect(c.c('A', 0, { dt: 31 })).not.toBe(f);
    expect(t.store.endedBy[f]).toBe(EndedBy.Closed);
    expect(t.anomalies[A.FlowEvictedIdle]).toBe(0);
    expect(t.evictedCount).toBe(0);
  });

  it('the periodic sweep finishes idle flows that see no further packet', () => {
    const finished: number[] = [];
    const t = new FlowTable({ onFinish: (f) => finished.push(f) });
    const p = new PacketView();
    const quiet = t.add(fill(p, { ...udpSpec, sport: 1, ts: 0 }));
    const busy = t.add(fill(p, { ...udpSpec, sport: 2, ts: 0 }));
    // 2^14 packets over 200 s on the busy flow: at least one sweep runs after t = 60.
    for (let i = 1; i <= 1 << 14; i++) t.add(fill(p, { ...udpSpec, sport: 2, ts: (i * 200) / (1 << 14), frame: i }));
    expect(t.store.endedBy[quiet]).toBe(EndedBy.Idle);
    expect(t.store.endedBy[busy]).toBe(EndedBy.Live);
    expect(finished).toEqual([quiet]);
    expect(t.live).toBe(1);
    expect(t.checkTable()).toBeNull();
  });

  it('sweepIdle() uses the latest capture time seen, and packets out of order keep the first/last times right', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const a = t.add(fill(p, { ...udpSpec, ts: 10 }));
    t.add(fill(p, { ...udpSpec, ts: 9 }));
    expect([t.store.firstTs(a), t.store.lastTs(a)]).toEqual([9, 10]);
    t.add(fill(p, { ...udpSpec, sport: 7, ts: 71 }));
    t.sweepIdle();
    expect(t.store.endedBy[a]).toBe(EndedBy.Idle);
    expect(t.live).toBe(1);
  });

  // The sweep skips flows by the coarse last-seen time and timeout kept in their slots; these pin that filter down.
  it('the sweep ends a connection whose TCP state shortened its timeout since its last packet', () => {
    const t = new FlowTable({ idleTimeouts: { tcpClosed: 30 } });
    const c = new TcpConversation(t);
    c.c('S');
    c.s('SA');
    c.c('A', 0, { dt: 100 }); // established: the 3600 s timeout
    c.c('FA');
    const f = c.s('FA', 0, { seq: c.serverSeq }); // closed both ways, at the same second: now the 30 s linger
    const p = new PacketView();
    t.add(fill(p, { ...udpSpec, ts: c.ts + 29 }));
    t.sweepIdle();
    expect(t.store.endedBy[f]).toBe(EndedBy.Live);
    t.add(fill(p, { ...udpSpec, ts: c.ts + 31 }));
    t.sweepIdle();
    expect(t.store.endedBy[f]).toBe(EndedBy.Closed);
    expect(t.checkTable()).toBeNull();
  });

  it('the sweep honours fractional timeouts and times far from the first packet', () => {
    const t = new FlowTable({ idleTimeouts: { udp: 0.25 } });
    const p = new PacketView();
    const a = t.add(fill(p, { ...udpSpec, sport: 1, ts: 1000.1 }));
    const b = t.add(fill(p, { ...udpSpec, sport: 2, ts: 1000.3 }));
    t.sweepIdle(); // now = 1000.3: a idle 0.2 s
    expect(t.store.endedBy[a]).toBe(EndedBy.Live);
    t.add(fill(p, { ...udpSpec, sport: 3, ts: 1000.4 }));
    t.sweepIdle(); // a idle 0.3 s, b 0.1 s
    expect([t.store.endedBy[a], t.store.endedBy[b]]).toEqual([EndedBy.Idle, EndedBy.Live]);
    // Seconds since the first packet beyond int32, then before it: the slots cannot hold them and the sweep checks exactly.
    const far = t.add(fill(p, { ...udpSpec, sport: 4, ts: 1000 + 2 ** 32 }));
    const early = t.add(fill(p, { ...udpSpec, sport: 5, ts: -(2 ** 32) }));
    t.add(fill(p, { ...udpSpec, sport: 6, ts: 1000.2 + 2 ** 32 }));
    t.sweepIdle();
    expect([t.store.endedBy[far], t.store.endedBy[early]]).toEqual([EndedBy.Live, EndedBy.Idle]);
    t.add(fill(p, { ...udpSpec, sport: 6, ts: 1000.3 + 2 ** 32 }));
    t.sweepIdle();
    expect(t.store.endedBy[far]).toBe(EndedBy.Idle);
    expect(t.checkTable()).toBeNull();
  });

  it('the sweep ends exactly the flows idle longer than their timeout (randomized, against the stored times)', () => {
    const t = new FlowTable({ idleTimeouts: { udp: 7.5, other: 3 } });
    const p = new PacketView();
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let now = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 40; i++) {
        const ts = 1e9 + round * 2 + rnd() * 3 - 1; // slightly out of order
        now = Math.max(now, ts);
        t.add(fill(p, { ...udpSpec, sport: Math.floor(rnd() * 200), proto: rnd() < 0.3 ? IpProto.ICMP : IpProto.UDP, ts }));
      }
      const live = Array.from({ length: t.store.count }, (_, f) => f).filter((f) => !t.store.isFinished(f));
      t.sweepIdle();
      for (const f of live) {
        const timeout = t.store.proto(f) === IpProto.UDP ? 7.5 : 3;
        expect(t.store.endedBy[f]).toBe(now - t.store.lastTs(f) > timeout ? EndedBy.Idle : EndedBy.Live);
      }
    }
    expect(t.checkTable()).toBeNull();
  });

  it('rejects non-positive timeouts and caps', () => {
    expect(() => new FlowTable({ idleTimeouts: { udp: 0 } })).toThrow(RangeError);
    expect(() => new FlowTable({ maxLiveFlows: 0 })).toThrow(RangeError);
  });
});

describe('live-flow cap', () => {
  it('evicts the least recently seen flows down to 90% of the cap, keeping them finished in the store', () => {
    const finished: number[] = [];
    const t = new FlowTable({ maxLiveFlows: 100, onFinish: (f) => finished.push(f) });
    const p = new PacketView();
    for (let i = 0; i < 100; i++) t.add(fill(p, { ...udpSpec, sport: 1000 + i, ts: i / 10 }));
    // Touch the oldest flow so that it is no longer among the least recently seen.
    t.add(fill(p, { ...udpSpec, sport: 1000, ts: 10 }));
    expect(t.live).toBe(100);
    const newest = t.add(fill(p, { ...udpSpec, sport: 5000, ts: 10.1 }));
    expect(newest).toBe(100);
    expect(t.live).toBe(91);
    expect(finished).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const f of finished) expect(t.store.endedBy[f]).toBe(EndedBy.Cap);
    expect(t.store.endedBy[0]).toBe(EndedBy.Live);
    expect(t.anomalies[A.FlowEvictedCap]).toBe(10);
    expect(t.evictedCount).toBe(10);
    expect(t.peakLiveFlows).toBe(100);
    expect(t.store.count).toBe(101);
    // The evicted 5-tuple seen again is a new flow.
    expect(t.add(fill(p, { ...udpSpec, sport: 1001, ts: 10.2 }))).toBe(101);
    expect(t.checkTable()).toBeNull();
  });

  it('evicts exactly the number needed when many flows share the oldest time', () => {
    const t = new FlowTable({ maxLiveFlows: 20 });
    const p = new PacketView();
    for (let i = 0; i < 20; i++) t.add(fill(p, { ...udpSpec, sport: 1000 + i, ts: 5 }));
    t.add(fill(p, { ...udpSpec, sport: 9999, ts: 6 }));
    expect(t.live).toBe(19);
    expect(t.anomalies[A.FlowEvictedCap]).toBe(2);
  });

  it('a cap of one keeps only the newest flow', () => {
    const t = new FlowTable({ maxLiveFlows: 1 });
    const p = new PacketView();
    for (let i = 0; i < 5; i++) t.add(fill(p, { ...udpSpec, sport: 1000 + i, ts: i }));
    expect(t.live).toBe(1);
    expect(t.store.count).toBe(5);
    expect(t.anomalies[A.FlowEvictedCap]).toBe(4);
  });
});

describe('finish', () => {
  it('ends every live flow as end, in flow order, and leaves finished ones alone', () => {
    const finished: number[] = [];
    const t = new FlowTable({ onFinish: (f) => finished.push(f) });
    const p = new PacketView();
    for (let i = 0; i < 50; i++) t.add(fill(p, { ...udpSpec, sport: 2000 + i, ts: i }));
    expect(t.finishFlow(7)).toBe(true);
    expect(t.finishFlow(7)).toBe(false);
    t.finish();
    expect(finished).toEqual([7, ...Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 7)]);
    expect(t.live).toBe(0);
    for (let f = 0; f < 50; f++) expect(t.store.endedBy[f]).toBe(EndedBy.End);
    // Still usable.
    expect(t.add(fill(p, { ...udpSpec, sport: 2000, ts: 60 }))).toBe(50);
    expect(t.checkTable()).toBeNull();
  });
});
