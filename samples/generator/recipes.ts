/**
 * Whole flows built from the packet machinery: a TLS session, STUN/TURN
 * exchanges in both dialects, MS-TURN over TCP, an RTP call, scans and probes.
 * Scenarios call these with addresses, ports and timing; they know nothing of
 * which ports are documented.
 */
import { Icmp4, Icmp4Unreach, Icmp6, Icmp6Unreach } from './packets.js';
import { RtpStream, type RtpStreamSpec } from './payloads/rtp.js';
import {
  Attr, MsAttr, MsTcpFrame, RfcAttr, StunType, attr, errorCode, longTermKey, mappedAddress, msTcpFrame, msTurnMessage,
  pseudoTlsClientHello, pseudoTlsServerHello, stunMessage, xorAddress, STUN_MAGIC_COOKIE,
} from './payloads/stun.js';
import * as tls from './payloads/tls.js';
import type { Rng } from './rng.js';
import { TcpConversation, type TcpTiming } from './tcp.js';
import type { Flow, FlowSpec, Frame, Host, Trace } from './trace.js';
import { UdpExchange } from './udp.js';

const MS = 1000; // µs per millisecond

/** How a TCP flow ends: graceful close by either side, a reset by the server, or still open at capture end. */
export type TcpEnd = 'client-fin' | 'server-fin' | 'server-rst' | 'open';

export interface TlsSessionSpec extends TcpTiming {
  version: tls.TlsVersion;
  sni?: string;
  alpn?: string[];
  /** Application messages after the handshake: who sends, plaintext bytes, pause before it (µs). */
  messages: [fromClient: boolean, bytes: number, pauseUs?: number][];
  end: TcpEnd;
}

function finish(conv: TcpConversation, end: TcpEnd): void {
  if (end === 'client-fin') conv.close(true);
  else if (end === 'server-fin') conv.close(false);
  else if (end === 'server-rst') conv.reset(false);
}

/** A full TLS session: TCP handshake, TLS handshake, application data, then `end`. */
export function tlsSession(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'app'>, s: TlsSessionSpec): Flow {
  const f = trace.flow({ ...flow, transport: 'tcp', app: { protocol: 'tls', tlsVersion: s.version, sni: s.sni, alpn: s.alpn } });
  const r = rng.fork(`tls:${flow.label}:${flow.cport}`);
  const conv = new TcpConversation(trace, f, r, s).handshake();
  const ch = tls.clientHello({ version: s.version, sni: s.sni, alpn: s.alpn }, r);
  conv.send(true, ch).send(false, tls.serverFlight(s.version, r, ch)).send(true, tls.clientFinish(s.version, r));
  if (s.version === '1.2') conv.send(false, tls.serverFinish(r));
  appMessages(conv, s.version, s.messages, r);
  finish(conv, s.end);
  return f;
}

function appMessages(conv: TcpConversation, version: tls.TlsVersion, messages: TlsSessionSpec['messages'], r: Rng): void {
  for (const [fromClient, bytes, pause] of messages) {
    if (pause) conv.wait(pause);
    conv.send(fromClient, tls.applicationData(version, bytes, r));
  }
}

/** A TLS connection already established when the capture started: only application data is seen. */
export function tlsMidstream(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'app'>, s: Omit<TlsSessionSpec, 'sni' | 'alpn'>): Flow {
  const f = trace.flow({ ...flow, transport: 'tcp', app: { protocol: 'tls', tlsVersion: s.version } });
  const r = rng.fork(`tls-mid:${flow.label}:${flow.cport}`);
  const conv = new TcpConversation(trace, f, r, s, true);
  appMessages(conv, s.version, s.messages, r);
  finish(conv, s.end);
  return f;
}

/** A plain TCP session exchanging the given payloads (one message per entry), then `end`. */
export function tcpSession(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport'>, timing: TcpTiming, messages: [boolean, Buffer, number?][], end: TcpEnd): Flow {
  const f = trace.flow({ ...flow, transport: 'tcp' });
  const conv = new TcpConversation(trace, f, rng.fork(`tcp:${flow.label}:${flow.cport}`), timing).handshake();
  for (const [fromClient, data, pause] of messages) {
    if (pause) conv.wait(pause);
    conv.send(fromClient, data);
  }
  finish(conv, end);
  return f;
}

export interface TurnCredentials {
  username: string;
  realm: string;
  password: string;
  nonce: string | Buffer;
}

/**
 * MS-TURN Allocate over UDP as a Lync client does it: a request without
 * credentials, 401 with NONCE and REALM (MS codes 0x0014 / 0x0015), a second
 * request with USERNAME and MESSAGE-INTEGRITY, and the success response with
 * the relayed address (MAPPED-ADDRESS) and the reflexive one (XOR-MAPPED-ADDRESS 0x8020).
 */
export function msTurnAllocateUdp(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'app'>, start: number, rtt: number, relayPort: number, cred: TurnCredentials): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'ms-turn' } });
  const r = rng.fork(`msturn:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, start);
  msTurnAllocateMessages(r, f, relayPort, cred).forEach((m, i) => u.send(m.fromClient, m.msg, i === 0 ? 0 : m.fromClient ? rtt : 400));
  return f;
}

function msTxid(r: Rng): Buffer {
  // Real MS-TURN clients often start the 16-byte id with the RFC 5389 cookie (dialects §1).
  const id = r.bytes(16);
  id.writeUInt32BE(STUN_MAGIC_COOKIE, 0);
  return id;
}

function msTurnAllocateMessages(r: Rng, f: Flow, relayPort: number, cred: TurnCredentials): { fromClient: boolean; msg: Buffer }[] {
  const version = attr(Attr.MsVersion, 3); // MS-TURN v3: HMAC-SHA-256 MESSAGE-INTEGRITY (dialects §3)
  const quality = attr(Attr.MsServiceQuality, 0x00010000); // stream type audio, best effort
  const integrity = { key: longTermKey(cred.username, cred.realm, cred.password), sha256: true };
  const tx1 = msTxid(r);
  const tx2 = msTxid(r);
  return [
    { fromClient: true, msg: msTurnMessage(StunType.AllocateRequest, tx1, [version, quality]) },
    {
      fromClient: false,
      msg: msTurnMessage(StunType.AllocateError, tx1, [
        // The reason phrase and realm lengths are not multiples of 4: MS-TURN does not pad (dialects §1).
        version, attr(Attr.ErrorCode, errorCode(401, 'The request did not contain a Message-Integrity attribute')),
        attr(MsAttr.Nonce, cred.nonce), attr(MsAttr.Realm, cred.realm),
      ]),
    },
    {
      fromClient: true,
      msg: msTurnMessage(StunType.AllocateRequest, tx2, [
        version, attr(Attr.Username, cred.username), quality, attr(MsAttr.Nonce, cred.nonce), attr(MsAttr.Realm, cred.realm),
      ], integrity),
    },
    {
      fromClient: false,
      msg: msTurnMessage(StunType.AllocateSuccess, tx2, [
        attr(Attr.Lifetime, 480), attr(Attr.MappedAddress, mappedAddress(f.server.ip, relayPort)), version,
        attr(Attr.MsXorMappedAddress, xorAddress(f.client.ip, f.cport)), attr(Attr.Software, 'RTC/6.0'),
      ], integrity),
    },
  ];
}

/** RFC 5389 Binding, then RFC 5766 Allocate: 401 with REALM/NONCE, authenticated retry, success. */
export function rfcStunTurn(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'app'>, start: number, rtt: number, relayPort: number, cred: TurnCredentials): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'rfc5389' } });
  const r = rng.fork(`stun:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, start);
  const software = attr(Attr.Software, 'flowaudit-sample 1.0');
  const key = longTermKey(cred.username, cred.realm, cred.password);
  const transportUdp = attr(Attr.RequestedTransport, 0x11000000); // protocol 17, RFFU (RFC 5766 §14.7)
  const b = r.bytes(12);
  u.send(true, stunMessage(StunType.BindingRequest, b, [software], { fingerprint: true }));
  u.send(false, stunMessage(StunType.BindingSuccess, b, [attr(Attr.XorMappedAddress, xorAddress(f.client.ip, f.cport, b)), software], { fingerprint: true }), 350);
  const a1 = r.bytes(12);
  u.send(true, stunMessage(StunType.AllocateRequest, a1, [transportUdp, software], { fingerprint: true }), 20 * MS);
  u.send(false, stunMessage(StunType.AllocateError, a1, [
    attr(Attr.ErrorCode, errorCode(401, 'Unauthorized')), attr(RfcAttr.Realm, cred.realm), attr(RfcAttr.Nonce, cred.nonce), software,
  ], { fingerprint: true }), 400);
  const a2 = r.bytes(12);
  u.send(true, stunMessage(StunType.AllocateRequest, a2, [
    transportUdp, attr(Attr.Username, cred.username), attr(RfcAttr.Realm, cred.realm), attr(RfcAttr.Nonce, cred.nonce),
  ], { integrity: { key }, fingerprint: true }), rtt);
  u.send(false, stunMessage(StunType.AllocateSuccess, a2, [
    attr(Attr.XorRelayedAddress, xorAddress(f.server.ip, relayPort, a2)), attr(Attr.Lifetime, 600),
    attr(Attr.XorMappedAddress, xorAddress(f.client.ip, f.cport, a2)), software,
  ], { integrity: { key }, fingerprint: true }), 450);
  return f;
}

/**
 * MS-TURN over TCP 443 to the A/V Edge: pseudo-TLS hello exchange, then the
 * Allocate exchange in 4-byte TURN control frames, a few end-to-end data frames
 * each way, and a graceful close.
 */
export function msTurnTcp(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'app'>, timing: TcpTiming, relayPort: number, cred: TurnCredentials, dataFrames: number): Flow {
  const f = trace.flow({ ...flow, transport: 'tcp', app: { protocol: 'ms-turn-tcp', stunDialect: 'ms-turn' } });
  const r = rng.fork(`msturn-tcp:${flow.label}:${flow.cport}`);
  const conv = new TcpConversation(trace, f, r, timing).handshake();
  conv.send(true, pseudoTlsClientHello(r.bytes(32))).send(false, pseudoTlsServerHello(r.bytes(32), r.bytes(32)));
  for (const m of msTurnAllocateMessages(r, f, relayPort, cred)) conv.send(m.fromClient, msTcpFrame(MsTcpFrame.Control, m.msg));
  for (let i = 0; i < dataFrames; i++) {
    conv.wait(20 * MS).send(true, msTcpFrame(MsTcpFrame.Data, r.bytes(120)));
    conv.send(false, msTcpFrame(MsTcpFrame.Data, r.bytes(120)));
  }
  conv.close(true);
  return f;
}

export interface RtpCallSpec {
  start: number;
  packetsPerDirection: number;
  /** Offset of the server's first packet after the client's, µs. */
  answerDelay: number;
  stream: Omit<RtpStreamSpec, 'ssrc'>;
  /** Indexes of server-to-client packets lost before the capture point (sequence numbers still advance). */
  lostFromServer?: number[];
}

/** Bidirectional RTP, one packet per ptime each way, with up to ±1 ms of send jitter. */
export function rtpCall(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'app'>, s: RtpCallSpec): Flow {
  const r = rng.fork(`rtp:${flow.label}:${flow.cport}`);
  const cSsrc = r.u32();
  const sSsrc = r.u32();
  const f = trace.flow({
    ...flow, transport: 'udp',
    app: { protocol: 'rtp', rtpPayloadType: s.stream.payloadType, rtpSsrc: { fromClient: cSsrc, fromServer: sSsrc } },
  });
  const cStream = new RtpStream({ ...s.stream, ssrc: cSsrc }, r);
  const sStream = new RtpStream({ ...s.stream, ssrc: sSsrc }, r);
  const ptime = s.stream.ptimeMs * MS;
  const lost = new Set(s.lostFromServer ?? []);
  const u = new UdpExchange(trace, f, 0);
  for (let i = 0; i < s.packetsPerDirection; i++) {
    u.t = s.start + i * ptime + r.int(0, 1000);
    u.send(true, cStream.next());
    const p = sStream.next();
    if (lost.has(i)) continue;
    u.t = s.start + s.answerDelay + i * ptime + r.int(0, 1000);
    u.send(false, p);
  }
  return f;
}

/** One SYN per port from a fixed source port (as nmap does), answered by RST+ACK: closed ports, REJ. */
export function synScanRefused(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'sport'>, ports: number[], start: number, spacing: number): Flow[] {
  return ports.map((port, i) => {
    const f = trace.flow({ ...flow, transport: 'tcp', sport: port });
    const conv = new TcpConversation(trace, f, rng.fork(`scan:${flow.label}:${port}`), { start: start + i * spacing, rtt: 0, serverDelay: 90 });
    conv.syn();
    conv.refuse();
    return f;
  });
}

/** One SYN per port, never answered (a firewall drop), each retransmitted once after `retransmitAfter` µs: S0. */
export function synScanDropped(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'sport'>, ports: number[], start: number, spacing: number, retransmitAfter: number): Flow[] {
  return ports.map((port, i) => {
    const f = trace.flow({ ...flow, transport: 'tcp', sport: port });
    new TcpConversation(trace, f, rng.fork(`drop:${flow.label}:${port}`), { start: start + i * spacing, rtt: 0 }).syn([retransmitAfter]);
    return f;
  });
}

/** A UDP datagram answered by ICMP/ICMPv6 port unreachable from the target host. */
export function udpProbeUnreachable(trace: Trace, flow: Omit<FlowSpec, 'transport'>, start: number, payload: Buffer): Flow {
  const f = trace.flow({ ...flow, transport: 'udp' });
  const u = new UdpExchange(trace, f, start);
  const probe = u.send(true, payload);
  const v6 = f.server.ip.includes(':');
  trace.icmpError(f.server, probe, start + 250, v6 ? Icmp6.DestUnreachable : Icmp4.DestUnreachable, v6 ? Icmp6Unreach.Port : Icmp4Unreach.Port);
  return f;
}

/** A SYN answered by ICMP "communication administratively prohibited" (type 3 code 13) from a firewall. */
export function synAdminProhibited(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport'>, start: number, firewall: Host): Flow {
  const f = trace.flow({ ...flow, transport: 'tcp' });
  const syn: Frame = new TcpConversation(trace, f, rng.fork(`prohib:${flow.label}:${flow.cport}`), { start, rtt: 0 }).syn();
  trace.icmpError(firewall, syn, start + 600, Icmp4.DestUnreachable, Icmp4Unreach.AdminProhibited);
  return f;
}

/** `count` RFC 5389 Binding request/success pairs (connectivity checks), `interval` µs apart, FINGERPRINT on each. */
export function stunBindingChecks(trace: Trace, rng: Rng, flow: Omit<FlowSpec, 'transport' | 'app'>, start: number, rtt: number, count: number, interval: number): Flow {
  const f = trace.flow({ ...flow, transport: 'udp', app: { protocol: 'stun', stunDialect: 'rfc5389' } });
  const r = rng.fork(`binding:${flow.label}:${flow.cport}`);
  const u = new UdpExchange(trace, f, start);
  const software = attr(Attr.Software, 'RTCC/6.0.0.0 MediaRelaySvc');
  for (let i = 0; i < count; i++) {
    const tx = r.bytes(12);
    u.send(true, stunMessage(StunType.BindingRequest, tx, [software], { fingerprint: true }), i === 0 ? 0 : interval - rtt);
    u.send(false, stunMessage(StunType.BindingSuccess, tx, [attr(Attr.XorMappedAddress, xorAddress(f.client.ip, f.cport, tx)), software], { fingerprint: true }), rtt);
  }
  return f;
}

/** One UDP request and its answer `gap` µs later. */
export function udpRequestResponse(trace: Trace, flow: Omit<FlowSpec, 'transport'>, start: number, gap: number, request: Buffer, response: Buffer): Flow {
  const f = trace.flow({ ...flow, transport: 'udp' });
  const u = new UdpExchange(trace, f, start);
  u.send(true, request);
  u.send(false, response, gap);
  return f;
}
