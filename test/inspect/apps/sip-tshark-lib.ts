/** SIP start lines and Call-IDs of a capture, by flowaudit's parser (every UDP and TCP payload) and by tshark. */
import { join } from 'node:path';
import { parseSip } from '../../../src/inspect/apps/sip.js';
import { SHARED_CAPTURES, tsharkOutput } from '../../helpers/environment.js';
import { forEachPayload, TCP, UDP } from '../media/feed-capture.js';

export interface SipSeen { frame: number; line: string; callId: string; truncated: boolean }

export async function ourSip(file: string): Promise<SipSeen[]> {
  const out: SipSeen[] = [];
  for (const proto of [UDP, TCP]) {
    await forEachPayload(join(SHARED_CAPTURES, file), proto, (e) => {
      const m = parseSip(e.pkt.buf, e.pkt.payloadOff, e.pkt.payloadEnd);
      if (m === null) return;
      out.push({ frame: e.pkt.frameNo, line: m.kind === 'request' ? `${m.method}` : `${m.statusCode}`, callId: m.callId ?? '', truncated: m.truncated });
    });
  }
  return out.sort((a, b) => a.frame - b.frame);
}

/** One row per SIP message tshark decodes (a frame may hold several over TCP). */
export function tsharkSip(file: string): SipSeen[] {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.number', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID']);
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [frame, method, status, callId] = l.split('\t');
    return { frame: Number(frame), line: method || status, callId: callId ?? '', truncated: false };
  });
}
