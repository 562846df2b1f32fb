/**
 * A/V scenarios about the media path (issue 3 "Samples"):
 * - av-ice-checks: ICE connectivity checks (RFC 8445) between a remote client
 *   and the peer's relayed candidate on the A/V Edge, answered both ways and
 *   nominated with USE-CANDIDATE, then RTP on the pair; a direct pair to the
 *   peer's host candidate whose checks are retransmitted and never answered;
 * - av-rtp-quality: RTP with known impairments (lost sequence numbers, a
 *   reordered packet, a duplicate, arrival jitter in whole timestamp units)
 *   so that loss, out-of-order, duplicates and RFC 3550 jitter are exactly
 *   computable, with RTCP sender reports on the next port.
 */
import { iceChecks, impairedCall, mediaOnFlow } from '../av-media.js';
import type { ExpectTable } from '../expect.js';
import { PT_G722, PT_PCMU } from '../payloads/rtp.js';
import { Rng } from '../rng.js';
import { Trace } from '../trace.js';
import { EXTERNAL, MS, PCMU_20MS, avEdge, internet } from './av-common.js';

const ext = { iface: 0, intent: 'documented' } as const;

export const AV_ICE_CHECKS_DESCRIPTION =
  'ICE connectivity checks: a remote client (controlling) checks the pair to the peer\'s relayed candidate 131.107.10.12:53070 ' +
  '(answered), the peer checks back through the relay (answered), the client nominates the pair with USE-CANDIDATE and RTP ' +
  'follows; checks on the direct pair to the peer\'s host candidate 198.51.100.96:50400 are retransmitted and never answered.';

// RFC 8445 §5.1.2.1 priority: (2^24 * type preference) + (2^8 * local preference) + (256 - component id).
const prio = (typePref: number, localPref: number) => typePref * 2 ** 24 + localPref * 2 ** 8 + 255;

export function buildAvIceChecks(): Trace {
  const trace = new Trace('av-ice-checks', 1710342000, EXTERNAL); // 2024-03-13T15:00:00Z
  const rng = new Rng(0xa7006);
  const client = internet('203.0.113.37', 112);
  const agents = {
    client: { ufrag: 'Kp3x', password: 'clientIcePassword0123456', tieBreaker: [0x1a2b3c4d, 0x5e6f7081] as [number, number], controlling: true },
    server: { ufrag: 'Zq9w', password: 'peerIcePassword987654321', tieBreaker: [0x0badcafe, 0x12345678] as [number, number], controlling: false },
  };
  const relayPair = iceChecks(trace, rng, { ...ext, label: 'ice-pair-via-relay', client, cport: 50140, server: avEdge, sport: 53070,
    note: "checks to the peer's relayed candidate: answered both ways, nominated, then RTP" }, agents, [
    { at: 0, fromClient: true, priority: prio(126, 65535), answerAfter: 60 * MS },
    { at: 30 * MS, fromClient: false, priority: prio(0, 65535), answerAfter: 500 },
    { at: 4000 * MS, fromClient: true, priority: prio(126, 65535), useCandidate: true, answerAfter: 60 * MS },
  ]);
  iceChecks(trace, rng, { ...ext, label: 'ice-pair-direct-unanswered', client, cport: 50140, server: internet('198.51.100.96', 50), sport: 50400,
    note: "checks to the peer's host candidate: retransmitted at 0.5, 1.5, 3.5 s, never answered (a firewall drops them); the nomination on the relay pair ends them" },
  agents, [
    { at: 10 * MS, fromClient: true, priority: prio(126, 65535), retransmitAfter: [500 * MS, 1500 * MS, 3500 * MS], answerAfter: null },
  ]);
  mediaOnFlow(trace, rng, relayPair, { start: 4100 * MS, packets: 15, stream: { ...PCMU_20MS, payloadBytes: 160 }, answerDelay: 8 * MS });
  trace.finalize();
  return trace;
}

export const AV_RTP_QUALITY_DESCRIPTION =
  'A call between a remote client and the A/V Edge relay (131.107.10.12:53080): the client\'s PCMU stream (100 packets, 20 ms) ' +
  'loses packets 17, 40, 41 and 77 before the capture point, packet 55 arrives after 56, packet 63 is captured twice, arrival ' +
  'delays vary by whole 125 µs units with a 15 ms queueing burst on packets 80-84; the edge\'s G.722 stream (PT 9: 8000 Hz RTP ' +
  'clock, RFC 3551) is clean with small jitter. RTCP SR + SDES compound packets on the next ports report the other side\'s stream.';

export function buildAvRtpQuality(): Trace {
  const trace = new Trace('av-rtp-quality', 1710345600, EXTERNAL); // 2024-03-13T16:00:00Z
  const rng = new Rng(0xa7007);
  const client = internet('203.0.113.38', 112);
  const d = rng.fork('arrival-delays');
  const unit = 125; // µs: one 8000 Hz timestamp unit
  const upDelays = Array.from({ length: 100 }, (_, i) => (d.int(0, 24) + (i >= 80 && i <= 84 ? 120 : 0)) * unit);
  const downDelays = Array.from({ length: 100 }, () => d.int(0, 8) * unit);
  impairedCall(trace, rng,
    { ...ext, label: 'rtp-impaired', client, cport: 50150, server: avEdge, sport: 53080,
      note: 'RTP with known loss, reordering, duplication and jitter from the client; clean G.722 back' },
    { ...ext, label: 'rtcp-reports', client, cport: 50151, server: avEdge, sport: 53081,
      note: 'RTCP SR + SDES from each side, report blocks on the other side\'s stream' },
    {
      start: 0, answerDelay: 7 * MS, baseSec: 1710345600,
      fromClient: { payloadType: PT_PCMU, clockRate: 8000, ptimeMs: 20, payloadBytes: 160, packets: 100, lost: [17, 40, 41, 77], reordered: [55], duplicated: [[63, 2 * MS]], delayUs: (i) => upDelays[i] },
      fromServer: { payloadType: PT_G722, clockRate: 8000, ptimeMs: 20, payloadBytes: 160, packets: 100, delayUs: (i) => downDelays[i] },
      rtcp: { clientAt: [1000 * MS, 2050 * MS], serverAt: [1020 * MS, 2070 * MS], cname: { client: 'client@203.0.113.38', server: 'mrasrelay@131.107.10.12' } },
    });
  trace.finalize();
  return trace;
}

const media = { topo: 'documented/port', bare: 'documented/port' } as const;

export const AV_ICE_CHECKS_EXPECT: ExpectTable = {
  'ice-pair-via-relay': { topo: 'documented/port', bare: 'undocumented/port', media },
  'ice-pair-direct-unanswered': { topo: 'undocumented/port', bare: 'undocumented/port', media },
};
export const AV_RTP_QUALITY_EXPECT: ExpectTable = {
  'rtp-impaired': { topo: 'documented/port', bare: 'undocumented/port', media },
  'rtcp-reports': { topo: 'documented/port', bare: 'undocumented/port', media },
};
