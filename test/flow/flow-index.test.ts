import { describe, expect, it } from 'vitest';
import { IpProto, PacketView } from '../../src/decode/packet-view.js';
import { flowKeyHash, flowKeyHashV4 } from '../../src/flow/flow-hash.js';
import { EndedBy } from '../../src/flow/flow-store.js';
import { FlowTable } from '../../src/flow/flow-table.js';
import { fill, parseIp } from './helpers.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Key { a: string; b: string; ap: number; bp: number; proto: number }

function randomKey(r: () => number, i: number): Key {
  const v6 = r() < 0.3;
  // Few distinct hosts and ports so that keys share endpoints and collide in their home slots.
  const host = (n: number) => (v6 ? `2001:db8::${(n % 7).toString(16)}` : `10.0.0.${n % 7}`);
  return {
    a: host(Math.floor(r() * 7)),
    b: host(Math.floor(r() * 7) + 7),
    ap: 1000 + (i % 300),
    bp: 2000 + Math.floor(r() * 5),
    proto: r() < 0.5 ? IpProto.UDP : 132, // UDP and SCTP-numbered "other" traffic: no TCP reuse rules
  };
}

function canonical(k: Key): string {
  const x = `${k.a}|${k.ap}`;
  const y = `${k.b}|${k.bp}`;
  return `${k.proto} ${x < y ? `${x} ${y}` : `${y} ${x}`}`;
}

describe('flow key hash', () => {
  it('is the same in both directions and differs across protocols, ports and families', () => {
    const a = parseIp('2001:db8::1').words;
    const b = parseIp('2001:db8::2').words;
    expect(flowKeyHash(6, 17, a, 0, 1000, b, 0, 2000)).toBe(flowKeyHash(6, 17, b, 0, 2000, a, 0, 1000));
    const seen = new Set([
      flowKeyHash(6, 17, a, 0, 1000, b, 0, 2000),
      flowKeyHash(6, 6, a, 0, 1000, b, 0, 2000),
      flowKeyHash(6, 17, a, 0, 2000, b, 0, 1000),
      flowKeyHash(4, 17, a, 0, 1000, b, 0, 2000),
    ]);
    expect(seen.size).toBe(4);
  });

  it('flowKeyHashV4 (the inlinable IPv4 form) equals flowKeyHash', () => {
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    for (let i = 0; i < 1000; i++) {
      a[3] = Math.imul(i, 0x9e3779b1) >>> 0;
      b[3] = (0xc0a80000 + i * 7) >>> 0;
      const ap = (i * 131) & 0xffff;
      const bp = (i * 7919) & 0xffff;
      expect(flowKeyHashV4(i & 255, a[3], ap, b[3], bp)).toBe(flowKeyHash(4, i & 255, a, 0, ap, b, 0, bp));
    }
  });

  it('spreads sequential IPv4 keys over the low bits', () => {
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    const buckets = new Uint32Array(1024);
    for (let i = 0; i < 100_000; i++) {
      a[3] = 0x0a000000 + (i >>> 8);
      b[3] = 0xc0a80001;
      buckets[flowKeyHash(4, 17, a, 0, 40000 + (i & 255), b, 0, 3478) & 1023]++;
    }
    // 100000 / 1024 ≈ 98 per bucket; a poor hash would leave buckets empty or overfull.
    expect(Math.min(...buckets)).toBeGreaterThan(50);
    expect(Math.max(...buckets)).toBeLessThan(160);
  });
});

describe('flow index against a Map model', () => {
  it('randomized adds and deletions (backward shift) never lose or confuse a flow', () => {
    const r = rng(12345);
    const keys = Array.from({ length: 3000 }, (_, i) => randomKey(r, i));
    const t = new FlowTable();
    const model = new Map<string, { flow: number; client: string }>();
    const liveList: string[] = [];
    const p = new PacketView();
    for (let op = 0; op < 60_000; op++) {
      if (r() < 0.7 || liveList.length === 0) {
        const k = keys[Math.floor(r() * keys.length)];
        const forward = r() < 0.5;
        const spec = forward
          ? { src: k.a, dst: k.b, sport: k.ap, dport: k.bp, proto: k.proto }
          : { src: k.b, dst: k.a, sport: k.bp, dport: k.ap, proto: k.proto };
        const id = canonical(k);
        const expected = model.get(id);
        const before = t.store.count;
        const flow = t.add(fill(p, spec));
        const sender = `${spec.src}|${spec.sport}`;
        if (expected) {
          expect(flow).toBe(expected.flow);
          expect(t.lastDir).toBe(sender === expected.client ? 0 : 1);
        } else {
          expect(flow).toBe(before);
          expect(t.lastDir).toBe(0);
          model.set(id, { flow, client: sender });
          liveList.push(id);
        }
      } else {
        const i = Math.floor(r() * liveList.length);
        const id = liveList[i];
        liveList[i] = liveList[liveList.length - 1];
        liveList.pop();
        const { flow } = model.get(id)!;
        model.delete(id);
        expect(t.finishFlow(flow)).toBe(true);
      }
      if (op % 5000 === 0) expect(t.checkTable()).toBeNull();
    }
    expect(t.checkTable()).toBeNull();
    expect(t.live).toBe(model.size);
    for (const k of keys) {
      const entry = model.get(canonical(k));
      fill(p, { src: k.b, dst: k.a, sport: k.bp, dport: k.ap, proto: k.proto });
      expect(t.find(p)).toBe(entry ? entry.flow : -1);
    }
  });

  it('grows through many flows and finds every one from both sides afterwards', () => {
    const t = new FlowTable();
    const p = new PacketView();
    const n = 100_000;
    const spec = (i: number, reverse: boolean) => {
      const a = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
      const b = '192.0.2.1';
      return reverse
        ? { src: b, dst: a, sport: 443, dport: 30000 + (i % 1000), proto: IpProto.UDP }
        : { src: a, dst: b, sport: 30000 + (i % 1000), dport: 443, proto: IpProto.UDP };
    };
    for (let i = 0; i < n; i++) expect(t.add(fill(p, spec(i, false)))).toBe(i);
    expect(t.store.count).toBe(n);
    expect(t.store.capacity).toBeGreaterThanOrEqual(n);
    for (let i = 0; i < n; i++) {
      if (t.add(fill(p, spec(i, true))) !== i || t.lastDir !== 1) throw new Error(`flow ${i} lost`);
    }
    // Delete every third flow, then check the rest are still found.
    for (let i = 0; i < n; i += 3) t.finishFlow(i);
    expect(t.checkTable()).toBeNull();
    for (let i = 0; i < n; i++) {
      const found = t.find(fill(p, spec(i, i % 2 === 0)));
      if (found !== (i % 3 === 0 ? -1 : i)) throw new Error(`flow ${i}: found ${found}`);
    }
    expect(t.store.endedBy[3]).toBe(EndedBy.End);
    expect(t.store.packets(5, 1)).toBe(1);
  });
});
