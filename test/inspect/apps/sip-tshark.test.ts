/**
 * SIP start lines and Call-IDs against tshark (`-Y sip`) on the shared SIP
 * captures; parseSip runs on every UDP and TCP payload.
 *
 * Required: the same messages (method or status code, Call-ID), each in the
 * same frame, except where tshark reassembles and flowaudit does not (it
 * inspects the first packets of a flow as they come):
 * - a SIP message split over TCP segments, or an IPv6 datagram split into
 *   fragments: tshark reports it in the frame that completes it, flowaudit in
 *   the first one (with `truncated` when the headers were cut). So a message
 *   may appear in an earlier frame than tshark's, never a later one.
 * - SIP over WebSocket (RFC 7118, sip_websocket_heplify.pcap): tshark unwraps
 *   the WebSocket frames; flowaudit reads plaintext SIP only. Those frames are
 *   left out of the comparison, by tshark's own `websocket` filter.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, skipNote, tsharkOutput } from '../../helpers/environment.js';
import { ourSip, tsharkSip, type SipSeen } from './sip-tshark-lib.js';

const SIP_CAPTURES = ['sip_rtp_udp_ndpi.pcap', 'sip_tcp_rtp_heplify.pcap', 'sip_tcp_register_suricata.pcap', 'sip_ipv6frag_sll_sngrep.pcap', 'sip_websocket_heplify.pcap', 'sip_rtp_t38_fax_ndpi.pcap'];

const have = hasSharedCaptures && hasTool('tshark');
skipNote('SIP against tshark', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

function websocketFrames(file: string): Set<number> {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'websocket', '-T', 'fields', '-e', 'frame.number']);
  return new Set(out.split('\n').filter((l) => l !== '').map(Number));
}

const label = (m: SipSeen) => `${m.line} ${m.callId}`;

describe.skipIf(!have)('SIP messages agree with tshark', () => {
  for (const file of SIP_CAPTURES) {
    it(file, async () => {
      const ws = websocketFrames(file);
      const theirs = tsharkSip(file).filter((m) => !ws.has(m.frame));
      const ours = await ourSip(file);
      expect(theirs.length).toBeGreaterThan(0);
      expect(ours.map(label).sort(), 'same messages').toEqual(theirs.map(label).sort());
      // Pair each of tshark's messages with ours: same frame, or (reassembly) the nearest earlier unpaired one with the same label.
      const unpaired = [...ours];
      for (const t of theirs) {
        let i = unpaired.findIndex((o) => o.frame === t.frame && label(o) === label(t));
        if (i < 0) {
          const earlier = unpaired.filter((o) => o.frame < t.frame && label(o) === label(t));
          const nearest = earlier[earlier.length - 1];
          expect(nearest, `${label(t)} in frame ${t.frame} seen earlier by flowaudit`).toBeDefined();
          i = unpaired.indexOf(nearest);
        }
        unpaired.splice(i, 1);
      }
      expect(unpaired).toEqual([]);
    });
  }
});
