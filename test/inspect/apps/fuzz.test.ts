/**
 * Seeded mutation fuzzing of the application parsers: byte flips, length
 * fields set to extremes, cuts and splices of the fixtures. Nothing may
 * throw, read outside [off, end) (the fixtures sit between guard bytes that
 * must not show up in any string) or return a string longer than 256.
 */
import { describe, expect, it } from 'vitest';
import { MAX_APP_LIST, MAX_APP_STRING } from '../../../src/inspect/apps/app-common.js';
import { parseDtls } from '../../../src/inspect/apps/dtls.js';
import { parseHttpRequest, parseHttpResponse } from '../../../src/inspect/apps/http.js';
import { parseSip } from '../../../src/inspect/apps/sip.js';
import { parseTlsHello } from '../../../src/inspect/apps/tls.js';
import { parseTlsRecords } from '../../../src/inspect/apps/tls-records.js';
import { prng } from '../../helpers/prng.js';
import * as F from './fixtures.js';

const ROUNDS = 12_000;
const GUARD = 0x7e; // '~': appears in no fixture
const SEEDS = [F.CLIENT_HELLO, F.SSL2_CLIENT_HELLO, F.SERVER_HELLO, F.PSEUDO_TLS_CLIENT, F.PSEUDO_TLS_SERVER, F.DTLS_CLIENT_HELLO, F.DTLS_APPLICATION_DATA, F.SIP_INVITE, F.SIP_RESPONSE, F.HTTP_GET, F.HTTP_RESPONSE, F.TLS_RECORDS];
const PARSERS = [parseTlsHello, parseTlsRecords, parseDtls, parseSip, parseHttpRequest, parseHttpResponse];

function mutate(src: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(src);
  const kind = Math.floor(rnd() * 5);
  const at = Math.floor(rnd() * b.length);
  if (kind === 0) for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  else if (kind === 1) { b[at] = 0xff; if (at + 1 < b.length) b[at + 1] = 0xff; } // a length set to its maximum
  else if (kind === 2) { b[at] = 0; if (at + 1 < b.length) b[at + 1] = 0; } // a length set to zero
  else if (kind === 3) return b.subarray(0, at); // cut
  else return Buffer.concat([b.subarray(0, at), SEEDS[Math.floor(rnd() * SEEDS.length)].subarray(Math.floor(rnd() * 40))]); // splice
  return b;
}

function checkStrings(value: unknown, path: string): void {
  if (typeof value === 'string') {
    expect(value.length, path).toBeLessThanOrEqual(MAX_APP_STRING);
    expect(value.includes('~'), `${path} read outside its range`).toBe(false);
  } else if (Array.isArray(value)) {
    expect(value.length, path).toBeLessThanOrEqual(MAX_APP_LIST);
    value.forEach((v, i) => checkStrings(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkStrings(v, `${path}.${k}`);
  }
}

describe('application parsers under seeded mutation', () => {
  it(`${ROUNDS} mutations x ${PARSERS.length} parsers: no throw, bounded strings, nothing read outside [off, end)`, () => {
    const rnd = prng(0x5eed_a995);
    let recognised = 0;
    let anomalies = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const m = Buffer.from(mutate(SEEDS[round % SEEDS.length], rnd));
      for (let i = 0; i < m.length; i++) if (m[i] === GUARD) m[i] = GUARD - 1; // the guard byte only outside
      const framed = Buffer.concat([Buffer.alloc(3, GUARD), m, Buffer.alloc(3, GUARD)]);
      for (const parse of PARSERS) {
        const r = parse(framed, 3, 3 + m.length);
        if (r === null) continue;
        recognised++;
        if (r.anomaly !== null) anomalies++;
        checkStrings(r, parse.name);
      }
    }
    // The mutations keep most inputs recognisable and damage many: the fuzzer reaches the deep paths.
    expect(recognised).toBeGreaterThan(ROUNDS / 2);
    expect(anomalies).toBeGreaterThan(ROUNDS / 20);
  });
});
