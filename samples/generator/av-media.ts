/**
 * ICE connectivity checks, RTP with induced loss, reordering, duplication and
 * arrival jitter (with RTCP reports), and the hostile-strings flows, each
 * payload annotated for the inspection truth (inspection.ts).
 */
import { EDGE_DELAY, NotedRtp, msTxid, type FlowArgs } from './av-turn.js';
import { note, receiverView, type RtcpReportNote, type StunNote } from './inspection.js';
import { rtpPacket, type RtpStreamSpec } from './payloads/rtp.js';
import { ntpMiddle, sdesCname, senderReport, type ReportBlock } from './payloads/rtcp.js';
import { sipRequest, sipResponse, type SipRequestSpec } from './payloads/sip.js';
import { Attr, MsAttr, StunType, attr, longTermKey, msTurnMessage, stunMessage, tieBreaker, xorAddress, type Attribute } from './payloads/stun.js';
import * as tls from './payloads/tls.js';
import type { Rng } from './rng.js';
import { TcpConversation, type TcpTiming } from './tcp.js';
import type { Flow, Frame, Trace } from './trace.js';
import { UdpExchange } from './udp.js';

const MS = 1000; // µs per millisecond

const stunNote = (type: number, txid: Buffer, more: Partial<StunNote> = {}): StunNote =>
  ({ kind: 'stun', dialect: 'rfc5389', type, txid: txid.toString('hex'), ...more });

// ---- ICE (RFC 8445 §7.1, §7.2) ----

export interface IceAgent {
  ufrag: string;
  password: string;
  tieBreaker: [number, number];
  controlling: boolean;
}

export interface IceCheck {
  /** Time of the first transmission, µs. */
  at: number;
  /** Who sends the check: the flow's client or its server. */
  fromClient: boolean;
  priority: number;
  useCandidate?: boolean;
  /** Retransmission delays after the first transmission, µs (RFC 5389 §7.2.1); the answer, if any, follows the last. */
  retransmitAfter?: number[];
  /** Answered after this many µs (the answerer's side of the capture), or never. */
  answerAfter: number | null;
}

/**
 * Binding requests as ICE connectivity checks (RFC 8445 §7.1.1): USERNAME "remote:local", PRIORITY,
 * ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE when nominating, MESSAGE-INTEGRITY with the
 * remote agent's password (short-term credential, RFC 5389 §10.1) and FINGERPRINT; success responses
 * with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT (§7.2.5).
 */
export function iceChecks(trace: Trace, rng: Rng, flow: FlowArgs, agents: { client: IceAgent; server: IceAgent }, checks: IceCheck[]): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'rfc5389' } });
  const r = rng.fork(`ice:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, 0);
  for (const c of checks) {
    const me = c.fromClient ? agents.client : agents.server;
    const peer = c.fromClient ? agents.server : agents.client;
    const tx = r.bytes(12);
    const attrs: Attribute[] = [
      attr(Attr.Username, `${peer.ufrag}:${me.ufrag}`), attr(Attr.Priority, c.priority),
      attr(me.controlling ? Attr.IceControlling : Attr.IceControlled, tieBreaker(...me.tieBreaker)),
    ];
    if (c.useCandidate) attrs.push(attr(Attr.UseCandidate, Buffer.alloc(0)));
    const req = stunMessage(StunType.BindingRequest, tx, attrs, { integrity: { key: Buffer.from(peer.password, 'utf8') }, fingerprint: true });
    let t = c.at;
    for (const d of [0, ...(c.retransmitAfter ?? [])]) {
      u.t = c.at + d;
      t = u.t;
      note(u.send(c.fromClient, req), stunNote(StunType.BindingRequest, tx));
    }
    if (c.answerAfter === null) continue;
    const src = c.fromClient ? { ip: f.client.ip, port: f.cport } : { ip: f.server.ip, port: f.sport };
    u.t = t + c.answerAfter;
    const resp = stunMessage(StunType.BindingSuccess, tx, [attr(Attr.XorMappedAddress, xorAddress(src.ip, src.port, tx))],
      { integrity: { key: Buffer.from(peer.password, 'utf8') }, fingerprint: true });
    note(u.send(!c.fromClient, resp), stunNote(StunType.BindingSuccess, tx));
  }
  return f;
}

/** Plain RTP both ways on an existing ICE flow after nomination (the same 5-tuple). */
export function mediaOnFlow(trace: Trace, rng: Rng, f: Flow, s: { start: number; packets: number; stream: Omit<RtpStreamSpec, 'ssrc'>; answerDelay: number }): void {
  const r = rng.fork(`media:${f.label}:${f.cport}`);
  const a = new NotedRtp({ ...s.stream, ssrc: r.u32() }, r);
  const b = new NotedRtp({ ...s.stream, ssrc: r.u32() }, r);
  const u = new UdpExchange(trace, f, 0);
  for (let i = 0; i < s.packets; i++) {
    u.t = s.start + i * s.stream.ptimeMs * MS;
    const x = a.next();
    note(u.send(true, x.packet), x.note('udp'));
    u.t += s.answerDelay;
    const y = b.next();
    note(u.send(false, y.packet), y.note('udp'));
  }
}

// ---- RTP with known impairments, and RTCP ----

export interface ImpairedStreamSpec {
  payloadType: number;
  clockRate: number;
  ptimeMs: number;
  payloadBytes: number;
  packets: number;
  /** Packet indexes lost before the capture point (their sequence numbers are skipped). */
  lost?: number[];
  /** Packet indexes that arrive after the next packet (one swap each). */
  reordered?: number[];
  /** Packet indexes captured twice, the copy this many µs after the original. */
  duplicated?: [index: number, afterUs: number][];
  /** Arrival delay per packet (µs, a multiple of 1e6 / clockRate so that RFC 3550 transit differences are whole timestamp units). */
  delayUs: (i: number) => number;
}

interface SentPacket {
  i: number;
  seq: number;
  ts: number;
  t: number;
  frame: Frame;
}

/** One direction of an impaired stream on a flow; returns what was captured (for the RTCP reports). */
function impairedStream(u: UdpExchange, fromClient: boolean, start: number, ssrc: number, s: ImpairedStreamSpec, r: Rng): SentPacket[] {
  const seq0 = r.int(0, 0xffff);
  const ts0 = r.u32();
  const lost = new Set(s.lost ?? []);
  const reordered = new Set(s.reordered ?? []);
  const dup = new Map(s.duplicated ?? []);
  const unit = 1e6 / s.clockRate;
  const ptime = s.ptimeMs * MS;
  const out: SentPacket[] = [];
  for (let i = 0; i < s.packets; i++) {
    const seq = (seq0 + i) & 0xffff;
    const ts = (ts0 + i * ((s.clockRate * s.ptimeMs) / 1000)) >>> 0;
    const payload = r.bytes(s.payloadBytes);
    if (lost.has(i)) continue;
    const delay = s.delayUs(i);
    if (delay % unit !== 0) throw new Error(`arrival delay ${delay} µs is not a whole number of timestamp units`);
    // A reordered packet arrives 5 ms after its successor's nominal time, behind it.
    const t = start + i * ptime + (reordered.has(i) ? ptime + 5 * MS : delay);
    const pkt = rtpPacket({ payloadType: s.payloadType, seq, ts, ssrc, marker: i === 0 }, payload);
    const copies = [t, ...(dup.has(i) ? [t + dup.get(i)!] : [])];
    for (const at of copies) {
      u.t = at;
      const frame = note(u.send(fromClient, pkt), { kind: 'rtp', ssrc, seq, ts, payloadType: s.payloadType, clockRate: s.clockRate, carrier: 'udp' });
      out.push({ i, seq, ts, t: at, frame });
    }
  }
  return out;
}

export interface RtcpPlan {
  /** Report times, µs: the client's compound packets, then the server's. */
  clientAt: number[];
  serverAt: number[];
  cname: { client: string; server: string };
}

/**
 * An RTP flow with an impaired stream from the client and a clean one from the server, and an RTCP
 * flow (RTP port + 1, RFC 3550 §11) where each side sends SR + SDES compound packets whose report block
 * describes the other side's stream as captured up to that moment (receiverView).
 */
export function impairedCall(trace: Trace, rng: Rng, rtpArgs: FlowArgs, rtcpArgs: FlowArgs,
  s: { start: number; answerDelay: number; fromClient: ImpairedStreamSpec; fromServer: ImpairedStreamSpec; rtcp: RtcpPlan; baseSec: number }): [Flow, Flow] {
  const r = rng.fork(`impaired:${rtpArgs.label}:${rtpArgs.cport}`);
  const f = trace.flow({ ...rtpArgs, transport: 'udp', app: { protocol: 'rtp', rtpPayloadType: s.fromClient.payloadType } });
  const cSsrc = r.u32();
  const sSsrc = r.u32();
  f.app!.rtpSsrc = { fromClient: cSsrc, fromServer: sSsrc };
  const u = new UdpExchange(trace, f, 0);
  const up = impairedStream(u, true, s.start, cSsrc, s.fromClient, r);
  const down = impairedStream(u, false, s.start + s.answerDelay, sSsrc, s.fromServer, r);
  const rtcpFlow = trace.flow({ ...rtcpArgs, transport: 'udp', app: { protocol: 'rtcp' } });
  const rc = new UdpExchange(trace, rtcpFlow, 0);
  const plan = [
    ...s.rtcp.clientAt.map((t) => ({ t, fromClient: true })),
    ...s.rtcp.serverAt.map((t) => ({ t, fromClient: false })),
  ].sort((a, b) => a.t - b.t);
  const since = new Map<boolean, { expected: number; received: number }>();
  const lastSrFrom = new Map<boolean, number>(); // wall clock (µs) of the last SR each side sent
  for (const p of plan) {
    const mine = p.fromClient ? { ssrc: cSsrc, spec: s.fromClient, start: s.start } : { ssrc: sSsrc, spec: s.fromServer, start: s.start + s.answerDelay };
    const theirs = p.fromClient ? { ssrc: sSsrc, got: down, spec: s.fromServer } : { ssrc: cSsrc, got: up, spec: s.fromClient };
    const view = receiverView(theirs.got.map((x) => ({ t: x.t, seq: x.seq, ts: x.ts })), theirs.spec.clockRate, p.t, since.get(p.fromClient) ?? { expected: 0, received: 0 });
    since.set(p.fromClient, { expected: view.expected, received: view.received });
    const wallclockUs = s.baseSec * 1e6 + p.t;
    const peerSr = lastSrFrom.get(!p.fromClient);
    const block: ReportBlock = {
      ssrc: theirs.ssrc, fractionLost: view.fractionLost, cumulativeLost: view.cumulativeLost, extendedHighestSeq: view.extendedHighestSeq,
      jitter: view.jitter, lsr: peerSr === undefined ? 0 : ntpMiddle(peerSr),
      dlsr: peerSr === undefined ? 0 : Math.floor(((wallclockUs - peerSr) / 1e6) * 65536), // units of 1/65536 s (§6.4.1)
    };
    // Packets this side had sent by then (the sender counts those lost on the way too).
    const sent = Math.min(mine.spec.packets, Math.floor((p.t - mine.start) / (mine.spec.ptimeMs * MS)) + 1);
    const rtpTs = 0; // not derived from a media clock here: senders may leave it unrelated (RFC 3550 §6.4.1 allows 0 without a wallclock mapping)
    const sender = { packetCount: sent, octetCount: sent * mine.spec.payloadBytes, rtpTs };
    const compound = Buffer.concat([
      senderReport({ ssrc: mine.ssrc, wallclockUs, ...sender }, [block]),
      sdesCname(mine.ssrc, p.fromClient ? s.rtcp.cname.client : s.rtcp.cname.server),
    ]);
    lastSrFrom.set(p.fromClient, wallclockUs);
    rc.t = p.t;
    const reports: RtcpReportNote[] = [{
      type: 'SR', ssrc: mine.ssrc, sender,
      reports: [{ ssrc: block.ssrc, fractionLost: block.fractionLost, cumulativeLost: block.cumulativeLost, extendedHighestSeq: block.extendedHighestSeq, jitter: block.jitter }],
    }];
    note(rc.send(p.fromClient, compound), { kind: 'rtcp', packets: reports });
  }
  return [f, rtcpFlow];
}

// ---- hostile strings (issue 5) ----

/** A TLS 1.2 handshake whose ClientHello carries `sni` byte for byte (UTF-8), then a close. */
export function hostileTls(trace: Trace, rng: Rng, flow: FlowArgs, timing: TcpTiming, sni: string): Flow {
  const f = trace.flow({ ...flow, transport: 'tcp', app: { protocol: 'tls', tlsVersion: '1.2', sni } });
  const r = rng.fork(`hostile-tls:${flow.label}:${flow.cport}`);
  const conv = new TcpConversation(trace, f, r, timing).handshake();
  const ch = tls.clientHello({ version: '1.2', sni }, r);
  conv.send(true, ch);
  note(conv.frames[conv.frames.length - 1], { kind: 'app', protocol: 'tls' }, { kind: 'string', field: 'tls.sni', value: sni });
  conv.send(false, tls.serverFlight('1.2', r, ch)).send(true, tls.clientFinish('1.2', r)).send(false, tls.serverFinish(r));
  conv.close(true);
  return f;
}

/** A SIP OPTIONS over UDP with a hostile User-Agent, answered 200 OK with a hostile Server header. */
export function hostileSip(trace: Trace, flow: FlowArgs, start: number, req: SipRequestSpec, server: string): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'sip' } });
  const u = new UdpExchange(trace, f, start);
  note(u.send(true, sipRequest(req)), { kind: 'app', protocol: 'sip' }, { kind: 'string', field: 'sip.user-agent', value: req.userAgent ?? '' });
  note(u.send(false, sipResponse(200, 'OK', req, '8a5f2c', server), 2 * MS), { kind: 'app', protocol: 'sip' }, { kind: 'string', field: 'sip.server', value: server });
  return f;
}

/** An RFC 5389 Binding request with hostile USERNAME and SOFTWARE, answered with a hostile SOFTWARE. */
export function hostileStunBinding(trace: Trace, rng: Rng, flow: FlowArgs, start: number, s: { username: string; software: string; password: string }): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'rfc5389' } });
  const r = rng.fork(`hostile-stun:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, start);
  const tx = r.bytes(12);
  const key = Buffer.from(s.password, 'utf8');
  const req = stunMessage(StunType.BindingRequest, tx, [attr(Attr.Username, s.username), attr(Attr.Software, s.software), attr(Attr.Priority, 0x6e0001ff)],
    { integrity: { key }, fingerprint: true });
  note(u.send(true, req), stunNote(StunType.BindingRequest, tx), { kind: 'string', field: 'stun.username', value: s.username },
    { kind: 'string', field: 'stun.software', value: s.software });
  const resp = stunMessage(StunType.BindingSuccess, tx, [attr(Attr.XorMappedAddress, xorAddress(f.client.ip, f.cport, tx)), attr(Attr.Software, s.software)],
    { integrity: { key }, fingerprint: true });
  note(u.send(false, resp, EDGE_DELAY), stunNote(StunType.BindingSuccess, tx), { kind: 'string', field: 'stun.software', value: s.software });
  return f;
}

/** An MS-TURN Allocate request with a hostile USERNAME (longer than a report keeps), answered 401. */
export function hostileMsTurn(trace: Trace, rng: Rng, flow: FlowArgs, start: number, s: { username: string; realm: string; password: string; nonce: Buffer }): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'ms-turn' } });
  const r = rng.fork(`hostile-msturn:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, start);
  const tx = msTxid(r);
  const key = longTermKey(s.username, s.realm, s.password);
  const req = msTurnMessage(StunType.AllocateRequest, tx, [attr(Attr.MsVersion, 3), attr(Attr.Username, s.username), attr(MsAttr.Nonce, s.nonce), attr(MsAttr.Realm, s.realm)],
    { key, sha256: true });
  const ms = (type: number, more: Partial<StunNote> = {}): StunNote => ({ kind: 'stun', dialect: 'ms-turn', type, txid: tx.toString('hex'), ...more });
  note(u.send(true, req), ms(StunType.AllocateRequest), { kind: 'string', field: 'stun.username', value: s.username });
  const errorValue = Buffer.concat([Buffer.from([0, 0, 4, 36]), Buffer.from('Unknown User', 'utf8')]); // 436 Unknown User (MS-TURN error codes, dialects §3)
  note(u.send(false, msTurnMessage(StunType.AllocateError, tx, [attr(Attr.MsVersion, 3), attr(Attr.ErrorCode, errorValue), attr(MsAttr.Nonce, s.nonce), attr(MsAttr.Realm, s.realm)]), EDGE_DELAY),
    ms(StunType.AllocateError, { errorCode: 436 }));
  return f;
}
