/**
 * A real TURN server and its clients (coturn 4.6, coturn-session.ts), captured on loopback: the
 * STUN/TURN messages and ChannelData per flow and type equal tshark's decode, and the ledger reads
 * the session as it went: every Allocate challenged once and then granted, nothing unanswered,
 * relayed data linked to its allocation, RFC 6062 data connections read up to their bind and linked
 * to the peer connection they carry.
 * Where coturn, tcpdump or root is missing, the suite says so and is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, REPO_ROOT, skipNote, tsharkOutput } from '../helpers/environment.js';
import { captureCoturnSession, coturnSessionMissing, SESSION_TIMEOUT_MS, type CoturnSession } from './coturn-session.js';
import { compareStunWithTshark } from './stun-tshark-lib.js';

const missing = [...coturnSessionMissing(), ...(hasTool('tshark') ? [] : ['tshark'])];
skipNote('a coturn session against tshark', missing);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const SESSION_ATTEMPTS = 2;

/** ConnectionBind requests without a success or error response in the capture, by tshark's decode. */
function unansweredConnectionBinds(pcap: string, decodeAs: string[]): number {
  const types = tsharkOutput(['-r', pcap, ...decodeAs, '-Y', 'stun.type.method == 0x00b', '-T', 'fields', '-e', 'stun.type'])
    .split(/[\n,]/).filter((t) => t !== '');
  const requests = types.filter((t) => t === '0x000b').length;
  return requests - (types.length - requests);
}

describe.skipIf(missing.length > 0)('a coturn session on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowaudit-coturn-'));
  let session: CoturnSession;
  let compared: Awaited<ReturnType<typeof compareStunWithTshark>>;
  let report: Json;

  beforeAll(async () => {
    let decodeAs: string[] = [];
    for (let attempt = 1; attempt <= SESSION_ATTEMPTS; attempt++) {
      const attemptDir = join(dir, `attempt-${attempt}`);
      mkdirSync(attemptDir);
      session = await captureCoturnSession(attemptDir);
      // tshark picks a dissector by port before it tries STUN's heuristics: on a random port it knows for
      // another protocol (UDP 27500 is QuakeWorld) it saw no STUN at all. A user tells it with Decode As.
      const { server, alternate } = session.ports;
      decodeAs = [server, alternate].flatMap((port) => ['udp', 'tcp'].flatMap((t) => ['-d', `${t}.port==${port},stun`]));
      const binds = unansweredConnectionBinds(session.pcap, decodeAs);
      if (binds === 0) break;
      // Under load coturn 4.6 sometimes never answers a ConnectionBind (seen once in three loaded runs, as
      // tshark shows): the session went wrong, not its reading. Record another, so that the checks below
      // are of a healthy session.
      console.warn(`coturn session ${attempt}: tshark finds ${binds} ConnectionBind request(s) coturn never answered; recording again`);
    }
    compared = await compareStunWithTshark(session.pcap, decodeAs);
    report = compared.report;
  }, SESSION_ATTEMPTS * SESSION_TIMEOUT_MS + 60_000); // the sessions, then flowaudit and tshark
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ran every client to its end', () => {
    for (const c of session.clients) expect(c.status, `${c.name}:\n${c.output.slice(-3000)}`).toBe(0);
  });

  it('STUN messages and ChannelData per flow and type equal tshark', () => {
    if (compared.differences.length > 0) {
      mkdirSync(ARTIFACTS, { recursive: true });
      copyFileSync(session.pcap, join(ARTIFACTS, 'coturn-session.pcap'));
    }
    expect(compared.differences, 'the capture is kept as test-artifacts/coturn-session.pcap').toEqual([]);
    expect(compared.ours.size).toBeGreaterThanOrEqual(14); // each client's flows (two sessions each) and the RFC 5780 test's
  });

  // Counts are asserted in kind: every one equals tshark's above.
  it('reads every kind of flow the clients made', () => {
    const perFlow: Json[] = report.stun.perFlow;
    const flowOf = (id: number) => report.flows.find((f: Json) => f.id === id);
    const transport = (s: Json) => flowOf(s.flow).transport;
    // ChannelData over UDP, padded or not, and over TCP.
    expect(perFlow.filter((s) => transport(s) === 'udp' && s.channelData?.messages > 0).length).toBeGreaterThanOrEqual(4);
    expect(perFlow.filter((s) => transport(s) === 'tcp' && s.channelData?.messages > 0).length).toBeGreaterThanOrEqual(1);
    // Send and Data indications.
    expect(report.stun.allocations.some((a: Json) => a.sendIndications > 0 && a.dataIndications > 0)).toBe(true);
    // An IPv6 relay.
    expect(report.stun.allocations.some((a: Json) => a.outcome === 'success' && a.relayed.startsWith('['))).toBe(true);
    // RFC 6062: two TCP allocations that permit each other (the client makes a third, unused), a relayed TCP
    // connection between them, and two data connections read up to their bind.
    const tcpRelays = report.stun.allocations.filter((a: Json) => a.outcome === 'success' && a.requestedTransport === 6 && a.peers.length > 0);
    expect(tcpRelays).toHaveLength(2);
    expect(tcpRelays.every((a: Json) => a.relayFlows.length === 1 && flowOf(a.relayFlows[0]).transport === 'tcp')).toBe(true);
    const dataConnections = perFlow.filter((s) => s.dataConnectionFrame !== undefined);
    expect(dataConnections).toHaveLength(2);
    for (const s of dataConnections) expect(s.transactions.map((t: Json) => [t.name, t.success])).toEqual([['ConnectionBind', 1]]);
    // One relayed connection, named twice by CONNECTION-ID: to the client that connected (Connect) and to the
    // one the peer connected to (ConnectionAttempt). Each data connection carries one of them.
    const connections = tcpRelays.flatMap((a: Json) => (a.connections ?? []).map((c: Json) => ({ ...c, allocation: a.flow })));
    expect(connections.map((c: Json) => c.initiatedBy).sort()).toEqual(['client', 'peer']);
    for (const c of connections) {
      const carrier = dataConnections.find((s) => s.flow === c.dataConnectionFlow);
      expect(carrier, `connection ${c.connectionId} of the allocation of flow ${c.allocation}`).toMatchObject({ connectionId: c.connectionId, allocationFlow: c.allocation });
    }
  });

  it('links every flow of a relayed address to its allocation', () => {
    const granted: Json[] = report.stun.allocations.filter((a: Json) => a.outcome === 'success');
    const ends = (f: Json) => [`${f.transport}|${f.client.ip}|${f.client.port}`, `${f.transport}|${f.server.ip}|${f.server.port}`];
    const unwrap = (address: string) => address.replace(/^\[(.*)\](:\d+)$/, '$1$2').replace(/:(\d+)$/, '|$1');
    let linked = 0;
    for (const a of granted) {
      const relayed = `${a.requestedTransport === 6 ? 'tcp' : 'udp'}|${unwrap(a.relayed)}`;
      const onRelay = report.flows.filter((f: Json) => f.id !== a.flow && ends(f).includes(relayed)).map((f: Json) => f.id);
      expect(a.relayFlows, `allocation of flow ${a.flow} (${a.relayed})`).toEqual(onRelay);
      linked += onRelay.length;
    }
    expect(linked).toBeGreaterThanOrEqual(6);
  });

  it('finds the session healthy: challenged then granted, nothing unanswered, no anomaly', () => {
    const allocations: Json[] = report.stun.allocations;
    const granted = allocations.filter((a) => a.outcome === 'success');
    const challenged = allocations.filter((a) => a.outcome === 'error');
    expect(challenged.map((a) => a.errorCode).every((c) => c === 401)).toBe(true);
    expect(challenged.length).toBe(granted.length);
    expect(granted.length).toBeGreaterThanOrEqual(12);
    // The RFC 5780 test's answers come from the other address and port, to the port its RESPONSE-PORT named.
    expect(report.stun.unanswered).toBe(0);
    expect(report.stun.perFlow.some((s: Json) => s.transactions.some((t: Json) => t.name === 'Binding' && t.answeredOnOtherFlow > 0))).toBe(true);
    expect(report.inputs[0].anomalies).toEqual({});
    const kinds = new Set(report.findings.map((f: Json) => f.kind));
    for (const kind of ['stun-unanswered', 'turn-error', 'payload-mismatch']) expect(kinds.has(kind), kind).toBe(false);
  });
});
