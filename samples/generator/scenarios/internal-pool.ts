/**
 * Scenario "internal-pool": a Skype for Business Server 2015 Front End pool
 * seen from inside (a SPAN port on the core switch): clients signing in and
 * joining a conference, the pool talking to its SQL back end, Mediation
 * Server, file share, Director and the Edge internal interface, plus flows
 * the catalog puts between other roles (misdirected), on ports it does not
 * document at all, and documented connections a firewall between the pools
 * refuses or drops. Expected verdicts at the end (INTERNAL_POOL_EXPECT).
 *
 * Addresses: front ends 10.0.2.1-3, SQL back end 10.0.2.20, Mediation Server
 * 10.0.2.30, file share 10.0.2.40 (pool subnet 10.0.2.0/24, on the captured
 * switch); Director 10.0.3.5, Edge internal 10.0.1.10 and internal clients
 * 10.0.10.0/24 behind the core router.
 */
import * as apps from '../payloads/apps.js';
import type { ExpectTable, FlowExpect } from '../expect.js';
import {
  msTurnAllocateUdp, rtpCall, synScanDropped, synScanRefused, tcpSession, tlsSession, udpRequestResponse, type TurnCredentials,
} from '../recipes.js';
import { Rng } from '../rng.js';
import { Trace, type Host } from '../trace.js';

export const INTERNAL_POOL_SEED = 0x5fb2015;
export const INTERNAL_POOL_BASE_SEC = 1710241200; // 2024-03-12T11:00:00Z
export const INTERNAL_POOL_DESCRIPTION =
  'Skype for Business Server 2015 Front End pool seen from a SPAN port of the core switch: client sign-in (SIP/TLS 5061), PSOM 8057, ' +
  'conference audio to a front end, STUN to the edge internal interface, front end to Mediation, file share, SQL back end, edge ' +
  '(SIP, 5062, CLS 50001), Director to front end; misdirected flows (client to the edge on 5062, front end to front end on 8057, ' +
  'client to SQL Browser), undocumented telnet and 8443, and a refused (REJ) and a dropped (S0) connection on documented ports.';

const S = 1_000_000; // µs per second
const MS = 1000; // µs per millisecond

const CORE_ROUTER = '00:1b:54:c2:30:01'; // hosts outside the pool subnet appear behind it
const local = (ip: string, mac: string): Host => ({ ip, mac, ttl: 128 }); // Windows default TTL
const routed = (ip: string): Host => ({ ip, mac: CORE_ROUTER, ttl: 127 }); // one hop away

const fe1 = local('10.0.2.1', '00:15:5d:02:00:01');
const fe2 = local('10.0.2.2', '00:15:5d:02:00:02');
const fe3 = local('10.0.2.3', '00:15:5d:02:00:03');
const sql = local('10.0.2.20', '00:15:5d:02:00:14');
const mediation = local('10.0.2.30', '00:15:5d:02:00:1e');
const fileShare = local('10.0.2.40', '00:15:5d:02:00:28');
const director = routed('10.0.3.5');
const edgeInternal = routed('10.0.1.10');
const alice = routed('10.0.10.21');
const bob = routed('10.0.10.22');
const carol = routed('10.0.10.23');
const dave = routed('10.0.10.24');

export const INTERNAL_POOL_TOPOLOGY: { roles: Record<string, string[]> } = {
  roles: {
    'front-end': [fe1.ip, fe2.ip, fe3.ip],
    'sql-backend': [sql.ip],
    mediation: [mediation.ip],
    'file-share': [fileShare.ip],
    director: [director.ip],
    'edge-internal': [edgeInternal.ip],
    'internal-client': ['10.0.10.0/24'],
  },
};

const cred: TurnCredentials = {
  username: 'AgAAJBv3xhMB2Yq5dG9tFXTaJm8fNlBTQVo6Y29udG9zby5jb20=',
  realm: '"rtcmedia"',
  password: 'Qk2b7mWx1rS+fOOa3Bv2kPj8gw4=',
  nonce: Buffer.from('4be1c0a9d8f7e6d5c4b3a2910f1e2d3c4b5a6978', 'hex'),
};

export function buildInternalPool(): Trace {
  const trace = new Trace('internal-pool', INTERNAL_POOL_BASE_SEC, [
    { name: 'core-span', description: 'SPAN of the core switch port towards the Front End pool (10.0.2.0/24)', tsresolDigits: 6 },
  ]);
  const rng = new Rng(INTERNAL_POOL_SEED);
  const at = { iface: 0 } as const;
  const doc = { intent: 'documented' } as const;
  const undoc = { intent: 'undocumented' } as const;
  const misdir = { intent: 'misdirected' } as const;
  const lan = { rtt: 1 * MS };

  // ---- documented ----
  tlsSession(trace, rng, { ...at, ...doc, label: 'sip-tls-client-signin', client: alice, cport: 50310, server: fe1, sport: 5061,
    note: 'internal client signs in to its home front end' }, {
    ...lan, start: 0, version: '1.2', sni: 'fepool.contoso.local', end: 'client-fin',
    messages: [[true, 1300], [false, 900], [true, 700, 300 * MS], [false, 2400], [true, 300, 5 * S], [false, 300]],
  });
  tlsSession(trace, rng, { ...at, ...doc, label: 'psom-client-to-fe', client: alice, cport: 50312, server: fe1, sport: 8057,
    note: 'client joins the meeting content channel (PSOM) on the front end' }, {
    ...lan, start: 700 * MS, version: '1.2', end: 'client-fin', messages: [[true, 600], [false, 4200], [true, 200]],
  });
  rtpCall(trace, rng, { ...at, ...doc, label: 'conf-audio-rtp', client: alice, cport: 50020, server: fe1, sport: 49200,
    note: 'conference audio from the client media port to the front end A/V conferencing port (49152-57500)' }, {
    start: 1 * S, packetsPerDirection: 100, answerDelay: 30 * MS,
    stream: { payloadType: 114, clockRate: 16000, ptimeMs: 20, payloadBytes: [48, 92] },
  });
  msTurnAllocateUdp(trace, rng, { ...at, ...doc, label: 'stun-client-to-edge-internal', client: bob, cport: 50040, server: edgeInternal, sport: 3478,
    note: 'client allocates a media relay on the A/V edge internal interface' }, 1500 * MS, 1 * MS, 3478, cred);
  tlsSession(trace, rng, { ...at, ...doc, label: 'cls-fe-to-edge', client: fe1, cport: 50810, server: edgeInternal, sport: 50001,
    note: 'Centralized Logging Service controller to the agent on the edge' }, {
    ...lan, start: 1800 * MS, version: '1.2', sni: 'edge01.contoso.local', end: 'client-fin', messages: [[true, 400], [false, 300]],
  });
  tlsSession(trace, rng, { ...at, ...doc, label: 'fe-to-mediation-5070', client: fe2, cport: 50820, server: mediation, sport: 5070,
    note: 'front end routes a PSTN call to the Mediation Server' }, {
    ...lan, start: 2 * S, version: '1.2', sni: 'med01.contoso.local', end: 'client-fin', messages: [[true, 1500], [false, 600]],
  });
  tcpSession(trace, rng, { ...at, ...doc, label: 'fe-to-fileshare-445', client: fe3, cport: 50830, server: fileShare, sport: 445,
    note: 'front end connects to the pool file share (handshake and close only)' }, { ...lan, start: 2200 * MS }, [], 'client-fin');
  tlsSession(trace, rng, { ...at, ...doc, label: 'fe-to-edge-5062', client: fe1, cport: 50840, server: edgeInternal, sport: 5062,
    note: 'front end asks the A/V edge authentication service for media credentials' }, {
    ...lan, start: 2400 * MS, version: '1.2', sni: 'edgepool-int.contoso.local', end: 'client-fin', messages: [[true, 800], [false, 700]],
  });
  tlsSession(trace, rng, { ...at, ...doc, label: 'edge-to-fe-5061', client: edgeInternal, cport: 50850, server: fe2, sport: 5061,
    note: 'edge internal interface forwards a remote user\'s SIP to the front end' }, {
    ...lan, start: 2600 * MS, version: '1.2', sni: 'fepool.contoso.local', end: 'server-fin', messages: [[true, 1100], [false, 800]],
  });
  tlsSession(trace, rng, { ...at, ...doc, label: 'fe-to-fe-444', client: fe2, cport: 50870, server: fe3, sport: 444,
    note: 'inter-server HTTPS within the pool' }, {
    ...lan, start: 2800 * MS, version: '1.2', sni: 'fe03.contoso.local', end: 'client-fin', messages: [[true, 500], [false, 1800]],
  });
  tcpSession(trace, rng, { ...at, ...undoc, label: 'fe-to-sql-1433', client: fe1, cport: 50860, server: sql, sport: 1433,
    app: { protocol: 'tds' }, note: 'front end to its SQL back end: needed by every pool, yet no catalog row documents 1433' }, { ...lan, start: 3 * S }, [
    [true, apps.tdsPrelogin()], [false, apps.tdsPrelogin()],
  ], 'client-fin');

  // ---- misdirected: documented ports between other roles ----
  tlsSession(trace, rng, { ...at, ...misdir, label: 'client-to-edge-5062', client: bob, cport: 50500, server: edgeInternal, sport: 5062,
    note: 'internal client straight to the edge authentication port, documented only from front ends and SBAs' }, {
    ...lan, start: 3500 * MS, version: '1.2', sni: 'edgepool-int.contoso.local', end: 'client-fin', messages: [[true, 500], [false, 200]],
  });
  tlsSession(trace, rng, { ...at, ...misdir, label: 'fe-to-fe-8057', client: fe2, cport: 50510, server: fe3, sport: 8057,
    note: 'front end to front end on PSOM 8057, documented only from clients to front ends and from front ends to the edge' }, {
    ...lan, start: 3800 * MS, version: '1.2', end: 'client-fin', messages: [[true, 400], [false, 400]],
  });
  udpRequestResponse(trace, { ...at, ...misdir, label: 'client-to-sql-browser', client: carol, cport: 50530, server: sql, sport: 1434,
    app: { protocol: 'sqlr' }, note: 'client asks the SQL Browser for an instance: documented only between servers' }, 4 * S, 400,
  apps.sqlrInstanceRequest('RTC'), apps.sqlrResponse('ServerName;SQL01;InstanceName;RTC;IsClustered;No;Version;15.0.4153.1;tcp;1433;;'));

  // ---- undocumented ----
  synScanRefused(trace, rng, { ...at, ...undoc, label: 'telnet-client-to-fe', client: carol, cport: 50540, server: fe1,
    note: 'telnet to a front end, refused' }, [23], 4500 * MS, 0);
  tlsSession(trace, rng, { ...at, ...undoc, label: 'https-8443-client-to-fe', client: dave, cport: 50550, server: fe3, sport: 8443,
    note: 'HTTPS to a front end on 8443: something answers on a port the catalog does not document' }, {
    ...lan, start: 5 * S, version: '1.3', sni: 'fe03.contoso.local', end: 'client-fin', messages: [[true, 300], [false, 2100]],
  });

  // ---- documented, blocked between pools ----
  synScanRefused(trace, rng, { ...at, ...doc, label: 'dir-to-fe-444-refused', client: director, cport: 50600, server: fe2,
    note: 'Director to front end on 444 answered by RST: a firewall between the pools rejects a documented port' }, [444], 5500 * MS, 0);
  synScanDropped(trace, rng, { ...at, ...doc, label: 'fe-to-edge-5061-dropped', client: fe3, cport: 50880, server: edgeInternal,
    note: 'front end to the edge on SIP 5061 never answered: the DMZ firewall drops a documented port (SYN retransmitted after 1 s)' },
  [5061], 6 * S, 0, 1 * S);

  trace.finalize();
  return trace;
}

const both: FlowExpect = { topo: 'documented/role', bare: 'documented/port' };
const misdirected: FlowExpect = { topo: 'misdirected/role', bare: 'documented/port' };

/** Expected verdicts, declared by hand from catalog/*.json and the spec (checked by ../verdicts.ts). */
export const INTERNAL_POOL_EXPECT: ExpectTable = {
  'sip-tls-client-signin': both,
  'psom-client-to-fe': both,
  'conf-audio-rtp': {
    topo: 'documented/role', bare: 'undocumented/port', media: { topo: 'documented/role', bare: 'documented/port' },
    ambiguity: 'Documented with the topology by the broad conferencing rows only because the front end, the listening end, is known to ' +
      'fit; without topology and without media evidence no rule qualifies (undocumented), with RTP recognized it is documented/port.',
  },
  'stun-client-to-edge-internal': { ...both, media: { topo: 'documented/role', bare: 'documented/port' } },
  'cls-fe-to-edge': both,
  'fe-to-mediation-5070': both,
  'fe-to-fileshare-445': both,
  'fe-to-edge-5062': both,
  'edge-to-fe-5061': both,
  'fe-to-fe-444': both,
  'fe-to-sql-1433': {
    topo: 'undocumented/port', bare: 'undocumented/port',
    ambiguity: 'Seed 003 (catalog/sfb2015-servers.json) has no row for TCP 1433 and no rule uses the sql-backend role, so the catalog ' +
      'says undocumented although every pool needs its SQL back end: a catalog gap rather than a spec question.',
  },
  'client-to-edge-5062': misdirected,
  'fe-to-fe-8057': misdirected,
  'client-to-sql-browser': {
    ...misdirected,
    ambiguity: 'The SQL Browser rows (UDP 1434) go to all-internal-servers and edge-internal (each server\'s local CMS replica), not to ' +
      'sql-backend: even a front end asking the back end\'s SQL Browser would be misdirected under this catalog.',
  },
  'telnet-client-to-fe': { topo: 'undocumented/port', bare: 'undocumented/port', failure: 'tcp-refused' },
  'https-8443-client-to-fe': { topo: 'undocumented/port', bare: 'undocumented/port' },
  'dir-to-fe-444-refused': { ...both, failure: 'tcp-refused' },
  'fe-to-edge-5061-dropped': { ...both, failure: 'tcp-unanswered' },
};

export const INTERNAL_POOL_NOTES = [
  'Internal clients are configured as 10.0.10.0/24; every other address the capture holds is configured one by one.',
  "Client source ports (5xxxx) fall in the client media rows' 1024-65535 'either' ranges: under the primary reading they do not " +
    'qualify those broad rows (the client is not the listening end); under the literal reading every flow a configured internal ' +
    "client opens would be documented by them, misdirected and undocumented ones included (see each flow's literalReading).",
];
