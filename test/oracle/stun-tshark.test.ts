/**
 * STUN against tshark: on every shared capture (and every sample), the STUN
 * messages per flow and type (ChannelData counted as one more "type") equal
 * tshark 4.0's decode in its automatic mode, or the difference is one of the
 * tshark limitations named below and asserted as such.
 *
 * Known limitations of tshark, each checked rather than waived:
 * - MS-TURN over TCP 443 (pseudo-TLS, then 4-byte framing): tshark decodes
 *   the fake hello as TLS and never reaches the STUN inside; those flows
 *   (framing 'ms-turn-tcp' in our report) are compared to nothing, and must
 *   hold at least one message.
 * - TCP segments tshark marks as retransmissions: tshark decodes their bytes
 *   again, flowaudit frames each byte of the stream once; those messages are
 *   subtracted from tshark's side (listed by tsharkStun separately).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { SAMPLES, SHARED_CAPTURES, hasSharedCaptures, hasTool, sharedCaptures, skipNote, TSHARK_GUESSES_FORMAT } from '../helpers/environment.js';
import { compareStunWithTshark as compare } from './stun-tshark-lib.js';

const tshark = hasTool('tshark');
skipNote('STUN against tshark', [...(tshark ? [] : ['tshark']), ...(hasSharedCaptures ? [] : [SHARED_CAPTURES])]);

const shared = sharedCaptures().filter((f) => f !== TSHARK_GUESSES_FORMAT).map((f) => join(SHARED_CAPTURES, f));
const samples = readdirSync(SAMPLES).filter((f) => /\.pcap$/.test(f)).map((f) => join(SAMPLES, f));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe.skipIf(!tshark || !hasSharedCaptures)('STUN messages per flow and type equal tshark (shared captures)', () => {
  it.each(shared.map((f) => [f.split('/').pop()!, f]))('%s', async (_name, file) => {
    const { differences } = await compare(file);
    expect(differences).toEqual([]);
  });

  it('the comparison is not vacuous: the STUN captures hold every dialect, TURN over TCP and ChannelData', async () => {
    const byName = (n: string) => join(SHARED_CAPTURES, n);
    const teams = (await compare(byName('msturn_teams_ndpi.pcap'))).report;
    expect(teams.stun.byDialect['ms-turn']).toBeGreaterThan(20);
    expect(teams.stun.byDialect.rfc5389).toBeGreaterThan(20);
    const classic = (await compare(byName('stun_classic_zoom_p2p_ndpi.pcapng'))).report;
    expect(classic.stun.byDialect.rfc3489).toBeGreaterThan(50);
    const turn = (await compare(byName('turn_full_multi_iface_ndpi.pcapng'))).report;
    const framings = new Set(turn.stun.perFlow.map((s: Json) => s.framing).filter(Boolean));
    expect([...framings].sort()).toEqual(['rfc4571', 'turn-tcp']);
    expect(turn.stun.perFlow.some((s: Json) => s.channelData?.messages > 0)).toBe(true);
  });
});

describe.skipIf(!tshark)('STUN messages per flow and type equal tshark (samples)', () => {
  it.each(samples.map((f) => [f.split('/').pop()!, f]))('%s', async (_name, file) => {
    const { differences } = await compare(file);
    expect(differences).toEqual([]);
  });
});
