/**
 * ICMP errors attributed to the flow whose datagram they quote (destination
 * unreachable, time exceeded, packet too big, parameter problem...).
 *
 * Per flow, a short list of distinct errors keyed by (reporter address, type,
 * code, which side sent the quoted datagram). An entry, and its reporter
 * string, is allocated only on the first occurrence of its key; repeats only
 * count. Errors are rare, so a linear scan of the list is fine.
 */
import { Family, type PacketView } from '../decode/packet-view.js';
import type { FlowStore, IcmpErrorEntry } from './flow-store.js';
import { formatIp } from './ip-format.js';

/**
 * Notes the ICMP error `pkt` (its own source is the reporter) against `flow`.
 * `quotedFrom` says which side of the flow sent the quoted datagram.
 */
export function recordIcmpError(s: FlowStore, flow: number, pkt: PacketView, quotedFrom: 'client' | 'server'): void {
  let list = s.icmpErrors.get(flow);
  if (list === undefined) {
    list = [];
    s.icmpErrors.set(flow, list);
  }
  const family = pkt.family;
  const w = pkt.src;
  const v4 = family === Family.V4;
  for (const e of list) {
    const r = e.reporterWords;
    if (
      e.type === pkt.icmpType &&
      e.code === pkt.icmpCode &&
      e.quotedFrom === quotedFrom &&
      e.reporterFamily === family &&
      r[3] === w[3] &&
      (v4 || (r[0] === w[0] && r[1] === w[1] && r[2] === w[2]))
    ) {
      e.count++;
      e.lastFrame = pkt.frameNo;
      e.lastTs = pkt.ts;
      return;
    }
  }
  const words = new Uint32Array(4);
  if (v4) words[3] = w[3];
  else words.set(w);
  list.push({
    type: pkt.icmpType,
    code: pkt.icmpCode,
    reporter: formatIp(family, words),
    quotedFrom,
    count: 1,
    firstFrame: pkt.frameNo,
    firstTs: pkt.ts,
    lastFrame: pkt.frameNo,
    lastTs: pkt.ts,
    reporterWords: words,
    reporterFamily: family,
  } satisfies IcmpErrorEntry);
}
