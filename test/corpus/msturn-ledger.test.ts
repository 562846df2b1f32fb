/**
 * The TURN allocation ledger on a real Teams capture (MS-TURN): refreshes and releases are Allocates
 * on the 5-tuple of a live allocation, not new allocations, and error responses allocate nothing.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { hasSharedCaptures, SHARED_CAPTURES, skipNote } from '../helpers/environment.js';

const TEAMS = 'msturn_teams_ndpi.pcap';
skipNote('MS-TURN allocation ledger on the Teams capture', hasSharedCaptures ? [] : [SHARED_CAPTURES]);

describe.skipIf(!hasSharedCaptures)(`allocation ledger: ${TEAMS}`, () => {
  it('counts the LIFETIME 0 Allocates of frames 1485, 1493 and 1494 as releases of the live allocations', async () => {
    const report = await analyze([join(SHARED_CAPTURES, TEAMS)]);
    const allocations = report.stun!.allocations;
    const released = allocations.filter((a) => a.deleted);
    // 1276's allocation is live only once its answer from another relay address (1298) is matched, at report time.
    expect(released.map((a) => a.requestFrame)).toEqual([1299, 1276, 1308]);
    for (const a of released) expect(a).toMatchObject({ outcome: 'success', refreshes: 1, lifetime: 60 });
    // Before, each release was another allocation of its flow, "successful", with lifetime 0.
    expect(allocations.filter((a) => [1485, 1493, 1494].includes(a.requestFrame!))).toEqual([]);
  });

  it('matches an answer sent from another relay address (frame 1250 to .141, answered by 1275 from .123)', async () => {
    const report = await analyze([join(SHARED_CAPTURES, TEAMS)]);
    const a = report.stun!.allocations.find((x) => x.requestFrame === 1250)!;
    expect(a).toMatchObject({ outcome: 'success', responseFrame: 1275, relayed: '52.114.250.141:3480', lifetime: 60 });
    const allocate = report.stun!.perFlow.find((f) => f.flow === a.flow)!.transactions.find((m) => m.name === 'Allocate')!;
    expect(allocate).toMatchObject({ requests: 1, success: 1, unanswered: 0, answeredOnOtherFlow: 1 });
    expect(report.stun!.perFlow.reduce((n, f) => n + f.transactions.reduce((k, m) => k + m.unmatchedResponses, 0), 0)).toBe(0);
    // Before: "UDP most likely blocked" (high) on that flow, and "401 with no successful Allocate" on the flows
    // whose client got its allocation at another address.
    expect(report.findings.filter((f) => f.kind === 'stun-unanswered' && f.severity === 'high')).toEqual([]);
    expect(report.findings.filter((f) => f.kind === 'turn-error')).toEqual([]);
  });

  it('a Binding answered inside multiplexed TURN (0xFF10) is answered (frames 1421/1427, 1422/1424)', async () => {
    const report = await analyze([join(SHARED_CAPTURES, TEAMS)]);
    const bindings = report.stun!.perFlow.flatMap((f) => f.transactions.filter((m) => m.name === 'Binding').map((m) => ({ flow: f.flow, ...m })));
    const relayed = bindings.filter((m) => m.requests > 0 && m.unansweredFrames.some((fr) => fr === 1421 || fr === 1422));
    expect(relayed).toEqual([]);
    expect(bindings.filter((m) => m.success > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('reports no relayed address for an allocation that failed (the 401s carry a MAPPED-ADDRESS)', async () => {
    const report = await analyze([join(SHARED_CAPTURES, TEAMS)]);
    const failed = report.stun!.allocations.filter((a) => a.outcome === 'error');
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const a of failed) {
      expect(a.relayed).toBeUndefined();
      expect(a.relayFlows).toEqual([]);
    }
  });
});

describe.skipIf(!hasSharedCaptures)('Microsoft attributes as Lync and Teams send them', () => {
  it('a 1-byte CANDIDATE-IDENTIFIER (skype4b) and a 4-byte MS-SEQUENCE-NUMBER in requests (Teams) are not bad values', async () => {
    for (const capture of ['skype4b_ice_conference_ndpi.pcap', TEAMS]) {
      const report = await analyze([join(SHARED_CAPTURES, capture)]);
      expect(report.inputs[0].anomalies.stun_attribute_bad_value, capture).toBeUndefined();
      expect(report.stun!.messages, capture).toBeGreaterThan(0);
    }
  });
});
