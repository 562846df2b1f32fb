/** The TURN allocation ledger kept by the inspector, on hand-made message sequences. */
import { describe, expect, it } from 'vitest';
import { newAnomalyCounters } from '../../src/anomalies.js';
import { IpProto, type PacketView } from '../../src/decode/packet-view.js';
import { payloadView } from './payload-view.js';
import { Inspector } from '../../src/inspect/inspector.js';
import { allocationOutcomes, markChallenges, type TurnAllocationReport } from '../../src/inspect/stun-report.js';
import type { FlowRecord } from '../../src/flow/flow-record.js';

/** An RFC 5389 message without attributes: `type`, transaction id words (1, 2, id). */
function stun(type: number, id: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(type, 0);
  b.writeUInt32BE(0x2112a442, 4);
  b.writeUInt32BE(1, 8);
  b.writeUInt32BE(2, 12);
  b.writeUInt32BE(id, 16);
  return b;
}

function udp(payload: Buffer, at: number, frameNo: number): PacketView {
  return payloadView(IpProto.UDP, payload, { frameNo, ts: 1.7e9 + at });
}

describe('TURN allocation ledger', () => {
  it('measures an allocation\'s response time from its own request when its transaction was forgotten', () => {
    const ins = new Inspector();
    ins.anomalies = newAnomalyCounters();
    let frame = 0;
    ins.onPacket(0, 0, udp(stun(0x0003, 1000), 0, ++frame)); // Allocate request at t = 0
    for (let i = 1; i <= 32; i++) ins.onPacket(0, 0, udp(stun(0x0001, i), i, ++frame)); // 32 Bindings push it out of the table
    ins.onPacket(0, 1, udp(stun(0x0101, 32), 40, ++frame)); // a Binding answered after 8 s
    ins.onPacket(0, 1, udp(stun(0x0103, 1000), 50, ++frame)); // the Allocate's success, 50 s after its request
    const [a] = ins.state(0)!.allocations;
    expect(a.outcome).toBe(1);
    expect(a.responseTime).toBeCloseTo(50, 6);
  });
});

describe('challenges and allocationOutcomes (summaries)', () => {
  const entry = (flow: number, requestFrame: number, outcome: TurnAllocationReport['outcome'], errorCode?: number) =>
    ({ flow, requestFrame, outcome, ...(errorCode !== undefined ? { errorCode } : {}) }) as TurnAllocationReport;
  /** Flow records by id: only the transport and client endpoint matter. */
  const flows = (clients: [number, string, number][]) =>
    clients.map(([, ip, port]) => ({ transport: 'udp', client: { ip, port } }) as FlowRecord);

  it('a 401 or 438 followed by a success of the same client address and port is the authentication step, not an error', () => {
    const allocations = [
      entry(1, 10, 'error', 401), entry(1, 12, 'success'), // challenged
      entry(2, 20, 'error', 438), entry(2, 22, 'success'), // stale nonce, retried
      entry(3, 30, 'success'), entry(3, 32, 'error', 401), // the success came before: an error
      entry(4, 40, 'error', 401), entry(5, 42, 'success'), // the same client asked again at another relay address (Teams): challenged
      entry(6, 50, 'error', 401), entry(7, 52, 'success'), // another client port's success does not count
      entry(8, 60, 'error', 486), entry(8, 62, 'success'), // quota reached: an error whatever followed
      entry(9, 70, 'unanswered'),
    ];
    markChallenges(allocations, flows([
      [1, '192.0.2.1', 50001], [2, '192.0.2.1', 50002], [3, '192.0.2.1', 50003], [4, '192.0.2.1', 50016], [5, '192.0.2.1', 50016],
      [6, '192.0.2.1', 50036], [7, '192.0.2.1', 50037], [8, '192.0.2.1', 50008], [9, '192.0.2.1', 50009],
    ]));
    expect(allocations.filter((a) => a.challenge === true).map((a) => a.flow)).toEqual([1, 2, 4]);
    expect(allocationOutcomes(allocations)).toEqual({ success: 6, challenged: 3, error: 3, unanswered: 1 });
  });
});
