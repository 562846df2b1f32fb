/**
 * Options of the flow table: live-flow cap, idle timeouts, service ports.
 *
 * Idle timeouts are in seconds of capture time. Defaults follow Zeek's spirit
 * (tcp_inactivity_timeout 5 min, udp_inactivity_timeout and
 * icmp_inactivity_timeout 1 min) with a longer timeout for established TCP,
 * because SIP/TLS signalling connections stay open and quiet for a long time,
 * and a linger time for closed TCP connections so that their last ACKs and
 * retransmissions are not mistaken for new flows.
 */
import type { FlowStore } from './flow-store.js';

/** Idle timeouts, seconds of capture time. */
export interface IdleTimeouts {
  /** TCP with both sides active (handshake done, or seen mid-connection) and not closed. */
  tcpEstablished: number;
  /** TCP otherwise: unanswered SYN, half-open, one-sided. */
  tcpOther: number;
  /** TCP after FIN both ways or a RST: linger for late retransmissions and ACKs. */
  tcpClosed: number;
  udp: number;
  /** ICMP, ICMPv6 and any other IP protocol. */
  other: number;
}

export const DEFAULT_IDLE_TIMEOUTS: Readonly<IdleTimeouts> = {
  tcpEstablished: 3600,
  tcpOther: 300, // Zeek tcp_inactivity_timeout
  tcpClosed: 60,
  udp: 60, // Zeek udp_inactivity_timeout
  other: 60, // Zeek icmp_inactivity_timeout
};

/** Bitmaps of 65536 entries, 1 = a documented service port (compiled from the catalog). */
export interface ServicePorts {
  tcp: Uint8Array;
  udp: Uint8Array;
}

export interface FlowTableOptions {
  /** Most flows live at once; beyond it the least recently seen are evicted. Default 1_000_000. */
  maxLiveFlows?: number;
  /** Overrides of DEFAULT_IDLE_TIMEOUTS. */
  idleTimeouts?: Partial<IdleTimeouts>;
  /** Service-port bitmaps used to orient flows whose start was not seen. Default: none. */
  servicePorts?: ServicePorts;
  /** Where flows are kept; a new store by default. */
  store?: FlowStore;
  /** Called once per flow when it stops being live (any EndedBy), e.g. to classify it. */
  onFinish?: (flow: number) => void;
}

/** Default live-flow cap. */
export const DEFAULT_MAX_LIVE_FLOWS = 1_000_000;
