/** Findings from payload inspection: STUN/TURN unanswered, TURN errors, payload mismatch, media quality. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { classify, type ClassifiableFlow, type Finding, type PayloadEvidence } from '../../src/classify/index.js';
import type { RtpStreamReport } from '../../src/inspect/media/media-report.js';
import type { StunFlowReport, StunMethodSummary, TurnAllocationReport } from '../../src/inspect/stun-report.js';
import { flow, siteTopology, type FlowSpec } from './flows.js';

const catalog = loadCatalog();
const topology = siteTopology({ 'trusted-application': ['10.0.5.5'] });

/** A method's transactions on one flow; only the fields the findings read are meaningful. */
function method(code: string, name: string, t: Partial<StunMethodSummary>): StunMethodSummary {
  return {
    method: code, name, requests: 1, retransmissions: 0, success: 0, errors: 0, unanswered: 0, unansweredFrames: [],
    indications: 0, unmatchedResponses: 0, answeredOnOtherFlow: 0, duplicateResponses: 0, responseTimeMs: null, errorCodes: [], ...t,
  };
}
const allocate = (t: Partial<StunMethodSummary>) => method('0x003', 'Allocate', t);
const binding = (t: Partial<StunMethodSummary>) => method('0x001', 'Binding', t);
const refresh = (t: Partial<StunMethodSummary>) => method('0x004', 'Refresh', t);

function stunOf(f: ClassifiableFlow, transactions: StunMethodSummary[]): StunFlowReport {
  return {
    flow: f.id, dialects: ['rfc5389'], messages: 1, types: [], transactions, tunneledStun: 0, fingerprints: { ok: 0, mismatched: 0 }, withIntegrity: 0,
  };
}

function stream(f: ClassifiableFlow, s: Partial<RtpStreamReport>): RtpStreamReport {
  return { flow: f.id, direction: 'fromClient', ssrc: 0x1234, ssrcHex: '0x00001234', packets: 1000, expected: 1000, lossPct: 0, meanJitterMs: 1, firstFrame: 77, ...s } as RtpStreamReport;
}

interface Case {
  readonly flows: readonly ClassifiableFlow[];
  readonly stun?: readonly StunFlowReport[];
  readonly allocations?: readonly Partial<TurnAllocationReport>[];
  readonly streams?: readonly RtpStreamReport[];
}

function run(c: Case, withEvidence = true, withTopology = true) {
  const payload: PayloadEvidence = {
    stun: { messages: 0, byDialect: { rfc5389: 0, 'ms-turn': 0, rfc3489: 0 }, flows: 0, requests: 0, unanswered: 0, errorCodes: [], perFlow: [...(c.stun ?? [])], allocations: [...(c.allocations ?? [])] as TurnAllocationReport[] },
    media: { defaultDynamicClockRate: 8000, streams: [...(c.streams ?? [])], rtcp: [], streamsDropped: 0 } as unknown as PayloadEvidence['media'],
  };
  return classify(c.flows, { catalog, ...(withTopology && { topology }), ...(withEvidence && { payload }) });
}

const payloadKinds = (list: readonly Finding[]) => list.filter((f) => ['stun-unanswered', 'turn-error', 'payload-mismatch', 'media-quality'].includes(f.kind))
  .map((f) => `${f.kind}/${f.severity} ${f.ports}`);

function udp(spec: string, extra: Partial<FlowSpec> = {}, payloadBytes = 100): ClassifiableFlow {
  const f = flow({ spec: `udp ${spec}`, fromServer: 0, apps: ['stun'], ...extra });
  return { ...f, payloadBytes: { fromClient: payloadBytes, fromServer: 0 } };
}

describe('STUN/TURN requests never answered', () => {
  it('Allocate to a documented TURN port with no answer: high, evidence at the first unanswered request, checklist row failing', () => {
    const f = udp('203.0.113.7:50100 > 131.107.10.12:3478');
    const r = run({ flows: [f], stun: [stunOf(f, [allocate({ unanswered: 1, retransmissions: 6, unansweredFrames: [41] })])] });
    expect(payloadKinds(r.findings)).toEqual(['stun-unanswered/high udp/3478']);
    const finding = r.findings.find((x) => x.kind === 'stun-unanswered')!;
    expect(finding.evidenceFrames).toEqual([41]);
    expect(finding.explanation).toContain('Allocate: 1 of 1 request unanswered (6 retransmissions)');
    expect(finding.explanation).toContain('UDP to it is most likely blocked');
    expect(r.flowFindings[0]).toContain('stun-unanswered');
    const rows = r.checklist.filter((row) => row.flowCount > 0);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.status, row.rule).toBe('failing');
  });

  it('Allocate unanswered on a port only broad media ranges cover (TCP 3479): medium, not a documented TURN service', () => {
    const f = flow({ spec: 'tcp 203.0.113.7:50100 > 131.107.10.12:3479', apps: ['stun'] });
    const r = run({ flows: [f], stun: [stunOf(f, [allocate({ unanswered: 1, unansweredFrames: [2] })])] });
    expect(r.verdicts[0].verdict).toBe('documented');
    expect(payloadKinds(r.findings)).toEqual(['stun-unanswered/medium tcp/3479']);
  });

  it('Allocate unanswered over TCP 443: high, and the explanation does not blame UDP', () => {
    const f = flow({ spec: 'tcp 203.0.113.7:50100 > 131.107.10.12:443', apps: ['stun'] });
    const r = run({ flows: [f], stun: [stunOf(f, [allocate({ unanswered: 1, unansweredFrames: [9] })])] });
    const finding = r.findings.find((x) => x.kind === 'stun-unanswered')!;
    expect(finding.severity).toBe('high');
    expect(finding.explanation).not.toContain('UDP');
    expect(finding.explanation).toContain('accepted the connection but never answered an Allocate');
  });

  it('the same flow without payload evidence: no finding, and the checklist counts the one-way UDP flow as working', () => {
    const f = udp('203.0.113.7:50100 > 131.107.10.12:3478');
    const r = run({ flows: [f] }, false);
    expect(payloadKinds(r.findings)).toEqual([]);
    expect(r.checklist.filter((row) => row.flowCount > 0).every((row) => row.status === 'working')).toBe(true);
  });

  it('Allocate unanswered on an undocumented port: medium', () => {
    const f = udp('203.0.113.7:998 > 131.107.10.12:999'); // no media range holds either port
    const r = run({ flows: [f], stun: [stunOf(f, [allocate({ unanswered: 1, unansweredFrames: [5] })])] });
    expect(r.verdicts[0].verdict).toBe('undocumented');
    expect(payloadKinds(r.findings)).toEqual(['stun-unanswered/medium udp/999']);
  });

  it('an answered Allocate makes unanswered refreshes low; a flow with only unanswered refreshes is medium', () => {
    const a = udp('203.0.113.7:50100 > 131.107.10.12:3478');
    const b = udp('203.0.113.8:50100 > 131.107.10.12:3478');
    const r = run({
      flows: [a, b],
      stun: [
        stunOf(a, [allocate({ success: 1 }), refresh({ unanswered: 1, unansweredFrames: [9] })]),
        stunOf(b, [refresh({ unanswered: 2, requests: 2, unansweredFrames: [12, 14] })]),
      ],
    });
    expect(payloadKinds(r.findings).sort()).toEqual(['stun-unanswered/low udp/3478', 'stun-unanswered/medium udp/3478']);
  });

  it('ICE checks (Binding with PRIORITY) left unanswered are low: some candidate pairs are expected to fail', () => {
    const f = udp('203.0.113.7:50100 > 198.51.100.9:50400');
    const ice = { checks: 4, useCandidate: 0, controlling: 4, controlled: 0 };
    const r = run({ flows: [f], stun: [{ ...stunOf(f, [binding({ requests: 4, unanswered: 1, retransmissions: 3, unansweredFrames: [2] })]), ice }] });
    expect(payloadKinds(r.findings)).toEqual(['stun-unanswered/low udp/50400']);
  });

  it('a Binding without PRIORITY never answered is a STUN server not reached: medium (stun_classic_mercury: RFC 3489 to 3478)', () => {
    const f = udp('203.0.113.7:58253 > 131.107.10.12:3478');
    const r = run({ flows: [f], stun: [stunOf(f, [binding({ requests: 1, unanswered: 1, retransmissions: 8, unansweredFrames: [5] })])] });
    expect(payloadKinds(r.findings)).toEqual(['stun-unanswered/medium udp/3478']);
    // Answered once, unanswered later: low, as for any flow where requests were answered.
    const g = udp('203.0.113.8:58254 > 131.107.10.12:3478');
    const later = run({ flows: [g], stun: [stunOf(g, [binding({ requests: 2, success: 1, unanswered: 1, unansweredFrames: [9] })])] });
    expect(payloadKinds(later.findings)).toEqual(['stun-unanswered/low udp/3478']);
  });

  it('an ICMP error quoting the flow explains it: reported once, as the ICMP finding', () => {
    const f = udp('203.0.113.7:50100 > 131.107.10.12:3478', { icmpErrors: [{}] });
    const r = run({ flows: [f], stun: [stunOf(f, [allocate({ unanswered: 1, unansweredFrames: [3] })])] });
    expect(payloadKinds(r.findings)).toEqual([]);
    expect(r.findings.map((x) => x.kind)).toEqual(['icmp-unreachable']);
  });
});

describe('TURN error responses', () => {
  const err = (code: number, reason: string, count = 1, firstFrame = 1) => ({ code, reason, count, firstFrame });

  it('401 then a successful Allocate is the normal challenge; 438 after a success is a nonce refresh: no finding', () => {
    const f = udp('203.0.113.7:50100 > 131.107.10.12:3478');
    const r = run({ flows: [f], stun: [stunOf(f, [allocate({ requests: 2, success: 1, errors: 1, errorCodes: [err(401, 'Unauthorized')] }), refresh({ errors: 1, errorCodes: [err(438, 'Stale Nonce')] })])] });
    expect(payloadKinds(r.findings)).toEqual([]);
  });

  it('401 with no successful Allocate is a 401 loop: medium, at the error response frame', () => {
    const f = udp('203.0.113.7:50100 > 131.107.10.12:3478');
    const r = run({
      flows: [f],
      stun: [stunOf(f, [allocate({ requests: 3, errors: 3, errorCodes: [err(401, 'Unauthorized', 3, 31)] })])],
    });
    expect(payloadKinds(r.findings)).toEqual(['turn-error/medium udp/3478']);
    const finding = r.findings.find((x) => x.kind === 'turn-error')!;
    expect(finding.evidenceFrames).toEqual([31]);
    expect(finding.explanation).toContain('Allocate 401 Unauthorized ×3 with no successful Allocate (credentials rejected)');
  });

  it('an error after an excused 401 is reported at its own first frame, not the challenge\'s', () => {
    const f = udp('203.0.113.7:50100 > 131.107.10.12:3478');
    const permission = method('0x008', 'CreatePermission', { requests: 2, errors: 2, errorCodes: [err(403, 'Forbidden', 2, 73)] });
    const r = run({ flows: [f], stun: [stunOf(f, [allocate({ requests: 2, success: 1, errors: 1, errorCodes: [err(401, 'Unauthorized', 1, 68)] }), permission])] });
    const finding = r.findings.find((x) => x.kind === 'turn-error')!;
    expect(finding.evidenceFrames).toEqual([73]);
    expect(finding.explanation).toContain('CreatePermission 403 Forbidden ×2');
    expect(finding.explanation).not.toContain('401');
  });

  it('486 and 508 are high; 437 is medium', () => {
    const a = udp('203.0.113.7:50100 > 131.107.10.12:3478');
    const b = udp('203.0.113.8:50100 > 131.107.10.12:3478');
    const r = run({
      flows: [a, b],
      stun: [
        stunOf(a, [allocate({ errors: 1, errorCodes: [err(508, 'Insufficient Capacity')] })]),
        stunOf(b, [allocate({ success: 1, requests: 2, errors: 1, errorCodes: [err(437, 'Allocation Mismatch')] })]),
      ],
    });
    expect(payloadKinds(r.findings).sort()).toEqual(['turn-error/high udp/3478', 'turn-error/medium udp/3478']);
  });
});

describe('payload not matching the documented protocol', () => {
  it('plaintext SIP on 5061 (SIP/MTLS): high, at the SIP message; on 5060 (plain SIP documented) nothing', () => {
    const tls = { ...flow({ spec: 'tcp 10.0.2.3:50100 > 10.0.1.10:5061' }), apps: [{ protocol: 'sip', evidenceFrames: [12] }] };
    const plain = flow({ spec: 'tcp 10.0.5.5:50101 > 10.0.2.4:5060', apps: ['sip'] });
    const r = run({ flows: [tls, plain] });
    expect(r.verdicts.map((v) => v.verdict)).toEqual(['documented', 'documented']);
    expect(payloadKinds(r.findings)).toEqual(['payload-mismatch/high tcp/5061']);
    const finding = r.findings.find((x) => x.kind === 'payload-mismatch')!;
    expect(finding.explanation).toContain('plaintext SIP on a port documented for');
    expect(finding.evidenceFrames).toEqual([12]); // not the SYN
  });

  it('UDP 3478 payload with no STUN, TURN or media: medium; STUN, ChannelData or no payload: nothing', () => {
    const other = udp('203.0.113.7:50100 > 131.107.10.12:3478', { apps: [] });
    const stun = udp('203.0.113.8:50100 > 131.107.10.12:3478', { apps: ['stun'] });
    const cd = udp('203.0.113.9:50100 > 131.107.10.12:3478', { apps: ['channeldata'] });
    const empty = udp('203.0.113.10:50100 > 131.107.10.12:3478', { apps: [] }, 0);
    const r = run({ flows: [other, stun, cd, empty] });
    expect(payloadKinds(r.findings)).toEqual(['payload-mismatch/medium udp/3478']);
    expect(r.findings.find((x) => x.kind === 'payload-mismatch')!.flows).toEqual([other.id]);
  });

  it('plaintext HTTP or SIP on TCP 443 of an edge, whose rules include MS-TURN over TCP, is high without a topology too; MS-TURN on it is not', () => {
    const http = { ...flow({ spec: 'tcp 203.0.113.7:50100 > 131.107.10.12:443' }), apps: [{ protocol: 'http', evidenceFrames: [40] }] };
    const sip = flow({ spec: 'tcp 203.0.113.8:50100 > 131.107.10.12:443', apps: ['sip'] });
    const msturn = flow({ spec: 'tcp 203.0.113.9:50100 > 131.107.10.12:443', apps: ['stun', 'ms-turn-pseudo-tls'] });
    const tls = flow({ spec: 'tcp 203.0.113.10:50100 > 131.107.10.12:443', apps: ['tls'] });
    const r = run({ flows: [http, sip, msturn, tls] }, true, false);
    expect(r.verdicts[0].rules.some((id) => id.includes('stun-tcp'))).toBe(true); // the port's rules include MS-TURN over TCP
    const mismatches = r.findings.filter((f) => f.kind === 'payload-mismatch');
    expect(mismatches.map((f) => `${f.severity} ${f.client} ${f.evidenceFrames[0]}`)).toEqual([`high 203.0.113.7 40`, `high 203.0.113.8 ${sip.frames.first}`]);
    expect(mismatches[0].explanation).toContain('plaintext HTTP on a port documented for');
  });

  it('an undocumented flow is an undocumented-port finding, not a mismatch', () => {
    const f = flow({ spec: 'tcp 203.0.113.7:50100 > 131.107.10.10:8080', apps: ['http'] });
    expect(payloadKinds(run({ flows: [f] }).findings)).toEqual([]);
  });
});

describe('media quality past the Call Quality Dashboard limits', () => {
  it('loss above 10% or mean jitter above 30 ms over more than 500 packets: medium; at or under the limits, or short streams: nothing', () => {
    const flows = [0, 1, 2, 3, 4, 5, 6].map((i) => udp(`203.0.113.${20 + i}:50100 > 131.107.10.12:50010`, { apps: ['rtp'] }));
    const r = run({
      flows,
      streams: [
        stream(flows[0], { packets: 875, lossPct: 12.5, firstFrame: 101 }),
        stream(flows[1], { meanJitterMs: 31 }),
        stream(flows[2], { lossPct: 10, meanJitterMs: 30 }),
        stream(flows[3], { packets: 250, expected: 500, lossPct: 50 }),
        stream(flows[4], { lossPct: 0.5 }),
        // sip_rtp_t38_fax_ndpi: 159 of 1871 received. The loss is judged over the packets sent...
        stream(flows[5], { packets: 159, expected: 1871, lossPct: 91.5 }),
        // ...jitter over those received.
        stream(flows[6], { packets: 159, expected: 1871, lossPct: 0, meanJitterMs: 45 }),
      ],
    });
    const media = r.findings.filter((x) => x.kind === 'media-quality');
    expect(media.map((x) => [x.severity, x.flows])).toEqual([['medium', [flows[0].id]], ['medium', [flows[1].id]], ['medium', [flows[5].id]]]);
    expect(media[0].evidenceFrames).toEqual([101]);
    expect(media[0].explanation).toContain('SSRC 0x00001234 from client: loss 12.5% (875 of 1000 packets received), mean jitter 1 ms');
  });
});

describe('SIP error responses', () => {
  const sipFlow = (host: number, responses: { code: number; count: number; firstFrame: number; reason?: string; inCall?: number }[]) => {
    const f = flow({ spec: `udp 10.0.5.${host}:5060 > 10.0.5.5:5060` });
    return { ...f, apps: [{ protocol: 'sip', evidenceFrames: [f.frames.first], responses }] };
  };
  const sipKinds = (list: readonly Finding[]) => list.filter((f) => f.kind === 'sip-error').map((f) => `${f.severity} ${f.client} ${f.evidenceFrames[0]}`);

  it('5xx and 488/606 are high; callee answers info; other errors medium; challenges only without a 2xx; evidence at the first error', () => {
    const flows = [
      sipFlow(11, [{ code: 100, count: 1, firstFrame: 2 }, { code: 503, count: 2, firstFrame: 9, reason: 'Service Unavailable' }, { code: 486, count: 1, firstFrame: 4 }]),
      sipFlow(12, [{ code: 488, count: 1, firstFrame: 30, reason: 'Not Acceptable Here' }]),
      sipFlow(13, [{ code: 486, count: 3, firstFrame: 7, reason: 'Busy Here' }, { code: 487, count: 1, firstFrame: 5 }]),
      sipFlow(14, [{ code: 404, count: 1, firstFrame: 8, reason: 'Not Found' }]),
      sipFlow(15, [{ code: 401, count: 2, firstFrame: 3, reason: 'Unauthorized' }, { code: 200, count: 1, firstFrame: 6, reason: 'OK' }]),
      sipFlow(16, [{ code: 407, count: 2, firstFrame: 3, reason: 'Proxy Authentication Required' }]),
      sipFlow(17, [{ code: 180, count: 1, firstFrame: 3 }, { code: 302, count: 1, firstFrame: 4 }, { code: 200, count: 1, firstFrame: 5 }]),
    ];
    const r = run({ flows });
    expect(sipKinds(r.findings).sort()).toEqual(['high 10.0.5.11 4', 'high 10.0.5.12 30', 'info 10.0.5.13 5', 'medium 10.0.5.14 8', 'medium 10.0.5.16 3'].sort());
    const gateway = r.findings.find((f) => f.kind === 'sip-error' && f.client === '10.0.5.11')!;
    expect(gateway.explanation).toContain('503 Service Unavailable ×2');
    expect(gateway.explanation).toContain('A server or gateway failed');
    expect(r.findings.find((f) => f.client === '10.0.5.16' && f.kind === 'sip-error')!.explanation).toContain('407 Proxy Authentication Required ×2 with no 2xx response (credentials rejected)');
  });

  it('a re-INVITE refused in a call already answered is info: the call went on (sip_rtp_t38_fax_ndpi: T.38 offer answered 488)', () => {
    const flows = [
      sipFlow(31, [{ code: 200, count: 3, firstFrame: 5 }, { code: 488, count: 1, firstFrame: 40, reason: 'Not Acceptable Here', inCall: 1 }]),
      // One 488 refused a new call: high, as before.
      sipFlow(32, [{ code: 200, count: 3, firstFrame: 5 }, { code: 488, count: 2, firstFrame: 40, reason: 'Not Acceptable Here', inCall: 1 }]),
    ];
    const r = run({ flows });
    expect(sipKinds(r.findings).sort()).toEqual(['high 10.0.5.32 40', 'info 10.0.5.31 40']);
    const fax = r.findings.find((f) => f.client === '10.0.5.31' && f.kind === 'sip-error')!;
    expect(fax.explanation).toContain('488 Not Acceptable Here ×1 (all refusing a re-INVITE in a call already answered: the call went on)');
    expect(fax.explanation).toContain('refused a change to a call already answered');
    expect(r.findings.find((f) => f.client === '10.0.5.32' && f.kind === 'sip-error')!.explanation).toContain('×2 (1 refusing a re-INVITE');
  });

  it('needs the counts payload inspection made: a SIP app without responses, or no evidence, makes none', () => {
    const bare = { ...flow({ spec: 'udp 10.0.5.21:5060 > 10.0.5.5:5060' }), apps: [{ protocol: 'sip' }] };
    expect(sipKinds(run({ flows: [bare] }).findings)).toEqual([]);
    expect(sipKinds(run({ flows: [sipFlow(22, [{ code: 500, count: 1, firstFrame: 3 }])] }, false).findings)).toEqual([]);
  });
});

describe('HTTP error responses on documented web services', () => {
  /** Reverse proxy to the front-end pool's external web services on 8080 (reverse-proxy/int-http-8080). */
  const webFlow = (host: number, responses: { code: number; count: number; firstFrame: number; reason?: string }[], spec = `tcp 10.0.4.5:${50000 + host} > 10.0.2.${host}:8080`) => {
    const f = flow({ spec });
    return { ...f, apps: [{ protocol: 'http', evidenceFrames: [f.frames.first], responses }] };
  };
  const httpKinds = (list: readonly Finding[]) => list.filter((f) => f.kind === 'http-error').map((f) => `${f.severity} ${f.server} ${f.evidenceFrames[0]}`);

  it('502-504 high, other 5xx medium, challenges only without a 2xx, other 4xx low; evidence at the first error', () => {
    const flows = [
      webFlow(1, [{ code: 200, count: 9, firstFrame: 3 }, { code: 503, count: 2, firstFrame: 40, reason: 'Service Unavailable' }, { code: 404, count: 1, firstFrame: 7 }]),
      webFlow(2, [{ code: 500, count: 1, firstFrame: 12, reason: 'Internal Server Error' }]),
      webFlow(3, [{ code: 401, count: 3, firstFrame: 4, reason: 'Unauthorized' }, { code: 200, count: 3, firstFrame: 6 }]), // NTLM: challenged, then in
      webFlow(4, [{ code: 401, count: 2, firstFrame: 4, reason: 'Unauthorized' }]),
      webFlow(5, [{ code: 404, count: 1, firstFrame: 8, reason: 'Not Found' }, { code: 304, count: 4, firstFrame: 2 }]),
    ];
    const r = run({ flows });
    expect(httpKinds(r.findings).sort()).toEqual(['high 10.0.2.1 7', 'low 10.0.2.5 8', 'medium 10.0.2.2 12', 'medium 10.0.2.4 4'].sort());
    const proxy = r.findings.find((f) => f.kind === 'http-error' && f.server === '10.0.2.1')!;
    expect(proxy.explanation).toContain('503 Service Unavailable ×2; 404 ×1');
    expect(proxy.explanation).toContain('could not reach the server behind it');
    expect(r.findings.find((f) => f.kind === 'http-error' && f.server === '10.0.2.4')!.explanation).toContain('401 Unauthorized ×2 with no 2xx response (credentials rejected)');
  });

  it('only on flows a catalog rule documents as a service: not undocumented ports, not broad media ranges', () => {
    const errors = [{ code: 503, count: 1, firstFrame: 5 }];
    const undocumented = webFlow(6, errors, 'tcp 203.0.113.7:50100 > 131.107.10.10:8081');
    expect(httpKinds(run({ flows: [undocumented] }).findings)).toEqual([]);
    const documented = webFlow(7, errors);
    expect(httpKinds(run({ flows: [documented] }).findings)).toEqual(['high 10.0.2.7 5']);
    expect(httpKinds(run({ flows: [documented] }, false).findings)).toEqual([]); // no inspection evidence: no payload findings
  });
});

