import { describe, expect, it } from 'vitest';
import { classifyRtp, RtpKind } from '../../../src/inspect/media/rtp-header.js';
import { MAX_SERIES_BUCKETS } from '../../../src/inspect/media/rtp-stream-stats.js';
import { MEDIA_ANOMALIES, MediaAnomaly, RtpStreams } from '../../../src/inspect/media/rtp-streams.js';
import { hex, rtp, RTCP_RR_EMPTY, RTCP_SR, RTP_FULL_HEADER, type RtpFields } from './rtp-builders.js';

const T0 = 1_700_000_000;
const SSRC = 0xcafebabe;

/** Feeds packets (with their arrival times) to a fresh RtpStreams on flow 0 / dir 0. */
function feed(packets: { f: RtpFields; at: number }[], streams = new RtpStreams(), flow = 0, dir = 0): RtpStreams {
  let frame = 0;
  for (const p of packets) {
    const b = rtp(p.f);
    streams.onPayload(flow, dir, p.at, ++frame, b, 0, b.length);
  }
  return streams;
}

/** n packets of 20 ms G.711 (160 timestamp units), seq from seq0, arrival jitter from `late(i)` seconds. */
function call(n: number, opts: { seq0?: number; ts0?: number; pt?: number; tsStep?: number; skip?: (i: number) => boolean; late?: (i: number) => number; ssrc?: number } = {}) {
  const out: { f: RtpFields; at: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (opts.skip?.(i)) continue;
    out.push({ f: { seq: (opts.seq0 ?? 1000) + i, ts: (opts.ts0 ?? 5000) + i * (opts.tsStep ?? 160), ssrc: opts.ssrc ?? SSRC, pt: opts.pt ?? 0 }, at: T0 + i * 0.02 + (opts.late?.(i) ?? 0) });
  }
  return out;
}

describe('classifyRtp', () => {
  it('accepts RTP with CSRC, extension and padding, and RTCP by packet type (RFC 5761)', () => {
    expect(classifyRtp(RTP_FULL_HEADER, 0, RTP_FULL_HEADER.length)).toBe(RtpKind.Rtp);
    expect(classifyRtp(RTCP_SR, 0, RTCP_SR.length)).toBe(RtpKind.Rtcp);
    expect(classifyRtp(RTCP_RR_EMPTY, 0, RTCP_RR_EMPTY.length)).toBe(RtpKind.Rtcp);
  });

  it('accepts a padding count that does not fit: in SRTP the last octet is encrypted, or the authentication tag (RFC 3711 §3.1)', () => {
    // ice_webrtc_google_meet_ndpi: these packets are in sequence with the others; refusing them counted them as lost.
    expect(classifyRtp(hex('a0 00 0001 00000000 00000001 0010'), 0, 14)).toBe(RtpKind.Rtp); // 16 > packet
    expect(classifyRtp(hex('a0 00 0001 00000000 00000001 0000'), 0, 14)).toBe(RtpKind.Rtp); // 0
  });

  it('refuses version 1, unassigned payload types and headers that do not fit', () => {
    expect(classifyRtp(hex('40 00 0001 00000000 00000001'), 0, 12)).toBe(RtpKind.NotRtp); // version 1
    expect(classifyRtp(hex('80 14 0001 00000000 00000001'), 0, 12)).toBe(RtpKind.NotRtp); // PT 20 unassigned
    expect(classifyRtp(hex('80 48 0001 00000000 00000001'), 0, 12)).toBe(RtpKind.NotRtp); // PT 72: RTCP range collision
    expect(classifyRtp(hex('8f 00 0001 00000000 00000001'), 0, 12)).toBe(RtpKind.NotRtp); // 15 CSRCs in 12 bytes
    expect(classifyRtp(hex('90 00 0001 00000000 00000001 bede 0009'), 0, 16)).toBe(RtpKind.NotRtp); // extension past the end
  });

  it('every prefix of the fixtures: no throw, and nothing accepted that does not fit', () => {
    for (const f of [RTP_FULL_HEADER, RTCP_SR]) {
      for (let n = 0; n <= f.length; n++) {
        const k = classifyRtp(f, 0, n);
        // Shorter than the header with CSRC and extension (24): refused; longer, whatever its last byte: RTP.
        if (f === RTP_FULL_HEADER) expect(k, `prefix ${n}`).toBe(n < 24 ? RtpKind.NotRtp : RtpKind.Rtp);
        else expect(k, `prefix ${n}`).toBe(n < 8 ? RtpKind.NotRtp : RtpKind.Rtcp);
      }
    }
    expect(classifyRtp(RTP_FULL_HEADER, 0, 23)).toBe(RtpKind.NotRtp); // cut before the extension ends
  });
});

describe('RtpStreams: detection', () => {
  it('confirms a stream at its third packet and counts from its first', () => {
    const two = feed(call(2));
    expect(two.report().streams).toEqual([]);
    const three = feed(call(3));
    const [s] = three.report().streams;
    expect(s).toMatchObject({ flow: 1, direction: 'fromClient', ssrc: SSRC, ssrcHex: '0xCAFEBABE', packets: 3, expected: 3, lost: 0, firstFrame: 1, lastFrame: 3, firstPayloadType: 0, payloadBytes: 480 });
  });

  it('counts a stream from its first packet through reordering, a duplicate or an early loss burst', () => {
    const pk = call(50);
    [pk[1], pk[2]] = [pk[2], pk[1]]; // 1000, 1002, 1001, 1003, ...
    expect(feed(pk).report().streams[0]).toMatchObject({ packets: 50, expected: 50, lost: 0, outOfOrder: 1, firstFrame: 1 });
    const dup = call(50);
    dup.splice(1, 0, { ...dup[0], at: dup[0].at + 0.001 }); // 1000 twice
    expect(feed(dup).report().streams[0]).toMatchObject({ packets: 51, expected: 50, duplicates: 1, firstFrame: 1 });
    const burst = call(60, { skip: (i) => i >= 2 && i < 25 }); // 1000, 1001, then 1025..1059
    expect(feed(burst).report().streams[0]).toMatchObject({ packets: 37, expected: 60, lost: 23, firstFrame: 1 });
  });

  it('counts from the lowest of the first numbers when they arrive out of order', () => {
    for (const order of [[1, 0, 2], [2, 0, 1], [2, 1, 0]]) {
      const pk = call(50);
      const first = order.map((i) => ({ ...pk[i], at: pk[0].at + order.indexOf(i) * 0.001 }));
      const [s] = feed([...first, ...pk.slice(3)]).report().streams;
      expect(s, order.join(',')).toMatchObject({ packets: 50, expected: 50, lost: 0 });
      expect(s.outOfOrder, order.join(',')).toBeGreaterThan(0);
    }
    // Across the wrap: 0 arrives before 65535.
    const wrap = call(20, { seq0: 65535 });
    [wrap[0], wrap[1]] = [wrap[1], wrap[0]];
    expect(feed(wrap).report().streams[0]).toMatchObject({ packets: 20, expected: 20, lost: 0 });
  });

  it('counts an early packet of another clock (a DTMF event with an earlier timestamp) and those before it', () => {
    const pk = call(40);
    pk[2] = { ...pk[2], f: { ...pk[2].f, pt: 101, ts: pk[0].f.ts } };
    expect(feed(pk).report().streams[0]).toMatchObject({ packets: 40, expected: 40, lost: 0, firstFrame: 1 });
  });

  it('does not take a packet 3000 numbers before the stream as an early loss', () => {
    const pk = [{ f: { seq: 1000, ts: 1, ssrc: SSRC }, at: T0 - 0.02 }, ...call(30, { seq0: 4000 })];
    expect(feed(pk).report().streams[0]).toMatchObject({ packets: 30, expected: 30, lost: 0, seqResyncs: 0 });
  });

  it('leaves out a stray packet of the same SSRC that fits no chain', () => {
    const pk = [{ f: { seq: 40000, ts: 1, ssrc: SSRC }, at: T0 - 0.5 }, ...call(20)];
    expect(feed(pk).report().streams[0]).toMatchObject({ packets: 20, expected: 20, lost: 0, firstFrame: 2 });
  });

  it('does not confirm packets whose sequence does not progress', () => {
    const same = [0, 1, 2, 3].map((i) => ({ f: { seq: 7, ts: 100 + i, ssrc: SSRC }, at: T0 + i }));
    expect(feed(same).report().streams).toEqual([]);
    const jumpy = [0, 1, 2, 3].map((i) => ({ f: { seq: i * 1000, ts: 100 + i, ssrc: SSRC }, at: T0 + i }));
    expect(feed(jumpy).report().streams).toEqual([]);
  });

  it('keeps streams apart by flow, direction and SSRC, ordered by flow, direction, SSRC', () => {
    const s = new RtpStreams();
    feed(call(5, { ssrc: 9 }), s, 3, 1);
    feed(call(5, { ssrc: 2 }), s, 3, 0);
    feed(call(5, { ssrc: 1 }), s, 0, 1);
    feed(call(5, { ssrc: 5 }), s, 3, 0);
    expect(s.report().streams.map((x) => [x.flow, x.direction, x.ssrc])).toEqual([[1, 'fromServer', 1], [4, 'fromClient', 2], [4, 'fromClient', 5], [4, 'fromServer', 9]]);
  });

  it('reads packets inside a larger buffer (ChannelData / TURN Data inner payloads)', () => {
    const s = new RtpStreams();
    for (const [i, p] of call(4).entries()) {
      const inner = rtp(p.f);
      const outer = Buffer.concat([hex('4001'), Buffer.from([inner.length >> 8, inner.length & 0xff]), inner, Buffer.alloc(3, 0xff)]);
      expect(s.onPayload(0, 0, p.at, i + 1, outer, 4, 4 + inner.length)).toBe(true);
    }
    expect(s.report().streams[0].payloadBytes).toBe(4 * 160);
  });

  it('confirms thousands of streams arriving in turn (a capture started in the middle of many calls)', () => {
    const s = new RtpStreams();
    const n = 3000;
    const bufs = Array.from({ length: n }, (_, k) => rtp({ seq: 0, ts: 0, ssrc: k + 1 }));
    const rounds = 8;
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < n; k++) {
        const b = bufs[k];
        b.writeUInt16BE(round, 2);
        b.writeUInt32BE(round * 160, 4);
        s.onPayload(k >> 1, k & 1, T0 + round * 0.02 + k * 1e-6, round * n + k + 1, b, 0, b.length);
      }
    }
    const r = s.report();
    expect(r.streams.length).toBe(n);
    // Streams whose candidate set was full waited for a slot (a few packets, while others confirmed) and count from there.
    const late = r.streams.filter((x) => x.packets < rounds);
    expect(late.every((x) => x.packets >= 3 && x.lost === 0 && x.expected === x.packets)).toBe(true);
    expect(late.length).toBeLessThan(n * 0.15);
  });

  it('is bounded: a full stream table drops and counts new streams', () => {
    const s = new RtpStreams(2);
    for (const ssrc of [1, 2, 3]) feed(call(10, { ssrc }), s);
    const r = s.report();
    expect(r.streams.map((x) => x.ssrc)).toEqual([1, 2]);
    expect(r.streamsDropped).toBe(1);
    expect(s.anomalies[MediaAnomaly.StreamTableFull]).toBe(1);
    expect(MEDIA_ANOMALIES[MediaAnomaly.StreamTableFull].name).toBe('rtp_stream_table_full');
  });
});

describe('RtpStreams: loss, order, duplicates (RFC 3550 A.1/A.3)', () => {
  it('counts loss from sequence gaps', () => {
    const [s] = feed(call(1000, { skip: (i) => i % 10 === 5 })).report().streams;
    expect(s).toMatchObject({ packets: 900, expected: 1000, lost: 100, lossPct: 10, outOfOrder: 0, duplicates: 0 });
  });

  it('follows the sequence number through its wrap', () => {
    const [s] = feed(call(200, { seq0: 65450, skip: (i) => i === 100 })).report().streams;
    expect(s).toMatchObject({ packets: 199, expected: 200, lost: 1 });
  });

  it('tells late packets from duplicates', () => {
    const pk = call(100);
    [pk[40], pk[41]] = [pk[41], pk[40]]; // 41 arrives before 40
    pk.push({ ...pk[60], at: pk[99].at + 0.001 }); // 60 again
    const [s] = feed(pk).report().streams;
    expect(s).toMatchObject({ packets: 101, expected: 100, lost: -1, outOfOrder: 1, duplicates: 1 });
  });

  it('a late packet from before the first, or lost then arriving, is out of order, not a duplicate', () => {
    // 65535 arrives after 0..9: behind the first packet, across the wrap (its extended number is -1).
    const pk = call(10, { seq0: 0 });
    pk.push({ f: { ...pk[0].f, seq: 65535, ts: pk[0].f.ts - 160 }, at: pk[9].at + 0.001 });
    expect(feed(pk).report().streams[0]).toMatchObject({ packets: 11, outOfOrder: 1, duplicates: 0 });
    // 205 is skipped (its duplicate bit cleared as 206 advances past it), then arrives late, then again.
    const gap = call(30, { seq0: 200 });
    const late = gap.splice(5, 1)[0];
    gap.push({ ...late, at: gap[gap.length - 1].at + 0.001 }, { ...late, at: gap[gap.length - 1].at + 0.002 });
    expect(feed(gap).report().streams[0]).toMatchObject({ packets: 31, expected: 30, outOfOrder: 1, duplicates: 1 });
  });

  it('resynchronises on a confirmed big jump instead of counting 20000 losses', () => {
    const pk = [...call(50), ...call(50, { seq0: 21000, ts0: 5000 + 50 * 160 }).map((p) => ({ ...p, at: p.at + 1 }))];
    const [s] = feed(pk).report().streams;
    expect(s).toMatchObject({ packets: 100, expected: 100, lost: 0, seqResyncs: 1 });
  });
});

describe('RtpStreams: jitter (RFC 3550 §6.4.1, A.8)', () => {
  /** The RFC's own loop, written plainly, for one packet list at one clock rate (ms). */
  function referenceJitterMs(pk: { f: RtpFields; at: number }[], rate: number): number {
    let j = 0;
    for (let i = 1; i < pk.length; i++) {
      const d = (pk[i].at - pk[i - 1].at) * rate - (pk[i].f.ts - pk[i - 1].f.ts);
      j += (Math.abs(d) - j) / 16;
    }
    return (j / rate) * 1000;
  }

  it('is zero for a perfectly paced stream', () => {
    const [s] = feed(call(100)).report().streams;
    expect(s).toMatchObject({ jitterMs: 0, maxJitterMs: 0, meanJitterMs: 0, clockRate: 8000, clockRateSource: 'static' });
  });

  it('matches the RFC computation on a jittered stream', () => {
    const late = (i: number) => ((i * 7919) % 13) / 1000; // 0..12 ms, deterministic
    const pk = call(300, { late });
    const [s] = feed(pk).report().streams;
    expect(s.jitterMs).toBeCloseTo(referenceJitterMs(pk, 8000), 3);
    expect(s.maxJitterMs).toBeGreaterThanOrEqual(s.jitterMs);
    expect(s.meanJitterMs).toBeGreaterThan(0);
  });

  it('infers the clock rate of a dynamic payload type from its timestamps (Opus at 48 kHz)', () => {
    const [s] = feed(call(100, { pt: 111, tsStep: 960, late: (i) => (i % 2) * 0.004 })).report().streams;
    expect(s).toMatchObject({ clockRate: 48000, clockRateSource: 'inferred' });
    const pk = call(100, { pt: 111, tsStep: 960, late: (i) => (i % 2) * 0.004 });
    expect(s.jitterMs).toBeCloseTo(referenceJitterMs(pk, 48000), 3);
  });

  it('fixes the inferred rate after 2 s and keeps measuring at that rate alone (SILK wideband, 16 kHz)', () => {
    const late = (i: number) => ((i * 31) % 7) / 1000;
    const pk = call(500, { pt: 104, tsStep: 320, late });
    const [s] = feed(pk).report().streams;
    expect(s).toMatchObject({ clockRate: 16000, clockRateSource: 'inferred' });
    expect(s.jitterMs).toBeCloseTo(referenceJitterMs(pk, 16000), 3);
  });

  it('infers the rate of a short dynamic stream from 10 packets over 0.1 s (skype4b_ice_conference: SILK 16 kHz, 0.6 s)', () => {
    const late = (i: number) => ((i * 31) % 7) / 1000;
    const pk = call(12, { pt: 104, tsStep: 320, late }); // 12 packets, 0.22 s
    const [s] = feed(pk).report().streams;
    expect(s).toMatchObject({ clockRate: 16000, clockRateSource: 'inferred' });
    expect(s.jitterMs).toBeCloseTo(referenceJitterMs(pk, 16000), 3);
  });

  it('says when it assumed the default rate for a short dynamic stream', () => {
    const r = feed(call(5, { pt: 104, tsStep: 320 })).report();
    expect(r.defaultDynamicClockRate).toBe(8000);
    expect(r.streams[0]).toMatchObject({ clockRate: 8000, clockRateSource: 'default' });
  });

  it('follows RFC 3550 A.8 when the timestamp goes back by less than a jump: one spike, then back to zero', () => {
    // 2 s of media back at seq 1050 (under TS_JUMP_SECONDS): the packet after it measures against it.
    const pk = [...call(50), ...call(150, { seq0: 1050, ts0: 5000 + 50 * 160 - 16000 }).map((p) => ({ ...p, at: p.at + 1 }))];
    const [s] = feed(pk).report().streams;
    expect(s.timestampJumps).toBe(0);
    // The spike is ~125 ms; the packet that goes back in RTP time is not a sample (see maxJitterMs), the next one is.
    expect(s.maxJitterMs).toBeCloseTo(referenceJitterMs(pk.slice(0, 52), 8000), 3);
    expect(s.maxJitterMs).toBeGreaterThan(100);
    expect(s.jitterMs).toBeCloseTo(referenceJitterMs(pk, 8000), 3);
    expect(s.jitterMs).toBeLessThan(1);
  });

  it('takes a backward jump of a dynamic type at its inferred rate once fixed (10 s at 16 kHz, not at 90 kHz)', () => {
    const pk = [...call(250, { pt: 104, tsStep: 320 }), ...call(50, { seq0: 1250, pt: 104, tsStep: 320, ts0: 5000 + 250 * 320 - 480000 }).map((p) => ({ ...p, at: p.at + 0.02 }))];
    const [s] = feed(pk).report().streams;
    expect(s).toMatchObject({ clockRate: 16000, clockRateSource: 'inferred', timestampJumps: 1 });
    expect(s.jitterMs).toBeLessThan(1);
    expect(s.maxJitterMs).toBeLessThan(1);
  });

  it('measures a dynamic stream on its codec when a comfort-noise packet of another type comes first', () => {
    const late = (i: number) => ((i * 7919) % 9) / 1000;
    const silk = call(250, { pt: 104, tsStep: 320, late });
    const pk = [{ f: { seq: 999, ts: 4000, ssrc: SSRC, pt: 118, payload: 1 }, at: T0 - 0.02 }, ...silk];
    const [s] = feed(pk).report().streams;
    expect(s).toMatchObject({ firstPayloadType: 118, jitterPayloadType: 104, clockRate: 16000, clockRateSource: 'inferred', packets: 251 });
    expect(s.jitterMs).toBeCloseTo(referenceJitterMs(silk, 16000), 3);
    expect(s.jitterMs).toBeGreaterThan(1);
  });

  it('names the codec as the measured type when comfort noise or another type of its clock comes first', () => {
    const cn = [{ f: { seq: 999, ts: 4840, ssrc: SSRC, pt: 13, payload: 1 }, at: T0 - 0.02 }, ...call(60)];
    expect(feed(cn).report().streams[0]).toMatchObject({ firstPayloadType: 13, jitterPayloadType: 0, jitterMs: 0 });
    const switched = call(50).map((p, i) => (i === 0 ? p : { ...p, f: { ...p.f, pt: 8 } }));
    expect(feed(switched).report().streams[0]).toMatchObject({ firstPayloadType: 0, jitterPayloadType: 8, clockRateSource: 'static' });
  });

  it('leaves telephone-event packets out of the jitter: a DTMF digit in a paced G.711 stream adds none', () => {
    // 20 packets of PT 101 replace the audio for 400 ms; each carries the event's start as its timestamp (RFC 4733 §2.5.1).
    const pk = call(200).map((p, i) => (i >= 100 && i < 120 ? { ...p, f: { ...p.f, pt: 101, ts: 5000 + 100 * 160 } } : p));
    const [s] = feed(pk).report().streams;
    expect(s).toMatchObject({ jitterPayloadType: 0, payloadTypes: [0, 101], jitterMs: 0, maxJitterMs: 0, meanJitterMs: 0 });
  });

  it('restarts measurement when the sender resets its timestamps instead of reporting seconds of jitter', () => {
    const pk = [...call(50), ...call(50, { seq0: 1050, ts0: 0 }).map((p) => ({ ...p, at: p.at + 1 }))];
    const [s] = feed(pk).report().streams;
    expect(s.timestampJumps).toBe(0); // 5000 + 50*160 back to 0 is 1.6 s: a jump only beyond 10 s
    const far = [...call(50, { ts0: 10_000_000 }), ...call(50, { seq0: 1050, ts0: 0 }).map((p) => ({ ...p, at: p.at + 1 }))];
    const [t] = feed(far).report().streams;
    expect(t.timestampJumps).toBe(1);
    expect(t.maxJitterMs).toBeLessThan(1);
  });
});

describe('RtpStreams: time series', () => {
  it('stays within MAX_SERIES_BUCKETS by doubling the bucket width, and places the loss', () => {
    const n = 15_000; // 300 s at 50 packets/s
    const lossAt = (i: number) => i >= 10_000 && i < 10_050; // 1 s of loss at t = 200 s
    const [s] = feed(call(n, { skip: lossAt })).report().streams;
    const { series } = s;
    expect(series.bucketSeconds).toBe(4);
    expect(series.received.length).toBeLessThanOrEqual(MAX_SERIES_BUCKETS);
    expect(series.received.reduce((a, b) => a + b, 0)).toBe(s.packets);
    expect(series.expected.reduce((a, b) => a + b, 0)).toBe(s.expected);
    const lossy = series.lossPct.map((v, i) => [i, v]).filter(([, v]) => v > 0);
    expect(lossy).toEqual([[50, 25]]); // bucket 50 = 200..204 s: 50 of 200 packets
  });
});

describe('RtpStreams: RTCP', () => {
  it('keeps sender info and report blocks, with jitter in ms from the reported stream', () => {
    const s = feed(call(10));
    expect(s.onPayload(0, 1, T0 + 1, 11, RTCP_SR, 0, RTCP_SR.length)).toBe(true);
    expect(s.onPayload(0, 1, T0 + 2, 12, RTCP_RR_EMPTY, 0, RTCP_RR_EMPTY.length)).toBe(true);
    const { rtcp } = s.report();
    expect(rtcp).toMatchObject({ packets: 2, unverified: 0 });
    expect(rtcp.senderReports).toEqual([{ flow: 1, direction: 'fromServer', ssrc: 0x11111111, reports: 1, packetCount: 1000, octetCount: 160000 }]);
    expect(rtcp.receptionReports).toEqual([{
      flow: 1, direction: 'fromServer', reporterSsrc: 0x11111111, sourceSsrc: SSRC, reports: 1, firstFrame: 11, lastFrame: 11,
      fractionLostPct: 25, maxFractionLostPct: 25, cumulativeLost: -2, highestSeq: 65636, jitter: 80, jitterMs: 10,
    }]);
  });

  it('does not believe report blocks of SRTCP (lengths do not add up)', () => {
    const s = new RtpStreams();
    const srtcp = Buffer.concat([RTCP_SR.subarray(0, 52), Buffer.alloc(14, 0x5a)]); // SR, then index + auth tag
    expect(s.onPayload(0, 0, T0, 1, srtcp, 0, srtcp.length)).toBe(true);
    const { rtcp } = s.report();
    expect(rtcp).toMatchObject({ packets: 1, unverified: 1, receptionReports: [], senderReports: [] });
  });

  it('every prefix of a compound packet: no throw, no report from a cut one', () => {
    for (let n = 0; n < RTCP_SR.length; n++) {
      const s = new RtpStreams();
      s.onPayload(0, 0, T0, 1, RTCP_SR, 0, n);
      // 52 bytes is the SR alone, a complete compound packet; any other cut leaves lengths that do not add up.
      expect(s.report().rtcp.receptionReports.length, `prefix ${n}`).toBe(n === 52 ? 1 : 0);
    }
  });
});
