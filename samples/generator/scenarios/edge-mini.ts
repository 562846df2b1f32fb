/**
 * Scenario "edge-mini": a few kilobytes holding one of each kind of thing the
 * edge-dmz scenario has (TLS with SNI, MS-TURN over UDP, RTP, a refused and a
 * dropped SYN, ICMP and ICMPv6 errors, a VLAN tag, a nanosecond interface),
 * small enough that tests can afford to cut it at every byte.
 */
import { PT_PCMU } from '../payloads/rtp.js';
import {
  msTurnAllocateUdp, rtpCall, synScanDropped, synScanRefused, tlsSession, udpProbeUnreachable, type TurnCredentials,
} from '../recipes.js';
import { Rng } from '../rng.js';
import { Trace, type Host } from '../trace.js';

export const EDGE_MINI_SEED = 0x3a17;
export const EDGE_MINI_BASE_SEC = 1710237600; // 2024-03-12T10:00:00Z
export const EDGE_MINI_DESCRIPTION =
  'Tiny edge capture for truncation and mutation tests: SIP/TLS 443, MS-TURN Allocate, a few RTP packets, ' +
  'a refused and a dropped SYN, ICMP and ICMPv6 port unreachable, PSOM from a front end on a nanosecond VLAN interface.';

const MS = 1000; // µs per millisecond
const EXT_ROUTER = '00:1b:54:c2:10:01';
const EDGE_EXT_NIC = '00:15:5d:0a:0a:0a';
const EDGE_INT_NIC = '00:15:5d:01:00:0a';
const internet = (ip: string, ttl: number): Host => ({ ip, mac: EXT_ROUTER, ttl });
const local = (ip: string, mac: string): Host => ({ ip, mac, ttl: 128 });

const accessEdge = local('131.107.10.10', EDGE_EXT_NIC);
const avEdge = local('131.107.10.12', EDGE_EXT_NIC);
const accessEdge6 = local('2001:db8:10::10', EDGE_EXT_NIC);
const edgeInternal = local('10.0.1.10', EDGE_INT_NIC);
const fe1 = local('10.0.2.1', '00:1b:54:c2:20:01');
const remoteUser = internet('203.0.113.25', 113);
const scanner = internet('203.0.113.200', 44);
const prober6 = internet('2001:db8:100::99', 55);

export const EDGE_MINI_TOPOLOGY: { roles: Record<string, string[]> } = {
  roles: {
    'edge-access': [accessEdge.ip, accessEdge6.ip],
    'edge-av': [avEdge.ip],
    'edge-internal': [edgeInternal.ip],
    'front-end': [fe1.ip],
  },
};

const cred: TurnCredentials = {
  username: 'AgAAJC7xGxMB2Yq5dG9tFXTaJm8fNlBTQVo6Y29udG9zby5jb20=',
  realm: '"rtcmedia"',
  password: 'lmWWx7Rb3xrS+fOOa3Bv2kPj8gw=',
  nonce: Buffer.from('9d1c42e07a35b8f6e2d1c0b9a8f7e6d5c4b3a291', 'hex'),
};

export function buildEdgeMini(): Trace {
  const trace = new Trace('edge-mini', EDGE_MINI_BASE_SEC, [
    { name: 'edge-external', description: 'Edge server external NIC', tsresolDigits: 6 },
    { name: 'edge-internal', description: 'Edge internal segment', tsresolDigits: 9 },
  ]);
  const rng = new Rng(EDGE_MINI_SEED);
  const ext = { iface: 0 } as const;
  const int = { iface: 1 } as const;
  const doc = { intent: 'documented' } as const;
  const undoc = { intent: 'undocumented' } as const;

  tlsSession(trace, rng, { ...ext, ...doc, label: 'sip-tls-remote-client', client: remoteUser, cport: 50123, server: accessEdge, sport: 443,
    note: 'remote user signs in: SIP over TLS to the access edge' }, {
    start: 0, rtt: 38 * MS, version: '1.2', sni: 'sip.contoso.com', end: 'client-fin', messages: [[true, 300], [false, 200]],
  });
  msTurnAllocateUdp(trace, rng, { ...ext, ...doc, label: 'msturn-allocate-udp', client: remoteUser, cport: 50040, server: avEdge, sport: 3478,
    note: 'MS-TURN Allocate: 401 then success' }, 300 * MS, 38 * MS, 52012, cred);
  rtpCall(trace, rng, { ...ext, ...doc, label: 'rtp-media-av-edge', client: remoteUser, cport: 50042, server: avEdge, sport: 52012,
    note: 'a few G.711 packets through the relay port' }, {
    start: 500 * MS, packetsPerDirection: 3, answerDelay: 20 * MS,
    stream: { payloadType: PT_PCMU, clockRate: 8000, ptimeMs: 20, payloadBytes: 160 },
  });
  tlsSession(trace, rng, { ...int, ...doc, vlan: 40, label: 'psom-tls-fe-to-edge', client: fe1, cport: 51000, server: edgeInternal, sport: 8057,
    note: 'front end to the edge internal interface, on VLAN 40' }, {
    start: 600 * MS, rtt: 1 * MS, version: '1.2', end: 'client-fin', messages: [[true, 200], [false, 100]],
  });
  synScanRefused(trace, rng, { ...ext, ...undoc, label: 'port-scan-rej', client: scanner, cport: 45555, server: accessEdge,
    note: 'SYN to a closed port answered by RST' }, [3389], 800 * MS, 50 * MS);
  synScanDropped(trace, rng, { ...ext, ...undoc, label: 'port-scan-dropped', client: scanner, cport: 41000, server: avEdge,
    note: 'SYN dropped by the firewall, retransmitted after 1 s' }, [22], 900 * MS, 100 * MS, 1000 * MS);
  udpProbeUnreachable(trace, { ...ext, ...undoc, label: 'udp-probe-icmp6-unreachable', client: prober6, cport: 40123, server: accessEdge6, sport: 123,
    app: { protocol: 'ntp' }, note: 'NTP probe over IPv6 answered by ICMPv6 port unreachable' }, 1000 * MS, Buffer.alloc(48, 0x23));

  trace.finalize();
  return trace;
}
