/** Annotated hex fixtures for the application parsers. `hex` drops comments (from '#') and whitespace. */
export function hex(text: string): Buffer {
  return Buffer.from(text.split('\n').map((l) => l.replace(/#.*/, '')).join('').replace(/\s+/g, ''), 'hex');
}

const RANDOM = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

/** TLS 1.3 ClientHello: SNI sip.contoso.com, ALPN h2 + http/1.1, supported_versions GREASE + TLS 1.3. */
export const CLIENT_HELLO = hex(`
  16 0301 0064                    # record: handshake, TLS 1.0, 100 bytes
  01 000060                       # client_hello, 96 bytes
  0303                            # legacy_version TLS 1.2
  ${RANDOM}                       # random
  00                              # session_id: empty
  0004 1301 1302                  # cipher_suites: 2 suites
  01 00                           # compression_methods: null
  0033                            # extensions: 51 bytes
  0000 0014                       #   server_name, 20 bytes
    0012 00 000f                  #     list 18 bytes; host_name, 15 bytes
    7369702e636f6e746f736f2e636f6d #     "sip.contoso.com"
  0010 000e                       #   ALPN, 14 bytes
    000c 02 6832                  #     list 12 bytes; "h2"
    08 687474702f312e31           #     "http/1.1"
  002b 0005                       #   supported_versions, 5 bytes
    04 0a0a 0304                  #     4 bytes: GREASE, TLS 1.3
`);
/** Offset one past the SNI's last byte in CLIENT_HELLO. */
export const CLIENT_HELLO_SNI_END = 5 + 4 + 2 + 32 + 1 + 6 + 2 + 2 + 4 + 5 + 15;

/** TLS 1.3 ServerHello selecting TLS 1.3 through supported_versions. */
export const SERVER_HELLO = hex(`
  16 0303 0032                    # record: handshake, TLS 1.2, 50 bytes
  02 00002e                       # server_hello, 46 bytes
  0303                            # legacy_version TLS 1.2
  ${RANDOM}                       # random
  00                              # session_id: empty
  1301                            # cipher_suite TLS_AES_128_GCM_SHA256
  00                              # compression: null
  0006                            # extensions: 6 bytes
  002b 0002 0304                  #   supported_versions: TLS 1.3
`);

/** MS-TURN pseudo-TLS ClientHello of the A/V Edge on TCP 443 (50 bytes; libnice pseudossl.c MSOC). */
export const PSEUDO_TLS_CLIENT = hex(`
  16 0301 002d                    # record: handshake, TLS 1.0, 45 bytes
  01 000029                       # client_hello, 41 bytes
  0301                            # legacy_version TLS 1.0
  c1fcd5a36d93dd7e0b45673fec7985fbbc3fd660c2ce8485081b8121bcaa10fb # random
  00                              # session_id: empty
  0002 0018                       # cipher_suites: TLS_DH_anon_WITH_RC4_128_MD5 only
  01 00                           # compression_methods: null
`);

/** MS-TURN pseudo-TLS server answer: ServerHello (0x0018) and ServerHelloDone in one 83-byte record. */
export const PSEUDO_TLS_SERVER = hex(`
  16 0301 004e                    # record: handshake, TLS 1.0, 78 bytes
  02 000046                       # server_hello, 70 bytes
  0301                            # legacy_version TLS 1.0
  ${RANDOM}                       # random
  20 ${RANDOM}                    # session_id: 32 bytes
  0018                            # cipher_suite TLS_DH_anon_WITH_RC4_128_MD5
  00                              # compression: null
  0e 000000                       # server_hello_done, empty
`);

/** DTLS 1.2 ClientHello (as WebRTC/SfB media sends it before SRTP keys), one record. */
export const DTLS_CLIENT_HELLO = hex(`
  16 feff 0000 000000000000 0041  # record: handshake, DTLS 1.0, epoch 0, seq 0, 65 bytes
  01 000035 0000 000000 000035    # client_hello, 53 bytes, message_seq 0, offset 0, fragment 53
  fefd                            # client_version DTLS 1.2
  ${RANDOM}                       # random
  00                              # session_id: empty
  00                              # cookie: empty
  0002 c02b                       # cipher_suites: ECDHE-ECDSA-AES128-GCM-SHA256
  01 00                           # compression_methods: null
  0009                            # extensions: 9 bytes
  000e 0005 0002 0001 00          #   use_srtp: SRTP_AES128_CM_SHA1_80, no MKI
`);

/** A DTLS application_data record (epoch 1), as SRTP key exchange is done. */
export const DTLS_APPLICATION_DATA = hex(`
  17 fefd 0001 000000000005 0008  # record: application_data, DTLS 1.2, epoch 1, seq 5, 8 bytes
  0102030405060708                # ciphertext
`);

/** A TLS record (RFC 8446 §5.1): its header and `length` bytes standing for ciphertext. */
export function tlsRecord(type: number, length: number, version = 0x0303): Buffer {
  const b = Buffer.alloc(5 + length, 0x3c);
  b[0] = type;
  b.writeUInt16BE(version, 1);
  b.writeUInt16BE(length, 3);
  return b;
}

/** TLS records of a connection captured after its hellos: an empty record of data (OpenSSL's TLS 1.0 CBC countermeasure), data, an alert. */
export const TLS_RECORDS = hex(`
  17 0301 0000                    # application_data, TLS 1.0, empty
  17 0301 0010                    # application_data, TLS 1.0, 16 bytes
  00112233445566778899aabbccddeeff
  15 0301 0002                    # alert, 2 bytes
  0100
`);

export const SIP_INVITE = Buffer.from(
  'INVITE sip:bob@contoso.com SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n' +
  'From: "Alice" <sip:alice@fabrikam.com>;tag=1928301774\r\n' +
  'To: <sip:bob@contoso.com>\r\n' +
  'i: a84b4c76e66710@pc33.fabrikam.com\r\n' +
  'CSeq: 314159 INVITE\r\n' +
  'User-Agent: UCCAPI/16.0.4266.1001 OC/16.0.4266.1001\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n', 'latin1');

export const SIP_RESPONSE = Buffer.from(
  'SIP/2.0 486 Busy Here\r\n' +
  'f: <sip:alice@fabrikam.com>;tag=1928301774\r\n' +
  't: <sip:bob@contoso.com>;tag=a6c85cf\r\n' +
  'Call-ID: a84b4c76e66710@pc33.fabrikam.com\r\n' +
  'Server: RTCC/6.0.0.0 MediationServer\r\n' +
  '\r\n', 'latin1');

export const HTTP_GET = Buffer.from(
  'GET /meet/alice/ABC123 HTTP/1.1\r\n' +
  'Host: meet.contoso.com\r\n' +
  'User-Agent: Mozilla/5.0\r\n' +
  '\r\n', 'latin1');

export const HTTP_RESPONSE = Buffer.from(
  'HTTP/1.1 503 Service Unavailable\r\n' +
  'Server: Microsoft-IIS/8.5\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n', 'latin1');

/** SSL 2.0-compatible ClientHello offering TLS 1.0 (RFC 5246 E.2), as legacy Skype / Google pseudo-SSL send it (72 bytes). */
export const SSL2_CLIENT_HELLO = hex(`
  8046                            # 2-byte header, high bit set: 70 bytes follow
  01 0301                         # CLIENT-HELLO, version TLS 1.0
  002d 0000 0010                  # cipher_spec_length 45 (15 specs), session_id 0, challenge 16
  000005 000004 00000a 000009 000064 000062 000008 000003 000006 010080 0700c0 030080 060040 020080 040080
  3fe40572bb30e19ef73c7d8af308d936  # challenge
`);
