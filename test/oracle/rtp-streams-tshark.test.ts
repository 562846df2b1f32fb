/**
 * RTP loss and jitter against tshark's RTP stream table (`-z rtp,streams`,
 * heuristic RTP on) over every shared capture that carries RTP. Each UDP
 * payload of the capture is fed to RtpStreams through the project's own
 * reader, decoder and flow table. RTP over TCP (RFC 4571), which only the
 * full pipeline frames, is compared with tshark's row for it with RTP
 * decoding forced on its port.
 *
 * Agreement required, per stream tshark lists:
 * - packets and lost: equal.
 * - max jitter (static payload types, where tshark knows the clock rate):
 *   within MAX_JITTER_ABS_MS (the tables print 3 decimals), except streams
 *   that mix in dynamic payload types (see DYNAMIC_MIX below): within 10%.
 * - mean jitter: flowaudit averages the jitter estimate over the packets it
 *   samples; tshark updates `mean = (mean * (n - 1) + j) / n` with n counting
 *   every packet so far, sampled or not (ui/tap-rtp-analysis.c), so when it
 *   skips packets (marker bit, comfort noise) its mean is smaller. Ours must lie
 *   between tshark's and MEAN_RATIO times it; equal (within rounding) on
 *   streams without skipped packets.
 *
 * Differences explained, not tolerated silently:
 * - tshark lists streams of 1 or 2 packets; flowaudit confirms a stream after
 *   CONFIRM_PACKETS (3) packets, so shorter ones are absent by design (a lone
 *   datagram is no evidence of media).
 * - tshark lists "Unassigned" payload types on fuzzed RADIUS bytes; flowaudit
 *   refuses unassigned payload types (rtp-header.ts plausiblePayloadType).
 * - sip_rtp_t38_fax_ndpi.pcap: the SDP of a re-INVITE switches the port pair to
 *   T.38, so tshark dissects 27 later RTP packets (PT 8, same SSRC, sequence
 *   continuing) as malformed T.38. flowaudit sees RTP. tshark runs with
 *   `--disable-protocol t38` for that file, and then agrees on packets and loss.
 * - Dynamic payload types: tshark has no clock rate without SDP and prints
 *   jitter -1/0; those streams are compared on packets and loss only.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import { CONFIRM_PACKETS } from '../../src/inspect/media/rtp-streams.js';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, sharedCaptures, skipNote } from '../helpers/environment.js';
import { ourRtpStreams, tsharkRtpStreams } from './rtp-tshark-lib.js';

const RTP_CAPTURES = [
  'rtp_g711a_sipp.pcap',
  'sip_rtp_udp_ndpi.pcap',
  'rtp_video_vlan_ndpi.pcapng',
  'sip_rtp_t38_fax_ndpi.pcap',
  'sip_tcp_rtp_heplify.pcap',
  'stun_rfc3489_classic_rtp_ndpi.pcap',
  'stun_whatsapp_call_ndpi.pcapng',
  'skype4b_ice_conference_ndpi.pcap',
  'turn_signal_call_ndpi.pcapng',
  'ice_webrtc_google_meet_ndpi.pcapng',
  'turn_full_multi_iface_ndpi.pcapng',
  'msturn_teams_ndpi.pcap',
  'fuzzed_radius_ndpi.pcapng',
];
const TSHARK_EXTRA: Record<string, string[]> = {
  'sip_rtp_t38_fax_ndpi.pcap': ['--disable-protocol', 't38'],
  // SRTP with the padding bit set: the last octet is encrypted or the authentication tag (RFC 3711
  // §3.1), not a padding count. tshark's RTP heuristic refuses the packets whose last octet does not
  // fit as one, and lists them as lost (10 of 104, 4 of 31, 1 of 12); decoding their ports as RTP it
  // counts them, in sequence, as flowaudit does.
  'ice_webrtc_google_meet_ndpi.pcapng': ['-d', 'udp.port==45572,rtp', '-d', 'udp.port==38152,rtp'],
  'turn_signal_call_ndpi.pcapng': ['-d', 'udp.port==47767,rtp'],
};
const MAX_JITTER_ABS_MS = 0.002;
/**
 * Streams whose static codec is mixed with dynamic payload types (telephone-event, NSE): tshark
 * moves its reference through those packets with rates learned from SDP, flowaudit leaves packets
 * of another clock out of the estimate (rtp-stream-stats.ts), so the running estimates drift apart
 * slightly (1.253 vs 1.343 ms, 6.974 vs 7.007 ms on the fax call).
 */
const DYNAMIC_MIX_REL = 0.1;
const MEAN_RATIO = 1.5;

const have = hasSharedCaptures && hasTool('tshark');
skipNote('RTP streams against tshark', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

describe.skipIf(!have)('RTP streams agree with tshark -z rtp,streams', () => {
  it('knows every listed capture', () => {
    const present = new Set(sharedCaptures());
    for (const f of RTP_CAPTURES) expect(present.has(f), f).toBe(true);
  });

  for (const file of RTP_CAPTURES) {
    it(file, async () => {
      const theirs = tsharkRtpStreams(file, TSHARK_EXTRA[file] ?? []);
      const ours = await ourRtpStreams(file);
      expect(theirs.length).toBeGreaterThan(0);
      const byKey = new Map(ours.map((s) => [s.key, s]));
      let compared = 0;
      for (const t of theirs) {
        const o = byKey.get(t.key);
        if (t.packets < CONFIRM_PACKETS || t.payload === 'Unassigned') {
          expect(o, `${t.key}: too short or unassigned PT, not confirmed by design`).toBeUndefined();
          continue;
        }
        expect(o, `${t.key} (${t.payload}, ${t.packets} packets) missing`).toBeDefined();
        if (o === undefined) continue;
        compared++;
        expect(o.packets, `${t.key} packets`).toBe(t.packets);
        expect(o.lost, `${t.key} lost`).toBe(t.lost);
        const tsharkHasRate = !/^(RTPType-|rtpevent|rtp\.rfc2198)/.test(t.payload);
        if (!tsharkHasRate) continue;
        expect(o.clockRateSource, t.key).toBe('static');
        const dynamicMix = t.payload.includes('RTPType-');
        const maxTol = dynamicMix ? t.maxJitterMs * DYNAMIC_MIX_REL : MAX_JITTER_ABS_MS;
        expect(Math.abs(o.maxJitterMs - t.maxJitterMs), `${t.key} max jitter ${o.maxJitterMs} vs ${t.maxJitterMs}`).toBeLessThanOrEqual(maxTol);
        expect(o.meanJitterMs, `${t.key} mean jitter`).toBeGreaterThanOrEqual(t.meanJitterMs - MAX_JITTER_ABS_MS - (dynamicMix ? t.meanJitterMs * DYNAMIC_MIX_REL : 0));
        expect(o.meanJitterMs, `${t.key} mean jitter`).toBeLessThanOrEqual(t.meanJitterMs * MEAN_RATIO + MAX_JITTER_ABS_MS);
      }
      // Nothing invented: every stream flowaudit reports is one tshark lists.
      const theirKeys = new Set(theirs.map((t) => t.key));
      for (const o of ours) expect(theirKeys.has(o.key), `${o.key} not in tshark's table`).toBe(true);
      // The fuzzed capture is there to show that nothing is confirmed from noise.
      if (file === 'fuzzed_radius_ndpi.pcapng') expect(ours).toEqual([]);
      else expect(compared).toBeGreaterThan(0);
    });
  }

  it('the pipeline (analyze) reports the same UDP streams as RtpStreams fed directly, and its TCP streams as tshark does', async () => {
    let tcpStreams = 0;
    for (const file of RTP_CAPTURES) {
      const report = await analyze([join(SHARED_CAPTURES, file)]);
      const flows = new Map(report.flows.map((f) => [f.id, f]));
      const viaPipeline = (report.media?.streams ?? []).map((s) => {
        const f = flows.get(s.flow)!;
        const [a, b] = s.direction === 'fromClient' ? [f.client, f.server] : [f.server, f.client];
        return { transport: f.transport, key: `${a.ip}:${a.port}>${b.ip}:${b.port} ${s.ssrcHex}`, s };
      });
      const line = (key: string, s: { packets: number; lost: number; maxJitterMs: number; meanJitterMs: number }) => `${key} ${s.packets} ${s.lost} ${s.maxJitterMs} ${s.meanJitterMs}`;
      const udp = viaPipeline.filter((x) => x.transport === 'udp').map((x) => line(x.key, x.s)).sort();
      const direct = (await ourRtpStreams(file)).map((s) => line(s.key, s)).sort();
      expect(udp, file).toEqual(direct);
      // RTP over TCP in RFC 4571 frames (rtp_video_vlan_ndpi.pcapng: PCMA to port 5000), which tshark's
      // heuristic does not try: the same as tshark's row with RTP decoding forced on the server's port.
      for (const x of viaPipeline.filter((v) => v.transport === 'tcp')) {
        tcpStreams++;
        const f = flows.get(x.s.flow)!;
        const theirs = new Map(tsharkRtpStreams(file, ['-d', `tcp.port==${f.server.port},rtp`]).map((t) => [t.key, t]));
        const t = theirs.get(x.key);
        expect(t, `${file} ${x.key} in tshark's table`).toBeDefined();
        expect([x.s.packets, x.s.lost], x.key).toEqual([t!.packets, t!.lost]);
        expect(Math.abs(x.s.maxJitterMs - t!.maxJitterMs), `${x.key} max jitter`).toBeLessThanOrEqual(MAX_JITTER_ABS_MS);
      }
    }
    expect(tcpStreams).toBeGreaterThan(0);
  });

  it('measures the same loss tshark does on a lossy call (92.8% -> 1712 of 1871)', async () => {
    const ours = await ourRtpStreams('sip_rtp_t38_fax_ndpi.pcap');
    const s = ours.find((x) => x.ssrcHex === '0x0EAF0EAF');
    expect(s?.expected).toBe(1871);
    expect(s?.lost).toBe(1712);
  });
});
