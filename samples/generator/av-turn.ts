/**
 * A/V Edge TURN exchanges for the A/V samples, each message annotated with
 * what it is (inspection.ts notes) so that the truth can list the messages,
 * transactions, allocations and relayed RTP without parsing the bytes back:
 * MS-TURN over UDP with Send requests and Data Indications, MS-TURN over TCP
 * 443 with pseudo-TLS and 0x02/0x03 framing, RFC 5766 with permissions,
 * channels and ChannelData, unanswered Allocates with RFC 5389 backoff, and
 * 437/438 errors. Scenarios give addresses, ports and timing.
 */
import { note, type RtpCarrier, type RtpNote, type StunDialect, type StunNote } from './inspection.js';
import { RtpStream, type RtpStreamSpec } from './payloads/rtp.js';
import {
  Attr, MsAttr, MsTcpFrame, MsType, RfcAttr, StunType, attr, channelData, channelNumber, errorCode, longTermKey, mappedAddress,
  msTcpFrame, msTurnMessage, pseudoTlsClientHello, pseudoTlsServerHello, stunMessage, xorAddress, STUN_MAGIC_COOKIE,
  type Attribute, type Integrity,
} from './payloads/stun.js';
import type { Rng } from './rng.js';
import { TcpConversation, type TcpTiming } from './tcp.js';
import type { Flow, FlowSpec, Frame, Trace } from './trace.js';
import { UdpExchange } from './udp.js';

const MS = 1000; // µs per millisecond
export const EDGE_DELAY = 400; // µs: the edge answers 0.4 ms after a request reaches its NIC (the capture point)
const RELAY_DELAY = 300; // µs between a packet reaching the relay and the relay forwarding it

export type FlowArgs = Omit<FlowSpec, 'transport' | 'app'>;

export interface TurnCredentials {
  username: string;
  realm: string;
  password: string;
  nonce: string | Buffer;
}

export interface Peer {
  ip: string;
  port: number;
}

const stunNote = (dialect: StunDialect, type: number, txid: Buffer, more: Partial<StunNote> = {}): StunNote =>
  ({ kind: 'stun', dialect, type, txid: txid.toString('hex'), ...more });

/** A 16-byte MS-TURN transaction id; real clients often start it with the RFC 5389 cookie (dialects §1). */
export function msTxid(r: Rng): Buffer {
  const id = r.bytes(16);
  id.writeUInt32BE(STUN_MAGIC_COOKIE, 0);
  return id;
}

/** The last frame carrying payload from one side of a TCP conversation (the segment that completes a message). */
function lastData(conv: TcpConversation, fromClient: boolean): Frame {
  for (let i = conv.frames.length - 1; i >= 0; i--) {
    const f = conv.frames[i];
    if (f.fromClient === fromClient && f.payloadLen > 0) return f;
  }
  throw new Error('no data frame');
}

/** One RTP stream's packets with the header values the truth needs. */
export class NotedRtp {
  readonly stream: RtpStream;
  constructor(spec: RtpStreamSpec, r: Rng) {
    this.stream = new RtpStream(spec, r);
  }

  next(): { packet: Buffer; note: (carrier: RtpCarrier) => RtpNote } {
    const packet = this.stream.next();
    const { ssrc, payloadType, clockRate } = this.stream.spec;
    const seq = this.stream.lastSeq;
    const ts = this.stream.lastTs;
    return { packet, note: (carrier) => ({ kind: 'rtp', ssrc, seq, ts, payloadType, clockRate, carrier }) };
  }
}

// ---- MS-TURN ----

const MS_VERSION = attr(Attr.MsVersion, 3); // MS-TURN v3: HMAC-SHA-256 MESSAGE-INTEGRITY (dialects §3)
const AUDIO_BEST_EFFORT = attr(Attr.MsServiceQuality, 0x00010000); // stream type 1 audio, quality 0 best effort (dialects §3)

interface Msg {
  fromClient: boolean;
  msg: Buffer;
  note: StunNote;
}

export interface MsAllocateSpec {
  cred: TurnCredentials;
  relay: Peer;
  lifetime: number;
  /** Username override (hostile sample); defaults to cred.username. */
  username?: string;
  /** A 438 Stale Nonce answer to the first authenticated request, with this fresh nonce (a retry with it then succeeds). */
  staleNonceThen?: Buffer;
}

/** MS-TURN Allocate: request, 401 with NONCE/REALM (swapped codes), authenticated request, (438 and retry,) success. */
export function msAllocate(r: Rng, client: Peer, s: MsAllocateSpec): Msg[] {
  const key = longTermKey(s.username ?? s.cred.username, s.cred.realm, s.cred.password);
  const integrity: Integrity = { key, sha256: true };
  const out: Msg[] = [];
  const push = (fromClient: boolean, type: number, tx: Buffer, attrs: Attribute[], more: Partial<StunNote> = {}, mi = true) =>
    out.push({ fromClient, msg: msTurnMessage(type, tx, attrs, mi ? integrity : undefined), note: stunNote('ms-turn', type, tx, more) });
  const tx1 = msTxid(r);
  push(true, MsType.AllocateRequest, tx1, [MS_VERSION, AUDIO_BEST_EFFORT], {}, false);
  // The reason and realm lengths are not multiples of 4: MS-TURN does not pad (dialects §1).
  push(false, MsType.AllocateError, tx1, [
    MS_VERSION, attr(Attr.ErrorCode, errorCode(401, 'The request did not contain a Message-Integrity attribute')),
    attr(MsAttr.Nonce, s.cred.nonce), attr(MsAttr.Realm, s.cred.realm),
  ], { errorCode: 401 }, false);
  let nonce: string | Buffer = s.cred.nonce;
  const authed = (n: string | Buffer) => [MS_VERSION, attr(Attr.Username, s.username ?? s.cred.username), AUDIO_BEST_EFFORT, attr(MsAttr.Nonce, n), attr(MsAttr.Realm, s.cred.realm)];
  if (s.staleNonceThen) {
    const tx = msTxid(r);
    push(true, MsType.AllocateRequest, tx, authed(nonce));
    push(false, MsType.AllocateError, tx, [
      MS_VERSION, attr(Attr.ErrorCode, errorCode(438, 'Stale Nonce')), attr(MsAttr.Nonce, s.staleNonceThen), attr(MsAttr.Realm, s.cred.realm),
    ], { errorCode: 438 }, false);
    nonce = s.staleNonceThen;
  }
  const tx2 = msTxid(r);
  push(true, MsType.AllocateRequest, tx2, authed(nonce));
  push(false, MsType.AllocateResponse, tx2, [
    attr(Attr.Lifetime, s.lifetime), attr(Attr.MappedAddress, mappedAddress(s.relay.ip, s.relay.port)), MS_VERSION,
    attr(Attr.MsXorMappedAddress, xorAddress(client.ip, client.port)), attr(Attr.Software, 'RTC/6.0'),
  ], { relayed: s.relay, lifetime: s.lifetime });
  return out;
}

/** Sends messages over UDP, the first at u.t: the edge answers after EDGE_DELAY, the client after `rtt`. */
function sendUdp(u: UdpExchange, msgs: Msg[], rtt: number): void {
  msgs.forEach((m, i) => note(u.send(m.fromClient, m.msg, i === 0 ? 0 : m.fromClient ? rtt : EDGE_DELAY), m.note));
}

export interface RelayedCallSpec {
  /** Start of the media, µs. */
  start: number;
  packets: number;
  stream: Omit<RtpStreamSpec, 'ssrc'>;
}

/** Sends one media packet at time t; returns its frame and how the packet was carried. */
type Leg = (pkt: Buffer, t: number) => [Frame, RtpCarrier];

/**
 * Media between the TURN client and a peer through the relay: every ptime the client's packet
 * reaches the edge (`up`, wrapped as the leg decides) and leaves the relay port plain towards the
 * peer; the peer's packet arrives plain 10 ms later and goes to the client (`down`).
 */
function relayMedia(r: Rng, s: RelayedCallSpec, relayFlow: Flow, trace: Trace, up: Leg, down: Leg): void {
  const clientRtp = new NotedRtp({ ...s.stream, ssrc: r.u32() }, r);
  const peerRtp = new NotedRtp({ ...s.stream, ssrc: r.u32() }, r);
  const relay = new UdpExchange(trace, relayFlow, 0);
  const ptime = s.stream.ptimeMs * MS;
  for (let i = 0; i < s.packets; i++) {
    const t = s.start + i * ptime;
    const c = clientRtp.next();
    const [cf, cCarrier] = up(c.packet, t);
    note(cf, c.note(cCarrier));
    relay.t = t + RELAY_DELAY;
    note(relay.send(true, c.packet), c.note('udp'));
    const p = peerRtp.next();
    relay.t = t + 10 * MS;
    note(relay.send(false, p.packet), p.note('udp'));
    const [pf, pCarrier] = down(p.packet, t + 10 * MS + RELAY_DELAY);
    note(pf, p.note(pCarrier));
  }
}

/** The relayed side of a call: from the edge's relay port to the peer (the edge speaks first). */
function relayFlowOf(trace: Trace, args: FlowArgs, stream: RelayedCallSpec['stream']): Flow {
  return trace.flow({ ...args, transport: 'udp', app: { protocol: 'rtp', rtpPayloadType: stream.payloadType } });
}

/**
 * MS-TURN over UDP 3478: Allocate (401, success), then media as Send requests (0x0004, DESTINATION-ADDRESS
 * + DATA) up and Data Indications (0x0115, REMOTE-ADDRESS + DATA) down, relayed plain between the relay
 * port and the peer (second flow).
 */
export function msTurnUdpCall(trace: Trace, rng: Rng, flow: FlowArgs, relayArgs: FlowArgs, s: { start: number; rtt: number; alloc: MsAllocateSpec; call: RelayedCallSpec }): [Flow, Flow] {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'ms-turn' } });
  const r = rng.fork(`msturn-udp:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, s.start);
  sendUdp(u, msAllocate(r, { ip: f.client.ip, port: f.cport }, s.alloc), s.rtt);
  const peer = { ip: relayArgs.server.ip, port: relayArgs.sport };
  const relayFlow = relayFlowOf(trace, relayArgs, s.call.stream);
  const send: Leg = (pkt, t) => {
    u.t = t;
    const tx = msTxid(r);
    const msg = msTurnMessage(MsType.SendRequest, tx, [attr(Attr.MsDestinationAddress, mappedAddress(peer.ip, peer.port)), attr(Attr.Data, pkt)]);
    return [note(u.send(true, msg), stunNote('ms-turn', MsType.SendRequest, tx)), 'ms-turn-send-request'];
  };
  const data: Leg = (pkt, t) => {
    u.t = t;
    const tx = msTxid(r);
    const msg = msTurnMessage(MsType.DataIndication, tx, [attr(Attr.MsRemoteAddress, mappedAddress(peer.ip, peer.port)), attr(Attr.Data, pkt)]);
    return [note(u.send(false, msg), stunNote('ms-turn', MsType.DataIndication, tx)), 'ms-turn-data-indication'];
  };
  relayMedia(r, s.call, relayFlow, trace, send, data);
  return [f, relayFlow];
}

/**
 * MS-TURN over TCP 443 (dialects §4): pseudo-TLS hellos, Allocate (401, success) and Set Active
 * Destination in 0x02 control frames, then RTP both ways in 0x03 end-to-end data frames, relayed
 * plain over UDP between the relay port and the peer; a graceful close.
 */
export function msTurnTcpCall(trace: Trace, rng: Rng, flow: FlowArgs, relayArgs: FlowArgs, s: { timing: TcpTiming; alloc: MsAllocateSpec; call: Omit<RelayedCallSpec, 'start'> }): [Flow, Flow] {
  const f = trace.flow({ ...flow, transport: 'tcp', app: { protocol: 'ms-turn-tcp', stunDialect: 'ms-turn' } });
  const r = rng.fork(`msturn-tcp:${flow.label}:${flow.cport}`);
  const conv = new TcpConversation(trace, f, r, s.timing).handshake();
  conv.send(true, pseudoTlsClientHello(r.bytes(32)));
  note(lastData(conv, true), { kind: 'app', protocol: 'ms-turn-pseudo-tls' });
  conv.send(false, pseudoTlsServerHello(r.bytes(32), r.bytes(32)));
  const control = (m: Msg) => note(lastData(conv.send(m.fromClient, msTcpFrame(MsTcpFrame.Control, m.msg)), m.fromClient), m.note);
  msAllocate(r, { ip: f.client.ip, port: f.cport }, s.alloc).forEach(control);
  const peer = { ip: relayArgs.server.ip, port: relayArgs.sport };
  const integrity: Integrity = { key: longTermKey(s.alloc.cred.username, s.alloc.cred.realm, s.alloc.cred.password), sha256: true };
  const sad = msTxid(r);
  control({
    fromClient: true, note: stunNote('ms-turn', MsType.SetActiveDestinationRequest, sad),
    msg: msTurnMessage(MsType.SetActiveDestinationRequest, sad, [MS_VERSION, attr(Attr.Username, s.alloc.cred.username),
      attr(Attr.MsDestinationAddress, mappedAddress(peer.ip, peer.port)), attr(MsAttr.Nonce, s.alloc.cred.nonce), attr(MsAttr.Realm, s.alloc.cred.realm)], integrity),
  });
  control({ fromClient: false, note: stunNote('ms-turn', MsType.SetActiveDestinationResponse, sad), msg: msTurnMessage(MsType.SetActiveDestinationResponse, sad, [MS_VERSION], integrity) });
  const relayFlow = relayFlowOf(trace, relayArgs, s.call.stream);
  // TCP timing is the conversation's own: media starts 20 ms after the last control message.
  conv.wait(20 * MS);
  const start = conv.t;
  // The sides alternate, so each data segment follows the other side's: the conversation adds the
  // client's round trip or the server's delay (tcp.ts); start from there to land exactly at t.
  const leg = (fromClient: boolean): Leg => (pkt, t) => {
    conv.t = t - (fromClient ? s.timing.rtt : s.timing.serverDelay ?? 300);
    return [lastData(conv.send(fromClient, msTcpFrame(MsTcpFrame.Data, pkt)), fromClient), 'ms-turn-tcp-data'];
  };
  relayMedia(r, { ...s.call, start }, relayFlow, trace, leg(true), leg(false));
  conv.wait(30 * MS);
  conv.close(true);
  return [f, relayFlow];
}

/**
 * MS-TURN Allocate over UDP never answered (UDP 3478 blocked): the same request, same transaction id,
 * sent at the RFC 5389 §7.2.1 schedule (RTO 500 ms doubling, Rc = 7: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s).
 * Returns the flow and the time the client gives up (last send + Rm * RTO = 16 * 500 ms).
 */
export function msTurnAllocateBlocked(trace: Trace, rng: Rng, flow: FlowArgs, start: number): { flow: Flow; givesUpAt: number } {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'ms-turn' } });
  const r = rng.fork(`msturn-blocked:${flow.label}:${flow.cport}`);
  const tx = msTxid(r);
  const msg = msTurnMessage(MsType.AllocateRequest, tx, [MS_VERSION, AUDIO_BEST_EFFORT]);
  const u = new UdpExchange(trace, f, 0);
  const RTO = 500 * MS; // RFC 5389 §7.2.1 default
  let t = 0;
  for (let i = 0; i < 7; i++) {
    u.t = start + t;
    note(u.send(true, msg), stunNote('ms-turn', MsType.AllocateRequest, tx));
    t += RTO * 2 ** i;
  }
  return { flow: f, givesUpAt: start + (t - RTO * 2 ** 6) + 16 * RTO };
}

// ---- RFC 5389 / 5766 ----

const SOFTWARE = attr(Attr.Software, 'flowaudit-sample 1.0');
const UDP_TRANSPORT = attr(Attr.RequestedTransport, 0x11000000); // protocol 17, RFFU (RFC 5766 §14.7)

/** RFC 5389 message with FINGERPRINT (and MESSAGE-INTEGRITY when a key is given), with its note. */
function rfc(fromClient: boolean, type: number, tx: Buffer, attrs: Attribute[], key?: Buffer, more: Partial<StunNote> = {}): Msg {
  return { fromClient, msg: stunMessage(type, tx, attrs, { integrity: key ? { key } : undefined, fingerprint: true }), note: stunNote('rfc5389', type, tx, more) };
}

function creds(c: TurnCredentials, nonce: string | Buffer = c.nonce): Attribute[] {
  return [attr(Attr.Username, c.username), attr(RfcAttr.Realm, c.realm), attr(RfcAttr.Nonce, nonce)];
}

/**
 * RFC 5766 TURN over UDP 3478: Allocate (401 with REALM/NONCE, authenticated retry, success with
 * XOR-RELAYED-ADDRESS), CreatePermission, media as Send/Data indications, ChannelBind, media as
 * ChannelData, and a Refresh with LIFETIME 0 that deletes the allocation (RFC 5766 §7).
 */
export function rfcTurnCall(trace: Trace, rng: Rng, flow: FlowArgs, relayArgs: FlowArgs, s: { start: number; rtt: number; cred: TurnCredentials; relay: Peer; lifetime: number; channel: number; call: RelayedCallSpec & { viaIndications: number } }): [Flow, Flow] {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'rfc5389' } });
  const r = rng.fork(`turn:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, s.start);
  const key = longTermKey(s.cred.username, s.cred.realm, s.cred.password);
  const peer = { ip: relayArgs.server.ip, port: relayArgs.sport };
  const a1 = r.bytes(12);
  const a2 = r.bytes(12);
  const perm = r.bytes(12);
  sendUdp(u, [
    rfc(true, StunType.AllocateRequest, a1, [UDP_TRANSPORT, SOFTWARE]),
    rfc(false, StunType.AllocateError, a1, [attr(Attr.ErrorCode, errorCode(401, 'Unauthorized')), attr(RfcAttr.Realm, s.cred.realm), attr(RfcAttr.Nonce, s.cred.nonce), SOFTWARE], undefined, { errorCode: 401 }),
    rfc(true, StunType.AllocateRequest, a2, [UDP_TRANSPORT, ...creds(s.cred)], key),
    rfc(false, StunType.AllocateSuccess, a2, [attr(Attr.XorRelayedAddress, xorAddress(s.relay.ip, s.relay.port, a2)), attr(Attr.Lifetime, s.lifetime),
      attr(Attr.XorMappedAddress, xorAddress(f.client.ip, f.cport, a2)), SOFTWARE], key, { relayed: s.relay, lifetime: s.lifetime }),
    rfc(true, StunType.CreatePermissionRequest, perm, [attr(Attr.XorPeerAddress, xorAddress(peer.ip, peer.port, perm)), ...creds(s.cred)], key),
    rfc(false, StunType.CreatePermissionSuccess, perm, [SOFTWARE], key),
  ], s.rtt);
  const relayFlow = relayFlowOf(trace, relayArgs, s.call.stream);
  let sent = 0;
  let bound = false;
  const bind = (t: number) => {
    const tx = r.bytes(12);
    u.t = t;
    sendUdp(u, [
      rfc(true, StunType.ChannelBindRequest, tx, [attr(Attr.ChannelNumber, channelNumber(s.channel)), attr(Attr.XorPeerAddress, xorAddress(peer.ip, peer.port, tx)), ...creds(s.cred)], key),
      rfc(false, StunType.ChannelBindSuccess, tx, [SOFTWARE], key),
    ], s.rtt);
    bound = true;
  };
  // Send/Data indications (RFC 5766 §10) until the channel is bound, ChannelData (§11) after.
  const leg = (fromClient: boolean): Leg => (pkt, t) => {
    if (fromClient && sent++ === s.call.viaIndications) bind(t - 5 * MS);
    u.t = t;
    if (bound) return [note(u.send(fromClient, channelData(s.channel, pkt)), { kind: 'app', protocol: 'channeldata' }), 'channeldata'];
    const tx = r.bytes(12);
    const type = fromClient ? StunType.SendIndication : StunType.DataIndication;
    const msg = stunMessage(type, tx, [attr(Attr.XorPeerAddress, xorAddress(peer.ip, peer.port, tx)), attr(Attr.Data, pkt)], { fingerprint: true });
    return [note(u.send(fromClient, msg), stunNote('rfc5389', type, tx)), fromClient ? 'turn-send-indication' : 'turn-data-indication'];
  };
  relayMedia(r, s.call, relayFlow, trace, leg(true), leg(false));
  const refresh = r.bytes(12);
  u.t += 40 * MS;
  sendUdp(u, [
    rfc(true, StunType.RefreshRequest, refresh, [attr(Attr.Lifetime, 0), ...creds(s.cred)], key),
    rfc(false, StunType.RefreshSuccess, refresh, [attr(Attr.Lifetime, 0), SOFTWARE], key),
  ], s.rtt);
  return [f, relayFlow];
}

/**
 * RFC 5766 errors on one allocation (RFC 5766 §6.2, RFC 5389 §10.2): an authenticated Allocate succeeds;
 * a second Allocate from the same 5-tuple with a new transaction id gets 437 Allocation Mismatch; a Refresh
 * with the old nonce gets 438 Stale Nonce and a new NONCE; the Refresh retried with it succeeds.
 */
export function rfcTurnErrors(trace: Trace, rng: Rng, flow: FlowArgs, s: { start: number; rtt: number; cred: TurnCredentials; freshNonce: string; relay: Peer; lifetime: number; pause: number }): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'rfc5389' } });
  const r = rng.fork(`turn-errors:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, s.start);
  const key = longTermKey(s.cred.username, s.cred.realm, s.cred.password);
  const [a1, a2, r1, r2] = [r.bytes(12), r.bytes(12), r.bytes(12), r.bytes(12)];
  sendUdp(u, [
    rfc(true, StunType.AllocateRequest, a1, [UDP_TRANSPORT, ...creds(s.cred)], key),
    rfc(false, StunType.AllocateSuccess, a1, [attr(Attr.XorRelayedAddress, xorAddress(s.relay.ip, s.relay.port, a1)), attr(Attr.Lifetime, s.lifetime),
      attr(Attr.XorMappedAddress, xorAddress(f.client.ip, f.cport, a1)), SOFTWARE], key, { relayed: s.relay, lifetime: s.lifetime }),
  ], s.rtt);
  u.t += s.pause;
  sendUdp(u, [
    rfc(true, StunType.AllocateRequest, a2, [UDP_TRANSPORT, ...creds(s.cred)], key),
    rfc(false, StunType.AllocateError, a2, [attr(Attr.ErrorCode, errorCode(437, 'Allocation Mismatch')), SOFTWARE], key, { errorCode: 437 }),
  ], s.rtt);
  u.t += s.pause;
  sendUdp(u, [
    rfc(true, StunType.RefreshRequest, r1, [attr(Attr.Lifetime, s.lifetime), ...creds(s.cred)], key),
    // A 438 carries the new NONCE and the REALM, without MESSAGE-INTEGRITY (RFC 5389 §10.2.2).
    rfc(false, StunType.RefreshError, r1, [attr(Attr.ErrorCode, errorCode(438, 'Stale Nonce')), attr(RfcAttr.Realm, s.cred.realm), attr(RfcAttr.Nonce, s.freshNonce), SOFTWARE], undefined, { errorCode: 438 }),
    rfc(true, StunType.RefreshRequest, r2, [attr(Attr.Lifetime, s.lifetime), ...creds(s.cred, s.freshNonce)], key),
    rfc(false, StunType.RefreshSuccess, r2, [attr(Attr.Lifetime, s.lifetime), SOFTWARE], key),
  ], s.rtt);
  return f;
}

/** MS-TURN Allocate over UDP with an optional stale-nonce round (msAllocate), no media. */
export function msTurnAllocate(trace: Trace, rng: Rng, flow: FlowArgs, s: { start: number; rtt: number; alloc: MsAllocateSpec }): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'ms-turn' } });
  const r = rng.fork(`msturn-alloc:${flow.label}:${flow.cport}`);
  sendUdp(new UdpExchange(trace, f, s.start), msAllocate(r, { ip: f.client.ip, port: f.cport }, s.alloc), s.rtt);
  return f;
}
