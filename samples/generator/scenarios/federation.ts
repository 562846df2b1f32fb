/**
 * Scenario "federation": our consolidated edge's external side with a
 * federated partner (fabrikam.com, access edge 198.51.100.10, A/V edge
 * 198.51.100.12), a public IM provider (192.0.2.40) and an XMPP partner
 * (203.0.113.70): SIP/MTLS 5061 both ways, A/V federation (TCP 443 from the
 * relay range, STUN 3478 both ways, RTP both ways), XMPP 5269 inbound, a
 * partner dialing 5061 on the A/V edge address (misdirected, refused), a
 * second partner's 5061 attempt stopped by the firewall with ICMP
 * admin-prohibited, and an XMPP client-port attempt dropped. Expected
 * verdicts at the end, also for the Skype for Business 2015 edge pack
 * (which has no inbound 50000-59999 rows E11/E12).
 */
import * as apps from '../payloads/apps.js';
import type { ExpectTable, FlowExpect, PackVariant } from '../expect.js';
import { msTurnTcp, rtpCall, stunBindingChecks, synAdminProhibited, synScanDropped, synScanRefused, tcpSession, tlsSession, type TurnCredentials } from '../recipes.js';
import { Rng } from '../rng.js';
import { Trace, type Host } from '../trace.js';

export const FEDERATION_SEED = 0xfed5061;
export const FEDERATION_BASE_SEC = 1710244800; // 2024-03-12T12:00:00Z
export const FEDERATION_DESCRIPTION =
  'Edge external side with federation: SIP/MTLS 5061 with a federated partner both ways and from a public IM provider, XMPP 5269 ' +
  'inbound, A/V federation (MS-TURN over TCP 443 from the relay range, STUN 3478 both ways, RTP both ways through 50000-59999), ' +
  'a partner dialing 5061 on the A/V edge address (refused), a second partner blocked with ICMP admin-prohibited, an XMPP ' +
  'client-port attempt dropped.';

const S = 1_000_000; // µs per second
const MS = 1000; // µs per millisecond

const EXT_ROUTER = '00:1b:54:c2:10:01'; // the external firewall's MAC
const EDGE_EXT_NIC = '00:15:5d:0a:0a:0a';
const internet = (ip: string, ttl: number): Host => ({ ip, mac: EXT_ROUTER, ttl });
const local = (ip: string): Host => ({ ip, mac: EDGE_EXT_NIC, ttl: 128 });

const accessEdge = local('131.107.10.10');
const avEdge = local('131.107.10.12');
const firewall: Host = { ip: '131.107.10.1', mac: EXT_ROUTER, ttl: 255 };
const partnerAccess = internet('198.51.100.10', 50); // fabrikam.com
const partnerAv = internet('198.51.100.12', 50);
const otherPartner = internet('198.51.100.20', 51); // an open-federation domain the firewall does not allow
const publicIm = internet('192.0.2.40', 46);
const xmppPartner = internet('203.0.113.70', 53);

/** Our edge and the partners a user would list; the partner's A/V edge and the blocked domain stay unknown. */
export const FEDERATION_TOPOLOGY: { roles: Record<string, string[]> } = {
  roles: {
    'edge-access': [accessEdge.ip],
    'edge-av': [avEdge.ip],
    'federation-partner': [partnerAccess.ip],
    'public-im-partner': [publicIm.ip],
    'xmpp-partner': [xmppPartner.ip],
  },
};

const cred: TurnCredentials = {
  username: 'AgAAJFed5061MB2Yq5dG9tFXTaJm8fNlBTQVo6ZmFicmlrYW0=',
  realm: '"rtcmedia"',
  password: 'c2FtcGxlLWZlZGVyYXRpb24tcGFzcw==',
  nonce: Buffer.from('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'hex'),
};

export function buildFederation(): Trace {
  const trace = new Trace('federation', FEDERATION_BASE_SEC, [
    { name: 'edge-external', description: 'Edge server external NIC (131.107.10.10-12)', tsresolDigits: 6 },
  ]);
  const rng = new Rng(FEDERATION_SEED);
  const ext = { iface: 0 } as const;
  const doc = { intent: 'documented' } as const;
  const undoc = { intent: 'undocumented' } as const;
  const misdir = { intent: 'misdirected' } as const;

  tlsSession(trace, rng, { ...ext, ...doc, label: 'fed-sip-inbound', client: partnerAccess, cport: 52400, server: accessEdge, sport: 5061,
    note: 'federated partner edge to our access edge' }, {
    start: 0, rtt: 24 * MS, version: '1.2', sni: 'sip.contoso.com', end: 'client-fin',
    messages: [[true, 1400], [false, 700], [true, 900, 2 * S], [false, 400]],
  });
  tlsSession(trace, rng, { ...ext, ...doc, label: 'fed-sip-outbound', client: accessEdge, cport: 53100, server: partnerAccess, sport: 5061,
    note: 'our access edge to the partner edge' }, {
    start: 300 * MS, rtt: 24 * MS, version: '1.2', sni: 'sip.fabrikam.com', end: 'server-fin', messages: [[true, 1200], [false, 600]],
  });
  tlsSession(trace, rng, { ...ext, ...doc, label: 'public-im-sip-inbound', client: publicIm, cport: 52500, server: accessEdge, sport: 5061,
    note: 'public IM provider to our access edge' }, {
    start: 600 * MS, rtt: 70 * MS, version: '1.2', sni: 'sip.contoso.com', end: 'client-fin', messages: [[true, 1000], [false, 500]],
  });
  tcpSession(trace, rng, { ...ext, ...doc, label: 'xmpp-inbound', client: xmppPartner, cport: 52690, server: accessEdge, sport: 5269,
    app: { protocol: 'xmpp' }, note: 'XMPP partner opens a server-to-server stream; STARTTLS offered, accepted, then the capture stops at TLS' },
  { start: 900 * MS, rtt: 48 * MS }, [
    [true, apps.xmppStreamHeader('jabber.example.org', 'contoso.com')],
    [false, Buffer.concat([apps.xmppStreamHeader('contoso.com', 'jabber.example.org', 'c2s-5f1a'), apps.xmppStartTlsFeatures()])],
    [true, apps.xmppStartTls()], [false, apps.xmppProceed()],
  ], 'client-fin');
  msTurnTcp(trace, rng, { ...ext, ...doc, label: 'av-fed-tcp-443-out', client: avEdge, cport: 50500, server: partnerAv, sport: 443,
    note: 'our A/V edge relay range to the partner A/V edge on TCP 443 (MS-TURN over TCP)' }, { start: 1200 * MS, rtt: 24 * MS }, 51500, cred, 3);
  stunBindingChecks(trace, rng, { ...ext, ...doc, label: 'av-fed-stun-3478', client: avEdge, cport: 3478, server: partnerAv, sport: 3478,
    note: 'STUN between the two A/V edges on 3478 (one flow: both directions share the 5-tuple); our edge speaks first' },
  1500 * MS, 24 * MS, 3, 100 * MS);
  rtpCall(trace, rng, { ...ext, ...doc, label: 'av-fed-rtp-out', client: avEdge, cport: 52100, server: partnerAv, sport: 51000,
    note: 'media from our relay range to the partner A/V edge' }, {
    start: 2 * S, packetsPerDirection: 50, answerDelay: 48 * MS, stream: { payloadType: 114, clockRate: 16000, ptimeMs: 20, payloadBytes: [48, 92] },
  });
  rtpCall(trace, rng, { ...ext, ...doc, label: 'av-fed-rtp-in', client: partnerAv, cport: 51010, server: avEdge, sport: 52110,
    note: 'media from the partner A/V edge to our relay range (documented inbound by Lync 2013 E12 only)' }, {
    start: 2100 * MS, packetsPerDirection: 50, answerDelay: 10 * MS, stream: { payloadType: 0, clockRate: 8000, ptimeMs: 20, payloadBytes: 160 },
  });
  stunBindingChecks(trace, rng, { ...ext, ...doc, label: 'public-im-stun-in', client: publicIm, cport: 3478, server: avEdge, sport: 3478,
    note: 'STUN from the public IM provider to our A/V edge' }, 3300 * MS, 70 * MS, 2, 200 * MS);
  synScanRefused(trace, rng, { ...ext, ...misdir, label: 'fed-sip-to-av-edge', client: partnerAccess, cport: 52410, server: avEdge,
    note: 'partner dials 5061 on our A/V edge address (a wrong DNS record): refused' }, [5061], 4 * S, 0);
  synAdminProhibited(trace, rng, { ...ext, ...doc, label: 'fed-sip-admin-prohibited', client: otherPartner, cport: 52420, server: accessEdge, sport: 5061,
    note: 'a domain not on the allow list: the firewall answers the SYN with ICMP 3/13' }, 4500 * MS, firewall);
  synScanDropped(trace, rng, { ...ext, ...undoc, label: 'xmpp-c2s-5222-dropped', client: xmppPartner, cport: 52700, server: accessEdge,
    note: 'XMPP client port 5222: not an edge port, dropped by the firewall' }, [5222], 5 * S, 0, 1 * S);

  trace.finalize();
  return trace;
}

/** The same topology with the Skype for Business Server 2015 edge pack instead of the Lync Server 2013 one. */
export const FEDERATION_VARIANTS: PackVariant[] = [{
  name: 'sfb2015-edge',
  packs: ['lync2013-director', 'sfb2015-edge', 'lync2013-public-im', 'media-ranges', 'reverse-proxy', 'sfb2015-servers'],
  description: 'Default packs with sfb2015-edge in place of lync2013-edge (no inbound 50000-59999 rows E11/E12).',
}];

const d = (topo: FlowExpect['topo'], bare: FlowExpect['bare'], variant: FlowExpect['topo'] = topo, more: Partial<FlowExpect> = {}): FlowExpect =>
  ({ topo, bare, variants: { 'sfb2015-edge': variant }, ...more });
const mediaPort = { topo: 'documented/port', bare: 'documented/port' } as const;

/** Expected verdicts, declared by hand from catalog/*.json and the spec (checked by ../verdicts.ts). */
export const FEDERATION_EXPECT: ExpectTable = {
  'fed-sip-inbound': d('documented/role', 'documented/port'),
  'fed-sip-outbound': d('documented/role', 'documented/port'),
  'public-im-sip-inbound': d('documented/role', 'documented/port'),
  'xmpp-inbound': d('documented/role', 'documented/port'),
  // The partner's A/V edge is not in the topology: documented through `any` with one end unknown, confidence "port".
  'av-fed-tcp-443-out': d('documented/port', 'documented/port', 'documented/port', { media: mediaPort }),
  'av-fed-stun-3478': d('documented/port', 'documented/port', 'documented/port', { media: mediaPort }),
  'av-fed-rtp-out': d('documented/port', 'undocumented/port', 'documented/port', {
    media: mediaPort,
    ambiguity: "E10 (portSide client) qualified through our edge's configured edge-av role checked against `from`; read literally " +
      '(host holding the port checked against `to` = any) it would also qualify without topology (documented/port).',
  }),
  'av-fed-rtp-in': d('documented/port', 'undocumented/port', 'undocumented/port', {
    media: mediaPort,
    ambiguity: 'Inbound to the relay range is documented by Lync 2013 E12 only; with the sfb2015-edge pack nothing documents it ' +
      'without media evidence (undocumented); with RTP recognized the client media rows make it documented/port there too.',
  }),
  'public-im-stun-in': d('documented/role', 'documented/port', 'documented/role', { media: { topo: 'documented/role', bare: 'documented/port' } }),
  'fed-sip-to-av-edge': d('misdirected/role', 'documented/port', 'misdirected/role', { failure: 'tcp-refused' }),
  'fed-sip-admin-prohibited': d('documented/port', 'documented/port', 'documented/port', {
    failure: 'icmp-admin-prohibited',
    ambiguity: 'S0 with an ICMP admin-prohibited answer: failure recorded as icmp-admin-prohibited; the classifier may also raise ' +
      'tcp-unanswered for the S0 state.',
  }),
  'xmpp-c2s-5222-dropped': d('undocumented/port', 'undocumented/port', 'undocumented/port', { failure: 'tcp-unanswered' }),
};

export const FEDERATION_NOTES = [
  "The partner's A/V edge (198.51.100.12) and the blocked domain's edge (198.51.100.20) are deliberately left out of the topology.",
  'The two A/V edges exchange STUN on 3478 in both directions over one 5-tuple: one flow, oriented from our edge (it spoke first).',
];
