// analyze()'s benchmark options: flows without payload inspection, and the stage timings.
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzeTimings } from '../../src/index.js';

const CAPTURE = new URL('../../samples/av-msturn-udp.pcapng', import.meta.url).pathname;

describe('analyze() options', () => {
  it('inspectPayloads: false tracks the same flows and packets, with no apps, STUN or media', async () => {
    const full = await analyze([CAPTURE]);
    const flowsOnly = await analyze([CAPTURE], { inspectPayloads: false });
    // The sample has STUN and RTP: otherwise this test could not tell the two runs apart.
    expect(full.stun.messages).toBeGreaterThan(0);
    expect(full.media.streams.length).toBeGreaterThan(0);
    expect(flowsOnly.totals.packets).toBe(full.totals.packets);
    const tuple = (r: typeof full) => r.flows.map((f) => [f.transport, f.client, f.server, f.packets, f.bytes]);
    expect(tuple(flowsOnly)).toEqual(tuple(full));
    expect(flowsOnly.flows.some((f) => f.apps !== undefined)).toBe(false);
    expect(flowsOnly.stun.messages).toBe(0);
    expect(flowsOnly.media.streams).toEqual([]);
  });

  it('fills the timings of every stage when given', async () => {
    const timings = { readLoop: -1, records: -1, classify: -1 } satisfies AnalyzeTimings;
    await analyze([CAPTURE], { timings });
    for (const ms of Object.values(timings)) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(60_000);
    }
  });
});
