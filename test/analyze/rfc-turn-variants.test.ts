/**
 * What a real RFC TURN server does that Microsoft's relays do not, as a coturn 4.6 session on
 * loopback showed (test/oracle/coturn-tshark.test.ts runs one against tshark where coturn is
 * installed). These captures are built here, so that each behaviour is checked everywhere:
 * - ChannelData on channels past 0x4FFF, which RFC 5766 allows and coturn binds;
 * - RFC 6062 data connections: after its ConnectionBind succeeds, the peer's bytes as they are; the
 *   peer connection it carries named by CONNECTION-ID on the allocation's control connection;
 * - an RFC 5780 Binding with CHANGE-REQUEST and RESPONSE-PORT, answered from the server's other
 *   address and port, to the port the request named.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ethernet, EtherType, ipPacket, IpProto, TcpFlag, tcpSegment, udpDatagram } from '../../samples/generator/packets.js';
import { attr, stunMessage, xorAddress } from '../../samples/generator/payloads/stun.js';
import type { AnalyzeOptions } from '../../src/analyze.js';
import type * as Library from '../../src/index.js';
import { pcapFile } from '../helpers/capture-builders.js';
import { channelData } from '../inspect/fixtures.js';
import { rtp } from '../inspect/media/rtp-builders.js';
import { REPO_ROOT } from '../helpers/environment.js';

// The built library (test/global-setup.ts builds it): the inspection worker is a compiled module.
const { analyze } = (await import(pathToFileURL(join(REPO_ROOT, 'dist', 'index.js')).href)) as typeof Library;

const l2 = { src: '00:15:5d:00:00:01', dst: '00:15:5d:00:00:02' };
type End = [string, number];
const CLIENT: End = ['198.51.100.20', 50020];
const SERVER: End = ['203.0.113.5', 3478];

const datagram = (from: End, to: End, payload: Buffer) =>
  ethernet(l2, EtherType.IPv4, ipPacket({ src: from[0], dst: to[0], ttl: 64 }, IpProto.UDP, udpDatagram(from[0], to[0], from[1], to[1], payload)));

const txid = (n: number) => Buffer.from(`tx-${String(n).padStart(9, '0')}`);

async function analyzeFrames(frames: Buffer[], options: AnalyzeOptions = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'flowaudit-rfc-turn-')), 'capture.pcap');
  writeFileSync(file, pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000, frac: i * 1000, data }))));
  return analyze([file], options);
}

describe('ChannelData on channels past 0x4FFF (RFC 5766 §11)', () => {
  const PAYLOAD = Buffer.alloc(120, 7); // coturn's test data: not RTP

  it('is counted on a flow where TURN was seen', async () => {
    const frames = [
      datagram(CLIENT, SERVER, stunMessage(0x0003, txid(1), [attr(0x0019, 0x11000000)])), // Allocate, UDP
      datagram(SERVER, CLIENT, stunMessage(0x0103, txid(1), [attr(0x000d, 600)])),
      datagram(CLIENT, SERVER, stunMessage(0x0009, txid(2), [attr(0x000c, 0x772f0000)])), // ChannelBind 0x772F
      datagram(SERVER, CLIENT, stunMessage(0x0109, txid(2), [])),
    ];
    for (let i = 0; i < 5; i++) frames.push(datagram(CLIENT, SERVER, channelData(0x772f, PAYLOAD)), datagram(SERVER, CLIENT, channelData(0x772f, PAYLOAD)));
    const report = await analyzeFrames(frames);
    const [stun] = report.stun.perFlow;
    expect(stun.channelData).toEqual({ messages: 10, multiplexedTurn: 0, channels: [0x772f] });
    expect(report.inputs[0].anomalies).toEqual({});
  });

  /** PCMU RTP of one stream in ChannelData: what a mid-call capture's ChannelData is believed by (standalone). */
  const midCall = (channel: number) => {
    const frames: Buffer[] = [];
    for (let seq = 100; seq < 110; seq++) frames.push(datagram(CLIENT, SERVER, channelData(channel, rtp({ seq, ts: seq * 160, ssrc: 0x11111111 }))));
    return frames;
  };

  it('is guessed without TURN on channels 0x4000-0x4FFF only: first bytes 80-127 are QUIC short headers (RFC 9443)', async () => {
    const guessed = await analyzeFrames(midCall(0x4a00));
    expect(guessed.stun.perFlow[0]?.channelData?.messages).toBe(10);
    const notGuessed = await analyzeFrames(midCall(0x5a00));
    expect(notGuessed.flows[0].apps?.some((a) => a.protocol === 'channeldata') ?? false).toBe(false);
    expect(notGuessed.stun.perFlow).toEqual([]);
  });
});

describe('RFC 6062 TCP allocations', () => {
  const PEER_DATA = Buffer.concat([Buffer.alloc(4), Buffer.alloc(116, 7)]); // opens with zeros, as STUN would
  const ID_CONNECT = 0x90ce3001;
  const ID_ATTEMPT = 0x6ee38c00;
  const PEER_A: End = ['192.0.2.80', 40001];
  const PEER_B: End = ['192.0.2.81', 40002];

  /** One TCP connection from `client` to `server`: the handshake, then each payload in turn. */
  function tcpConnection(client: End, server: End, sends: [fromClient: boolean, payload: Buffer][]): Buffer[] {
    let cseq = 1000;
    let sseq = 9000;
    const seg = (from: End, to: End, seq: number, ack: number, flags: number, payload: Buffer = Buffer.alloc(0)) =>
      ethernet(l2, EtherType.IPv4, ipPacket({ src: from[0], dst: to[0], ttl: 64 }, IpProto.TCP,
        tcpSegment(from[0], to[0], { sport: from[1], dport: to[1], seq, ack, flags, window: 65535 }, payload)));
    const frames = [
      seg(client, server, cseq++, 0, TcpFlag.SYN),
      seg(server, client, sseq++, cseq, TcpFlag.SYN | TcpFlag.ACK),
      seg(client, server, cseq, sseq, TcpFlag.ACK),
    ];
    for (const [fromClient, payload] of sends) {
      if (fromClient) {
        frames.push(seg(client, server, cseq, sseq, TcpFlag.PSH | TcpFlag.ACK, payload));
        cseq += payload.length;
      } else {
        frames.push(seg(server, client, sseq, cseq, TcpFlag.PSH | TcpFlag.ACK, payload));
        sseq += payload.length;
      }
    }
    return frames;
  }

  /** A data connection from client port `port` to `server`: its ConnectionBind for `id`, then the peer's bytes. */
  function dataConnection(port: number, id: number, server: End = SERVER): Buffer[] {
    const sends: [boolean, Buffer][] = [
      [true, stunMessage(0x000b, txid(port), [attr(0x002a, id)])], // ConnectionBind
      [false, stunMessage(0x010b, txid(port), [])],
    ];
    for (let i = 0; i < 4; i++) sends.push([true, PEER_DATA], [false, PEER_DATA]);
    return tcpConnection(['198.51.100.20', port], server, sends);
  }

  /**
   * A TCP allocation's control connection: the client connects to peer A (Connect, §4.3), then the
   * server says peer B connected to the relayed address (ConnectionAttempt, §4.4).
   */
  function controlConnection(): Buffer[] {
    return tcpConnection(['198.51.100.20', 50090], SERVER, [
      [true, stunMessage(0x0003, txid(1), [attr(0x0019, 0x06000000)])], // Allocate, REQUESTED-TRANSPORT TCP
      [false, stunMessage(0x0103, txid(1), [attr(0x0016, xorAddress('203.0.113.5', 49200)), attr(0x000d, 600)])],
      [true, stunMessage(0x000a, txid(2), [attr(0x0012, xorAddress(...PEER_A))])], // Connect
      [false, stunMessage(0x010a, txid(2), [attr(0x002a, ID_CONNECT)])],
      [false, stunMessage(0x001c, txid(3), [attr(0x002a, ID_ATTEMPT), attr(0x0012, xorAddress(...PEER_B))])], // ConnectionAttempt
    ]);
  }

  it.each([['in this thread', false], ['in the inspection worker', true]] as const)('a data connection is framed up to its ConnectionBind success and read no further (%s)', async (_how, inspectionWorker) => {
    const report = await analyzeFrames(dataConnection(50100, ID_CONNECT), { inspectionWorker });
    const [stun] = report.stun.perFlow;
    expect(stun).toMatchObject({ framing: 'turn-tcp', messages: 2, dataConnectionFrame: 5, connectionId: ID_CONNECT });
    expect(stun.allocationFlow).toBeUndefined(); // no allocation in this capture named it
    expect(stun.transactions).toMatchObject([{ name: 'ConnectionBind', requests: 1, success: 1, unanswered: 0 }]);
    expect(report.inputs[0].anomalies).toEqual({}); // no inspect_tcp_desync: the data is not STUN gone wrong
  });

  it.each([['in this thread', false], ['in the inspection worker', true]] as const)('each data connection is linked to the peer connection it carries, by CONNECTION-ID (%s)', async (_how, inspectionWorker) => {
    // Flows: 1 the control connection, 2 and 3 the data connections (bound in the other order).
    const report = await analyzeFrames([...controlConnection(), ...dataConnection(50101, ID_ATTEMPT), ...dataConnection(50102, ID_CONNECT)], { inspectionWorker });
    const [allocation] = report.stun.allocations;
    expect(allocation).toMatchObject({ flow: 1, outcome: 'success', requestedTransport: 6, connects: 1, connectionAttempts: 1 });
    expect(allocation.connections).toEqual([
      { connectionId: ID_CONNECT, peer: '192.0.2.80:40001', initiatedBy: 'client', frame: 7, dataConnectionFlow: 3 },
      { connectionId: ID_ATTEMPT, peer: '192.0.2.81:40002', initiatedBy: 'peer', frame: 8, dataConnectionFlow: 2 },
    ]);
    const byFlow = new Map(report.stun.perFlow.map((f) => [f.flow, f]));
    expect(byFlow.get(2)).toMatchObject({ connectionId: ID_ATTEMPT, allocationFlow: 1 });
    expect(byFlow.get(3)).toMatchObject({ connectionId: ID_CONNECT, allocationFlow: 1 });
    expect(report.inputs[0].anomalies).toEqual({});
  });

  it('links only a ConnectionBind that succeeded; counts a refused Connect, and takes a Connect success whose request came before the capture', async () => {
    const client: End = ['198.51.100.20', 50090];
    const control = tcpConnection(client, SERVER, [
      [true, stunMessage(0x0003, txid(1), [attr(0x0019, 0x06000000)])],
      [false, stunMessage(0x0103, txid(1), [attr(0x0016, xorAddress('203.0.113.5', 49200)), attr(0x000d, 600)])],
      [true, stunMessage(0x000a, txid(2), [attr(0x0012, xorAddress(...PEER_A))])], // Connect, refused (447 Connection Timeout or Failure)
      [false, stunMessage(0x011a, txid(2), [attr(0x0009, Buffer.from([0, 0, 4, 47]))])],
      [false, stunMessage(0x010a, txid(9), [attr(0x002a, ID_CONNECT)])], // a success whose request the capture missed
    ]);
    const refusedBind = tcpConnection(['198.51.100.20', 50104], SERVER, [
      [true, stunMessage(0x000b, txid(50104), [attr(0x002a, ID_CONNECT)])],
      [false, stunMessage(0x011b, txid(50104), [attr(0x0009, Buffer.from([0, 0, 4, 46]))])], // 446 Connection Already Exists
    ]);
    const report = await analyzeFrames([...control, ...refusedBind, ...dataConnection(50105, ID_CONNECT)]);
    const [allocation] = report.stun.allocations;
    expect(allocation).toMatchObject({ connects: 1, connectionAttempts: 0 });
    // Linked to the data connection that was bound (flow 3), not to the refused one (flow 2).
    expect(allocation.connections).toEqual([{ connectionId: ID_CONNECT, peer: null, initiatedBy: 'client', frame: 8, dataConnectionFlow: 3 }]);
    const refused = report.stun.perFlow.find((f) => f.flow === 2)!;
    expect(refused).toMatchObject({ connectionId: ID_CONNECT });
    expect(refused.allocationFlow).toBeUndefined();
    expect(refused.dataConnectionFrame).toBeUndefined();
    expect(report.stun.perFlow.find((f) => f.flow === 3)).toMatchObject({ connectionId: ID_CONNECT, allocationFlow: 1 });
  });

  it('links a CONNECTION-ID only on the server that named it', async () => {
    const otherServer: End = ['203.0.113.5', 3479]; // another port: another server's ids
    const report = await analyzeFrames([...controlConnection(), ...dataConnection(50103, ID_CONNECT, otherServer)]);
    expect(report.stun.allocations[0].connections?.[0]).toMatchObject({ connectionId: ID_CONNECT, dataConnectionFlow: null });
    expect(report.stun.perFlow.find((f) => f.flow === 2)).toMatchObject({ connectionId: ID_CONNECT });
    expect(report.stun.perFlow.find((f) => f.flow === 2)?.allocationFlow).toBeUndefined();
  });
});

describe('an RFC 5780 Binding with CHANGE-REQUEST and RESPONSE-PORT', () => {
  it('is answered by the response sent from the other address to the port it named', async () => {
    const other: End = ['203.0.113.6', 3479];
    const responsePort = 50021;
    const frames = [
      datagram(CLIENT, SERVER, stunMessage(0x0001, txid(1), [])),
      datagram(SERVER, CLIENT, stunMessage(0x0101, txid(1), [])),
      // CHANGE-REQUEST (change IP and port) and RESPONSE-PORT (the port, then 2 bytes of padding).
      datagram(CLIENT, SERVER, stunMessage(0x0001, txid(2), [attr(0x0003, 6), attr(0x0027, responsePort << 16)])),
      datagram(other, [CLIENT[0], responsePort], stunMessage(0x0101, txid(2), [])),
    ];
    const report = await analyzeFrames(frames);
    const asked = report.stun.perFlow.find((s) => s.flow === 1)!;
    expect(asked.transactions).toMatchObject([{ name: 'Binding', requests: 2, success: 2, unanswered: 0, answeredOnOtherFlow: 1 }]);
    expect(asked.unknownAttributes).toBeUndefined();
    expect(report.stun.unanswered).toBe(0);
    expect(report.findings.filter((f) => f.kind === 'stun-unanswered')).toEqual([]);
  });

  it('is answered by a response to the source port, from a server that ignored RESPONSE-PORT', async () => {
    const other: End = ['203.0.113.6', 3479];
    const frames = [
      datagram(CLIENT, SERVER, stunMessage(0x0001, txid(2), [attr(0x0003, 6), attr(0x0027, 50021 << 16)])),
      datagram(other, CLIENT, stunMessage(0x0101, txid(2), [])),
    ];
    const report = await analyzeFrames(frames);
    expect(report.stun.unanswered).toBe(0);
  });

  it('is still unanswered when the response went to another port than the one named', async () => {
    const other: End = ['203.0.113.6', 3479];
    const frames = [
      datagram(CLIENT, SERVER, stunMessage(0x0001, txid(2), [attr(0x0003, 6), attr(0x0027, 50021 << 16)])),
      datagram(other, [CLIENT[0], 50022], stunMessage(0x0101, txid(2), [])),
    ];
    const report = await analyzeFrames(frames);
    expect(report.stun.unanswered).toBe(1);
  });
});
