/**
 * A/V scenarios where a TURN allocation succeeds and media flows through the
 * A/V Edge relay (issue 3 "Samples"):
 * - av-msturn-udp: MS-TURN on UDP 3478 (401, then success), RTP in Send
 *   requests and Data Indications, relayed plain from the edge's 50000-59999
 *   range to the peer;
 * - av-msturn-tcp: the same over TCP 443 with pseudo-TLS, Set Active
 *   Destination, RTP in 0x03 data frames;
 * - av-turn-auth: RFC 5766 (magic cookie): 401, authenticated success,
 *   CreatePermission, Send/Data indications, ChannelBind, ChannelData, and a
 *   Refresh with LIFETIME 0.
 */
import { msTurnTcpCall, msTurnUdpCall, rfcTurnCall } from '../av-turn.js';
import type { ExpectTable } from '../expect.js';
import { Rng } from '../rng.js';
import { Trace } from '../trace.js';
import { EXTERNAL, MS, MS_CRED, PCMU_20MS, RFC_CRED, avEdge, internet } from './av-common.js';

const ext = { iface: 0, intent: 'documented' } as const;

export const AV_MSTURN_UDP_DESCRIPTION =
  'A remote Lync client allocates a relay on the A/V Edge with MS-TURN over UDP 3478 (401 challenge with NONCE/REALM in the MS ' +
  'codes 0x0014/0x0015, authenticated Allocate, success with MAPPED-ADDRESS 131.107.10.12:53010), then sends RTP in MS-TURN Send ' +
  'requests (0x0004) and receives it in Data Indications (0x0115); the edge relays it plain between 131.107.10.12:53010 and the peer.';

export function buildAvMsturnUdp(): Trace {
  const trace = new Trace('av-msturn-udp', 1710324000, EXTERNAL); // 2024-03-13T10:00:00Z
  const rng = new Rng(0xa7001);
  const client = internet('203.0.113.30', 112);
  const peer = internet('198.51.100.80', 50);
  msTurnUdpCall(trace, rng,
    { ...ext, label: 'msturn-udp-allocate-and-media', client, cport: 50100, server: avEdge, sport: 3478,
      note: 'MS-TURN over UDP 3478: 401, success, then RTP in Send requests / Data Indications' },
    { ...ext, label: 'relay-to-peer', client: avEdge, cport: 53010, server: peer, sport: 50200,
      note: 'the relayed media, plain RTP from the allocated relay port to the peer' },
    { start: 0, rtt: 42 * MS, alloc: { cred: MS_CRED, relay: { ip: avEdge.ip, port: 53010 }, lifetime: 480 },
      call: { start: 200 * MS, packets: 15, stream: PCMU_20MS } });
  trace.finalize();
  return trace;
}

export const AV_MSTURN_TCP_DESCRIPTION =
  'The same call over TCP 443 (UDP not used): pseudo-TLS hellos (50 and 83 bytes), MS-TURN Allocate (401, success with ' +
  'MAPPED-ADDRESS 131.107.10.12:53020) and Set Active Destination in 4-byte framed 0x02 control messages, then RTP both ways ' +
  'in 0x03 data frames; the edge relays it over UDP between 131.107.10.12:53020 and the peer.';

export function buildAvMsturnTcp(): Trace {
  const trace = new Trace('av-msturn-tcp', 1710327600, EXTERNAL); // 2024-03-13T11:00:00Z
  const rng = new Rng(0xa7002);
  const client = internet('203.0.113.31', 112);
  const peer = internet('198.51.100.81', 50);
  msTurnTcpCall(trace, rng,
    { ...ext, label: 'msturn-tcp-443-allocate-and-media', client, cport: 50110, server: avEdge, sport: 443,
      note: 'MS-TURN over TCP 443: pseudo-TLS, 0x02 control (Allocate 401/success, Set Active Destination), 0x03 data with RTP' },
    { ...ext, label: 'relay-to-peer', client: avEdge, cport: 53020, server: peer, sport: 50210,
      note: 'the relayed media, plain RTP from the allocated relay port to the peer' },
    { timing: { start: 0, rtt: 38 * MS }, alloc: { cred: MS_CRED, relay: { ip: avEdge.ip, port: 53020 }, lifetime: 480 },
      call: { packets: 15, stream: PCMU_20MS } });
  trace.finalize();
  return trace;
}

export const AV_TURN_AUTH_DESCRIPTION =
  'RFC 5766 TURN (magic cookie in the header, FINGERPRINT on every message) on UDP 3478: Allocate, 401 with REALM/NONCE, ' +
  'authenticated Allocate, success with XOR-RELAYED-ADDRESS 131.107.10.12:53030 and LIFETIME 600, CreatePermission, RTP in ' +
  'Send/Data indications, ChannelBind 0x4000, RTP in ChannelData, Refresh with LIFETIME 0; relayed plain to the peer.';

export function buildAvTurnAuth(): Trace {
  const trace = new Trace('av-turn-auth', 1710331200, EXTERNAL); // 2024-03-13T12:00:00Z
  const rng = new Rng(0xa7003);
  const client = internet('198.51.100.90', 49);
  const peer = internet('198.51.100.91', 49);
  rfcTurnCall(trace, rng,
    { ...ext, label: 'turn-401-then-allocate', client, cport: 49900, server: avEdge, sport: 3478,
      note: 'RFC 5766: 401 challenge, authenticated Allocate, permission, indications, channel, ChannelData, deallocation' },
    { ...ext, label: 'relay-to-peer', client: avEdge, cport: 53030, server: peer, sport: 50300,
      note: 'the relayed media, plain RTP from the allocated relay port to the peer' },
    { start: 0, rtt: 30 * MS, cred: RFC_CRED, relay: { ip: avEdge.ip, port: 53030 }, lifetime: 600, channel: 0x4000,
      call: { start: 200 * MS, packets: 16, viaIndications: 5, stream: PCMU_20MS } });
  trace.finalize();
  return trace;
}

const media = { topo: 'documented/port', bare: 'documented/port' } as const;

export const AV_MSTURN_UDP_EXPECT: ExpectTable = {
  'msturn-udp-allocate-and-media': { topo: 'documented/port', bare: 'documented/port', media },
  'relay-to-peer': { topo: 'documented/port', bare: 'undocumented/port', media },
};
export const AV_MSTURN_TCP_EXPECT: ExpectTable = {
  'msturn-tcp-443-allocate-and-media': { topo: 'documented/port', bare: 'documented/port', media },
  'relay-to-peer': { topo: 'documented/port', bare: 'undocumented/port', media },
};
export const AV_TURN_AUTH_EXPECT: ExpectTable = {
  'turn-401-then-allocate': { topo: 'documented/port', bare: 'documented/port', media },
  'relay-to-peer': { topo: 'documented/port', bare: 'undocumented/port', media },
};
