/**
 * Every SIP message of a flow, counted (apps/sip-stream.ts), against tshark
 * (`-Y sip`) on every shared capture: per conversation, requests by method,
 * responses by status code, and distinct Call-IDs, through analyze() as a
 * user runs it.
 *
 * Required: the same counts per conversation, and no SIP conversation on
 * either side that the other lacks (sip_tcp_register_suricata.pcap splits a
 * REGISTER's header section across two segments). One difference is
 * explained here: SIP over WebSocket (RFC 7118, sip_websocket_heplify.pcap),
 * which tshark unwraps and flowaudit does not read; those frames are left
 * out, by tshark's own `websocket` filter.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analyze.js';
import { hasSharedCaptures, hasTool, SHARED_CAPTURES, sharedCaptures, skipNote, tsharkOutput } from '../../helpers/environment.js';
import { conversationKey } from './tls-tshark-lib.js';

const have = hasSharedCaptures && hasTool('tshark');
skipNote('SIP message counts against tshark', [...(hasSharedCaptures ? [] : ['../shared/captures']), ...(hasTool('tshark') ? [] : ['tshark'])]);

interface Counts {
  requests: Record<string, number>;
  responses: Record<string, number>;
  callIds: Set<string> | number;
  flows: number;
  /** tshark: by status code, error responses to an INVITE whose Call-ID had a 2xx to an INVITE before (a re-INVITE refused in an answered call). */
  inCall?: Record<string, number>;
  answered?: Set<string>;
}

function add(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** tshark's SIP messages, by transport and conversation (WebSocket frames left out). */
function tsharkCounts(file: string): Map<string, Counts> {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-Y', 'sip && !websocket', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|',
    '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'udp.srcport', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'udp.dstport', '-e', 'tcp.dstport',
    '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID', '-e', 'sip.CSeq.method']);
  const byConv = new Map<string, Counts>();
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const [src4, src6, usport, tsport, dst4, dst6, udport, tdport, methods, codes, callIds, cseqMethods] = line.split('\t');
    const transport = tsport ? 'tcp' : 'udp';
    // The outer header's addresses and ports (an ICMP quote adds more after the aggregator).
    const first = (s: string) => s.split('|')[0];
    const key = `${transport} ${conversationKey(first(src4 || src6), first(tsport || usport), first(dst4 || dst6), first(tdport || udport))}`;
    let c = byConv.get(key);
    if (c === undefined) byConv.set(key, (c = { requests: {}, responses: {}, callIds: new Set(), flows: 1, inCall: {}, answered: new Set() }));
    const frameMethods = methods.split('|').filter(Boolean);
    const frameCodes = codes.split('|').filter(Boolean);
    const frameCallIds = callIds.split('|').filter(Boolean);
    const frameCseqs = cseqMethods.split('|').filter(Boolean);
    for (const m of frameMethods) add(c.requests, m);
    for (const code of frameCodes) add(c.responses, code);
    for (const id of frameCallIds) (c.callIds as Set<string>).add(id);
    // Responses only (UDP: one a frame), their Call-ID and CSeq method in step: answered calls, and re-INVITEs refused in them.
    if (frameMethods.length === 0 && frameCodes.length === frameCallIds.length && frameCodes.length === frameCseqs.length) {
      frameCodes.forEach((code, i) => {
        if (frameCseqs[i] !== 'INVITE') return;
        if (code.startsWith('2')) c.answered!.add(frameCallIds[i]);
        else if (Number(code) >= 300 && c.answered!.has(frameCallIds[i])) add(c.inCall!, code);
      });
    }
  }
  return byConv;
}

/**
 * Ours, by transport and conversation: one conversation may be several flows (a UDP 5-tuple idle for
 * longer than the flow timeout starts a new flow), whose counts add up; their Call-IDs are counted
 * per flow, so the sum is at least the conversation's.
 */
async function ourCounts(file: string): Promise<Map<string, Counts>> {
  return (await ourReport(file)).counts;
}

/**
 * The severity FINDING_SEVERITY_RULES gives a flow with these responses (code: count), or none;
 * `inCall`: of those, the ones refusing a re-INVITE in a call already answered.
 */
function sipErrorSeverity(responses: Record<string, number>, inCall: Record<string, number>): string {
  const codes = Object.keys(responses).map(Number);
  const succeeded = codes.some((c) => c >= 200 && c < 300);
  const errors = codes.filter((c) => c >= 400 && !((c === 401 || c === 407) && succeeded));
  if (errors.length === 0) return 'none';
  const rated = errors.filter((c) => (inCall[c] ?? 0) < responses[c]);
  if (rated.some((c) => (c >= 500 && c < 600) || c === 488 || c === 606)) return 'high';
  return rated.every((c) => [480, 486, 487, 600, 603].includes(c)) ? 'info' : 'medium';
}

async function ourReport(file: string): Promise<{ counts: Map<string, Counts>; sipErrors: Map<string, string[]> }> {
  const report = await analyze([join(SHARED_CAPTURES, file)], { inspectionWorker: false });
  const sipErrors = new Map<string, string[]>();
  for (const finding of report.findings.filter((x) => x.kind === 'sip-error')) {
    for (const id of finding.flows) {
      const f = report.flows.find((x) => x.id === id)!;
      const key = `${f.transport} ${conversationKey(f.client.ip, f.client.port, f.server.ip, f.server.port)}`;
      sipErrors.set(key, [...(sipErrors.get(key) ?? []), finding.severity]);
    }
  }
  const byConv = new Map<string, Counts>();
  for (const f of report.flows) {
    const sip = f.apps?.find((a) => a.protocol === 'sip');
    if (sip === undefined) continue;
    const key = `${f.transport} ${conversationKey(f.client.ip, f.client.port, f.server.ip, f.server.port)}`;
    let c = byConv.get(key);
    if (c === undefined) byConv.set(key, (c = { requests: {}, responses: {}, callIds: 0, flows: 0 }));
    c.flows++;
    let messages = 0;
    for (const r of sip.requests as { method: string; count: number }[]) {
      c.requests[r.method] = (c.requests[r.method] ?? 0) + r.count;
      messages += r.count;
    }
    for (const r of sip.responses as { code: number; count: number }[]) {
      c.responses[String(r.code)] = (c.responses[String(r.code)] ?? 0) + r.count;
      messages += r.count;
    }
    expect(sip.messages, `flow ${f.id}: messages`).toBe(messages);
    c.callIds = (c.callIds as number) + (sip.calls as number);
  }
  return { counts: byConv, sipErrors };
}

describe.skipIf(!have)('SIP message counts per flow agree with tshark', () => {
  const files = have ? sharedCaptures() : [];
  it('finds SIP in the SIP captures', async () => {
    const sipFiles = files.filter((f) => f.startsWith('sip_'));
    expect(sipFiles.length).toBeGreaterThanOrEqual(6);
    for (const f of sipFiles) expect((await ourCounts(f)).size, f).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, async () => {
      const theirs = tsharkCounts(file);
      const ours = await ourCounts(file);
      expect([...ours.keys()].sort(), 'SIP conversations').toEqual([...theirs.keys()].sort());
      for (const [key, t] of theirs) {
        const o = ours.get(key)!;
        expect(o.requests, `${key}: requests`).toEqual(t.requests);
        expect(o.responses, `${key}: responses`).toEqual(t.responses);
        const callIds = (t.callIds as Set<string>).size;
        if (o.flows > 1) expect(o.callIds, `${key}: Call-IDs over ${o.flows} flows`).toBeGreaterThanOrEqual(callIds);
        else expect(o.callIds, `${key}: Call-IDs`).toBe(callIds);
      }
    }, 60_000);
  }
});

describe.skipIf(!have)('sip-error findings follow the status codes tshark decodes', () => {
  it('on every SIP conversation of one flow, the severity the rule gives tshark\'s codes', async () => {
    const seen: string[] = [];
    for (const file of sharedCaptures().filter((f) => f.startsWith('sip_'))) {
      const theirs = tsharkCounts(file);
      const { counts, sipErrors } = await ourReport(file);
      for (const [key, t] of theirs) {
        if (counts.get(key)?.flows !== 1) continue; // a conversation of several flows gets one finding per flow
        const expected = sipErrorSeverity(t.responses, t.inCall!);
        expect(sipErrors.get(key) ?? ['none'], `${file} ${key}`).toEqual([expected]);
        seen.push(expected);
      }
    }
    expect(seen).toContain('info'); // the fax call's T.38 re-INVITE refused with 488, the call going on (sip_rtp_t38_fax_ndpi.pcap)
    expect(seen).toContain('medium'); // INVITEs timing out with 408 (sip_rtp_udp_ndpi.pcap)
    expect(seen).toContain('none');
  });
});
