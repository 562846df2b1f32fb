/** TLS in the shared captures, by flowaudit and by tshark: ClientHello SNIs, and conversations without a hello. */
import { join } from 'node:path';
import { parseTlsHello } from '../../../src/inspect/apps/tls.js';
import { SHARED_CAPTURES, tsharkOutput } from '../../helpers/environment.js';
import { forEachPayload, TCP } from '../media/feed-capture.js';

export interface SniSeen { frame: number; sni: string }

/** The ClientHellos in every TCP payload of `file`: SNIs, hellos cut short, pseudo-TLS, and the frames of those that offer ECH. */
export async function ourSnis(file: string): Promise<{ snis: SniSeen[]; truncated: number; pseudoTls: number; echFrames: number[] }> {
  const snis: SniSeen[] = [];
  const echFrames: number[] = [];
  let truncated = 0;
  let pseudoTls = 0;
  await forEachPayload(join(SHARED_CAPTURES, file), TCP, (e) => {
    const h = parseTlsHello(e.pkt.buf, e.pkt.payloadOff, e.pkt.payloadEnd);
    if (h === null || h.handshake !== 'client_hello') return;
    if (h.protocol === 'ms-turn-pseudo-tls') pseudoTls++;
    if (h.truncated) truncated++;
    if (h.ech === true) echFrames.push(e.pkt.frameNo);
    snis.push({ frame: e.pkt.frameNo, sni: h.sni ?? '' });
  });
  return { snis, truncated, pseudoTls, echFrames };
}

/** Frames of the ClientHellos with an encrypted_client_hello extension, by tshark. */
export function tsharkEchFrames(file: string): number[] {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'tls.handshake.type==1 && tls.handshake.extension.type==0xfe0d', '-T', 'fields', '-e', 'frame.number']);
  return out.split('\n').filter((l) => l.trim() !== '').map(Number);
}

export function tsharkSnis(file: string): SniSeen[] {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'tls.handshake.type==1', '-T', 'fields', '-e', 'frame.number', '-e', 'tls.handshake.extensions_server_name']);
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [frame, sni] = l.split('\t');
    return { frame: Number(frame), sni: sni ?? '' };
  });
}

/** The shared captures with TLS. */
export const TLS_CAPTURES = [
  'tls_many_sni_v4v6_ppp.pcap', 'sll2_tls_sni_mercury.pcap', 'tls13_ech_sni_zeek.pcap', 'rawip_ocs_ndpi.pcap',
  'pcapng_11_ifaces_ppp.pcapng', 'large_mixed_vlan_ppp.pcap', 'msturn_teams_ndpi.pcap', 'skype_legacy_ndpi.pcap',
  'large_mixed_capture2_mercury.pcap', 'large_mixed_1kxun_ndpi.pcap',
];

/** A TCP conversation's two ends, "ip|port" each, in order: the same for either direction. */
export function conversationKey(ipA: string, portA: number | string, ipB: string, portB: number | string): string {
  return [`${ipA}|${portA}`, `${ipB}|${portB}`].sort().join(' ');
}

/**
 * The TCP conversations in which tshark decodes TLS records but no ClientHello or ServerHello.
 * Records with a content type: tshark's port-443 heuristic also reads SSL 2.0 records into bytes
 * of other protocols (large_mixed_1kxun_ndpi.pcap, "SSLv2 Record Layer: Encrypted Data").
 */
export function tsharkHellolessTls(file: string): Set<string> {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'tls.record.content_type', '-T', 'fields',
    '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'tls.handshake.type']);
  const hello = new Map<string, boolean>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [src4, src6, sport, dst4, dst6, dport, types] = line.split('\t');
    // The outer header's addresses (ICMP quotes add more after a comma).
    const key = conversationKey((src4 || src6).split(',')[0], sport, (dst4 || dst6).split(',')[0], dport);
    const hasHello = types.split(',').some((t) => t === '1' || t === '2');
    hello.set(key, (hello.get(key) ?? false) || hasHello);
  }
  return new Set([...hello].filter(([, h]) => !h).map(([k]) => k));
}
