/**
 * Findings that rest on payload inspection: STUN/TURN requests never answered,
 * TURN error responses, payload that does not match the documented protocol,
 * media loss or jitter past Microsoft's own thresholds, and SIP error responses. Each flow gets at
 * most one problem per kind, with the severity and the detail text its
 * finding shows; buildFindings aggregates them like the others.
 *
 * Without payload evidence (inspection off, or a caller that has none) no such
 * finding is made: absence of STUN in the apps means "not looked", not "none".
 */
import type { Catalog, CatalogRule } from '../catalog/types.js';
import type { RtpStreamReport, MediaReport } from '../inspect/media/media-report.js';
import type { StunFlowReport, StunReport } from '../inspect/stun-report.js';
import { SEVERITY_RANK, type FindingKind, type Severity } from './finding-types.js';
import { MEDIA_PROTOCOLS, type AppEvidence, type ClassifiableFlow, type FlowVerdict } from './verdict.js';

/** The report's `stun` and `media` sections, as analyze() builds them. */
export interface PayloadEvidence {
  readonly stun: StunReport;
  readonly media: MediaReport;
}

/** One problem payload inspection shows on one flow. */
export interface PayloadProblem {
  readonly kind: FindingKind;
  readonly severity: Severity;
  /** The frame to look at first. */
  readonly frame: number;
  /** What exactly, for the finding's explanation ("Allocate: 3 requests, none answered"). */
  readonly detail: string;
  /** True when nothing the flow asked for was answered: the checklist counts it as failing, like an unanswered SYN. */
  readonly unreachable?: boolean;
}

/**
 * Microsoft's Call Quality Dashboard marks an audio stream Poor when, over more
 * than 500 packets, its average packet loss rate exceeds 0.1 or its average
 * jitter exceeds 30 ms ("Stream Classification in Call Quality Dashboard",
 * audio classifier). The same limits are applied to every RTP stream: the
 * capture does not say which are audio. Loss is judged over the packets sent
 * (expected), jitter over those received.
 */
export const MEDIA_MIN_PACKETS = 500;
export const MEDIA_POOR_LOSS_PCT = 10;
export const MEDIA_POOR_JITTER_MS = 30;

/** STUN methods 0x001 Binding (RFC 8489; ICE checks) and 0x003 Allocate (RFC 8656 and MS-TURN). */
const BINDING = '0x001';
const ALLOCATE = '0x003';
/** TURN error codes by severity (RFC 8656 §19, [MS-TURN] §2.2.2.6); 401 and 438 are judged by what followed. */
const HIGH_ERRORS: ReadonlySet<number> = new Set([486, 508]); // quota reached, insufficient capacity: the server refuses service
const UNAUTHORIZED = 401;
const STALE_NONCE = 438;
/** Applications a STUN port may carry: STUN itself, and what TURN or ICE multiplex on it (RFC 7983). */
const STUN_PORT_APPS: ReadonlySet<string> = new Set(MEDIA_PROTOCOLS);
/** Plaintext applications the inspectors recognise. */
const PLAINTEXT_APPS: ReadonlySet<string> = new Set(['sip', 'http']);

const NONE: readonly PayloadProblem[] = Object.freeze([]);

/** Problems per flow, from the STUN and media sections of one run. */
export class PayloadProblems {
  private readonly stunByFlow = new Map<number, StunFlowReport>();
  private readonly streamsByFlow = new Map<number, RtpStreamReport[]>();
  /** By verdict rule list: verdicts of one case share theirs, so each list is judged once. */
  private readonly expectations = new Map<readonly string[], Expectation>();
  /** Client endpoints ("transport|ip|port") that had an Allocate succeed, on any flow (see turnErrorProblem). */
  private readonly allocatedClients = new Set<string>();

  constructor(evidence: PayloadEvidence, private readonly catalog: Catalog, flows: readonly ClassifiableFlow[]) {
    for (const s of evidence.stun.perFlow) this.stunByFlow.set(s.flow, s);
    for (const s of evidence.media.streams) push(this.streamsByFlow, s.flow, s);
    const allocated = new Set(evidence.stun.allocations.filter((a) => a.outcome === 'success').map((a) => a.flow));
    if (allocated.size > 0) for (const f of flows) if (allocated.has(f.id)) this.allocatedClients.add(clientKey(f));
  }

  private expectation(rules: readonly string[]): Expectation {
    let e = this.expectations.get(rules);
    if (e === undefined) this.expectations.set(rules, (e = expectationOf(rules, this.catalog)));
    return e;
  }

  /** The problems of `flow` (classified as `v`), at most one per kind; a shared empty array when none. */
  of(flow: ClassifiableFlow, v: FlowVerdict): readonly PayloadProblem[] {
    const stun = this.stunByFlow.get(flow.id);
    const streams = this.streamsByFlow.get(flow.id);
    const sip = flow.apps?.find((a) => a.protocol === 'sip');
    if (stun === undefined && streams === undefined && sip === undefined && v.verdict !== 'documented') return NONE; // most flows of a scan
    const http = v.verdict === 'documented' ? flow.apps?.find((a) => a.protocol === 'http') : undefined;
    let found: PayloadProblem[] | undefined;
    const keep = (p: PayloadProblem | undefined): void => {
      if (p !== undefined) (found ??= []).push(p);
    };
    if (stun !== undefined) {
      // High only for a documented service: a port that broad media ranges alone cover is not one.
      keep(unansweredProblem(stun, v.verdict === 'documented' && this.expectation(v.rules).service));
      keep(turnErrorProblem(stun, flow.frames.first, this.allocatedClients.has(clientKey(flow))));
    }
    if (v.verdict === 'documented') {
      const expectation = this.expectation(v.rules);
      if (expectation.expects !== undefined) keep(mismatchProblem(flow, expectation));
    }
    if (streams !== undefined) keep(mediaProblem(streams));
    if (sip !== undefined) keep(sipErrorProblem(sip));
    // Web services only: on a port only broad media ranges document, HTTP is no service of the catalog's.
    if (http !== undefined && this.expectation(v.rules).service) keep(httpErrorProblem(http));
    return found ?? NONE;
  }
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Requests with no response. Allocate requests none of which was answered are
 * the classic evidence of blocked UDP to a TURN server: high on a documented
 * port, medium elsewhere. Other TURN requests (Refresh, CreatePermission,
 * ChannelBind) on a flow that got no answer at all are medium, and so are
 * Binding requests without ICE's PRIORITY (a STUN server asked for the client's
 * address, RFC 8489 / RFC 3489: the server was not reached). ICE connectivity
 * checks (Binding with PRIORITY) are low: ICE probes candidate pairs of which
 * some are expected to fail, and so are requests on a flow where others were answered.
 */
function unansweredProblem(stun: StunFlowReport, documented: boolean): PayloadProblem | undefined {
  let answered = 0;
  let unanswered = 0;
  for (const m of stun.transactions) {
    answered += m.success + m.errors;
    unanswered += m.unanswered;
  }
  if (unanswered === 0) return undefined;
  const allocate = stun.transactions.find((m) => m.method === ALLOCATE);
  const allocateBlocked = allocate !== undefined && allocate.unanswered > 0 && allocate.success + allocate.errors === 0;
  // A flow whose Bindings carry no PRIORITY is no ICE check: a client asked a STUN server for its address.
  const serverUnanswered = stun.transactions.some((m) => m.unanswered > 0 && (m.method !== BINDING || stun.ice === undefined));
  const severity: Severity = allocateBlocked ? (documented ? 'high' : 'medium') : answered === 0 && serverUnanswered ? 'medium' : 'low';
  const parts = stun.transactions.filter((m) => m.unanswered > 0).map((m) =>
    `${m.name}: ${m.unanswered} of ${m.requests} ${m.requests === 1 ? 'request' : 'requests'} unanswered${m.retransmissions > 0 ? ` (${m.retransmissions} retransmissions)` : ''}`);
  const first = (allocateBlocked ? allocate : stun.transactions.find((m) => m.unanswered > 0))!;
  return { kind: 'stun-unanswered', severity, frame: first.unansweredFrames[0], detail: parts.join('; '), unreachable: answered === 0 };
}

function clientKey(flow: ClassifiableFlow): string {
  return `${flow.transport}|${flow.client.ip}|${flow.client.port}`;
}

/**
 * Error responses, by code. A 401 answered later by a successful Allocate is
 * the normal challenge, and a 438 after which an Allocate succeeded is a nonce
 * refresh: neither is reported. With no successful Allocate they are (a 401
 * loop: the credentials are rejected). 486 and 508 are high (the server
 * refuses service), any other code medium. `clientAllocated`: an Allocate of
 * the same client address and port succeeded on another flow (Teams retries
 * at another address of the relay).
 */
function turnErrorProblem(stun: StunFlowReport, firstFrame: number, clientAllocated: boolean): PayloadProblem | undefined {
  const allocateOk = clientAllocated || stun.transactions.some((m) => m.method === ALLOCATE && m.success > 0);
  let severity: Severity | undefined;
  const parts: string[] = [];
  let reported = 0; // the first frame of an error reported (not of one excused)
  for (const m of stun.transactions) {
    for (const e of m.errorCodes) {
      if ((e.code === UNAUTHORIZED || e.code === STALE_NONCE) && allocateOk) continue;
      if (reported === 0 || e.firstFrame < reported) reported = e.firstFrame;
      const s: Severity = HIGH_ERRORS.has(e.code) ? 'high' : 'medium';
      if (severity === undefined || SEVERITY_RANK[s] > SEVERITY_RANK[severity]) severity = s;
      parts.push(`${m.name} ${e.code}${e.reason ? ` ${e.reason}` : ''} ×${e.count}${e.code === UNAUTHORIZED ? ' with no successful Allocate (credentials rejected)' : ''}`);
    }
  }
  if (severity === undefined) return undefined;
  return { kind: 'turn-error', severity, frame: reported > 0 ? reported : firstFrame, detail: parts.join('; ') };
}

/** What the non-broad rules of a verdict expect of the payload: TLS, STUN, or nothing checkable (undefined). */
interface Expectation {
  /** A rule other than a broad media range documents the flow: a service, not just a client's media port. */
  readonly service: boolean;
  readonly expects: 'tls' | 'stun' | undefined;
  /** The first rule's protocol label, for the explanation. */
  readonly label: string;
}

/**
 * A documented flow whose payload is not what its rules name: plaintext SIP or
 * HTTP where every rule names TLS, or TLS and TURN over TCP (high: credentials
 * and signalling in the clear), or UDP payload with no STUN, TURN or media
 * where every rule names STUN (medium: something else uses the relay port).
 */
function mismatchProblem(flow: ClassifiableFlow, expectation: Expectation): PayloadProblem | undefined {
  if (expectation.expects === 'tls') {
    const plaintext = flow.apps?.find((a) => PLAINTEXT_APPS.has(a.protocol.toLowerCase()));
    if (plaintext === undefined) return undefined;
    const frame = plaintext.evidenceFrames?.[0] ?? flow.frames.first; // the plaintext message, not the SYN
    return { kind: 'payload-mismatch', severity: 'high', frame, detail: `plaintext ${plaintext.protocol.toUpperCase()} on a port documented for ${expectation.label}` };
  }
  const payload = flow.payloadBytes.fromClient + flow.payloadBytes.fromServer;
  if (expectation.expects !== 'stun' || flow.transport !== 'udp' || payload === 0) return undefined;
  const apps = (flow.apps ?? []).map((a) => a.protocol.toLowerCase());
  if (apps.some((a) => STUN_PORT_APPS.has(a))) return undefined;
  const seen = apps.length > 0 ? ` (${apps.join(', ')} instead)` : '';
  return { kind: 'payload-mismatch', severity: 'medium', frame: flow.frames.first, detail: `no STUN, TURN or media in ${payload} payload bytes on a port documented for ${expectation.label}${seen}` };
}

function expectationOf(ruleIds: readonly string[], catalog: Catalog): Expectation {
  const rules: CatalogRule[] = [];
  for (const id of ruleIds) {
    const r = catalog.ruleById.get(id);
    if (r !== undefined && !r.broad) rules.push(r);
  }
  if (rules.length === 0) return { service: false, expects: undefined, label: '' };
  // MS-TURN over TCP (443) opens with a pseudo-TLS handshake, and TURN over TCP carries STUN, never
  // SIP or HTTP: next to TLS rules, its rules leave plaintext SIP or HTTP just as out of place.
  const tlsRules = rules.filter((r) => TLS_PROTOCOL.test(r.protocol));
  const tls = tlsRules.length > 0 && rules.every((r) => TLS_PROTOCOL.test(r.protocol) || (r.transport === 'tcp' && r.protocol.startsWith('STUN')));
  const expects = tls ? 'tls' : rules.every((r) => r.protocol.startsWith('STUN')) ? 'stun' : undefined;
  return { service: true, expects, label: (tls ? tlsRules : rules)[0].protocol };
}

const TLS_PROTOCOL = /TLS|HTTPS/;

/** Streams of the flow past the Call Quality Dashboard's audio limits (medium: the call suffered, the firewall is not the cause). */
function mediaProblem(streams: readonly RtpStreamReport[]): PayloadProblem | undefined {
  // Loss counts over the packets sent (expected, by sequence numbers): a stream that lost nine in ten
  // has few packets received, and is the worst of all. Jitter is measured on the packets received.
  const poor = streams.filter((s) => (s.expected > MEDIA_MIN_PACKETS && s.lossPct > MEDIA_POOR_LOSS_PCT) || (s.packets > MEDIA_MIN_PACKETS && s.meanJitterMs > MEDIA_POOR_JITTER_MS));
  if (poor.length === 0) return undefined;
  const detail = poor.map((s) =>
    `SSRC ${s.ssrcHex} from ${s.direction === 'fromClient' ? 'client' : 'server'}: loss ${s.lossPct}% (${s.packets} of ${s.expected} packets received), mean jitter ${s.meanJitterMs} ms`).join('; ');
  return { kind: 'media-quality', severity: 'medium', frame: poor[0].firstFrame, detail };
}

/** SIP status codes that answer for the callee, not the network: unavailable, busy, cancelled, declined (RFC 3261 §21). */
const CALLEE_ANSWERS: ReadonlySet<number> = new Set([480, 486, 487, 600, 603]);
/** No acceptable media: the offer's codecs or SDP were refused (RFC 3261 §21.4.26, §21.6.4). */
const NO_ACCEPTABLE_MEDIA: ReadonlySet<number> = new Set([488, 606]);
/** Authentication challenges (RFC 3261 §22): the normal first answer to a request without credentials. */
const CHALLENGES: ReadonlySet<number> = new Set([401, 407]);
/**
 * Error responses (4xx-6xx) counted on a plaintext SIP flow (apps/sip-stream.ts): a failing trunk or
 * gateway (5xx), a codec or SDP mismatch (488, 606), or requests refused (other codes). Challenges
 * followed by a success on the flow are the normal authentication exchange and are left out.
 */
function sipErrorProblem(sip: AppEvidence): PayloadProblem | undefined {
  const responses = sip.responses ?? [];
  const succeeded = responses.some((r) => r.code >= 200 && r.code < 300);
  const errors = responses.filter((r) => r.code >= 400 && !(CHALLENGES.has(r.code) && succeeded));
  if (errors.length === 0) return undefined;
  // A re-INVITE refused in a call already answered (a T.38 fax offer answered 488, say) leaves the call as it was.
  const onlyInCall = (r: (typeof errors)[number]): boolean => r.inCall !== undefined && r.inCall >= r.count;
  const severityOf = (r: (typeof errors)[number]): Severity =>
    onlyInCall(r) || CALLEE_ANSWERS.has(r.code) ? 'info' : (r.code >= 500 && r.code < 600) || NO_ACCEPTABLE_MEDIA.has(r.code) ? 'high' : 'medium';
  let severity: Severity = 'info';
  for (const r of errors) if (SEVERITY_RANK[severityOf(r)] > SEVERITY_RANK[severity]) severity = severityOf(r);
  const first = errors.reduce((a, b) => (b.firstFrame < a.firstFrame ? b : a));
  const detail = errors.map((r) => `${responseText(r)}${
    r.inCall ? ` (${onlyInCall(r) ? 'all' : r.inCall} refusing a re-INVITE in a call already answered: the call went on)` : ''}`).join('; ');
  return { kind: 'sip-error', severity, frame: first.firstFrame, detail };
}

/** A gateway or reverse proxy could not reach the server behind it, or the service is unavailable (RFC 9110 §15.6.3-15.6.5). */
const GATEWAY_FAILURES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Error responses (4xx-5xx) counted on a plaintext HTTP flow of a documented web service
 * (apps/http-stream.ts): the pool behind a reverse proxy unreachable (502-504), a server failing
 * (other 5xx), credentials rejected (401, 407 with no 2xx on the flow: Lync web services challenge
 * every first request), or requests refused (other 4xx).
 */
function httpErrorProblem(http: AppEvidence): PayloadProblem | undefined {
  const responses = http.responses ?? [];
  const succeeded = responses.some((r) => r.code >= 200 && r.code < 300);
  const errors = responses.filter((r) => r.code >= 400 && r.code < 600 && !(CHALLENGES.has(r.code) && succeeded));
  if (errors.length === 0) return undefined;
  const severityOf = (code: number): Severity => GATEWAY_FAILURES.has(code) ? 'high' : code >= 500 || CHALLENGES.has(code) ? 'medium' : 'low';
  let severity: Severity = 'info';
  for (const r of errors) if (SEVERITY_RANK[severityOf(r.code)] > SEVERITY_RANK[severity]) severity = severityOf(r.code);
  const first = errors.reduce((a, b) => (b.firstFrame < a.firstFrame ? b : a));
  const detail = errors.map(responseText).join('; ');
  return { kind: 'http-error', severity, frame: first.firstFrame, detail };
}

/** "503 Service Unavailable ×2", "401 Unauthorized ×1 with no 2xx response (credentials rejected)". */
function responseText(r: NonNullable<AppEvidence['responses']>[number]): string {
  return `${r.code}${r.reason ? ` ${r.reason}` : ''} \u00d7${r.count}${CHALLENGES.has(r.code) ? ' with no 2xx response (credentials rejected)' : ''}`;
}
