/**
 * Seeded mutation fuzzing of RtpStreams: RTP and RTCP packets with flipped
 * bytes, extreme lengths, cuts, spread over a few flows and SSRCs. Nothing
 * may throw; the report must stay bounded and self-consistent.
 */
import { describe, expect, it } from 'vitest';
import { MAX_SERIES_BUCKETS } from '../../../src/inspect/media/rtp-stream-stats.js';
import { RtpStreams } from '../../../src/inspect/media/rtp-streams.js';
import { prng } from '../../helpers/prng.js';
import { rtp, RTCP_RR_EMPTY, RTCP_SR, RTP_FULL_HEADER } from './rtp-builders.js';

const ROUNDS = 20_000;
const MAX_STREAMS = 16;

describe('RtpStreams under seeded mutation', () => {
  it(`${ROUNDS} mutated packets: no throw, bounded, consistent report`, () => {
    const rnd = prng(0xa11ce);
    const s = new RtpStreams(MAX_STREAMS);
    let accepted = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const kind = i % 4;
      let b = kind === 0 ? RTP_FULL_HEADER : kind === 1 ? RTCP_SR : kind === 2 ? RTCP_RR_EMPTY
        : rtp({ seq: i, ts: i * 160, ssrc: Math.floor(rnd() * 40), pt: [0, 8, 9, 13, 96, 111, 127][i % 7], marker: rnd() < 0.1 });
      b = Buffer.from(b);
      const m = Math.floor(rnd() * 4);
      if (m === 0) for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      else if (m === 1) b = b.subarray(0, Math.floor(rnd() * b.length));
      else if (m === 2) { const at = Math.floor(rnd() * (b.length - 1)); b[at] = 0xff; b[at + 1] = 0xff; }
      const ts = 1_700_000_000 + i * 0.02 + (rnd() < 0.01 ? -5 : 0); // now and then, time goes back
      if (s.onPayload(Math.floor(rnd() * 3), i & 1, ts, i + 1, b, 0, b.length)) accepted++;
    }
    const r = s.report();
    expect(accepted).toBeGreaterThan(ROUNDS / 4);
    expect(r.streams.length).toBeGreaterThan(0);
    expect(r.streams.length).toBeLessThanOrEqual(MAX_STREAMS);
    for (const st of r.streams) {
      expect(st.lost).toBe(st.expected - st.packets);
      expect(Number.isFinite(st.jitterMs) && Number.isFinite(st.maxJitterMs) && Number.isFinite(st.meanJitterMs)).toBe(true);
      expect(st.series.received.length).toBeLessThanOrEqual(MAX_SERIES_BUCKETS);
      expect(st.series.received.reduce((a, b) => a + b, 0)).toBe(st.packets);
    }
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // plain JSON data, nothing NaN or undefined
  });
});
