/**
 * DTLS records in a UDP datagram (RFC 6347 §4.1, RFC 9147 §4): which content
 * types, which version, whether a handshake was seen, and for a ClientHello
 * or ServerHello in epoch 0 the same fields as TLS (SNI, versions, ALPN).
 *
 * DTLSPlaintext header (RFC 6347 §4.1):
 *
 *    +------+---------+-------+-----------------+--------+
 *    | type | version | epoch | sequence_number | length |
 *    |  1   |    2    |   2   |        6        |   2    |   13 bytes
 *    +------+---------+-------+-----------------+--------+
 *
 * Handshake header (RFC 6347 §4.2.2): msg_type(1) length(3) message_seq(2)
 * fragment_offset(3) fragment_length(3), 12 bytes.
 *
 * DTLS 1.3 ciphertext records use a unified header whose first byte is
 * 001CSLEE (RFC 9147 §4); the connection id length is not in the packet, so
 * such a record is only named, not walked, and only after a record whose
 * header checks (a datagram that starts with one proves nothing). Several records may share one
 * datagram (RFC 6347 §4.1.1): at most MAX_RECORDS are looked at.
 */
import { MAX_APP_LIST, u16, u24, versionName } from './app-common.js';
import { parseHelloBody, Room, TLS_CLIENT_HELLO, TLS_MAX_RECORD, TLS_SERVER_HELLO, type TlsHello } from './tls.js';

export const DTLS_RECORD_HEADER = 13; // RFC 6347 §4.1
export const DTLS_HANDSHAKE_HEADER = 12; // RFC 6347 §4.2.2
export const DTLS_CT_CHANGE_CIPHER_SPEC = 20; // RFC 6347 §4.1 (TLS content types, RFC 5246 §6.2.1)
export const DTLS_CT_ALERT = 21;
export const DTLS_CT_HANDSHAKE = 22;
export const DTLS_CT_APPLICATION_DATA = 23;
export const DTLS_CT_HEARTBEAT = 24; // RFC 6520
export const DTLS_CT_TLS12_CID = 25; // RFC 9146
const UNIFIED_HEADER_MASK = 0xe0; // RFC 9147 §4: first three bits 001
const UNIFIED_HEADER_BITS = 0x20;
const MAX_RECORDS = 16;

const CONTENT_TYPE_NAMES: Record<number, string> = {
  20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data', 24: 'heartbeat', 25: 'tls12_cid',
};
const HANDSHAKE_NAMES: Record<number, string> = {
  0: 'hello_request', 1: 'client_hello', 2: 'server_hello', 3: 'hello_verify_request', 4: 'new_session_ticket',
  11: 'certificate', 12: 'server_key_exchange', 13: 'certificate_request', 14: 'server_hello_done',
  15: 'certificate_verify', 16: 'client_key_exchange', 20: 'finished',
};

/** Hello fields come from an epoch-0 ClientHello or ServerHello (see TlsHello); a hello fragmented over datagrams gives what its first fragment holds (`truncated`, no anomaly). */
export interface DtlsInfo extends Pick<TlsHello, 'sni' | 'alpn' | 'offeredVersions' | 'selectedVersion' | 'cipherSuite' | 'truncated' | 'anomaly'> {
  protocol: 'dtls';
  /** Version of the first record ("DTLS 1.0", "DTLS 1.2"; "DTLS 1.3" for a unified header). */
  version: string;
  /** Content type of each record in the datagram, in order (at most 16): 'handshake', 'application_data', 'dtls13_ciphertext'... */
  contentTypes: string[];
  /** True when a handshake record was seen. */
  handshake: boolean;
  /** Handshake message types of the unencrypted (epoch 0) handshake records, in order. */
  handshakeTypes: string[];
}

function validHeader(buf: Buffer, p: number): boolean {
  const type = buf[p];
  if (type < DTLS_CT_CHANGE_CIPHER_SPEC || type > DTLS_CT_TLS12_CID) return false;
  const major = buf[p + 1];
  const minor = buf[p + 2];
  return major === 0xfe && (minor === 0xff || minor === 0xfd || minor === 0xfc); // RFC 6347 §4.1: 1's complement versions
}

/** DTLS records at the start of a UDP payload buf[off, end), or null when it is not DTLS. Never throws. */
export function parseDtls(buf: Buffer, off: number, end: number): DtlsInfo | null {
  if (end - off < 1) return null;
  // A datagram starting with a DTLS 1.3 unified header (first byte 001xxxxx) is not taken as DTLS on
  // its own: nothing else in it can be checked, and NTP (0x23, 0x24...) and SNMP start with such bytes.
  // After a record with a valid header it is (below).
  if (end - off < DTLS_RECORD_HEADER || !validHeader(buf, off)) return null;
  const info: DtlsInfo = {
    protocol: 'dtls',
    version: versionName(u16(buf, off + 1)),
    contentTypes: [],
    handshake: false,
    handshakeTypes: [],
    truncated: false,
    anomaly: null,
  };
  let p = off;
  // Each record consumes at least its 13-byte header: the loop ends.
  for (let n = 0; p < end && n < MAX_RECORDS; n++) {
    if ((buf[p] & UNIFIED_HEADER_MASK) === UNIFIED_HEADER_BITS) {
      info.contentTypes.push('dtls13_ciphertext');
      break; // its length may be implicit or follow a connection id of unknown size
    }
    if (end - p < DTLS_RECORD_HEADER || !validHeader(buf, p)) return bad(info);
    const type = buf[p];
    const epoch = u16(buf, p + 3);
    const len = u16(buf, p + 11);
    if (len > TLS_MAX_RECORD) return bad(info);
    info.contentTypes.push(CONTENT_TYPE_NAMES[type]);
    const body = p + DTLS_RECORD_HEADER;
    const recEnd = body + len;
    if (type === DTLS_CT_HANDSHAKE) {
      info.handshake = true;
      if (epoch === 0 && !handshakeRecord(buf, body, Math.min(recEnd, end), recEnd, info)) return bad(info);
    }
    if (recEnd > end) return bad(info);
    p = recEnd;
  }
  return info;
}

function bad(info: DtlsInfo): DtlsInfo {
  info.truncated = true;
  info.anomaly = 'dtls_record_malformed';
  return info;
}

/** Handshake messages of one plaintext record; false when a length runs past the record. */
function handshakeRecord(buf: Buffer, p: number, avail: number, recEnd: number, info: DtlsInfo): boolean {
  // Each message consumes at least its 12-byte header.
  while (p < recEnd) {
    if (p + DTLS_HANDSHAKE_HEADER > avail) return false;
    const type = buf[p];
    const fragOffset = u24(buf, p + 6);
    const fragLen = u24(buf, p + 9);
    const body = p + DTLS_HANDSHAKE_HEADER;
    if (body + fragLen > recEnd) return false;
    if (info.handshakeTypes.length < MAX_APP_LIST) info.handshakeTypes.push(HANDSHAKE_NAMES[type] ?? `type_${type}`);
    if ((type === TLS_CLIENT_HELLO || type === TLS_SERVER_HELLO) && fragOffset === 0 && info.sni === undefined) {
      const hello: TlsHello = { protocol: 'dtls', handshake: type === TLS_CLIENT_HELLO ? 'client_hello' : 'server_hello', recordVersion: info.version, truncated: false, anomaly: null };
      // A hello larger than the path MTU comes in fragments (RFC 6347 §4.2.3): lengths inside it are
      // checked against the whole message; what lies beyond this fragment is merely not here.
      const msgLen = u24(buf, p + 1);
      if (fragLen > msgLen) return false;
      const st = parseHelloBody(buf, body, { declared: body + msgLen, avail: Math.min(avail, body + fragLen) }, type === TLS_CLIENT_HELLO, true, hello);
      if (st === Room.Malformed) return false;
      if (st === Room.Truncated) info.truncated = true;
      copyHello(hello, info);
    }
    p = body + fragLen;
  }
  return true;
}

function copyHello(hello: TlsHello, info: DtlsInfo): void {
  if (hello.sni !== undefined) info.sni = hello.sni; // already bounded by clip()
  if (hello.alpn !== undefined) info.alpn = hello.alpn;
  if (hello.offeredVersions !== undefined) info.offeredVersions = hello.offeredVersions;
  if (hello.selectedVersion !== undefined) info.selectedVersion = hello.selectedVersion;
  if (hello.cipherSuite !== undefined) info.cipherSuite = hello.cipherSuite;
}
