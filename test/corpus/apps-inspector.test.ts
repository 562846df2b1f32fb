/**
 * Application hellos as the inspector finds them in whole flows (the parsers' own oracle tests call
 * them packet by packet): DTLS after ICE made a flow active, and the other side's hello.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { hasSharedCaptures, SHARED_CAPTURES, skipNote } from '../helpers/environment.js';

skipNote('application hellos over whole flows', hasSharedCaptures ? [] : [SHARED_CAPTURES]);

async function appOf(capture: string, flow: number, protocol: string) {
  const report = await analyze([join(SHARED_CAPTURES, capture)]);
  return report.flows.find((f) => f.id === flow)?.apps?.find((a) => a.protocol === protocol);
}

describe.skipIf(!hasSharedCaptures)('apps over whole flows', () => {
  it('DTLS on a flow that STUN made active first (tshark: DTLS at frames 9, 11, 13, 14)', async () => {
    expect(await appOf('ice_dtls_webrtc_zeek.pcap', 1, 'dtls')).toMatchObject({ evidenceFrames: [9, 11, 13], version: 'DTLS 1.0' });
  });

  it('a ServerHello adds the selected version and cipher suite to the ClientHello\'s entry (TLS 1.3, frame 9)', async () => {
    expect(await appOf('tls13_ech_sni_zeek.pcap', 2, 'tls')).toMatchObject({ handshake: 'client_hello', evidenceFrames: [7, 9], selectedVersion: 'TLS 1.3', cipherSuite: '0x1301' });
  });

  it('a SIP response adds its status to the request\'s entry (REGISTER, 200 OK at frame 8)', async () => {
    expect(await appOf('sip_tcp_register_suricata.pcap', 1, 'sip')).toMatchObject({ method: 'REGISTER', evidenceFrames: [4, 8], statusCode: 200, reason: 'OK' });
  });
});
