/**
 * What the application parsers (TLS, DTLS, SIP, HTTP) share: the named
 * anomalies they report, and how strings copied out of packets are bounded.
 *
 * These parsers run on the first payload packets of a flow only, so they may
 * allocate. They never throw and never loop without consuming input: every
 * loop advances by at least one header's bytes.
 *
 * Integration (inspect-core): each result carries `anomaly` (one of
 * APP_ANOMALIES' names, or null); count it under that name. Add the names
 * to src/anomalies.ts (fate false: the packet stays in its flow).
 */

/** Longest string copied from a packet (SNI, Call-ID, Host, User-Agent...): hostile input is bounded. */
export const MAX_APP_STRING = 256;
/** Most list entries kept (ALPN protocols, offered versions). */
export const MAX_APP_LIST = 16;

export const APP_ANOMALIES = [
  { name: 'tls_hello_truncated', description: 'TLS ClientHello/ServerHello shorter than its declared length in the packet (split across TCP segments or cut by the snaplen); the fields present were read' },
  { name: 'tls_hello_malformed', description: 'TLS ClientHello/ServerHello whose inner lengths contradict the outer ones (a vector or extension past its container); parsing stopped there' },
  { name: 'dtls_record_malformed', description: 'DTLS record or handshake fragment whose length runs past the datagram or its container (or cut by the snaplen)' },
  { name: 'sip_message_malformed', description: 'SIP start line followed by a header line without a colon; headers after it were not read' },
  { name: 'http_request_malformed', description: 'HTTP request line followed by a header line without a colon; headers after it were not read' },
  { name: 'http_response_malformed', description: 'HTTP status line followed by a header line without a colon; headers after it were not read' },
] as const;
export type AppAnomaly = (typeof APP_ANOMALIES)[number]['name'];

/**
 * buf[start, end), at most MAX_APP_STRING bytes, as text: UTF-8 (what SIP,
 * HTTP and IDNA names carry), invalid sequences and control characters (C0,
 * DEL, C1) replaced by U+FFFD, as for STUN texts: a library user printing an
 * SNI or a User-Agent must not send a capture's escape sequences to a terminal.
 */
export function clip(buf: Buffer, start: number, end: number): string {
  if (end > start + MAX_APP_STRING) end = start + MAX_APP_STRING;
  // eslint-disable-next-line no-control-regex
  return end > start ? buf.toString('utf8', start, end).replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd') : '';
}

/** TLS/DTLS protocol version as people write it (RFC 8446 §4.2.1, RFC 9147 §5.3), else "0x" + 4 hex digits. */
export function versionName(v: number): string {
  switch (v) {
    case 0x0300: return 'SSL 3.0';
    case 0x0301: return 'TLS 1.0';
    case 0x0302: return 'TLS 1.1';
    case 0x0303: return 'TLS 1.2';
    case 0x0304: return 'TLS 1.3';
    case 0xfeff: return 'DTLS 1.0';
    case 0xfefd: return 'DTLS 1.2';
    case 0xfefc: return 'DTLS 1.3';
    default: return '0x' + v.toString(16).padStart(4, '0');
  }
}

/** RFC 8701 GREASE values (0x0A0A, 0x1A1A ... 0xFAFA): placeholders, not versions or suites. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

export function u16(buf: Buffer, o: number): number {
  return (buf[o] << 8) | buf[o + 1];
}

export function u24(buf: Buffer, o: number): number {
  return (buf[o] << 16) | (buf[o + 1] << 8) | buf[o + 2];
}
