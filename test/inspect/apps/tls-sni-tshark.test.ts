/**
 * ClientHello SNIs against tshark (`-Y tls.handshake.type==1 -e
 * tls.handshake.extensions_server_name`) on the shared captures with TLS, and
 * the hellos that offer ECH (extension 0xfe0d).
 * parseTlsHello runs on every TCP payload of the capture.
 *
 * Required: the same ClientHellos in the same frames with the same SNI
 * (empty when there is none, as in SSL 2.0-compatible hellos), except:
 * - TCP retransmissions: tshark marks a retransmitted segment as such and does
 *   not dissect it as TLS again; flowaudit's parser, given the payload, reads
 *   the hello again. Every extra frame must be one tshark flags
 *   tcp.analysis.retransmission, with an SNI tshark reported for that stream.
 * - A hello split over several segments: tshark reports it in the segment that
 *   completes it. None of these captures has one (flowaudit would report it as
 *   truncated in its first segment); the test asserts that, so a capture added
 *   later that has one is noticed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, skipNote, tsharkOutput } from '../../helpers/environment.js';
import { ourSnis, TLS_CAPTURES, tsharkEchFrames, tsharkSnis } from './tls-tshark-lib.js';

const have = hasSharedCaptures && hasTool('tshark');
skipNote('TLS SNI against tshark', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

function retransmissions(file: string): Set<number> {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'tcp.analysis.retransmission', '-T', 'fields', '-e', 'frame.number']);
  return new Set(out.split('\n').filter((l) => l !== '').map(Number));
}

describe.skipIf(!have)('ClientHello SNI agrees with tshark', () => {
  for (const file of TLS_CAPTURES) {
    it(file, async () => {
      const ours = await ourSnis(file);
      const theirs = tsharkSnis(file);
      expect(theirs.length).toBeGreaterThan(0);
      expect(ours.truncated, 'no hello split across segments in these captures').toBe(0);
      const byFrame = new Map(ours.snis.map((s) => [s.frame, s.sni]));
      for (const t of theirs) expect(byFrame.get(t.frame), `frame ${t.frame}`).toBe(t.sni);
      const theirFrames = new Set(theirs.map((t) => t.frame));
      const theirSnis = new Set(theirs.map((t) => t.sni));
      const retx = retransmissions(file);
      for (const o of ours.snis) {
        if (theirFrames.has(o.frame)) continue;
        expect(retx.has(o.frame), `frame ${o.frame} (${o.sni}) is a hello tshark did not list, and not a retransmission`).toBe(true);
        expect(theirSnis.has(o.sni), `retransmitted hello ${o.frame} repeats an SNI tshark saw`).toBe(true);
      }
    });
  }

  it('marks the ClientHellos that offer ECH (encrypted_client_hello) as tshark does, and the captures hold some', async () => {
    let offers = 0;
    for (const file of TLS_CAPTURES) {
      const ours = (await ourSnis(file)).echFrames;
      expect(ours, file).toEqual(tsharkEchFrames(file));
      offers += ours.length;
    }
    expect(offers).toBeGreaterThan(0);
  });

  it('real TLS is never taken for MS-TURN pseudo-TLS', async () => {
    for (const file of TLS_CAPTURES) expect((await ourSnis(file)).pseudoTls, file).toBe(0);
  });
});
