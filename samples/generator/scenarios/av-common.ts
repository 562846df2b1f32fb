/**
 * Hosts, credentials and topology shared by the A/V scenarios (av-*.ts): the
 * consolidated edge's external A/V address, remote clients and media peers in
 * documentation ranges (RFC 5737), seen on the edge's external NIC.
 */
import type { TurnCredentials } from '../av-turn.js';
import type { Host } from '../trace.js';

export const S = 1_000_000; // µs per second
export const MS = 1000; // µs per millisecond

const EXT_ROUTER = '00:1b:54:c2:10:01'; // the external firewall's MAC: every internet host appears behind it
const EDGE_EXT_NIC = '00:15:5d:0a:0a:0a';
export const internet = (ip: string, ttl: number): Host => ({ ip, mac: EXT_ROUTER, ttl });
export const local = (ip: string): Host => ({ ip, mac: EDGE_EXT_NIC, ttl: 128 });

export const accessEdge = local('131.107.10.10');
export const avEdge = local('131.107.10.12');

/** One pcapng interface: the edge's external NIC, µs timestamps. */
export const EXTERNAL = [{ name: 'edge-external', description: 'Edge server external NIC (131.107.10.10-12)', tsresolDigits: 6 }];

/** The A/V scenarios' topology: only the edge is known; clients and peers on the internet are not. */
export const AV_TOPOLOGY: { roles: Record<string, string[]> } = { roles: { 'edge-av': [avEdge.ip] } };

/** MS-TURN credentials as a Lync client gets them from MRAS (a token user name, the realm with its quotes). */
export const MS_CRED: TurnCredentials = {
  username: 'AgAAJAv5ampleMB2Yq5dG9tFXTaJm8fNlBTQVo6Y29udG9zby5jb20=',
  realm: '"rtcmedia"',
  password: 'bXMtdHVybi1zYW1wbGUtcGFzc3dvcmQ=',
  nonce: Buffer.from('5e0d9c2b7a4f61e83d2c1b0a99887766554433aa', 'hex'),
};

export const RFC_CRED: TurnCredentials = { username: 'bob@contoso.com', realm: 'contoso.com', password: 'turn-secret', nonce: 'f4kEn0nce0000000AAAA1111bbbb' };

export const PCMU_20MS = { payloadType: 0, clockRate: 8000, ptimeMs: 20, payloadBytes: 160 } as const; // RFC 3551 §4.5.14
