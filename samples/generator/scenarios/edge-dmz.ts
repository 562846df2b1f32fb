/**
 * Scenario "edge-dmz": a Lync Server 2013 / Skype for Business Server 2015
 * edge DMZ seen from both sides of a consolidated edge server, with the flows
 * the documentation allows and some it does not. This file is the scenario
 * description only: who talks to whom, on which ports, when. The packet
 * machinery lives in ../recipes.ts and below.
 *
 * Addresses: documentation ranges for the internet (RFC 5737, RFC 3849),
 * the edge's external addresses 131.107.10.10 (access), .11 (web
 * conferencing), .12 (A/V), internal edge interface 10.0.1.10, front ends
 * 10.0.2.1-4, director 10.0.3.5, reverse proxy (internal) 10.0.4.5.
 */
import * as apps from '../payloads/apps.js';
import { PT_PCMU } from '../payloads/rtp.js';
import {
  msTurnAllocateUdp, msTurnTcp, rfcStunTurn, rtpCall, synAdminProhibited, synScanDropped, synScanRefused, tcpSession,
  tlsMidstream, tlsSession, udpProbeUnreachable, type TurnCredentials,
} from '../recipes.js';
import { Rng } from '../rng.js';
import { Trace, type Host } from '../trace.js';

export const EDGE_DMZ_SEED = 0x5fb2013;
export const EDGE_DMZ_BASE_SEC = 1710234000; // 2024-03-12T09:00:00Z
export const EDGE_DMZ_DESCRIPTION =
  'Consolidated Lync/SfB edge: external side (interface 0) with remote-user SIP/TLS, federation, MS-TURN and RTP media, ' +
  'web conferencing, plus RDP/SSH, port scans and probes; internal side (interface 1, nanosecond timestamps) with front end, ' +
  'director, reverse proxy and an undocumented SQL connection, two of them on 802.1Q VLANs.';

const S = 1_000_000; // µs per second
const MS = 1000; // µs per millisecond

export const IFACE_EXTERNAL = 0;
export const IFACE_INTERNAL = 1;

const EXT_ROUTER = '00:1b:54:c2:10:01'; // the external firewall's MAC: every internet host appears behind it
const INT_ROUTER = '00:1b:54:c2:20:01';
const EDGE_EXT_NIC = '00:15:5d:0a:0a:0a'; // one external NIC carrying the three edge addresses
const EDGE_INT_NIC = '00:15:5d:01:00:0a';

const internet = (ip: string, ttl: number): Host => ({ ip, mac: EXT_ROUTER, ttl });
const local = (ip: string, mac: string): Host => ({ ip, mac, ttl: 128 }); // Windows default TTL

// Edge server
const accessEdge = local('131.107.10.10', EDGE_EXT_NIC);
const webconfEdge = local('131.107.10.11', EDGE_EXT_NIC);
const avEdge = local('131.107.10.12', EDGE_EXT_NIC);
const accessEdge6 = local('2001:db8:10::10', EDGE_EXT_NIC);
const edgeInternal = local('10.0.1.10', EDGE_INT_NIC);
const firewall: Host = { ip: '131.107.10.1', mac: EXT_ROUTER, ttl: 255 };

// Internal servers (reached through the internal router)
const fe1 = { ...local('10.0.2.1', INT_ROUTER) };
const fe2 = { ...local('10.0.2.2', INT_ROUTER) };
const fe3 = { ...local('10.0.2.3', INT_ROUTER) };
const fe4 = { ...local('10.0.2.4', '00:15:5d:02:00:04') };
const director = local('10.0.3.5', '00:15:5d:03:00:05');
const reverseProxy = local('10.0.4.5', '00:15:5d:04:00:05');
const sqlServer = { ...local('10.0.2.20', INT_ROUTER) };

// Internet
const remoteUser = internet('203.0.113.25', 113);
const remoteUser2 = internet('203.0.113.40', 116);
const remoteUser3 = internet('203.0.113.60', 110);
const remoteUser6 = internet('2001:db8:100::25', 57);
const partner = internet('198.51.100.10', 50); // fabrikam.com's access edge
const mediaPeer = internet('198.51.100.77', 49);
const attacker = internet('203.0.113.99', 47);
const scanner = internet('203.0.113.200', 44);
const scanner2 = internet('203.0.113.201', 44);
const prober = internet('198.51.100.150', 52);
const prober6 = internet('2001:db8:100::99', 55);

/** The scenario's roles, in the analyser's topology format (recorded in the truth file). */
export const EDGE_DMZ_TOPOLOGY: { roles: Record<string, string[]> } = {
  roles: {
    'edge-access': [accessEdge.ip, accessEdge6.ip],
    'edge-webconf': [webconfEdge.ip],
    'edge-av': [avEdge.ip],
    'edge-internal': [edgeInternal.ip],
    'front-end': [fe1.ip, fe2.ip, fe3.ip, fe4.ip],
    director: [director.ip],
    'reverse-proxy': [reverseProxy.ip],
    'federation-partner': [partner.ip],
  },
};

const msCred: TurnCredentials = {
  username: 'AgAAJC7xGxMB2Yq5dG9tFXTaJm8fNlBTQVo6Y29udG9zby5jb20=', // MRAS-issued token
  realm: '"rtcmedia"', // with the quotes, 10 bytes, as Microsoft's relays send it
  password: 'lmWWx7Rb3xrS+fOOa3Bv2kPj8gw=',
  nonce: Buffer.from('9d1c42e07a35b8f6e2d1c0b9a8f7e6d5c4b3a291', 'hex'), // 20 opaque bytes
};
const rfcCred: TurnCredentials = { username: 'alice@contoso.com', realm: 'contoso.com', password: 'secret', nonce: 'obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA' };

export function buildEdgeDmz(): Trace {
  const trace = new Trace('edge-dmz', EDGE_DMZ_BASE_SEC, [
    { name: 'edge-external', description: 'Edge server external NIC (131.107.10.10-12)', tsresolDigits: 6 },
    { name: 'edge-internal', description: 'Edge internal segment (10.0.0.0/16)', tsresolDigits: 9 },
  ]);
  const rng = new Rng(EDGE_DMZ_SEED);
  const ext = { iface: IFACE_EXTERNAL } as const;
  const int = { iface: IFACE_INTERNAL } as const;
  const doc = { intent: 'documented' } as const;
  const undoc = { intent: 'undocumented' } as const;

  // ---- documented, external side ----
  tlsSession(trace, rng, { ...ext, ...doc, label: 'sip-tls-remote-client', client: remoteUser, cport: 50123, server: accessEdge, sport: 443,
    note: 'remote user signs in: SIP over TLS to the access edge on 443' }, {
    start: 0, rtt: 38 * MS, version: '1.2', sni: 'sip.contoso.com', end: 'client-fin',
    messages: [[true, 1100], [false, 700], [true, 1400], [false, 1900], [true, 900, 400 * MS], [false, 3100], [true, 300, 6 * S], [false, 300]],
  });
  tlsSession(trace, rng, { ...ext, ...doc, label: 'sip-mtls-federation-inbound', client: partner, cport: 52311, server: accessEdge, sport: 5061,
    note: 'federated partner edge connects to our access edge' }, {
    start: 500 * MS, rtt: 22 * MS, version: '1.2', sni: 'sip.contoso.com', end: 'client-fin',
    messages: [[true, 900], [false, 600], [true, 1600, 2 * S], [false, 500]],
  });
  tlsSession(trace, rng, { ...ext, ...doc, label: 'sip-mtls-federation-outbound', client: accessEdge, cport: 53001, server: partner, sport: 5061,
    note: 'our access edge connects to the partner edge; the partner closes' }, {
    start: 1200 * MS, rtt: 22 * MS, version: '1.2', sni: 'sip.fabrikam.com', end: 'server-fin',
    messages: [[true, 1200], [false, 700], [true, 400, 1 * S], [false, 300]],
  });
  msTurnAllocateUdp(trace, rng, { ...ext, ...doc, label: 'msturn-allocate-udp', client: remoteUser, cport: 50040, server: avEdge, sport: 3478,
    note: 'MS-TURN Allocate: 401 then success' }, 2000 * MS, 38 * MS, 52012, msCred);
  rfcStunTurn(trace, rng, { ...ext, ...doc, label: 'stun-turn-rfc5389', client: mediaPeer, cport: 49874, server: avEdge, sport: 3478,
    note: 'RFC 5389 Binding and RFC 5766 Allocate (401, then success)' }, 2300 * MS, 25 * MS, 55300, rfcCred);
  msTurnTcp(trace, rng, { ...ext, ...doc, label: 'msturn-tcp-443', client: remoteUser, cport: 50041, server: avEdge, sport: 443,
    note: 'MS-TURN over TCP 443: pseudo-TLS hello, framed Allocate, a few data frames' }, { start: 2500 * MS, rtt: 38 * MS }, 53020, msCred, 4);
  rtpCall(trace, rng, { ...ext, ...doc, label: 'rtp-media-av-edge', client: remoteUser, cport: 50042, server: avEdge, sport: 52012,
    note: 'G.711 call through the A/V edge relay port' }, {
    start: 3000 * MS, packetsPerDirection: 160, answerDelay: 60 * MS,
    stream: { payloadType: PT_PCMU, clockRate: 8000, ptimeMs: 20, payloadBytes: 160 },
  });
  rtpCall(trace, rng, { ...ext, ...doc, label: 'rtp-media-edge-to-peer', client: avEdge, cport: 55300, server: mediaPeer, sport: 49875,
    note: 'media from the edge relay range to a federated peer, dynamic PT, two packets lost from the peer' }, {
    start: 3200 * MS, packetsPerDirection: 90, answerDelay: 45 * MS, lostFromServer: [30, 31],
    stream: { payloadType: 114, clockRate: 16000, ptimeMs: 20, payloadBytes: [48, 92] },
  });
  tlsSession(trace, rng, { ...ext, ...doc, label: 'webconf-tls-remote-client', client: remoteUser2, cport: 51234, server: webconfEdge, sport: 443,
    note: 'PSOM over TLS to the web conferencing edge, still open at capture end' }, {
    start: 4000 * MS, rtt: 31 * MS, version: '1.3', sni: 'webcon.contoso.com', end: 'open',
    messages: [[true, 600], [false, 2500], [true, 200, 1 * S], [false, 1200]],
  });
  tlsSession(trace, rng, { ...ext, ...doc, label: 'sip-tls-remote-client-ipv6', client: remoteUser6, cport: 50500, server: accessEdge6, sport: 443,
    note: 'remote user over IPv6' }, {
    start: 5000 * MS, rtt: 44 * MS, version: '1.3', sni: 'sip.contoso.com', alpn: ['sip/2'], end: 'client-fin',
    messages: [[true, 1100], [false, 700]],
  });
  tlsMidstream(trace, rng, { ...ext, ...doc, label: 'sip-tls-midstream', client: remoteUser3, cport: 50999, server: accessEdge, sport: 443,
    note: 'connection established before the capture started: no SYN, no TLS handshake' }, {
    start: 6000 * MS, rtt: 51 * MS, version: '1.2', end: 'open',
    messages: [[true, 500], [false, 800], [true, 300, 2 * S], [false, 300]],
  });

  // ---- documented, internal side ----
  tlsSession(trace, rng, { ...int, ...doc, label: 'psom-tls-fe-to-edge', client: fe1, cport: 51000, server: edgeInternal, sport: 8057,
    note: 'front end (web conferencing) to the edge internal interface, no SNI' }, {
    start: 200 * MS, rtt: 1 * MS, version: '1.2', end: 'client-fin',
    messages: [[true, 800], [false, 400], [true, 5200], [false, 300]],
  });
  tlsSession(trace, rng, { ...int, ...doc, label: 'sip-mtls-fe-to-edge', client: fe2, cport: 52000, server: edgeInternal, sport: 5061,
    note: 'front end to the edge internal interface' }, {
    start: 800 * MS, rtt: 1 * MS, version: '1.2', sni: 'edgepool-int.contoso.local', end: 'client-fin',
    messages: [[true, 1300], [false, 900]],
  });
  tlsSession(trace, rng, { ...int, ...doc, label: 'sip-mtls-edge-to-fe', client: edgeInternal, cport: 53500, server: fe3, sport: 5061,
    note: 'edge internal interface to a front end' }, {
    start: 1500 * MS, rtt: 1 * MS, version: '1.2', sni: 'fepool.contoso.local', end: 'server-fin',
    messages: [[true, 1000], [false, 800]],
  });
  tlsSession(trace, rng, { ...int, ...doc, vlan: 40, label: 'https-rp-to-director-4443', client: reverseProxy, cport: 50500, server: director, sport: 4443,
    note: 'reverse proxy publishing external web services to the director' }, {
    start: 7000 * MS, rtt: 1 * MS, version: '1.2', sni: 'lyncweb.contoso.com', alpn: ['http/1.1'], end: 'client-fin',
    messages: [[true, 700], [false, 6400]],
  });
  tcpSession(trace, rng, { ...int, ...doc, vlan: 40, label: 'http-rp-to-director-8080', client: reverseProxy, cport: 50501, server: director, sport: 8080,
    app: { protocol: 'http' }, note: 'reverse proxy to the director, plain HTTP' }, { start: 7500 * MS, rtt: 1 * MS }, [
    [true, apps.httpRequest('GET', '/meet/alice/ABCD1234', 'meet.contoso.com', ['User-Agent: Mozilla/5.0', 'Accept: */*'])],
    [false, apps.httpResponse('200 OK', 'text/html; charset=utf-8', 3000)],
  ], 'client-fin');
  tlsSession(trace, rng, { ...int, ...doc, label: 'https-director-to-fe-444', client: director, cport: 50600, server: fe4, sport: 444,
    note: 'director to front end, inter-server HTTPS' }, {
    start: 8000 * MS, rtt: 1 * MS, version: '1.2', sni: 'fe04.contoso.local', end: 'client-fin',
    messages: [[true, 600], [false, 1500]],
  });

  // ---- undocumented ----
  tcpSession(trace, rng, { ...int, ...undoc, vlan: 20, label: 'sql-edge-to-internal', client: edgeInternal, cport: 50700, server: sqlServer, sport: 1433,
    app: { protocol: 'tds' }, note: 'SQL from the edge into the internal network' }, { start: 9000 * MS, rtt: 1 * MS }, [
    [true, apps.tdsPrelogin()], [false, apps.tdsPrelogin()],
  ], 'client-fin');
  tcpSession(trace, rng, { ...ext, ...undoc, label: 'rdp-inbound', client: attacker, cport: 51515, server: accessEdge, sport: 3389,
    app: { protocol: 'rdp' }, note: 'RDP from the internet to the edge' }, { start: 10 * S, rtt: 60 * MS }, [
    [true, apps.rdpConnectionRequest('admin')], [false, apps.rdpConnectionConfirm()],
  ], 'client-fin');
  const sshRng = rng.fork('ssh');
  tcpSession(trace, rng, { ...ext, ...undoc, label: 'ssh-inbound-reset', client: attacker, cport: 51600, server: accessEdge, sport: 22,
    app: { protocol: 'ssh' }, note: 'SSH from the internet, reset by the server after the key exchange init' }, { start: 11 * S, rtt: 60 * MS }, [
    [true, apps.sshBanner('OpenSSH_9.6p1 Ubuntu-3ubuntu13')], [false, apps.sshBanner('OpenSSH_for_Windows_8.1')],
    [true, apps.sshKexInit(sshRng, ['curve25519-sha256', 'diffie-hellman-group14-sha256'])],
    [false, apps.sshKexInit(sshRng, ['curve25519-sha256'])],
  ], 'server-rst');
  synScanRefused(trace, rng, { ...ext, ...undoc, label: 'port-scan-rej', client: scanner, cport: 45555, server: webconfEdge,
    note: 'SYN scan, closed port answered by RST' }, [21, 23, 25, 110, 135, 139, 445, 3306, 5900, 8443], 12 * S, 50 * MS);
  synScanDropped(trace, rng, { ...ext, ...undoc, label: 'port-scan-dropped', client: scanner2, cport: 41000, server: avEdge,
    note: 'SYN scan dropped by the firewall, SYN retransmitted after 1 s' }, [22, 23, 3389, 5985], 13 * S, 100 * MS, 1 * S);
  udpProbeUnreachable(trace, { ...ext, ...undoc, label: 'udp-probe-icmp-unreachable', client: scanner, cport: 45556, server: webconfEdge, sport: 161,
    app: { protocol: 'snmp' }, note: 'SNMP probe answered by ICMP port unreachable' }, 15 * S, apps.snmpGetRequest(0x1f2e3d4c));
  synAdminProhibited(trace, rng, { ...ext, ...undoc, label: 'tcp-admin-prohibited', client: prober, cport: 40500, server: accessEdge, sport: 1723,
    note: 'PPTP attempt refused by the firewall with ICMP type 3 code 13' }, 15500 * MS, firewall);
  udpProbeUnreachable(trace, { ...ext, ...undoc, label: 'udp-probe-icmp6-unreachable', client: prober6, cport: 40123, server: accessEdge6, sport: 123,
    app: { protocol: 'ntp' }, note: 'NTP probe over IPv6 answered by ICMPv6 port unreachable' }, 16 * S, apps.ntpClientRequest(rng.fork('ntp')));

  trace.finalize();
  return trace;
}
