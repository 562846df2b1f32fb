import { describe, expect, it } from 'vitest';
import { parseDtls } from '../../../src/inspect/apps/dtls.js';
import { DTLS_APPLICATION_DATA, DTLS_CLIENT_HELLO, hex } from './fixtures.js';

const parse = (b: Buffer) => parseDtls(b, 0, b.length);

describe('parseDtls', () => {
  it('sees the handshake and the offered version of a ClientHello (cookie skipped)', () => {
    expect(parse(DTLS_CLIENT_HELLO)).toEqual({
      protocol: 'dtls', version: 'DTLS 1.0', contentTypes: ['handshake'], handshake: true, handshakeTypes: ['client_hello'],
      offeredVersions: ['DTLS 1.2'], truncated: false, anomaly: null,
    });
  });

  it('names application data and walks several records of one datagram', () => {
    expect(parse(DTLS_APPLICATION_DATA)).toMatchObject({ version: 'DTLS 1.2', contentTypes: ['application_data'], handshake: false });
    const two = Buffer.concat([DTLS_CLIENT_HELLO, DTLS_APPLICATION_DATA]);
    expect(parse(two)).toMatchObject({ contentTypes: ['handshake', 'application_data'], anomaly: null });
  });

  it('names a DTLS 1.3 unified-header record after a checkable record, without walking it', () => {
    // change_cipher_spec, DTLS 1.2, epoch 0, sequence 1, length 1 | unified header 001 0 1 1 11: seq, length, ciphertext
    expect(parse(hex('14 fefd 0000 000000000001 0001 01  2f 0001 0010 aabbccdd'))).toMatchObject({ contentTypes: ['change_cipher_spec', 'dtls13_ciphertext'] });
  });

  it('does not take a datagram that only starts like a unified header for DTLS (NTP, SNMP start so)', () => {
    expect(parse(hex('2f 0001 0010 aabbccdd'))).toBeNull();
    expect(parse(hex('23 02 06 e9 00000000 00000000 00000000'))).toBeNull(); // NTPv4 client request: LI 0, VN 4, mode 3
  });

  it('returns null for STUN, RTP, TLS on TCP', () => {
    expect(parse(hex('0001 0000 2112a442 000000000000000000000000'))).toBeNull();
    expect(parse(hex('80 00 0001 00000000 00000001'))).toBeNull();
    expect(parse(hex('16 0301 0010 01 000000'))).toBeNull();
  });

  it('every prefix: never throws; a cut record is reported, never read past', () => {
    for (let n = 0; n <= DTLS_CLIENT_HELLO.length; n++) {
      const r = parseDtls(DTLS_CLIENT_HELLO, 0, n);
      if (n < 13) { expect(r).toBeNull(); continue; }
      expect(r?.handshake).toBe(true);
      expect(r?.anomaly).toBe(n < DTLS_CLIENT_HELLO.length ? 'dtls_record_malformed' : null);
    }
  });

  it('a fragment length beyond its record is malformed', () => {
    const b = Buffer.from(DTLS_CLIENT_HELLO);
    b.writeUIntBE(0x000100, 13 + 9, 3); // fragment_length 256 in a 65-byte record
    expect(parse(b)?.anomaly).toBe('dtls_record_malformed');
  });
});

describe('parseDtls: fragmented hello', () => {
  it('reads the first fragment of a hello larger than its datagram without calling it malformed', () => {
    // The fixture's hello (53 bytes) declared as 80 bytes, of which this datagram carries the first 53.
    const b = Buffer.from(DTLS_CLIENT_HELLO);
    b.writeUIntBE(80, 13 + 1, 3); // handshake length 80, fragment_length stays 53
    b.writeUInt16BE(0x0020, 13 + 12 + 2 + 32 + 1 + 1 + 4 + 2); // extensions claim 32 bytes: past the fragment, inside the message
    expect(parseDtls(b, 0, b.length)).toMatchObject({ handshakeTypes: ['client_hello'], offeredVersions: ['DTLS 1.2'], truncated: true, anomaly: null });
  });
});
