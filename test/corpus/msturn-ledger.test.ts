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
  it('counts the LIFETIME 0 Allocates of frames 1485 and 1493 as releases of the live allocations', async () => {
    const report = await analyze([join(SHARED_CAPTURES, TEAMS)]);
    const allocations = report.stun!.allocations;
    const released = allocations.filter((a) => a.deleted);
    expect(released.map((a) => a.requestFrame)).toEqual([1299, 1308]);
    for (const a of released) expect(a).toMatchObject({ outcome: 'success', refreshes: 1, lifetime: 60 });
    // Before, each release was a third allocation of its flow, "successful", with lifetime 0.
    expect(allocations.filter((a) => a.requestFrame === 1485 || a.requestFrame === 1493)).toEqual([]);
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
