/**
 * Hostile input: 12,000 seeded mutations of real STUN messages (RFC 5389,
 * MS-TURN, classic, TURN errors) through the parser and through the
 * inspector over UDP, RFC 4571 TCP and MS-TURN TCP framing: nothing throws,
 * and each kind of malformation lands under its named anomaly. Then mutated
 * TCP streams captured after they began (MS-TURN data frames, ChannelData,
 * TLS records) through the inspector's mid-stream detection.
 */
import { describe, expect, it } from 'vitest';
import { A, ANOMALIES, newAnomalyCounters } from '../../src/anomalies.js';
import { IpProto, type PacketView } from '../../src/decode/packet-view.js';
import { payloadView } from './payload-view.js';
import { APP_PARSERS } from '../../src/inspect/inspection.js';
import { Inspector } from '../../src/inspect/inspector.js';
import { RtpStreams } from '../../src/inspect/media/rtp-streams.js';
import { Framing } from '../../src/inspect/tcp-framing.js';
import { rtp } from './media/rtp-builders.js';
import { parseStun, StunMessage } from '../../src/inspect/stun.js';
import { prng } from '../helpers/prng.js';
import { ALLOCATE_401, CLASSIC_BINDING_REQUEST, MSTURN_ALLOCATE_REQUEST, MSTURN_ALLOCATE_RESPONSE, RFC5769_REQUEST, RFC5769_RESPONSE } from './fixtures.js';

const SEEDS = [RFC5769_REQUEST, RFC5769_RESPONSE, MSTURN_ALLOCATE_RESPONSE, MSTURN_ALLOCATE_REQUEST, CLASSIC_BINDING_REQUEST, ALLOCATE_401];

function mutate(rand: () => number, src: Buffer): Buffer {
  const b = Buffer.from(src);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * b.length);
    switch (Math.floor(rand() * 4)) {
      case 0: b[at] ^= 1 << Math.floor(rand() * 8); break; // bit flip
      case 1: b[at] = Math.floor(rand() * 256); break; // random byte
      case 2: if (at + 1 < b.length) b.writeUInt16BE(Math.floor(rand() * 65536), at & ~1); break; // a lying length or type
      default: b[at] = 0; // zero-length attributes
    }
  }
  return rand() < 0.2 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
}

/** A UDP or TCP packet view over `payload`, as the pipeline would hand it. */
function packet(proto: number, payload: Buffer, frameNo: number, seq = 0, wireLen = payload.length): PacketView {
  return payloadView(proto, payload, { frameNo, seq, wireLen });
}

describe('fuzz: mutated STUN never throws', () => {
  it('12,000 mutations through the parser and the inspector (UDP, RFC 4571, MS-TURN TCP)', () => {
    const rand = prng(0x5eed);
    const msg = new StunMessage();
    const inspector = new Inspector();
    const counters = newAnomalyCounters();
    inspector.anomalies = counters;
    let parsed = 0;
    for (let i = 0; i < 12000; i++) {
      const m = mutate(rand, SEEDS[i % SEEDS.length]);
      parseStun(m, 0, m.length, m.length + (rand() < 0.1 ? 8 : 0), msg);
      // UDP: one flow per 50 mutations, so flows see many messages
      // a fifth of the datagrams were cut by a snaplen: the UDP header still gives the full length
      const seed = SEEDS[i % SEEDS.length];
      inspector.onPacket(Math.floor(i / 50), i & 1, packet(IpProto.UDP, m, i + 1, 0, rand() < 0.2 ? Math.max(seed.length, m.length) : m.length));
      // TCP: a stream of RFC 4571 frames, one per segment, sequence numbers continuous
      const framed = Buffer.alloc(2 + m.length);
      framed.writeUInt16BE(rand() < 0.9 ? m.length : Math.floor(rand() * 65536), 0);
      m.copy(framed, 2);
      inspector.onPacket(100000 + Math.floor(i / 50), 0, packet(IpProto.TCP, framed, i + 1, (i % 50) * 1000));
      parsed++;
    }
    expect(parsed).toBe(12000);
    const named = ANOMALIES.filter((_, k) => counters[k] > 0).map((a) => a.name);
    // Mutations of this kind must have produced these named flaws.
    for (const name of ['stun_bad_length', 'stun_truncated', 'stun_attribute_past_end', 'stun_attribute_bad_value', 'stun_fingerprint_mismatch']) expect(named).toContain(name);
  });
});

describe('fuzz: mutated mid-stream TCP never throws', () => {
  it('6,000 mutated segments of MS-TURN data frames, ChannelData and TLS records, both directions', () => {
    const rand = prng(0x5eed_71c9);
    const media = (seq: number) => rtp({ seq, ts: seq * 160, ssrc: 0x51 });
    const seeds = [
      (seq: number) => Buffer.concat([Buffer.from([0x03, 0, 0, 172]), media(seq)]), // MS-TURN data frame
      (seq: number) => Buffer.concat([Buffer.from([0x40, 0x01, 0, 172]), media(seq)]), // ChannelData, 172 bytes: no padding
      () => Buffer.concat([Buffer.from([0x17, 0x03, 0x03, 0, 40]), Buffer.alloc(40, 0xa5)]), // a TLS record of data
    ];
    const inspector = new Inspector(new RtpStreams(), APP_PARSERS);
    inspector.anomalies = newAnomalyCounters();
    const seq = new Map<number, number>();
    for (let i = 0; i < 6000; i++) {
      const flow = Math.floor(i / 20); // 20 segments per flow, of one kind
      const dir = (i >> 1) & 1;
      const whole = seeds[flow % seeds.length](i);
      const m = rand() < 0.7 ? whole : mutate(rand, whole);
      const key = flow * 2 + dir;
      const at = seq.get(key) ?? 1000 + Math.floor(rand() * 100);
      inspector.onPacket(flow, dir, packet(IpProto.TCP, m, i + 1, at, m.length));
      seq.set(key, (at + m.length) >>> 0);
    }
    // The detection was reached and held on most streams, and the damaged ones stopped with their anomaly.
    const states = inspector.inspected();
    const framed = (mode: number) => states.filter((st) => st.framing === mode).length;
    expect(framed(Framing.MsTurnTcp)).toBeGreaterThanOrEqual(90); // of 100 streams each
    expect(framed(Framing.StunStream)).toBeGreaterThanOrEqual(90);
    expect(states.filter((st) => st.apps.some((a) => a.midSession === true)).length).toBeGreaterThanOrEqual(90);
    expect(inspector.anomalies[A.InspectTcpDesync]).toBeGreaterThan(0);
  });
});

describe('each malformation is counted under its name', () => {
  function inspectUdp(payload: Buffer, wireLen = payload.length): Float64Array {
    const inspector = new Inspector();
    const counters = newAnomalyCounters();
    inspector.anomalies = counters;
    inspector.onPacket(0, 0, packet(IpProto.UDP, payload, 1, 0, wireLen));
    return counters;
  }

  it('lying message length', () => {
    const b = Buffer.from(RFC5769_RESPONSE);
    b.writeUInt16BE(0x0400, 2);
    expect(inspectUdp(b)[A.StunBadLength]).toBe(1);
  });
  it('attribute length past the end', () => {
    const b = Buffer.from(RFC5769_RESPONSE);
    b.writeUInt16BE(0x00ff, 22);
    expect(inspectUdp(b)[A.StunAttributePastEnd]).toBe(1);
  });
  it('zero-length address attribute', () => {
    const b = Buffer.from(RFC5769_RESPONSE);
    b.writeUInt16BE(0x0000, 38); // XOR-MAPPED-ADDRESS length 0: the next 8 bytes become attributes
    const c = inspectUdp(b);
    expect(c[A.StunAttributeBadValue] + c[A.StunAttributePastEnd]).toBeGreaterThan(0);
  });
  it('message cut by a snaplen', () => {
    expect(inspectUdp(RFC5769_REQUEST.subarray(0, 40), RFC5769_REQUEST.length)[A.StunTruncated]).toBe(1);
  });
  it('TCP gap and desync stop framing with their anomalies', () => {
    const inspector = new Inspector();
    const counters = newAnomalyCounters();
    inspector.anomalies = counters;
    const framed = Buffer.alloc(2 + RFC5769_REQUEST.length);
    framed.writeUInt16BE(RFC5769_REQUEST.length, 0);
    RFC5769_REQUEST.copy(framed, 2);
    inspector.onPacket(0, 0, packet(IpProto.TCP, framed, 1, 1000));
    inspector.onPacket(0, 0, packet(IpProto.TCP, framed, 2, 5000)); // bytes 1000+len..5000 missing
    expect(counters[A.InspectTcpGap]).toBe(1);
    // TURN over TCP (RFC 8656 §3.1: messages back to back): a byte that starts neither STUN nor ChannelData loses sync.
    inspector.onPacket(1, 1, packet(IpProto.TCP, RFC5769_RESPONSE, 3, 7000));
    inspector.onPacket(1, 1, packet(IpProto.TCP, Buffer.from([0x99, 0, 0, 4, 1, 2, 3, 4]), 4, 7000 + RFC5769_RESPONSE.length));
    expect(counters[A.InspectTcpDesync]).toBe(1);
    expect(inspector.state(0)!.stunMessages).toBe(1);
    expect(inspector.state(1)!.stunMessages).toBe(1);
  });
});
