/**
 * LINKTYPE_* values that appear in capture headers (tcpdump.org/linktypes.html).
 * Only the names live here; the decoders that understand them are in src/decode/.
 */
export const LinkType = {
  NULL: 0, // BSD loopback, host-order address family
  ETHERNET: 1,
  RAW_BSD12: 12, // DLT_RAW on some BSDs
  RAW_BSD14: 14, // DLT_RAW on OpenBSD
  RAW: 101,
  LOOP: 108, // OpenBSD loopback, network-order address family
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'ETHERNET', 9: 'PPP', 12: 'RAW', 14: 'RAW', 101: 'RAW', 105: 'IEEE802_11', 108: 'LOOP',
  113: 'LINUX_SLL', 127: 'IEEE802_11_RADIOTAP', 228: 'IPV4', 229: 'IPV6', 276: 'LINUX_SLL2',
};

/** Human-readable name of a link type, `LINKTYPE_<n>` for the ones without a name here. */
export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}
