/**
 * Which ICMP / ICMPv6 errors quoting a flow become which finding kind, and
 * their names for explanations. Protocol constants only.
 */
import type { FindingKind } from './finding-types.js';

const V4_DEST_UNREACHABLE = 3; // RFC 792
const V4_TIME_EXCEEDED = 11; // RFC 792
const V6_DEST_UNREACHABLE = 1; // RFC 4443 §3.1
const V6_TIME_EXCEEDED = 3; // RFC 4443 §3.3

/** ICMPv4 destination unreachable codes meaning "filtered by policy": RFC 1122 §3.2.2.1 (9, 10), RFC 1812 §5.2.7.1 (13). */
const V4_ADMIN_CODES: ReadonlySet<number> = new Set([9, 10, 13]);
/** ICMPv6 destination unreachable code 1: communication with destination administratively prohibited (RFC 4443 §3.1). */
const V6_ADMIN_CODE = 1;

const V4_UNREACHABLE_NAMES: Readonly<Record<number, string>> = {
  0: 'network unreachable', // RFC 792
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  5: 'source route failed',
  6: 'destination network unknown', // RFC 1122 §3.2.2.1
  7: 'destination host unknown',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  11: 'network unreachable for TOS',
  12: 'host unreachable for TOS',
  13: 'communication administratively prohibited', // RFC 1812 §5.2.7.1
};

const V6_UNREACHABLE_NAMES: Readonly<Record<number, string>> = {
  0: 'no route to destination', // RFC 4443 §3.1
  1: 'communication administratively prohibited',
  2: 'beyond scope of source address',
  3: 'address unreachable',
  4: 'port unreachable',
  5: 'source address failed ingress/egress policy',
  6: 'reject route to destination',
};

const V4_PORT_UNREACHABLE = 3; // RFC 792
const V6_PORT_UNREACHABLE = 4; // RFC 4443 §3.1

/** Whether an ICMP error is a port unreachable (the destination host has no socket on that port). */
export function isPortUnreachable(v6: boolean, type: number, code: number): boolean {
  return v6 ? type === V6_DEST_UNREACHABLE && code === V6_PORT_UNREACHABLE : type === V4_DEST_UNREACHABLE && code === V4_PORT_UNREACHABLE;
}

/** The finding kind of an ICMP error, or undefined for errors that are not about reachability (source quench, parameter problem, packet too big). */
export function icmpErrorKind(v6: boolean, type: number, code: number): FindingKind | undefined {
  if (v6) {
    if (type === V6_DEST_UNREACHABLE) return code === V6_ADMIN_CODE ? 'icmp-admin-prohibited' : 'icmp-unreachable';
    return type === V6_TIME_EXCEEDED ? 'icmp-unreachable' : undefined;
  }
  if (type === V4_DEST_UNREACHABLE) return V4_ADMIN_CODES.has(code) ? 'icmp-admin-prohibited' : 'icmp-unreachable';
  return type === V4_TIME_EXCEEDED ? 'icmp-unreachable' : undefined;
}

/** "ICMP port unreachable", "ICMPv6 communication administratively prohibited", "ICMP type 11 code 0 (time exceeded)". */
export function icmpErrorName(v6: boolean, type: number, code: number): string {
  const proto = v6 ? 'ICMPv6' : 'ICMP';
  if (type === (v6 ? V6_DEST_UNREACHABLE : V4_DEST_UNREACHABLE)) {
    const name = (v6 ? V6_UNREACHABLE_NAMES : V4_UNREACHABLE_NAMES)[code];
    return name !== undefined ? `${proto} ${name}` : `${proto} destination unreachable (code ${code})`;
  }
  if (type === (v6 ? V6_TIME_EXCEEDED : V4_TIME_EXCEEDED)) return `${proto} time exceeded (code ${code})`;
  return `${proto} type ${type} code ${code}`;
}
