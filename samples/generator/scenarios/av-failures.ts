/**
 * A/V scenarios where TURN fails (issue 3 "Samples"):
 * - av-udp-blocked: MS-TURN Allocate on UDP 3478 never answered (the
 *   firewall drops it): one transaction id sent 7 times at the RFC 5389
 *   §7.2.1 backoff; the client gives up after 39.5 s and falls back to TCP 443
 *   (pseudo-TLS, Allocate 401/success, media in 0x03 frames);
 * - av-turn-errors: 437 Allocation Mismatch and 438 Stale Nonce, in RFC 5766
 *   (a second Allocate on a 5-tuple that has one; a Refresh with an old
 *   nonce, retried) and in MS-TURN (438 to an authenticated Allocate, retried
 *   with the new nonce).
 */
import { msTurnAllocate, msTurnAllocateBlocked, msTurnTcpCall, rfcTurnErrors } from '../av-turn.js';
import type { ExpectTable } from '../expect.js';
import { Rng } from '../rng.js';
import { Trace } from '../trace.js';
import { EXTERNAL, MS, MS_CRED, PCMU_20MS, RFC_CRED, S, avEdge, internet } from './av-common.js';

const ext = { iface: 0, intent: 'documented' } as const;

export const AV_UDP_BLOCKED_DESCRIPTION =
  'UDP 3478 to the A/V Edge is blocked: the client\'s MS-TURN Allocate (one transaction id) is sent at 0, 0.5, 1.5, 3.5, 7.5, ' +
  '15.5 and 31.5 s and never answered; at 39.5 s (the RFC 5389 timeout) the client falls back to MS-TURN over TCP 443, which ' +
  'succeeds (relay 131.107.10.12:53040), and media flows in 0x03 frames and from the relay to the peer.';

export function buildAvUdpBlocked(): Trace {
  const trace = new Trace('av-udp-blocked', 1710334800, EXTERNAL); // 2024-03-13T13:00:00Z
  const rng = new Rng(0xa7004);
  const client = internet('203.0.113.32', 112);
  const peer = internet('198.51.100.82', 50);
  const { givesUpAt } = msTurnAllocateBlocked(trace, rng, { ...ext, label: 'msturn-udp-unanswered', client, cport: 50120, server: avEdge, sport: 3478,
    note: 'Allocate retransmitted with the same transaction id at RFC 5389 backoff, never answered: UDP 3478 blocked' }, 0);
  msTurnTcpCall(trace, rng,
    { ...ext, label: 'msturn-tcp-443-fallback', client, cport: 50121, server: avEdge, sport: 443,
      note: 'the fallback after the UDP timeout: MS-TURN over TCP 443 succeeds' },
    { ...ext, label: 'relay-to-peer', client: avEdge, cport: 53040, server: peer, sport: 50220,
      note: 'the relayed media, plain RTP from the allocated relay port to the peer' },
    { timing: { start: givesUpAt, rtt: 40 * MS }, alloc: { cred: MS_CRED, relay: { ip: avEdge.ip, port: 53040 }, lifetime: 480 },
      call: { packets: 10, stream: PCMU_20MS } });
  trace.finalize();
  return trace;
}

export const AV_TURN_ERRORS_DESCRIPTION =
  'TURN error responses on UDP 3478: RFC 5766 client with an allocation (131.107.10.12:53050) whose second Allocate gets ' +
  '437 Allocation Mismatch and whose Refresh with an old nonce gets 438 Stale Nonce, then succeeds with the new nonce; an ' +
  'MS-TURN client whose authenticated Allocate gets 438 and succeeds on the retry with the new NONCE (relay 131.107.10.12:53060).';

export function buildAvTurnErrors(): Trace {
  const trace = new Trace('av-turn-errors', 1710338400, EXTERNAL); // 2024-03-13T14:00:00Z
  const rng = new Rng(0xa7005);
  rfcTurnErrors(trace, rng, { ...ext, label: 'turn-437-and-438', client: internet('198.51.100.92', 49), cport: 49910, server: avEdge, sport: 3478,
    note: 'RFC 5766: success, then 437 to a second Allocate, 438 to a Refresh with a stale nonce, Refresh success with the new one' },
  { start: 0, rtt: 30 * MS, cred: RFC_CRED, freshNonce: 'n3wN0nce1111111BBBB2222cccc', relay: { ip: avEdge.ip, port: 53050 }, lifetime: 600, pause: 1 * S });
  msTurnAllocate(trace, rng, { ...ext, label: 'msturn-438-then-allocate', client: internet('203.0.113.33', 112), cport: 50130, server: avEdge, sport: 3478,
    note: 'MS-TURN: 401, authenticated Allocate answered 438 Stale Nonce with a new NONCE, retry succeeds' },
  { start: 500 * MS, rtt: 45 * MS, alloc: { cred: MS_CRED, relay: { ip: avEdge.ip, port: 53060 }, lifetime: 480,
    staleNonceThen: Buffer.from('0badc0ffee0ddf00d5eed1e55c0ffee000000438', 'hex') } });
  trace.finalize();
  return trace;
}

const media = { topo: 'documented/port', bare: 'documented/port' } as const;

export const AV_UDP_BLOCKED_EXPECT: ExpectTable = {
  'msturn-udp-unanswered': { topo: 'documented/port', bare: 'documented/port', media },
  'msturn-tcp-443-fallback': { topo: 'documented/port', bare: 'documented/port', media },
  'relay-to-peer': { topo: 'documented/port', bare: 'undocumented/port', media },
};
export const AV_TURN_ERRORS_EXPECT: ExpectTable = {
  'turn-437-and-438': { topo: 'documented/port', bare: 'documented/port', media },
  'msturn-438-then-allocate': { topo: 'documented/port', bare: 'documented/port', media },
};
