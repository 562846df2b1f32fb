/**
 * TLS seen mid-session: a capture that starts after the handshake (a SIP/TLS
 * or HTTPS connection open for hours, as on an Edge's 443 and 5061) shows
 * only records of encrypted data, never a hello. Such a flow is TLS by the
 * record layer alone (RFC 8446 §5.1, RFC 5246 §6.2):
 *
 *    +--------+--------+--------+--------+--------+----------------------+
 *    |  type  |  legacy_version |      length     |  encrypted fragment  |
 *    +--------+--------+--------+--------+--------+----------------------+
 *      20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data
 *
 * A TCP payload proves it when it starts with a record header and every
 * record in it is followed by another header, up to the last one, which
 * ends with the payload or goes on past it (a record spans segments): what
 * a sender writing records back to back produces, and what the middle of a
 * record's ciphertext almost never does: random bytes pass the first header
 * alone about once in five million payloads.
 *
 * The hello parser (tls.ts) is tried first: a handshake record here holds
 * another message (a certificate, a session ticket, an encrypted Finished),
 * so the capture started after the hellos.
 */
import { versionName } from './app-common.js';
import { TLS_MAX_RECORD, TLS_RECORD_HEADER } from './tls.js';

const CHANGE_CIPHER_SPEC = 20; // RFC 5246 §6.2.1 ContentType
const APPLICATION_DATA = 23; // RFC 8446 §5.1 ContentType
const LOWEST_VERSION = 0x0301; // TLS 1.0 (RFC 2246): SSL 3.0 is not spoken by anything a Lync Edge accepts
const HIGHEST_VERSION = 0x0303; // TLS 1.3 keeps 0x0303 in its records (RFC 8446 §5.1)

/** The `apps` entry of a TLS flow seen after its handshake. */
export interface TlsMidSession {
  protocol: 'tls';
  /** No hello was seen: the capture started after the handshake. */
  midSession: true;
  /** Record layer version of the first record ("TLS 1.2"...). */
  recordVersion: string;
  anomaly: null;
}

/** The records at the start of buf[off, end) (a TCP payload), or null when these bytes are not TLS records. Never throws. */
export function parseTlsRecords(buf: Buffer, off: number, end: number): TlsMidSession | null {
  if (end - off < TLS_RECORD_HEADER) return null;
  let at = off;
  let data = false;
  while (end - at >= TLS_RECORD_HEADER) {
    const length = (buf[at + 3] << 8) | buf[at + 4];
    // RFC 5246 §6.2.1: only application data may be sent as an empty fragment (OpenSSL's
    // countermeasure to CBC attacks sends one before each record of TLS 1.0).
    if (!recordStart(buf, at, at + 3) || (length === 0 && buf[at] !== APPLICATION_DATA) || length > TLS_MAX_RECORD) return null;
    if (length > 0) data = true;
    at += TLS_RECORD_HEADER + length;
  }
  // The last record ends with the payload or past it, or the payload ends inside the next header.
  // Empty records alone are too little to tell (Skype's legacy transport sends them).
  if (!data || (at < end && !recordStart(buf, at, end))) return null;
  return { protocol: 'tls', midSession: true, recordVersion: versionName((buf[off + 1] << 8) | buf[off + 2]), anomaly: null };
}

/** Whether buf[at, end), at most a header's type and version, could start a record of data. */
function recordStart(buf: Buffer, at: number, end: number): boolean {
  const type = buf[at];
  if (type < CHANGE_CIPHER_SPEC || type > APPLICATION_DATA) return false;
  if (end - at >= 2 && buf[at + 1] !== LOWEST_VERSION >> 8) return false;
  if (end - at >= 3) {
    const version = (buf[at + 1] << 8) | buf[at + 2];
    if (version < LOWEST_VERSION || version > HIGHEST_VERSION) return false;
  }
  return true;
}
