/** ClientHello SNIs of a capture, by flowaudit's parser (every TCP payload) and by tshark. */
import { join } from 'node:path';
import { parseTlsHello } from '../../../src/inspect/apps/tls.js';
import { SHARED_CAPTURES, tsharkOutput } from '../../helpers/environment.js';
import { forEachPayload, TCP } from '../media/feed-capture.js';

export interface SniSeen { frame: number; sni: string }

export async function ourSnis(file: string): Promise<{ snis: SniSeen[]; truncated: number; pseudoTls: number }> {
  const snis: SniSeen[] = [];
  let truncated = 0;
  let pseudoTls = 0;
  await forEachPayload(join(SHARED_CAPTURES, file), TCP, (e) => {
    const h = parseTlsHello(e.pkt.buf, e.pkt.payloadOff, e.pkt.payloadEnd);
    if (h === null || h.handshake !== 'client_hello') return;
    if (h.protocol === 'ms-turn-pseudo-tls') pseudoTls++;
    if (h.truncated) truncated++;
    snis.push({ frame: e.pkt.frameNo, sni: h.sni ?? '' });
  });
  return { snis, truncated, pseudoTls };
}

export function tsharkSnis(file: string): SniSeen[] {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'tls.handshake.type==1', '-T', 'fields', '-e', 'frame.number', '-e', 'tls.handshake.extensions_server_name']);
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [frame, sni] = l.split('\t');
    return { frame: Number(frame), sni: sni ?? '' };
  });
}
