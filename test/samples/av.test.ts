/**
 * The A/V and hostile-strings samples against their truth files: the test's
 * own capture reader (frames per flow, pcap = pcapng, the hostile strings
 * byte for byte) and, when installed, capinfos and tshark as a second opinion
 * on the inspection truth: STUN message types, transaction ids, request and
 * response frames and error codes per flow; RTP streams (packets, lost,
 * jitter) with `-z rtp,streams`; RTCP report blocks. The generator computed
 * the truth from what it meant to write, never from these bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Truth, TruthFlow } from '../../samples/generator/truth.js';
import { parseFrame, readCapture } from './capture-reader.js';
import { SAMPLES, has, realErrors, run } from './tools.js';

const AV = ['av-msturn-udp', 'av-msturn-tcp', 'av-turn-auth', 'av-udp-blocked', 'av-turn-errors', 'av-ice-checks', 'av-rtp-quality'] as const;
const ALL = [...AV, 'hostile-strings'] as const;
const HAVE = has('tshark') && has('capinfos');
if (!HAVE) console.warn('test/samples/av.test.ts: tshark or capinfos not installed, skipping the Wireshark cross-checks');

const load = (name: string) => JSON.parse(readFileSync(join(SAMPLES, `${name}.truth.json`), 'utf8')) as Truth;
const ends = (f: TruthFlow) => [`${f.client.ip}:${f.client.port}`, `${f.server.ip}:${f.server.port}`];

/** Frame number -> [flow, fromClient], from the test's own reader. */
function framesByFlow(truth: Truth, file: string): Map<number, [TruthFlow, boolean]> {
  const recs = readCapture(readFileSync(file));
  const out = new Map<number, [TruthFlow, boolean]>();
  recs.forEach((rec, i) => {
    const p = parseFrame(rec.data);
    for (const f of truth.flows) {
      const [c, s] = ends(f);
      const src = `${p.src}:${p.sport}`;
      const dst = `${p.dst}:${p.dport}`;
      if (src === c && dst === s) out.set(i + 1, [f, true]);
      if (src === s && dst === c) out.set(i + 1, [f, false]);
    }
  });
  return out;
}

describe.each(ALL)('%s sample', (name) => {
  const truth = load(name);

  it('pcap and pcapng carry the same frames, every one in a truth flow with the truth counts', () => {
    const pcap = readCapture(readFileSync(join(SAMPLES, `${name}.pcap`)));
    const pcapng = readCapture(readFileSync(join(SAMPLES, `${name}.pcapng`)));
    expect(pcap.length).toBe(truth.totals.packets);
    expect(pcapng.map((r) => r.data.toString('hex'))).toEqual(pcap.map((r) => r.data.toString('hex')));
    const byFrame = framesByFlow(truth, join(SAMPLES, `${name}.pcap`));
    expect(byFrame.size).toBe(truth.totals.packets);
    for (const f of truth.flows) {
      const mine = [...byFrame.values()].filter(([g]) => g === f);
      expect([mine.filter(([, c]) => c).length, mine.filter(([, c]) => !c).length], f.label).toEqual([f.packets.fromClient, f.packets.fromServer]);
    }
  });

  it('has the inspection truth on every flow, consistent with itself', () => {
    for (const f of truth.flows) {
      expect(f.apps, f.label).toBeDefined();
      expect(f.apps, f.label).toEqual([...new Set(f.apps)].sort());
      if (f.stun) {
        const s = f.stun;
        expect(s.summary.messages).toBe(s.messages.reduce((a, m) => a + m.fromClient + m.fromServer, 0));
        expect(s.summary.requests).toBe(s.transactions.length);
        expect(s.summary.answered + s.summary.unanswered).toBe(s.transactions.length);
        expect(s.summary.messages).toBe(s.summary.indications + s.transactions.reduce((a, t) => a + t.requestFrames.length + (t.response ? 1 : 0), 0));
        expect(f.apps).toContain('stun');
      }
    }
    for (const m of truth.media?.streams ?? []) {
      expect(m.expected).toBe(m.highestSeq - m.firstSeq + 1);
      expect(m.rfc3550CumulativeLost).toBe(m.expected - m.packets);
      expect(m.lost).toBe(m.rfc3550CumulativeLost + m.duplicates);
      expect(m.jitterMs).toBeLessThanOrEqual(m.maxJitterMs);
    }
  });
});

describe('what the A/V scenarios exist to show', () => {
  it('MS-TURN over UDP: 401 then a successful allocation on 53010, RTP in Send requests and Data Indications', () => {
    const t = load('av-msturn-udp');
    expect(t.stun!.allocations.map((a) => [a.dialect, a.outcome, a.errorCode, a.relayed?.port ?? null, a.lifetime])).toEqual([
      ['ms-turn', 'error', 401, null, null], ['ms-turn', 'success', null, 53010, 480]]);
    expect(t.media!.streams.filter((s) => s.flowId === 0).map((s) => s.carriers)).toEqual([['ms-turn-send-request'], ['ms-turn-data-indication']]);
  });

  it('MS-TURN over TCP 443: pseudo-TLS, Set Active Destination answered, media in 0x03 frames', () => {
    const f = load('av-msturn-tcp').flows[0];
    expect(f.apps).toEqual(['ms-turn-pseudo-tls', 'rtp', 'stun']);
    expect(f.stun!.transactions.map((x) => [x.request, x.response?.name])).toEqual([
      ['Allocate request', 'Allocate error response'], ['Allocate request', 'Allocate response'],
      ['Set Active Destination request', 'Set Active Destination response']]);
  });

  it('UDP 3478 blocked: one Allocate sent 7 times at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s, never answered, then TCP 443 succeeds', () => {
    const t = load('av-udp-blocked');
    const udp = t.flows.find((f) => f.label === 'msturn-udp-unanswered')!;
    expect(udp.stun!.summary).toMatchObject({ requests: 1, answered: 0, unanswered: 1, retransmissions: 6 });
    expect(udp.state).toBe('S0');
    const recs = readCapture(readFileSync(join(SAMPLES, 'av-udp-blocked.pcap')));
    const times = udp.stun!.transactions[0].requestFrames.map((n) => Number(recs[n - 1].tsNs - recs[udp.firstFrame - 1].tsNs) / 1e9);
    expect(times).toEqual([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]);
    expect(t.stun!.allocations.map((a) => a.outcome)).toEqual(['unanswered', 'error', 'success']);
    const tcp = t.flows.find((f) => f.label === 'msturn-tcp-443-fallback')!;
    expect(tcp.firstSeen - udp.firstSeen).toBeCloseTo(39.5, 6);
  });

  it('437 and 438 in both dialects', () => {
    const t = load('av-turn-errors');
    expect(t.flows.map((f) => f.stun!.summary.errorCodes)).toEqual([{ 437: 1, 438: 1 }, { 401: 1, 438: 1 }]);
  });

  it('ICE: answered checks both ways with a nomination on the relay pair, 4 unanswered transmissions on the direct pair', () => {
    const t = load('av-ice-checks');
    expect(t.flows.map((f) => [f.label, f.stun!.summary.answered, f.stun!.summary.unanswered, f.stun!.summary.retransmissions])).toEqual([
      ['ice-pair-via-relay', 3, 0, 0], ['ice-pair-direct-unanswered', 0, 1, 3]]);
  });

  it('RTP quality: 4 lost, 1 reordered, 1 duplicate; RTCP fraction lost 15/256 then 0 (the duplicate offsets the 4th loss)', () => {
    const t = load('av-rtp-quality');
    const up = t.media!.streams.find((s) => s.direction === 'fromClient')!;
    expect([up.packets, up.expected, up.lost, up.lossPercent, up.duplicates, up.outOfOrder, up.rfc3550CumulativeLost]).toEqual([97, 100, 4, 4, 1, 1, 3]);
    expect(t.media!.rtcp.filter((r) => r.direction === 'fromServer').map((r) => [r.packets[0].reports[0].fractionLost, r.packets[0].reports[0].cumulativeLost]))
      .toEqual([[15, 3], [0, 3]]);
  });
});

describe('hostile-strings sample', () => {
  const truth = load('hostile-strings');
  const recs = readCapture(readFileSync(join(SAMPLES, 'hostile-strings.pcap')));
  const byFrame = framesByFlow(truth, join(SAMPLES, 'hostile-strings.pcap'));

  it('carries every truth string byte for byte (UTF-8) in a frame of its flow', () => {
    const strings = truth.flows.flatMap((f) => (f.strings ?? []).map((s) => [f, s] as const));
    expect(strings.map(([, s]) => s.field).sort()).toEqual(['sip.server', 'sip.user-agent', 'stun.software', 'stun.software', 'stun.username', 'stun.username', 'tls.sni']);
    for (const [f, s] of strings) {
      const needle = Buffer.from(s.value, 'utf8');
      const hit = recs.some((r, i) => byFrame.get(i + 1)?.[0] === f && r.data.includes(needle));
      expect(hit, `${f.label} ${s.field}`).toBe(true);
    }
    const all = strings.map(([, s]) => s.value).join('');
    for (const piece of ['<script>window.__pwned=1</script>', '</script><img src=x onerror=window.__pwned=1>', '"', "'", '`', '\u0000', '\u001b', '\u2028']) {
      expect(all, JSON.stringify(piece)).toContain(piece);
    }
    expect(Math.max(...strings.map(([, s]) => s.value.length))).toBeGreaterThan(256);
  });
});

describe.skipIf(!HAVE)('A/V samples read by Wireshark tools', () => {
  const tshark = (file: string, ...args: string[]) => {
    const r = run('tshark', ['-n', '-r', file, ...args]);
    expect(realErrors(r.stderr)).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it.each(ALL.flatMap((n) => [[n, `${n}.pcap`], [n, `${n}.pcapng`]]))('capinfos counts the truth packets (%s, %s)', (name, file) => {
    const r = run('capinfos', ['-T', '-c', '-M', join(SAMPLES, file)]);
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim().split('\n')[1].split('\t')[1])).toBe(load(name).totals.packets);
  });

  it.each(ALL)('%s: tshark finds no bad checksum, and malformed packets only in unpadded MS-TURN messages', (name) => {
    const truth = load(name);
    const file = join(SAMPLES, `${name}.pcapng`);
    const sums = tshark(file, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-T', 'fields', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status').trim().split('\n');
    expect(sums.length).toBe(truth.totals.packets);
    expect(sums.filter((l) => { const v = l.split(/[\t,]/).filter(Boolean); return v.includes('0') || !v.includes('1'); })).toEqual([]);
    const bad = tshark(file, '-Y', '_ws.malformed', '-T', 'fields', '-e', 'frame.number').trim().split('\n').filter(Boolean).map(Number);
    const byFrame = framesByFlow(truth, file);
    // MS-TURN does not pad attributes (dialects §1); Wireshark assumes RFC 5389 padding. Everything else is well formed.
    for (const n of bad) expect(byFrame.get(n)?.[0].app?.stunDialect, `frame ${n}`).toBe('ms-turn');
  });

  // tshark cannot decode STUN inside MS-TURN's pseudo-TLS + 4-byte framing on TCP 443: those flows are checked by the reader above only.
  it.each(ALL)('%s: STUN message types, transaction ids, request/response frames and error codes per UDP flow equal tshark -Y stun', (name) => {
    const truth = load(name);
    const file = join(SAMPLES, `${name}.pcapng`);
    const byFrame = framesByFlow(truth, file);
    const out = tshark(file, '-Y', 'stun', '-T', 'fields', '-e', 'frame.number', '-e', 'stun.type', '-e', 'stun.id', '-e', 'stun.att.error.class', '-e', 'stun.att.error',
      '-e', 'stun.channel');
    const seen = new Map<TruthFlow, { types: Map<string, number[]>; ids: Map<string, number[]>; errors: Map<number, number>; channel: number }>();
    for (const line of out.trim().split('\n').filter(Boolean)) {
      const [no, type, id, cls, num, channel] = line.split('\t');
      const [f, fromClient] = byFrame.get(Number(no))!;
      expect(f.transport, `frame ${no}`).toBe('udp');
      const s = seen.get(f) ?? { types: new Map(), ids: new Map(), errors: new Map(), channel: 0 };
      seen.set(f, s);
      if (!type) {
        expect(channel, `frame ${no}`).not.toBe('');
        s.channel++;
        continue;
      }
      const k = `${type} ${fromClient ? 'c' : 's'}`;
      s.types.set(k, [...(s.types.get(k) ?? []), Number(no)]);
      s.ids.set(id, [...(s.ids.get(id) ?? []), Number(no)]);
      if (cls) s.errors.set(Number(no), Number(cls) * 100 + Number(num));
    }
    for (const f of truth.flows.filter((g) => g.transport === 'udp')) {
      const s = seen.get(f);
      if (!f.stun) {
        expect(s, f.label).toBeUndefined();
        continue;
      }
      const want = new Map<string, number>();
      for (const m of f.stun.messages) {
        if (m.fromClient) want.set(`${m.type} c`, m.fromClient);
        if (m.fromServer) want.set(`${m.type} s`, m.fromServer);
      }
      expect(new Map([...s!.types].map(([k, v]) => [k, v.length])), f.label).toEqual(want);
      for (const tx of f.stun.transactions) {
        // tshark reads the first 4 bytes of an MS-TURN 16-byte id as the RFC cookie (they are 0x2112A442 here) and the rest as the id.
        const frames = s!.ids.get(tx.txid.slice(-24));
        expect(frames, `${f.label} ${tx.txid}`).toEqual([...tx.requestFrames, ...(tx.response ? [tx.response.frame] : [])]);
        if (tx.response?.errorCode != null) expect(s!.errors.get(tx.response.frame)).toBe(tx.response.errorCode);
      }
      const channelFrames = f.packets.fromClient + f.packets.fromServer - f.stun.summary.messages;
      expect(s!.channel, `${f.label} ChannelData`).toBe(f.apps!.includes('channeldata') ? channelFrames : 0);
    }
  });

  it.each(AV)('%s: RTP streams over UDP (plain, in TURN indications and ChannelData) equal tshark -z rtp,streams', (name) => {
    const truth = load(name);
    const streams = truth.media!.streams.filter((s) => !s.carriers.includes('ms-turn-tcp-data'));
    const out = tshark(join(SAMPLES, `${name}.pcapng`), '-o', 'rtp.heuristic_rtp:TRUE', '-q', '-z', 'rtp,streams');
    const rows = new Map<string, string[]>();
    for (const line of out.split('\n')) {
      const c = line.trim().split(/\s+/);
      if (c.length >= 17 && /^0x[0-9A-F]+$/.test(c[6])) rows.set(`${c[2]}:${c[3]} ${c[4]}:${c[5]} ${Number.parseInt(c[6], 16)}`, c);
    }
    expect(rows.size).toBe(streams.length);
    for (const s of streams) {
      const f = truth.flows[s.flowId];
      const [a, b] = s.direction === 'fromClient' ? ends(f) : ends(f).reverse();
      const c = rows.get(`${a} ${b} ${s.ssrc}`);
      expect(c, `${f.label} ${s.direction}`).toBeDefined();
      // Pkts, Lost (tshark: expected - received, duplicates counted as received), max and mean jitter (ms, 3 decimals).
      expect([Number(c![8]), Number(c![9])], f.label).toEqual([s.packets, s.rfc3550CumulativeLost]);
      // Columns: ... Pkts, Lost "n (p%)", min/mean/max delta, min/mean/max jitter.
      expect(Math.abs(Number(c![16]) - s.maxJitterMs), `${f.label} max jitter`).toBeLessThanOrEqual(0.0005);
      expect(Math.abs(Number(c![15]) - s.meanJitterMs), `${f.label} mean jitter`).toBeLessThanOrEqual(0.0005);
    }
  });

  it('av-rtp-quality: RTCP sender reports and their report blocks equal tshark decoding the RTCP port', () => {
    const truth = load('av-rtp-quality');
    const rtcpFlow = truth.flows.find((f) => f.apps!.includes('rtcp'))!;
    const out = tshark(join(SAMPLES, 'av-rtp-quality.pcapng'), '-d', `udp.port==${rtcpFlow.server.port},rtcp`, '-Y', 'rtcp', '-T', 'fields',
      '-e', 'frame.number', '-e', 'rtcp.senderssrc', '-e', 'rtcp.sender.packetcount', '-e', 'rtcp.ssrc.identifier', '-e', 'rtcp.ssrc.fraction',
      '-e', 'rtcp.ssrc.cum_nr', '-e', 'rtcp.ssrc.high_seq', '-e', 'rtcp.ssrc.jitter');
    const got = out.trim().split('\n').map((l) => l.split('\t').map((v) => Number(v.split(',')[0])));
    const want = truth.media!.rtcp.map((r) => {
      const p = r.packets[0];
      const b = p.reports[0];
      return [r.frame, p.ssrc, p.sender!.packetCount, b.ssrc, b.fractionLost, b.cumulativeLost, b.extendedHighestSeq, b.jitter];
    });
    expect(got).toEqual(want);
  });

  it('hostile-strings: tshark extracts each string up to its first control character', () => {
    const truth = load('hostile-strings');
    const out = tshark(join(SAMPLES, 'hostile-strings.pcapng'), '-Y', 'tls.handshake.type == 1 || sip.Method || stun.type == 0x0001 || stun.type == 0x0003', '-T', 'fields',
      '-e', 'tls.handshake.extensions_server_name', '-e', 'sip.User-Agent', '-e', 'stun.att.username');
    const fields = out.split('\n').flatMap((l) => l.split('\t')).filter(Boolean);
    const want = truth.flows.flatMap((f) => f.strings ?? []).filter((s) => ['tls.sni', 'sip.user-agent', 'stun.username'].includes(s.field));
    for (const s of want) {
      // tshark stops a string at U+0000 and shows at most 256 characters of a USERNAME in a field.
      const prefix = s.value.split(/[\u0000-\u001f\u2028]/)[0].slice(0, 200);
      expect(fields.some((v) => v.startsWith(prefix)), `${s.field}: ${prefix}`).toBe(true);
    }
  });
});
