/**
 * Finding kinds, severities and the Finding shape: part of the JSON report
 * contract (flowaudit-report/1, `findings`). Kinds are added, never renamed.
 */

export type FindingKind =
  | 'undocumented-port'
  | 'misdirected-flow'
  | 'tcp-unanswered'
  | 'tcp-refused'
  | 'tcp-server-side-missing'
  | 'icmp-unreachable'
  | 'icmp-admin-prohibited'
  // From payload inspection (payload-findings.ts): made only when it ran.
  | 'stun-unanswered'
  | 'turn-error'
  | 'payload-mismatch'
  | 'media-quality'
  | 'sip-error'
  | 'http-error';

/** Every kind, in the order findings of equal severity are listed. */
export const FINDING_KINDS = [
  'misdirected-flow',
  'undocumented-port',
  'tcp-unanswered',
  'tcp-refused',
  'tcp-server-side-missing',
  'icmp-admin-prohibited',
  'icmp-unreachable',
  'stun-unanswered',
  'turn-error',
  'payload-mismatch',
  'media-quality',
  'sip-error',
  'http-error',
] as const satisfies readonly FindingKind[];

export const FINDING_TITLES = {
  'undocumented-port': 'Undocumented port in use',
  'misdirected-flow': 'Documented port used between the wrong roles or in the wrong direction',
  'tcp-unanswered': 'TCP connection attempt never answered (likely dropped by a firewall)',
  'tcp-refused': 'TCP connection refused (reset)',
  'tcp-server-side-missing': 'TCP connection seen from the client only (the server\'s packets are not in the capture)',
  'icmp-unreachable': 'ICMP destination unreachable or time exceeded',
  'icmp-admin-prohibited': 'ICMP administratively prohibited (filtered by a firewall or router)',
  'stun-unanswered': 'STUN/TURN request never answered',
  'turn-error': 'TURN error response',
  'payload-mismatch': 'Payload does not match the documented protocol',
  'media-quality': 'Media loss or jitter past documented thresholds',
  'sip-error': 'SIP requests answered with errors',
  'http-error': 'HTTP requests to a documented web service answered with errors',
} as const satisfies Record<FindingKind, string>;

/** Ordered: info < low < medium < high. */
export type Severity = 'info' | 'low' | 'medium' | 'high';
export const SEVERITIES = ['info', 'low', 'medium', 'high'] as const satisfies readonly Severity[];
export const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3 } as const satisfies Record<Severity, number>;

/**
 * How each kind's severity is chosen. A "documented port" means the flow's
 * verdict is documented; "blocked" means TCP state S0, SH, RSTOS0 (unless the
 * server's side is missing from the capture: tcp-server-side-missing) or REJ, or
 * an ICMP error quoting the flow (the same test as the checklist's "failing").
 */
export const FINDING_SEVERITY_RULES = {
  'undocumented-port': 'high; medium for flows that were blocked (the firewall or host already stopped them, but something tried); info for flows to a link- or site-scoped multicast or a broadcast address (local discovery, no firewall path)',
  'misdirected-flow': 'high',
  'tcp-unanswered': 'high on a documented port (a documented service is blocked); info otherwise (blocked as it should be)',
  'tcp-refused': 'high on a documented port (a documented service refuses connections); info otherwise',
  'tcp-server-side-missing': 'info: the client acknowledged, sent data or closed after its SYN, so it was answered, but no packet from the server is in the capture (a one-way capture, not a failure; not counted as blocked)',
  'icmp-unreachable': 'medium on a documented port; info otherwise. Not made for a port unreachable sent by the flow\'s own client about the server\'s datagram (the client had closed its socket)',
  'icmp-admin-prohibited': 'high on a documented port (a firewall filters a documented service); info otherwise',
  'stun-unanswered': 'high when no Allocate on a documented port was answered (blocked UDP to a TURN server; medium on other ports); medium when no other TURN request on the flow was answered, or no Binding without ICE\'s PRIORITY (a STUN server query); low for ICE checks (Binding with PRIORITY) and for flows where other requests were answered. Not made when an ICMP error explains it',
  'turn-error': 'high for 486 Allocation Quota Reached and 508 Insufficient Capacity; medium for other codes; 401 and 438 only when no Allocate on the flow succeeded',
  'payload-mismatch': 'high for plaintext SIP or HTTP on a port every matching rule documents as TLS (or as MS-TURN over TCP, which opens with pseudo-TLS, next to TLS rules); medium for UDP payload with no STUN, TURN or media on a port documented for STUN',
  'media-quality': 'medium: an RTP stream with loss above 10% over more than 500 packets sent, or mean jitter above 30 ms over more than 500 received (the Call Quality Dashboard audio limits)',
  'sip-error': 'high for 5xx (a server or gateway failed) and 488 or 606 (no acceptable media: codecs or SDP); info when all are the callee\'s answer (480, 486, 487, 600, 603) or refuse a re-INVITE in a call already answered (the call goes on); medium for any other 4xx-6xx; 401 and 407 (challenges) only on a flow with no 2xx response. Plaintext SIP flows only: SIP over TLS cannot be read',
  'http-error': 'high for 502, 503 and 504 (a reverse proxy or gateway could not reach the pool, or the service is down); medium for other 5xx, and for 401 and 407 on a flow with no 2xx response (credentials rejected); low for other 4xx. Plaintext HTTP flows a catalog rule documents as a service (not a broad media range) only: HTTPS cannot be read',
} as const satisfies Record<FindingKind, string>;

/** One catalog rule a finding rests on, with where the rule comes from. */
export interface FindingCitation {
  /** Catalog rule id. */
  rule: string;
  /** Short source text: document, table, row and first cell (`edge-ports.md, table edge-external, row 7: "E6"`). */
  source: string;
}

/**
 * One problem, aggregated: one finding per (kind, severity, transport, client
 * address, server address). A scan of 5,000 ports by one host is one finding.
 * Many clients hitting one undocumented service give one finding per client,
 * up to MAX_PEER_FINDINGS (fold-findings.ts): the rest of them are folded into
 * one finding whose client is "*", and likewise for the servers of one client;
 * past MAX_KIND_FINDINGS of one kind, severity and transport, the rest fold
 * into one of any client and server.
 */
export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** FINDING_TITLES[kind]. */
  title: string;
  /** Plain-language explanation: what was seen, why it matters, what the severity rests on. English. */
  explanation: string;
  /** Transport of the flows ("tcp", "udp", or another FlowRecord transport). */
  transport: string;
  /** Address of the flows' client (the side that opened them), or "*" for the clients folded into this finding (see `clients`). */
  client: string;
  /** Address of the flows' server, or "*" for the servers folded into this finding (see `servers`). */
  server: string;
  /** Flow ids (FlowRecord.id), ascending; at most 100 (see flowCount). */
  flows: number[];
  /** Number of flows in the finding (may exceed flows.length). */
  flowCount: number;
  /** The flows' server ports, compact: "tcp/21,23,25,110" or "tcp/1-5000". */
  ports: string;
  /**
   * Frame numbers to look at, ascending, at most 20: the first frame of each
   * flow; for the ICMP kinds, the first ICMP error frame of each flow instead.
   */
  evidenceFrames: number[];
  /**
   * Wireshark display filter (4.x syntax: comma-separated sets, `a..b` ranges)
   * selecting the packets of the finding's flows, and the ICMP errors quoting
   * them (Wireshark matches the quoted headers too). Exact unless the flows
   * use more than 50 distinct client port ranges; then the client ports are
   * left out and other flows between the same two hosts on those server ports
   * would be selected as well. A side folded into "*" is any address but the
   * peers of the findings before the fold (a folded client's flows that went
   * into another server's fold are selected too); a finding folded past the
   * kind limit selects by ports, and an address all its flows share, only:
   * the flows of other findings are selected too.
   */
  wiresharkFilter: string;
  /** The catalog rules involved (at most 10, in order of first use); empty when none is (undocumented ports). */
  citation: FindingCitation[];
  /**
   * Only when `client` is "*": how many distinct clients are folded into this finding, those past
   * the first MAX_PEER_FINDINGS of its kind, severity, transport and server (which have findings of
   * their own), or past MAX_KIND_FINDINGS findings of its kind, severity, transport and family.
   */
  clients?: number;
  /** Only when `server` is "*": how many distinct servers are folded in, likewise per client. */
  servers?: number;
}

/** A finding's client and server in words: the address, or "4,980 clients" for a folded side. */
export function findingPeers(f: Pick<Finding, 'client' | 'server' | 'clients' | 'servers'>): { client: string; server: string } {
  const side = (address: string, n: number | undefined, what: string) => (n === undefined ? address : countText(n, what));
  return { client: side(f.client, f.clients, 'client'), server: side(f.server, f.servers, 'server') };
}

/** "1 flow", "5,000 flows". */
export function countText(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}
