import { describe, it, expect } from 'vitest';
import { A } from '../../src/anomalies.js';
import { LinkType } from '../../src/capture/link-types.js';
import { FragmentTable } from '../../src/decode/fragments.js';
import { Decoder } from '../../src/decode/packet.js';
import { IpProto } from '../../src/decode/packet-view.js';
import { decodeFrame, patch } from './helpers/frames.js';
import { V4_FRAG_FIRST, V4_FRAG_LAST, V4_GRE, V6_FRAG_FIRST, V6_FRAG_LAST } from './helpers/fixtures.js';

const T0 = 1_700_000_000;
const at = (decoder: Decoder, frame: Buffer, ts = T0) => decodeFrame(LinkType.RAW, frame, { decoder, ts });

describe('IPv4 fragments', () => {
  it('first fragment: transport decoded, UDP length covering the whole datagram is not an anomaly', () => {
    const r = at(new Decoder(), V4_FRAG_FIRST);
    expect(r.fate).toBe(-1);
    expect([r.pkt.isFragment, r.pkt.fragOffset, r.pkt.fragId]).toEqual([true, 0, 0xbeef]);
    expect([r.pkt.srcPort, r.pkt.dstPort, r.pkt.payloadLen]).toEqual([4000, 5004, 16]);
    expect(r.counted).toEqual({});
  });

  it('non-first fragment after its first: the datagram ports, no transport header, payload fields 0', () => {
    const d = new Decoder();
    at(d, V4_FRAG_FIRST);
    const r = at(d, V4_FRAG_LAST, T0 + 0.001);
    expect(r.fate).toBe(-1);
    expect([r.pkt.isFragment, r.pkt.fragOffset, r.pkt.fragId]).toEqual([true, 24, 0xbeef]);
    expect([r.pkt.proto, r.pkt.srcPort, r.pkt.dstPort, r.pkt.l4Off]).toEqual([IpProto.UDP, 4000, 5004, -1]);
    expect([r.pkt.payloadOff, r.pkt.payloadEnd, r.pkt.payloadLen]).toEqual([0, 0, 0]);
    expect(r.counted).toEqual({});
  });

  it('non-first fragment before its first (or with another decoder): ip_fragment_unattributed, not counted by decode', () => {
    const d = new Decoder();
    const early = at(d, V4_FRAG_LAST);
    expect(early.fate).toBe(A.FragmentUnattributed);
    expect(early.counted).toEqual({});
    at(d, V4_FRAG_FIRST);
    expect(at(d, V4_FRAG_LAST).fate).toBe(-1);
    expect(at(new Decoder(), V4_FRAG_LAST).fate).toBe(A.FragmentUnattributed);
  });

  it('matches on the whole key: another id, source or protocol is another datagram', () => {
    const d = new Decoder();
    at(d, V4_FRAG_FIRST);
    expect(at(d, patch(V4_FRAG_LAST, { 5: 0xee })).fate).toBe(A.FragmentUnattributed); // id 0xbeee
    expect(at(d, patch(V4_FRAG_LAST, { 15: 0x0b })).fate).toBe(A.FragmentUnattributed); // source .11
    expect(at(d, patch(V4_FRAG_LAST, { 19: 0x02 })).fate).toBe(A.FragmentUnattributed); // destination .2
    expect(at(d, patch(V4_FRAG_LAST, { 9: IpProto.TCP })).fate).toBe(A.FragmentUnattributed);
  });

  it('entries expire 30 s of capture time after the first fragment, either way in time', () => {
    const d = new Decoder();
    at(d, V4_FRAG_FIRST, T0);
    expect(at(d, V4_FRAG_LAST, T0 + 29.9).fate).toBe(-1);
    expect(at(d, V4_FRAG_LAST, T0 + 30.1).fate).toBe(A.FragmentUnattributed);
    expect(at(d, V4_FRAG_LAST, T0 - 3600).fate).toBe(A.FragmentUnattributed);
  });

  it('non-first fragments of protocols without ports need no first fragment', () => {
    const r = at(new Decoder(), patch(V4_GRE, { 6: 0x00, 7: 0x10 })); // offset 128
    expect([r.fate, r.pkt.proto, r.pkt.srcPort, r.pkt.dstPort, r.pkt.payloadLen]).toEqual([-1, 47, 0, 0, 0]);
  });
});

describe('IPv6 fragments', () => {
  it('first fragment via the fragment header, then the last one attributed', () => {
    const d = new Decoder();
    const first = at(d, V6_FRAG_FIRST);
    expect(first.fate).toBe(-1);
    expect([first.pkt.isFragment, first.pkt.fragOffset, first.pkt.fragId]).toEqual([true, 0, 0xcafe]);
    expect([first.pkt.proto, first.pkt.srcPort, first.pkt.dstPort, first.pkt.l4Off - first.base]).toEqual([IpProto.UDP, 5062, 5060, 48]);
    expect(first.counted).toEqual({});
    const last = at(d, V6_FRAG_LAST);
    expect(last.fate).toBe(-1);
    expect([last.pkt.fragOffset, last.pkt.proto, last.pkt.srcPort, last.pkt.dstPort, last.pkt.l4Off]).toEqual([24, IpProto.UDP, 5062, 5060, -1]);
  });

  it('an unattributed IPv6 non-first fragment', () => {
    expect(at(new Decoder(), V6_FRAG_LAST).fate).toBe(A.FragmentUnattributed);
  });

  it('an IPv4 and an IPv6 datagram with the same id do not mix', () => {
    const d = new Decoder();
    at(d, patch(V4_FRAG_FIRST, { 4: 0, 5: 0, }));
    expect(at(d, patch(V6_FRAG_LAST, { 44: 0, 45: 0, 46: 0, 47: 0 })).fate).toBe(A.FragmentUnattributed);
  });
});

describe('FragmentTable bounds', () => {
  it('overwrites the oldest live entry of a full probe run and says so (ip_fragment_table_full)', () => {
    const d = new Decoder(new FragmentTable(8)); // one probe run: 8 slots
    expect(d.fragments.capacity).toBe(8);
    const firsts = Array.from({ length: 9 }, (_, i) => patch(V4_FRAG_FIRST, { 5: i }));
    const lasts = Array.from({ length: 9 }, (_, i) => patch(V4_FRAG_LAST, { 5: i }));
    for (let i = 0; i < 8; i++) expect(at(d, firsts[i], T0 + i).counted).toEqual({});
    expect(at(d, firsts[8], T0 + 8).counted).toEqual({ ip_fragment_table_full: 1 });
    expect(at(d, lasts[0], T0 + 9).fate).toBe(A.FragmentUnattributed); // the oldest went
    for (let i = 1; i < 9; i++) expect(at(d, lasts[i], T0 + 9).fate, `datagram ${i}`).toBe(-1);
  });

  it('reuses expired slots without counting', () => {
    const d = new Decoder(new FragmentTable(8));
    for (let i = 0; i < 8; i++) at(d, patch(V4_FRAG_FIRST, { 5: i }), T0);
    expect(at(d, patch(V4_FRAG_FIRST, { 5: 100 }), T0 + 60).counted).toEqual({});
  });

  it('a repeated first fragment refreshes its entry instead of taking another slot', () => {
    const d = new Decoder(new FragmentTable(8));
    for (let i = 0; i < 20; i++) expect(at(d, V4_FRAG_FIRST, T0 + i).counted).toEqual({});
    expect(at(d, V4_FRAG_LAST, T0 + 45).fate).toBe(-1);
  });

  it('keeps ports of many interleaved datagrams in a default-size table', () => {
    const d = new Decoder();
    const n = 2000;
    for (let i = 0; i < n; i++) at(d, patch(V4_FRAG_FIRST, { 4: i >> 8, 5: i & 0xff, 20: (i >> 8) + 1, 21: i & 0xff }), T0);
    let lost = 0;
    for (let i = 0; i < n; i++) {
      const r = at(d, patch(V4_FRAG_LAST, { 4: i >> 8, 5: i & 0xff }), T0 + 1);
      if (r.fate !== -1) lost++;
      else expect(r.pkt.srcPort).toBe((((i >> 8) + 1) << 8) | (i & 0xff));
    }
    expect(lost).toBe(0);
  });
});
