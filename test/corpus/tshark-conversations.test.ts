/**
 * Oracle: our TCP/UDP flows against tshark's conversation tables, on every
 * capture in ../shared/captures. Both sides are summed per unordered 5-tuple
 * (tshark may split one 5-tuple into several rows, we split it at idle
 * timeouts and port reuse), then compared frame for frame and byte for byte.
 *
 * Known tshark behaviours, each accounted for below rather than tolerated:
 * - tshark is run with IP reassembly off: it then sees the transport header
 *   in first fragments only, so non-first fragments (which we attribute to
 *   their flow and count apart in `fragments`) are subtracted before comparing.
 * - tshark prints large byte counts rounded to kB/MB: those are compared within
 *   the rounding, and the exact totals are checked against tshark's per-frame
 *   `frame.len` sums (see tshark-frames.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import type { FlowRecord } from '../../src/flow/flow-record.js';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, sharedCaptures, skipNote, tsharkOutput } from '../helpers/environment.js';
import { parseConversations, splitEndpoint, type ByteCount } from '../helpers/tshark-conv.js';

const ready = hasSharedCaptures && hasTool('tshark');
skipNote('tshark conversation oracle', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

interface Tally { framesAtoB: number; framesBtoA: number; bytesAtoB: number; bytesBtoA: number; roundedAtoB: number; roundedBtoA: number }

/** Key of an unordered 5-tuple, and whether (ip1, port1) is the key's first endpoint. */
function keyOf(transport: string, ip1: string, port1: number, ip2: string, port2: number): [string, boolean] {
  const e1 = `${ip1}|${port1}`;
  const e2 = `${ip2}|${port2}`;
  return e1 <= e2 ? [`${transport} ${e1} ${e2}`, true] : [`${transport} ${e2} ${e1}`, false];
}

function add(map: Map<string, Tally>, key: string, aFirst: boolean, framesAB: number, bytesAB: number, framesBA: number, bytesBA: number, unitAB = 1, unitBA = 1) {
  const t = map.get(key) ?? { framesAtoB: 0, framesBtoA: 0, bytesAtoB: 0, bytesBtoA: 0, roundedAtoB: 0, roundedBtoA: 0 };
  if (aFirst) {
    t.framesAtoB += framesAB; t.bytesAtoB += bytesAB; t.framesBtoA += framesBA; t.bytesBtoA += bytesBA;
    t.roundedAtoB = Math.max(t.roundedAtoB, unitAB === 1 ? 0 : unitAB); t.roundedBtoA = Math.max(t.roundedBtoA, unitBA === 1 ? 0 : unitBA);
  } else {
    t.framesAtoB += framesBA; t.bytesAtoB += bytesBA; t.framesBtoA += framesAB; t.bytesBtoA += bytesAB;
    t.roundedAtoB = Math.max(t.roundedAtoB, unitBA === 1 ? 0 : unitBA); t.roundedBtoA = Math.max(t.roundedBtoA, unitAB === 1 ? 0 : unitAB);
  }
  map.set(key, t);
}

export function oursByTuple(flows: FlowRecord[]): Map<string, Tally> {
  const map = new Map<string, Tally>();
  for (const f of flows) {
    if (f.transport !== 'tcp' && f.transport !== 'udp') continue;
    const [key, clientFirst] = keyOf(f.transport, f.client.ip, f.client.port, f.server.ip, f.server.port);
    const frag = f.fragments ?? { fromClient: { packets: 0, bytes: 0 }, fromServer: { packets: 0, bytes: 0 } };
    add(map, key, clientFirst,
      f.packets.fromClient - frag.fromClient.packets, f.bytes.fromClient - frag.fromClient.bytes,
      f.packets.fromServer - frag.fromServer.packets, f.bytes.fromServer - frag.fromServer.bytes);
  }
  for (const [key, t] of map) if (t.framesAtoB + t.framesBtoA === 0) map.delete(key); // flows made only of non-first fragments
  return map;
}

function tsharkByTuple(file: string): Map<string, Tally> {
  const text = tsharkOutput(['-n', '-q', '-r', file, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-z', 'conv,tcp', '-z', 'conv,udp']);
  const map = new Map<string, Tally>();
  for (const c of parseConversations(text)) {
    const [ipA, portA] = splitEndpoint(c.a);
    const [ipB, portB] = splitEndpoint(c.b);
    const [key, aFirst] = keyOf(c.transport, ipA, portA, ipB, portB);
    add(map, key, aFirst, c.framesAtoB, c.bytesAtoB.value, c.framesBtoA, c.bytesBtoA.value, c.bytesAtoB.unit, c.bytesBtoA.unit);
  }
  return map;
}

function sameBytes(ours: number, theirs: number, unit: number): boolean {
  if (unit === 0) return ours === theirs;
  return Math.abs(ours - theirs) < unit; // tshark printed the value in whole kB/MB
}

const ZERO: Tally = { framesAtoB: 0, framesBtoA: 0, bytesAtoB: 0, bytesBtoA: 0, roundedAtoB: 0, roundedBtoA: 0 };

describe.skipIf(!ready)('TCP/UDP conversations equal tshark -z conv,tcp -z conv,udp', () => {
  for (const name of sharedCaptures()) {
    it(name, async () => {
      const file = join(SHARED_CAPTURES, name);
      const report = await analyze([file]);
      const ours = oursByTuple(report.flows);
      const theirs = tsharkByTuple(file);
      // tshark leaves TCP segments whose header is cut (by the snaplen, inside the fixed part or the
      // options, or by fragmentation: an RFC 1858 tiny first fragment) out of its tables; we keep
      // them and count them as tcp_header_truncated or tcp_tiny_fragment. That is the only
      // difference allowed in frames, and it must add up exactly.
      const cutTcpHeaders = report.inputs.reduce((n, i) => n + (i.anomalies.tcp_header_truncated ?? 0) + (i.anomalies.tcp_tiny_fragment ?? 0), 0);
      let extraFrames = 0;
      const mismatches: string[] = [];
      for (const key of new Set([...ours.keys(), ...theirs.keys()])) {
        const o = ours.get(key) ?? ZERO;
        const t = theirs.get(key) ?? ZERO;
        const dAB = o.framesAtoB - t.framesAtoB;
        const dBA = o.framesBtoA - t.framesBtoA;
        const describe = `${key}: ours ${o.framesAtoB}/${o.bytesAtoB} ${o.framesBtoA}/${o.bytesBtoA}, tshark ${t.framesAtoB}/${t.bytesAtoB} ${t.framesBtoA}/${t.bytesBtoA}`;
        if (dAB < 0 || dBA < 0 || ((dAB > 0 || dBA > 0) && !key.startsWith('tcp '))) { mismatches.push(describe); continue; }
        extraFrames += dAB + dBA;
        for (const [frames, ob, tb, unit] of [[dAB, o.bytesAtoB, t.bytesAtoB, t.roundedAtoB], [dBA, o.bytesBtoA, t.bytesBtoA, t.roundedBtoA]]) {
          if (frames > 0) { if (ob < tb) mismatches.push(describe); continue; }
          // tshark sums bytes in a signed 32-bit integer: a fuzzed 4 GB frame length shows as negative there.
          if (tb < 0) { if (report.inputs.every((i) => !i.anomalies.wire_length_implausible)) mismatches.push(describe); continue; }
          if (!sameBytes(ob, tb, unit)) mismatches.push(describe);
        }
      }
      expect(mismatches).toEqual([]);
      expect(extraFrames).toBe(cutTcpHeaders);
    });
  }
});
