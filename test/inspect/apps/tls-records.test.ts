/** TLS record headers without a hello (apps/tls-records.ts): a connection captured after its handshake. */
import { describe, expect, it } from 'vitest';
import { parseTlsRecords } from '../../../src/inspect/apps/tls-records.js';
import { TLS_MAX_RECORD } from '../../../src/inspect/apps/tls.js';
import { prng } from '../../helpers/prng.js';
import { tlsRecord } from './fixtures.js';

const parse = (b: Buffer) => parseTlsRecords(b, 0, b.length);

describe('parseTlsRecords', () => {
  it('reads records that fill the payload, one that goes on past it, and a payload ending inside the next header', () => {
    expect(parse(tlsRecord(23, 100))).toEqual({ protocol: 'tls', midSession: true, recordVersion: 'TLS 1.2', anomaly: null });
    expect(parse(Buffer.concat([tlsRecord(20, 1, 0x0301), tlsRecord(23, 60)]))).toMatchObject({ recordVersion: 'TLS 1.0' });
    expect(parse(tlsRecord(23, 16384).subarray(0, 1400))).not.toBeNull(); // a record spanning segments
    for (const cut of [1, 2, 3, 4]) expect(parse(Buffer.concat([tlsRecord(23, 40), tlsRecord(21, 2).subarray(0, cut)]))).not.toBeNull();
  });

  it('reads handshake records that the hello parser left (a capture that started after the hellos)', () => {
    expect(parse(Buffer.concat([tlsRecord(22, 60), tlsRecord(20, 1), tlsRecord(22, 40)]))).toMatchObject({ midSession: true });
  });

  it('refuses SSL 3.0 and unknown versions, empty records of other types than data, and oversized records', () => {
    expect(parse(tlsRecord(23, 100, 0x0300))).toBeNull();
    expect(parse(tlsRecord(23, 100, 0x0304))).toBeNull(); // TLS 1.3 records say 0x0303
    expect(parse(Buffer.concat([tlsRecord(23, 0), tlsRecord(23, 32)]))).not.toBeNull(); // RFC 5246 §6.2.1: application data may be empty
    expect(parse(tlsRecord(23, 0))).toBeNull(); // but alone it is too little to tell
    expect(parse(Buffer.concat([tlsRecord(22, 0), tlsRecord(23, 32)]))).toBeNull(); // other types may not be empty
    expect(parse(tlsRecord(23, TLS_MAX_RECORD + 1))).toBeNull();
    expect(parse(tlsRecord(24, 100))).toBeNull(); // heartbeat: not data
  });

  it('refuses a record followed by bytes that are no record header, even cut short', () => {
    expect(parse(Buffer.concat([tlsRecord(23, 40), Buffer.from('HTTP/1.1 200 OK\r\n')]))).toBeNull();
    expect(parse(Buffer.concat([tlsRecord(23, 40), Buffer.from([0x17, 0x04])]))).toBeNull();
    expect(parse(Buffer.concat([tlsRecord(23, 40), Buffer.from([0x17, 0x03, 0x04])]))).toBeNull();
    expect(parse(Buffer.from([0x17, 0x03, 0x03, 0x00]))).toBeNull(); // less than a header
  });

  it('never throws on any prefix of records, and almost never takes random bytes for records', () => {
    const two = Buffer.concat([tlsRecord(23, 30), tlsRecord(23, 30)]);
    for (let n = 0; n <= two.length; n++) expect(() => parseTlsRecords(two, 0, n)).not.toThrow();
    const rand = prng(7);
    const b = Buffer.alloc(1200);
    let taken = 0;
    for (let i = 0; i < 20_000; i++) {
      for (let j = 0; j < b.length; j++) b[j] = rand() * 256;
      if (parse(b) !== null) taken++;
    }
    expect(taken).toBe(0);
  });
});
