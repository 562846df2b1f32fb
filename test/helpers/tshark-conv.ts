/**
 * Parses `tshark -q -z conv,tcp -z conv,udp` tables. tshark prints byte counts
 * as "1234 bytes" or rounded ("11 kB", "2 MB"); `exact` says which.
 */
export interface TsharkConversation {
  transport: 'tcp' | 'udp';
  a: string; // "addr:port" as tshark prints it
  b: string;
  framesAtoB: number;
  bytesAtoB: ByteCount;
  framesBtoA: number;
  bytesBtoA: ByteCount;
}

export interface ByteCount {
  value: number;
  /** False when tshark rounded the value to a unit (kB, MB...). */
  exact: boolean;
  /** Size of the unit in bytes (1 when exact). */
  unit: number;
}

const UNITS: Record<string, number> = { bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

function byteCount(n: string, unit: string): ByteCount {
  const size = UNITS[unit];
  if (size === undefined) throw new Error(`unknown tshark byte unit ${unit}`);
  return { value: Number(n.replace(/,/g, '')) * size, exact: size === 1, unit: size };
}

export function parseConversations(text: string): TsharkConversation[] {
  const out: TsharkConversation[] = [];
  let transport: 'tcp' | 'udp' | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('TCP Conversations')) transport = 'tcp';
    else if (line.startsWith('UDP Conversations')) transport = 'udp';
    // Byte counts may be negative: tshark sums frame lengths in a signed 32-bit integer.
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(-?[\d,]+)\s+(bytes|kB|MB|GB|TB)\s+(\d+)\s+(-?[\d,]+)\s+(bytes|kB|MB|GB|TB)\s+/.exec(line);
    if (!m || !transport) continue;
    // Columns: "<-" (frames and bytes B to A) first, then "->" (A to B).
    out.push({
      transport, a: m[1], b: m[2],
      framesBtoA: Number(m[3]), bytesBtoA: byteCount(m[4], m[5]),
      framesAtoB: Number(m[6]), bytesAtoB: byteCount(m[7], m[8]),
    });
  }
  return out;
}

/** "addr:port" -> [addr, port]; IPv6 addresses contain colons, so split at the last one. */
export function splitEndpoint(endpoint: string): [string, number] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
}
