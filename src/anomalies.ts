/**
 * Named anomalies, in the spirit of Zeek's "weirds": counted, reported, never thrown.
 *
 * Every packet ends in exactly one place: in a flow, or under one anomaly whose
 * `fate` is true. Anomalies with `fate: false` are remarks about a packet that was
 * still attributed to a flow (or about the file), so they do not enter that sum.
 */
export interface AnomalyInfo {
  readonly name: string;
  /** True when the packet was not attributed to any flow because of this anomaly. */
  readonly fate: boolean;
  readonly description: string;
}

/** Indices into an AnomalyCounters array; the order is that of ANOMALIES below. */
import { APP_ANOMALIES } from './inspect/apps/app-common.js';

export const A = {
  UnknownLinkType: 0,
  NonIpFrame: 1,
  LinkTruncated: 2,
  Ipv4Truncated: 3,
  Ipv4BadVersion: 4,
  Ipv4BadIhl: 5,
  Ipv4BadTotalLength: 6,
  Ipv4TotalLengthBeyondFrame: 7,
  Ipv6Truncated: 8,
  Ipv6BadPayloadLength: 9,
  Ipv6ExtHeaderTruncated: 10,
  FragmentUnattributed: 11,
  TcpTruncated: 12,
  TcpBadDataOffset: 13,
  UdpTruncated: 14,
  UdpBadLength: 15,
  IcmpTruncated: 16,
  IcmpErrorUnmatched: 17,
  IcmpErrorTruncatedInner: 18,
  SnaplenTruncated: 19,
  FlowEvictedIdle: 20,
  FlowEvictedCap: 21,
  PcapngSimplePacketNoTimestamp: 22,
  PcapngUnknownInterface: 23,
  PcapngBlockSkipped: 24,
  FragmentTableFull: 25,
  Ipv4Jumbo: 26,
  PcapngMalformedPacketBlock: 27,
  TcpHeaderTruncated: 28,
  Ipv6Jumbo: 29,
  WireLengthImplausible: 30,
  TcpTinyFragment: 31,
  StunBadLength: 32,
  StunTruncated: 33,
  StunAttributePastEnd: 34,
  StunAttributeBadValue: 35,
  StunFingerprintMismatch: 36,
  StunTrailingBytes: 37,
  ChannelDataBadLength: 38,
  InspectTcpGap: 39,
  InspectTcpDesync: 40,
  InspectTcpLimit: 41,
  StunTransactionTableFull: 42,
  TurnAllocationTableFull: 43,
  RtpStreamTableFull: 44,
  RtcpTableFull: 45,
  // Application hellos (inspect/apps): names and descriptions in APP_ANOMALIES, in this order.
  TlsHelloTruncated: 46,
  TlsHelloMalformed: 47,
  DtlsRecordMalformed: 48,
  SipMessageMalformed: 49,
  HttpRequestMalformed: 50,
  HttpResponseMalformed: 51,
} as const;
export type AnomalyId = (typeof A)[keyof typeof A];

export const ANOMALIES: readonly AnomalyInfo[] = [
  { name: 'unknown_link_type', fate: true, description: 'frame of a link type the decoder does not know' },
  { name: 'non_ip_frame', fate: true, description: 'frame that carries no IPv4/IPv6 (ARP, LLDP, STP, MPLS...)' },
  { name: 'link_truncated', fate: true, description: 'frame shorter than its link-layer header' },
  { name: 'ipv4_truncated', fate: true, description: 'IPv4 header cut short by the capture' },
  { name: 'ipv4_bad_version', fate: true, description: 'IP packet whose version field is neither 4 nor 6' },
  { name: 'ipv4_bad_ihl', fate: true, description: 'IPv4 header length below 20 bytes' },
  { name: 'ipv4_bad_total_length', fate: true, description: 'IPv4 total length smaller than its header' },
  { name: 'ipv4_total_length_beyond_frame', fate: false, description: 'IPv4 total length larger than the frame on the wire; the frame length was used' },
  { name: 'ipv6_truncated', fate: true, description: 'IPv6 header cut short by the capture' },
  { name: 'ipv6_bad_payload_length', fate: false, description: 'IPv6 payload length larger than the frame on the wire; the frame length was used' },
  { name: 'ipv6_ext_header_truncated', fate: true, description: 'IPv6 extension header chain cut short or inconsistent' },
  { name: 'ip_fragment_unattributed', fate: true, description: 'non-first IP fragment whose first fragment (with the ports) was not seen' },
  { name: 'tcp_truncated', fate: true, description: 'TCP header cut short before the ports' },
  { name: 'tcp_bad_data_offset', fate: true, description: 'TCP data offset below 5 or past the end of the segment: an invalid header (tshark and Zeek drop it too)' },
  { name: 'udp_truncated', fate: true, description: 'UDP header cut short before the ports' },
  { name: 'udp_bad_length', fate: false, description: 'UDP length field below 8 or past the IP payload; ports kept' },
  { name: 'icmp_truncated', fate: true, description: 'ICMP header cut short' },
  { name: 'icmp_error_unmatched', fate: false, description: 'ICMP error quoting a flow that was never seen' },
  { name: 'icmp_error_truncated_inner', fate: false, description: 'ICMP error whose quoted header is too short to name a flow' },
  { name: 'snaplen_truncated', fate: false, description: 'packet captured shorter than it was on the wire (snaplen)' },
  { name: 'flow_evicted_idle', fate: false, description: 'flow finished early by the idle timeout (kept in the results)' },
  { name: 'flow_evicted_cap', fate: false, description: 'flow finished early because the live-flow cap was reached (kept in the results)' },
  { name: 'pcapng_simple_packet_no_timestamp', fate: false, description: 'pcapng Simple Packet Block: no timestamp, the previous one was used' },
  { name: 'pcapng_unknown_interface', fate: true, description: 'pcapng packet naming an interface that no IDB declared' },
  { name: 'pcapng_block_skipped', fate: false, description: 'pcapng block of an unknown type or a broken interface block, skipped by its length' },
  { name: 'ip_fragment_table_full', fate: false, description: 'first fragments arrived faster than the bounded fragment table could keep them' },
  { name: 'ipv4_jumbo', fate: false, description: 'IPv4 total length of 0 (TSO/GSO capture); the frame length was used' },
  { name: 'pcapng_malformed_packet_block', fate: true, description: 'pcapng packet block whose captured length exceeds the block; counted, not decoded' },
  { name: 'tcp_header_truncated', fate: false, description: 'TCP header (fixed part or options) cut short by the capture after the ports; ports kept, payload not captured' },
  { name: 'ipv6_jumbo', fate: false, description: 'IPv6 payload length of 0 with bytes on the wire (RFC 2675 jumbogram or GSO capture); the frame length was used' },
  { name: 'wire_length_implausible', fate: false, description: 'record claims an original length above 262144 bytes (a damaged or fuzzed record); its captured length was counted instead' },
  { name: 'tcp_tiny_fragment', fate: false, description: 'first IP fragment too short to hold the whole TCP header (RFC 1858 tiny-fragment evasion); ports kept' },
  { name: 'stun_bad_length', fate: false, description: 'STUN message whose length field runs past its datagram or frame, or (RFC 5389) is not a multiple of 4; counted by type, attributes not read' },
  { name: 'stun_truncated', fate: false, description: 'STUN message cut short by the capture (snaplen); counted by type, attributes not read' },
  { name: 'stun_attribute_past_end', fate: false, description: 'STUN attribute whose header or length runs past the end of its message; the attributes before it were kept' },
  { name: 'stun_attribute_bad_value', fate: false, description: 'STUN attribute of an impossible size or content (an address of unknown family, a 3-byte LIFETIME...); ignored' },
  { name: 'stun_fingerprint_mismatch', fate: false, description: 'STUN FINGERPRINT that does not match the CRC-32 of its message (RFC 8489 §14.7)' },
  { name: 'stun_trailing_bytes', fate: false, description: 'bytes after a STUN message in its UDP datagram' },
  { name: 'channeldata_bad_length', fate: false, description: 'TURN ChannelData (or multiplexed TURN) message whose length runs past its datagram or frame' },
  { name: 'inspect_tcp_gap', fate: false, description: 'inspected TCP stream with a gap (lost or reordered segment, or a snaplen-cut payload): framing of that direction stopped there' },
  { name: 'inspect_tcp_desync', fate: false, description: 'inspected TCP stream whose bytes stopped being frames of its framing (RFC 4571, TURN-TCP, MS-TURN): framing of that direction stopped there' },
  { name: 'inspect_tcp_limit', fate: false, description: 'inspected TCP direction reached the framing byte limit (256 MiB): later messages were not inspected' },
  { name: 'stun_transaction_table_full', fate: false, description: 'more STUN requests outstanding on one flow than the transaction table holds (32): the oldest was counted unanswered' },
  { name: 'turn_allocation_table_full', fate: false, description: 'more TURN Allocate transactions on one flow than the ledger keeps (16): later ones counted only in the transaction summary' },
  { name: 'rtp_stream_table_full', fate: false, description: 'an RTP stream was confirmed but not tracked: the media stream table was full' },
  { name: 'rtcp_table_full', fate: false, description: 'an RTCP report was not kept: the RTCP report table was full' },
  ...APP_ANOMALIES.map((a) => ({ name: a.name, fate: false, description: a.description })),
];

/** Anomaly id by name, for parsers that name their anomaly in their result (inspect/apps). */
export const ANOMALY_ID: ReadonlyMap<string, number> = new Map(ANOMALIES.map((a, i) => [a.name, i]));

export const ANOMALY_COUNT = ANOMALIES.length;

/** One counter per anomaly, indexed by the ids in A. */
export type AnomalyCounters = Float64Array;

export function newAnomalyCounters(): AnomalyCounters {
  return new Float64Array(ANOMALY_COUNT);
}

/** Non-zero counters as a name -> count object, in name order for stable output. */
export function anomaliesToRecord(counters: AnomalyCounters): Record<string, number> {
  const out: Record<string, number> = {};
  const names: [string, number][] = [];
  for (let i = 0; i < ANOMALY_COUNT; i++) if (counters[i] > 0) names.push([ANOMALIES[i].name, counters[i]]);
  names.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [name, n] of names) out[name] = n;
  return out;
}

/** Number of packets that some fate anomaly kept out of every flow. */
export function packetsWithoutFlow(counters: AnomalyCounters): number {
  let n = 0;
  for (let i = 0; i < ANOMALY_COUNT; i++) if (ANOMALIES[i].fate) n += counters[i];
  return n;
}
