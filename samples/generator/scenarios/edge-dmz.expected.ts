/**
 * The expected catalog verdict of every edge-dmz flow, declared by hand from
 * catalog/*.json and the classification spec (checked by ../verdicts.ts).
 * With topology = samples/edge-dmz.topology.json (EDGE_DMZ_TOPOLOGY); without
 * = no topology and no inference. Kept apart from edge-dmz.ts so that the
 * capture itself cannot change.
 */
import type { ExpectTable, FlowExpect } from '../expect.js';

const portOnly: FlowExpect = { topo: 'documented/port', bare: 'documented/port' };
const both: FlowExpect = { topo: 'documented/role', bare: 'documented/port' };
const undoc: FlowExpect = { topo: 'undocumented/port', bare: 'undocumented/port' };
const mediaPort = { topo: 'documented/port', bare: 'documented/port' } as const;

const REJ_SCAN_MISDIRECTED =
  'The scanner is not in the topology (unknown) and the web conferencing edge does not fit the rules of this port (front-end, ' +
  'load-balancer, file-share, all-internal-servers): spec step 3 says misdirected with confidence "role", although the closing ' +
  'line of the spec says "role" needs both ends known; assumed "role" (the verdict rests only on the known end).';

export const EDGE_DMZ_EXPECT: ExpectTable = {
  // Remote users and media peers are not in the topology: matches through `any` with one end unknown give "port".
  'sip-tls-remote-client': portOnly,
  'sip-mtls-federation-inbound': both,
  'sip-mtls-federation-outbound': both,
  'msturn-allocate-udp': { ...portOnly, media: mediaPort },
  'stun-turn-rfc5389': { ...portOnly, media: mediaPort },
  'msturn-tcp-443': { ...portOnly, media: mediaPort },
  'rtp-media-av-edge': { topo: 'documented/port', bare: 'undocumented/port', media: mediaPort },
  'rtp-media-edge-to-peer': {
    topo: 'documented/port', bare: 'undocumented/port', media: mediaPort,
    ambiguity: "Edge relay source range E10 (portSide client): qualified through the client's known edge-av role checked against `from`; " +
      'read literally (host holding the port checked against `to` = any) it would qualify without topology too (documented/port).',
  },
  'webconf-tls-remote-client': portOnly,
  'sip-tls-remote-client-ipv6': portOnly,
  'sip-tls-midstream': portOnly,
  'psom-tls-fe-to-edge': both,
  'sip-mtls-fe-to-edge': both,
  'sip-mtls-edge-to-fe': both,
  'https-rp-to-director-4443': both,
  'http-rp-to-director-8080': both,
  'https-director-to-fe-444': both,
  'sql-edge-to-internal': undoc,
  'rdp-inbound': undoc,
  'ssh-inbound-reset': undoc,
  ...Object.fromEntries([21, 23, 25, 110, 139, 3306, 5900, 8443].map((p) => [`port-scan-rej:${p}`, { ...undoc, failure: 'tcp-refused' as const }])),
  'port-scan-rej:135': { topo: 'misdirected/role', bare: 'documented/port', failure: 'tcp-refused', ambiguity: REJ_SCAN_MISDIRECTED },
  'port-scan-rej:445': { topo: 'misdirected/role', bare: 'documented/port', failure: 'tcp-refused', ambiguity: REJ_SCAN_MISDIRECTED },
  ...Object.fromEntries([22, 23, 3389, 5985].map((p) => [`port-scan-dropped:${p}`, { ...undoc, failure: 'tcp-unanswered' as const }])),
  'udp-probe-icmp-unreachable': { ...undoc, failure: 'icmp-unreachable' },
  'tcp-admin-prohibited': {
    ...undoc, failure: 'icmp-admin-prohibited',
    ambiguity: 'The SYN got an ICMP admin-prohibited answer and no TCP answer (Zeek S0): the failure is recorded as icmp-admin-prohibited; ' +
      'the classifier may also raise tcp-unanswered for the S0 state (the spec does not say whether the ICMP error supersedes it).',
  },
  'udp-probe-icmp6-unreachable': { ...undoc, failure: 'icmp-unreachable' },
};
