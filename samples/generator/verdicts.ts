/**
 * Adds the expected classification to a computed truth: per flow the verdict,
 * confidence and rule ids with and without the scenario's topology (and with
 * media evidence, and per pack variant), how the flow failed, and the spec's
 * open questions. The verdicts are declared by hand in the scenario and
 * checked here against the catalog (expect.ts); a disagreement stops the
 * generation with the list of flows concerned.
 */
import {
  Evaluator, READINGS, declared, defaultPacks, loadRules, sameExpectation, topologyRoles,
  type Declared, type ExpectTable, type Expectation, type Failure, type FlowEnds, type PackVariant,
} from './expect.js';
import type { Truth, TruthFlow, TruthIcmp } from './truth.js';

/** Payloads that payload inspection will report as media (spec: stun, rtp, rtcp, srtp, channeldata, dtls). */
const MEDIA_PROTOCOLS = ['stun', 'rtp', 'ms-turn-tcp'];

export interface ClassificationInput {
  /** File name of the scenario's topology, beside the truth. */
  topologyFile: string;
  expect: ExpectTable;
  variants?: PackVariant[];
  /** Scenario-wide remarks on the expectations. */
  notes?: string[];
}

export interface FlowClassification {
  expected: Expectation;
  expectedWithoutTopology: Expectation;
  expectedWithMedia?: { withTopology: Expectation; withoutTopology: Expectation };
  expectedInVariants?: Record<string, Expectation>;
  failure?: Failure;
  /** The literal reading of the spec's broad-rule clause, where it gives something else. */
  literalReading?: { expected: Expectation; expectedWithoutTopology: Expectation };
  ambiguity?: string;
}

const ADMIN_PROHIBITED_V4 = [9, 10, 13]; // RFC 1122 §3.2.2.1 codes 9, 10; RFC 1812 §5.2.7.1 code 13

/** How a flow failed, from its Zeek state and the ICMP errors quoting it. */
export function failureOf(flow: TruthFlow, icmp: TruthIcmp[]): Failure | undefined {
  const errs = icmp.filter((m) => m.flowId === flow.id);
  if (errs.some((m) => (m.family === 4 && m.type === 3 && ADMIN_PROHIBITED_V4.includes(m.code)) || (m.family === 6 && m.type === 1 && m.code === 1))) {
    return 'icmp-admin-prohibited';
  }
  if (errs.some((m) => (m.family === 4 && (m.type === 3 || m.type === 11)) || (m.family === 6 && (m.type === 1 || m.type === 3)))) return 'icmp-unreachable';
  if (flow.transport === 'tcp' && ['S0', 'SH', 'RSTOS0'].includes(flow.state)) return 'tcp-unanswered';
  if (flow.transport === 'tcp' && flow.state === 'REJ') return 'tcp-refused';
  return undefined;
}

export const expectKey = (f: TruthFlow, table: ExpectTable) => (f.label in table ? f.label : `${f.label}:${f.server.port}`);

/** The truth with the classification fields added (top-level ones placed after `roles`). */
export function addExpectations(truth: Truth, input: ClassificationInput): Truth {
  const packs = defaultPacks();
  const rules = loadRules(packs);
  const roleOf = topologyRoles(truth.roles);
  const ev = new Evaluator();
  const problems: string[] = [];
  const used = new Set<string>();
  const flows = truth.flows.map((f): TruthFlow => {
    const key = expectKey(f, input.expect);
    const want = input.expect[key];
    if (!want) {
      problems.push(`${f.label} (${key}): no expectation declared`);
      return f;
    }
    used.add(key);
    const ends: FlowEnds = { transport: f.transport, client: f.client, server: f.server };
    const at = (media: boolean, topo: boolean, reading: 'listening' | 'literal' = 'listening', r = rules) =>
      ev.evaluate(ends, { rules: r, roleOf: topo ? roleOf : null, media, reading });
    const check = (what: string, got: Expectation, decl: Declared | undefined) => {
      if (decl !== declared(got)) problems.push(`${f.label} (${key}) ${what}: declared ${decl ?? 'nothing'}, the catalog gives ${declared(got)} [${got.ruleIds.join(' ')}]`);
    };
    const out: FlowClassification = { expected: at(false, true), expectedWithoutTopology: at(false, false) };
    check('with topology', out.expected, want.topo);
    check('without topology', out.expectedWithoutTopology, want.bare);
    const isMedia = MEDIA_PROTOCOLS.includes(f.app?.protocol ?? '');
    if (isMedia || want.media) {
      out.expectedWithMedia = { withTopology: at(true, true), withoutTopology: at(true, false) };
      check('with media, with topology', out.expectedWithMedia.withTopology, want.media?.topo);
      check('with media, without topology', out.expectedWithMedia.withoutTopology, want.media?.bare);
    }
    if (input.variants?.length) {
      out.expectedInVariants = {};
      for (const v of input.variants) {
        const got = at(false, true, 'listening', loadRules(v.packs));
        out.expectedInVariants[v.name] = got;
        check(`variant ${v.name}`, got, want.variants?.[v.name]);
      }
    }
    const failure = failureOf(f, truth.icmp);
    if (failure !== want.failure) problems.push(`${f.label} (${key}): failure declared ${want.failure ?? 'none'}, the capture shows ${failure ?? 'none'}`);
    if (failure) out.failure = failure;
    const lit = { expected: at(false, true, 'literal'), expectedWithoutTopology: at(false, false, 'literal') };
    if (!sameExpectation(lit.expected, out.expected) || !sameExpectation(lit.expectedWithoutTopology, out.expectedWithoutTopology)) out.literalReading = lit;
    if (want.ambiguity) out.ambiguity = want.ambiguity;
    return { ...f, ...out };
  });
  for (const k of Object.keys(input.expect)) if (!used.has(k)) problems.push(`expectation ${k} matches no flow`);
  if (problems.length) throw new Error(`${truth.scenario}: expected verdicts disagree with the catalog:\n  ${problems.join('\n  ')}`);
  const { totals, flows: _flows, icmp, stun, media, ...head } = truth;
  return {
    ...head,
    topology: input.topologyFile,
    packs,
    variants: input.variants,
    classification: {
      spec: 'classify-spec (binding decisions of the classifier, role inference and sample truth); summarized in samples/README.md',
      payloadEvidence: 'expected and expectedWithoutTopology assume no payload evidence (flow.apps absent); expectedWithMedia assumes media evidence',
      readings: READINGS,
      notes: input.notes ?? [],
    },
    totals,
    flows,
    icmp,
    ...(stun ? { stun } : {}),
    ...(media ? { media } : {}),
  };
}
