/**
 * Public versus private addresses, as role inference's only evidence that a
 * peer is "external". A caveat it states in its evidence: a site that numbers
 * its internal network from public space makes internal peers look external.
 */
import { parsePrefix, prefixContains, type Prefix } from '../catalog/address.js';
import { addressWords } from './roles.js';

/** Address blocks that are not reachable from the internet, or not a host's own unicast address. */
const NOT_PUBLIC_TEXT = [
  '0.0.0.0/8', // RFC 1122 §3.2.1.3 "this network"
  '10.0.0.0/8', // RFC 1918 §3
  '100.64.0.0/10', // RFC 6598 shared address space (carrier-grade NAT)
  '127.0.0.0/8', // RFC 1122 §3.2.1.3 loopback
  '169.254.0.0/16', // RFC 3927 link-local
  '172.16.0.0/12', // RFC 1918 §3
  '192.168.0.0/16', // RFC 1918 §3
  '224.0.0.0/4', // RFC 5771 multicast
  '255.255.255.255/32', // RFC 919 limited broadcast
  '::/128', // RFC 4291 §2.5.2 unspecified
  '::1/128', // RFC 4291 §2.5.3 loopback
  'fc00::/7', // RFC 4193 unique local (ULA)
  'fe80::/10', // RFC 4291 §2.5.6 link-local
  'ff00::/8', // RFC 4291 §2.7 multicast
] as const;

const NOT_PUBLIC: readonly Prefix[] = NOT_PUBLIC_TEXT.map((t) => parsePrefix(t) as Prefix);

/**
 * True when `ip` (report text) is a global address: not private (RFC 1918,
 * ULA), shared, link-local, loopback or multicast. IPv4-mapped IPv6
 * (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is judged as its IPv4 address. The
 * documentation ranges (RFC 5737, RFC 3849) count as public: the samples use
 * them for internet hosts. False for text that is not an address.
 */
export function isPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const a = addressWords(mapped !== null ? mapped[1] : ip);
  if (a === undefined) return false;
  for (const p of NOT_PUBLIC) if (prefixContains(p, a.family, a.words)) return false;
  return true;
}

/**
 * Multicast that does not leave the site, and the limited broadcast: IPv4 local network control
 * (224.0.0.0/24, RFC 5771 §4) and administratively scoped (239.0.0.0/8, RFC 2365), 255.255.255.255
 * (RFC 919); IPv6 multicast of interface-, link-, admin-, site- and organisation-local scope, permanent
 * or transient (RFC 4291 §2.7). Globally scoped multicast is left out: it can cross firewalls.
 */
const LOCAL_GROUP: readonly Prefix[] = [
  '224.0.0.0/24', '239.0.0.0/8', '255.255.255.255/32',
  ...['1', '2', '4', '5', '8'].flatMap((scope) => [`ff0${scope}::/16`, `ff1${scope}::/16`]),
].map((t) => parsePrefix(t) as Prefix);

/** What report text (canonical, as formatIp writes it) of a LOCAL_GROUP address starts with: 224., 239., 255., ff, or ::ffff: (mapped). */
const MAYBE_LOCAL_GROUP = /^(?:2(?:24|39|55)\.|ff|::ffff:)/i;

/**
 * True when `ip` (report text) is a multicast address that stays on the site, or the limited
 * broadcast: traffic to it is local service discovery and announcements (mDNS, SSDP, LAN sync) that
 * no client-server rule governs. A directed broadcast (a subnet's last address) cannot be told
 * without the netmask, and is not.
 */
export function isLocalGroupAddress(ip: string): boolean {
  // Most flows' servers are unicast: reject them on the text, before parsing (a fifth of classification otherwise).
  if (!MAYBE_LOCAL_GROUP.test(ip)) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const a = addressWords(mapped !== null ? mapped[1] : ip);
  return a !== undefined && LOCAL_GROUP.some((p) => prefixContains(p, a.family, a.words));
}
