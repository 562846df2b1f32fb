/**
 * One stored flow as a plain object for the report. Part of the public JSON
 * contract (report/model.ts): every field is documented with its unit and
 * caveats, and key order is fixed by construction here, so two runs on the
 * same capture serialise identically. Called once per flow, never per packet.
 */
import { IpProto } from '../decode/packet-view.js';
import { Dir, ENDED_BY_NAMES, EndedBy, FlowStore, ORIENTED_BY_NAMES, type EndedByName, type OrientedByName } from './flow-store.js';
import type { FlowTable } from './flow-table.js';
import { formatIp } from './ip-format.js';
import { connState, history } from './tcp-state.js';

/** Transport of a flow: the IP protocol's name, or "ip-<protocol number>" for the others. */
export type Transport = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | `ip-${number}`;

export interface FlowEndpoint {
  /** IPv4 dotted quad, or IPv6 in RFC 5952 canonical text (IPv4-mapped as ::ffff:a.b.c.d). */
  ip: string;
  /**
   * TCP/UDP port. For ICMP/ICMPv6 flows started by a request or an error, as
   * in Zeek's conn.log: the client's port is the ICMP type and the server's
   * port the code, or for echo the identifier (replies join their request's
   * flow; a flow first seen at a reply shows the two swapped, see
   * decode/icmp.ts). 0 for other IP protocols.
   */
  port: number;
}

/** A count per direction. The client and server are those of the flow record. */
export interface PerDirection {
  /** Sent by the client. */
  fromClient: number;
  /** Sent by the server. */
  fromServer: number;
}

export interface FragmentCount {
  /** Non-first IP fragments (no transport header; attributed by the decoder from their first fragment). */
  packets: number;
  /** Their bytes on the wire (frame length). */
  bytes: number;
}

export interface IcmpErrorRecord {
  /** ICMP type: ICMPv4 numbering for IPv4 flows (3 unreachable, 11 time exceeded...), ICMPv6 for IPv6 (1, 2, 3, 4). */
  type: number;
  /** ICMP code (for ICMPv4 type 3: 3 port unreachable, 13 administratively prohibited...). */
  code: number;
  /** Address of the host that sent the error (router, firewall or the peer itself). */
  reporter: string;
  /** Which side of the flow sent the datagram that the error quotes (and so received the error). */
  quotedFrom: 'client' | 'server';
  /** Errors with this reporter, type, code and quoted side. */
  count: number;
  /** Frame number of the first such error (1-based, across all inputs, as tshark numbers within one file). */
  firstFrame: number;
  /** Capture time of the first such error, epoch seconds. */
  firstSeen: number;
}

export interface FlowRecord {
  /** Flow number, 1-based, in order of the flows' first packets. */
  id: number;
  transport: Transport;
  /**
   * The side that opened the flow (see `orientedBy` for how that was decided).
   * For TCP this is Zeek's originator when the handshake was seen.
   */
  client: FlowEndpoint;
  /** The side that was opened to (the service). */
  server: FlowEndpoint;
  /** Capture time of the earliest packet, epoch seconds (fractional, the capture's resolution). */
  firstSeen: number;
  /** Capture time of the latest packet, epoch seconds. */
  lastSeen: number;
  /** Frame numbers of the first and the last packet of the flow (1-based, across all inputs of the run). */
  frames: { first: number; last: number };
  /** Packets per direction, including non-first IP fragments (see `fragments`). */
  packets: PerDirection;
  /** Bytes per direction: frame lengths on the wire (link-layer headers included), as tshark's conversation tables count them. */
  bytes: PerDirection;
  /**
   * Transport payload bytes per direction, from the headers (TCP: IP payload
   * minus TCP header; UDP: UDP length minus 8). Retransmissions are counted
   * again; a snaplen does not reduce it; non-first fragments add 0 (the first
   * fragment's UDP length already covers the whole datagram).
   */
  payloadBytes: PerDirection;
  /**
   * How client and server were told apart: 'syn' (sender of the first SYN),
   * 'syn-ack' (receiver of the first SYN-ACK), 'service-port' (the start was
   * not seen and exactly one port is a catalog service port), 'well-known-port'
   * (TCP, start not seen, exactly one port below 1024), 'first-packet' (the
   * first packet's sender; the weakest evidence).
   */
  orientedBy: OrientedByName;
  /**
   * Why the flow ended: 'end' (still live when the capture ended), 'idle'
   * (no packet for longer than the idle timeout: a later packet with the same
   * addresses and ports is a new flow), 'cap' (evicted because the live-flow
   * cap was reached), 'reuse' (TCP: a new SYN reused the ports after this
   * connection closed), 'closed' (TCP: closed and then quiet for the linger time).
   */
  endedBy: EndedByName;
  /**
   * Present (true) when the packet that started the flow went to the link-layer broadcast address
   * (Ethernet ff:ff:ff:ff:ff:ff, or a Linux cooked capture's packet type "broadcast"): a limited or
   * directed IP broadcast (a subnet's last address), which stays on its LAN segment. A Linux cooked
   * capture taken on the sending host marks its own sends only as outgoing: those are not marked.
   */
  linkBroadcast?: true;
  /** TCP flows only, in Zeek conn.log terms. */
  tcp?: {
    /** Zeek conn_state: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH. */
    state: string;
    /**
     * Zeek history letters, uppercase from the client, lowercase from the
     * server: S SYN, H SYN-ACK, A pure ACK, D data, F FIN, R RST, T
     * retransmitted payload, W zero window, Q SYN+FIN or SYN+RST, I FIN+RST;
     * '^' first when the client is not the sender of the first packet. Each
     * letter at most once per direction, in order of first occurrence.
     */
    history: string;
  };
  /** ICMP errors quoting this flow's packets, when any were seen; ordered by first occurrence. */
  icmpErrors?: IcmpErrorRecord[];
  /** Non-first IP fragments included in `packets` and `bytes`, when any were seen. tshark's conversations without reassembly do not count them. */
  fragments?: { fromClient: FragmentCount; fromServer: FragmentCount };
}

/** Name of an IP protocol for `FlowRecord.transport`. */
export function transportName(proto: number): Transport {
  switch (proto) {
    case IpProto.TCP:
      return 'tcp';
    case IpProto.UDP:
      return 'udp';
    case IpProto.ICMP:
      return 'icmp';
    case IpProto.ICMPV6:
      return 'icmpv6';
    default:
      return `ip-${proto}`;
  }
}

/**
 * The report object of stored flow `flow` (0-based index; its id is flow + 1).
 * Accepts the store or its table. A flow still live is reported as ended by 'end'.
 */
export function flowRecord(source: FlowStore | FlowTable, flow: number): FlowRecord {
  const s = source instanceof FlowStore ? source : source.store;
  if (!(flow >= 0 && flow < s.count)) throw new RangeError(`no flow ${flow} (store holds ${s.count})`);
  const family = s.family(flow);
  const proto = s.proto(flow);
  const o = flow << 2;
  const c = flow << 1;
  const v = c | 1;
  const ended = s.endedBy[flow] === EndedBy.Live ? EndedBy.End : s.endedBy[flow];
  const record: FlowRecord = {
    id: flow + 1,
    transport: transportName(proto),
    client: { ip: formatIp(family, s.clientAddr, o), port: s.clientPort(flow) },
    server: { ip: formatIp(family, s.serverAddr, o), port: s.serverPort(flow) },
    firstSeen: s.firstTs(flow),
    lastSeen: s.lastTs(flow),
    frames: { first: s.firstFrame(flow), last: s.lastFrame(flow) },
    packets: { fromClient: s.packets(flow, Dir.FromClient), fromServer: s.packets(flow, Dir.FromServer) },
    bytes: { fromClient: s.wireBytes(flow, Dir.FromClient), fromServer: s.wireBytes(flow, Dir.FromServer) },
    payloadBytes: { fromClient: s.payloadBytes(flow, Dir.FromClient), fromServer: s.payloadBytes(flow, Dir.FromServer) },
    orientedBy: ORIENTED_BY_NAMES[s.orientedBy[flow]] as OrientedByName,
    endedBy: ENDED_BY_NAMES[ended] as EndedByName,
  };
  if (s.linkBroadcast[flow] === 1) record.linkBroadcast = true;
  if (proto === IpProto.TCP) record.tcp = { state: connState(s, flow), history: history(s, flow) };
  const errors = s.icmpErrors.get(flow);
  if (errors !== undefined && errors.length > 0) {
    record.icmpErrors = errors.map((e) => ({
      type: e.type,
      code: e.code,
      reporter: e.reporter,
      quotedFrom: e.quotedFrom,
      count: e.count,
      firstFrame: e.firstFrame,
      firstSeen: e.firstTs,
    }));
  }
  if (s.fragPackets[c] > 0 || s.fragPackets[v] > 0) {
    record.fragments = {
      fromClient: { packets: s.fragPackets[c], bytes: s.fragBytes[c] },
      fromServer: { packets: s.fragPackets[v], bytes: s.fragBytes[v] },
    };
  }
  return record;
}
