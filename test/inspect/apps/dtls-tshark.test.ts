/**
 * DTLS records against tshark (`-Y dtls`) on the shared captures with DTLS:
 * parseDtls runs on every UDP payload whose first byte is 20-63 (RFC 7983).
 * Required: the same frames, the same record content types and the same
 * epoch-0 handshake message types, in order. One explained difference: a
 * datagram that starts like a DTLS handshake record but whose handshake
 * header is garbage (frame 196 of turn_full_multi_iface_ndpi.pcapng, an nDPI
 * test case) is refused by tshark's heuristics as not DTLS; flowaudit reports
 * it as DTLS with the dtls_record_malformed anomaly, which is what it is
 * meant to tell the user.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDtls } from '../../../src/inspect/apps/dtls.js';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, skipNote, tsharkOutput } from '../../helpers/environment.js';
import { forEachPayload, UDP } from '../media/feed-capture.js';

const DTLS_CAPTURES = ['ice_dtls_webrtc_zeek.pcap', 'ice_dtls_zoom_ndpi.pcapng', 'ice_webrtc_google_meet_ndpi.pcapng', 'turn_full_multi_iface_ndpi.pcapng'];
const CONTENT_TYPES: Record<string, string> = { 20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data', 24: 'heartbeat', 25: 'tls12_cid' };
const HANDSHAKE_TYPES: Record<string, string> = { 1: 'client_hello', 2: 'server_hello', 3: 'hello_verify_request', 4: 'new_session_ticket', 11: 'certificate', 12: 'server_key_exchange', 13: 'certificate_request', 14: 'server_hello_done', 15: 'certificate_verify', 16: 'client_key_exchange', 20: 'finished' };

const have = hasSharedCaptures && hasTool('tshark');
skipNote('DTLS against tshark', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

describe.skipIf(!have)('DTLS records agree with tshark', () => {
  for (const file of DTLS_CAPTURES) {
    it(file, async () => {
      const ours = new Map<number, { types: string[]; hs: string[]; anomaly: string | null }>();
      await forEachPayload(join(SHARED_CAPTURES, file), UDP, (e) => {
        const b0 = e.pkt.buf[e.pkt.payloadOff];
        if (b0 < 20 || b0 > 63) return;
        const d = parseDtls(e.pkt.buf, e.pkt.payloadOff, e.pkt.payloadEnd);
        if (d !== null) ours.set(e.pkt.frameNo, { types: d.contentTypes, hs: d.handshakeTypes, anomaly: d.anomaly });
      });
      const rows = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'dtls', '-T', 'fields', '-e', 'frame.number', '-e', 'dtls.record.content_type', '-e', 'dtls.record.epoch', '-e', 'dtls.handshake.type'])
        .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
      expect(rows.length).toBeGreaterThan(0);
      for (const [frame, ct, epochs, hs] of rows) {
        const o = ours.get(Number(frame));
        expect(o, `frame ${frame}`).toBeDefined();
        expect(o?.anomaly, `frame ${frame}`).toBeNull();
        expect(o?.types, `frame ${frame}`).toEqual(ct.split(',').map((t) => CONTENT_TYPES[t]));
        // tshark lists handshake types of every epoch it could decrypt (none here); flowaudit only epoch 0.
        const plain = epochs.split(',').every((x) => x === '0');
        if (plain) expect(o?.hs, `frame ${frame}`).toEqual(hs ? hs.split(',').map((t) => HANDSHAKE_TYPES[t]) : []);
        ours.delete(Number(frame));
      }
      for (const [frame, o] of ours) expect(o.anomaly, `frame ${frame}: DTLS only to flowaudit, and only as malformed`).toBe('dtls_record_malformed');
    });
  }
});
