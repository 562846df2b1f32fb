/**
 * The JSON report against schema/report.schema.json: every sample and every
 * shared capture yields a report (as serialised and parsed back) that the
 * schema accepts; hand-made mistakes give the expected one-line errors; and
 * the schema's enums cannot drift from the names the code writes.
 */
import { FINDING_KINDS, SEVERITIES, type Verdict } from '../../src/classify/index.js';
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type AnalyzeOptions } from '../../src/analyze.js';
import { ANOMALIES } from '../../src/anomalies.js';
import { ENDED_BY_NAMES, ORIENTED_BY_NAMES } from '../../src/flow/flow-store.js';
import { reportToJson } from '../../src/report/json.js';
import { REPORT_SCHEMA } from '../../src/report/model.js';
import { reportSchemaPath, validateReport } from '../../src/report/validate.js';
import { REPO_ROOT, SAMPLES, SHARED_CAPTURES, hasSharedCaptures, sharedCaptures, skipNote } from '../helpers/environment.js';

// Loose on purpose: the tests index into whatever the report holds.
type Json = any;

const samples = readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
const shared = sharedCaptures();
skipNote('report schema over the shared captures', hasSharedCaptures ? [] : [SHARED_CAPTURES]);

/** The report as a consumer sees it: the JSON text parsed back. */
async function reportOf(paths: string[], options?: AnalyzeOptions): Promise<Json> {
  return JSON.parse(reportToJson(await analyze(paths, options)));
}

/** Which optional parts of the contract the validated reports contained, so a pass means something. */
const seen = new Set<string>();
function noteCoverage(report: Json): void {
  for (const input of report.inputs) {
    if (input.stopped !== undefined) seen.add(`stopped:${input.stopped.kind}`);
    if (input.firstPacket === null) seen.add('input without packets');
    if (Object.keys(input.anomalies).length > 0) seen.add('anomalies');
  }
  for (const flow of report.flows) {
    seen.add(`transport:${flow.transport.startsWith('ip-') ? 'ip-n' : flow.transport}`);
    seen.add(`endedBy:${flow.endedBy}`);
    if (flow.icmpErrors !== undefined) seen.add('icmpErrors');
    if (flow.fragments !== undefined) seen.add('fragments');
    if (flow.client.ip.includes(':')) seen.add('ipv6');
    if (flow.tcp?.history.startsWith('^')) seen.add('history ^');
  }
}

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'report.schema.json'), 'utf8')) as Json;

describe('every report validates against schema/report.schema.json', () => {
  it.each(samples)('sample %s', async (file) => {
    const report = await reportOf([join(SAMPLES, file)]);
    expect(validateReport(report)).toEqual([]);
    expect(report.flows.length).toBeGreaterThan(0);
    noteCoverage(report);
  });

  it('all samples in one run (several inputs, frames numbered across them)', async () => {
    const report = await reportOf(samples.map((f) => join(SAMPLES, f)));
    expect(report.inputs).toHaveLength(samples.length);
    expect(validateReport(report)).toEqual([]);
  });

  it('a run whose flows are evicted by the cap and the idle timeout', async () => {
    const report = await reportOf([join(SAMPLES, 'edge-dmz.pcap')], {
      flows: { maxLiveFlows: 3, idleTimeouts: { udp: 0.5, other: 0.5, tcpOther: 0.5 } },
    });
    expect(validateReport(report)).toEqual([]);
    expect(report.totals.flowsEvicted).toBeGreaterThan(0);
    noteCoverage(report);
  });

  describe.skipIf(!hasSharedCaptures)('shared captures', () => {
    it.each(shared)('%s', async (file) => {
      const report = await reportOf([join(SHARED_CAPTURES, file)]);
      expect(validateReport(report)).toEqual([]);
      noteCoverage(report);
    });

    it('exercised the optional parts of the contract', () => {
      expect([...seen].sort()).toEqual(expect.arrayContaining([
        'anomalies', 'endedBy:cap', 'endedBy:closed', 'endedBy:end', 'endedBy:idle', 'endedBy:reuse', 'fragments',
        'history ^', 'icmpErrors', 'input without packets', 'ipv6', 'stopped:corrupt', 'stopped:truncated',
        'transport:icmp', 'transport:icmpv6', 'transport:ip-n', 'transport:tcp', 'transport:udp',
      ]));
    });
  });
});

describe('the schema catches real mistakes, one line each', () => {
  const mini = join(SAMPLES, 'edge-mini.pcap');
  let base: Json;
  /** A fresh copy of a valid report to damage. */
  async function fresh(): Promise<Json> {
    base ??= await reportOf([mini]);
    return structuredClone(base);
  }
  const indexOf = (r: Json, transport: string): number => r.flows.findIndex((f: Json) => f.transport === transport);

  it('the undamaged report is valid', async () => {
    expect(validateReport(await fresh())).toEqual([]);
  });

  it('a missing required field', async () => {
    const r = await fresh();
    delete r.totals.peakLiveFlows;
    expect(validateReport(r)).toEqual(['/totals: missing required property "peakLiveFlows"']);
  });

  it('a wrong type', async () => {
    const r = await fresh();
    r.inputs[0].packets = String(r.inputs[0].packets);
    expect(validateReport(r)).toEqual([`/inputs/0/packets: must be integer (got "${r.inputs[0].packets}")`]);
  });

  it('a fractional or negative count', async () => {
    const r = await fresh();
    r.flows[0].bytes.fromClient = 1.5;
    r.flows[0].packets.fromServer = -1;
    expect(validateReport(r)).toEqual([
      '/flows/0/packets/fromServer: must be >= 0 (got -1)',
      '/flows/0/bytes/fromClient: must be integer (got 1.5)',
    ]);
  });

  it('an unknown tcp state', async () => {
    const r = await fresh();
    const i = indexOf(r, 'tcp');
    r.flows[i].tcp.state = 'ESTABLISHED';
    expect(validateReport(r)).toEqual([
      `/flows/${i}/tcp/state: must be one of "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH" (got "ESTABLISHED")`,
    ]);
  });

  it('a history letter repeated in one direction, or one Zeek does not define', async () => {
    const r = await fresh();
    const i = indexOf(r, 'tcp');
    r.flows[i].tcp.history = 'ShAA';
    expect(validateReport(r)).toEqual([
      `/flows/${i}/tcp/history: invalid value "ShAA": must be Zeek history letters SHADFRTWQI (lowercase from the server), each at most once per direction, '^' only first`,
    ]);
    for (const bad of ['ShAC', 'Sh^A', '^^S', 'S h']) {
      // C (bad checksum) is Zeek's, but flowaudit never writes it; '^' only once and first.
      r.flows[i].tcp.history = bad;
      expect(validateReport(r), bad).toHaveLength(1);
    }
    r.flows[i].tcp.history = '^hSAaDdFfTtRr';
    expect(validateReport(r)).toEqual([]);
  });

  it('a malformed anomaly name, while a new well-formed one is accepted (the vocabulary grows)', async () => {
    const r = await fresh();
    r.inputs[0].anomalies['Bad-Name'] = 2;
    expect(validateReport(r)).toEqual(['/inputs/0/anomalies: bad anomaly name "Bad-Name" (lower case words joined by underscores)']);
    delete r.inputs[0].anomalies['Bad-Name'];
    r.inputs[0].anomalies.stun_attribute_past_end = 1;
    expect(validateReport(r)).toEqual([]);
  });

  it('a zero anomaly count (zero counts are omitted)', async () => {
    const r = await fresh();
    r.inputs[0].anomalies.non_ip_frame = 0;
    expect(validateReport(r)).toEqual(['/inputs/0/anomalies/non_ip_frame: must be >= 1 (got 0)']);
  });

  it('an extra key in a closed struct', async () => {
    const r = await fresh();
    r.flows[0].client.mac = '00:11:22:33:44:55';
    r.tool.build = 'dev';
    expect(validateReport(r)).toEqual(['/tool: unknown property "build"', '/flows/0/client: unknown property "mac"']);
  });

  it('a misspelt per-direction key', async () => {
    const r = await fresh();
    r.flows[0].payloadBytes.fromClients = r.flows[0].payloadBytes.fromClient;
    delete r.flows[0].payloadBytes.fromClient;
    expect(validateReport(r)).toEqual([
      '/flows/0/payloadBytes: missing required property "fromClient"',
      '/flows/0/payloadBytes: unknown property "fromClients"',
    ]);
  });

  it('open records accept fields a later version adds', async () => {
    const r = await fresh();
    r.generatedAt = '2025-01-01T00:00:00Z';
    r.inputs[0].sha256 = 'ab';
    r.totals.flowsClassified = 0;
    r.flows[0].media = { streams: 0 };
    expect(validateReport(r)).toEqual([]);
  });

  it('the tcp block on a non-TCP flow, or missing on a TCP flow', async () => {
    const r = await fresh();
    const t = indexOf(r, 'tcp');
    const u = indexOf(r, 'udp');
    r.flows[u].tcp = { state: 'OTH', history: '' };
    delete r.flows[t].tcp;
    expect(validateReport(r)).toEqual([
      `/flows/${t}: missing required property "tcp"`,
      `/flows/${u}/tcp: must not be present`,
    ]);
  });

  it('bad enums, patterns and constants', async () => {
    const r = await fresh();
    const u = indexOf(r, 'udp');
    r.schema = 'flowaudit-report/2';
    r.inputs[0].format = 'erf';
    r.inputs[0].stopped = { kind: 'eof', atByte: 0, afterPackets: 0, message: 'x' };
    r.flows[u].transport = 'sctp';
    r.flows[u].orientedBy = 'guess';
    r.flows[u].server.ip = '2001:DB8::1'; // RFC 5952 §4.3: lowercase
    r.totals.flowsByTransport['IP-99'] = 1;
    expect(validateReport(r)).toEqual([
      '/schema: must be "flowaudit-report/1" (got "flowaudit-report/2")',
      '/inputs/0/format: must be one of "pcap", "pcapng" (got "erf")',
      '/inputs/0/stopped/kind: must be one of "truncated", "corrupt" (got "eof")',
      `/totals/flowsByTransport: invalid property name "IP-99": must match /${schema.$defs.transport.pattern}/`,
      `/flows/${u}/transport: invalid value "sctp": must match /${schema.$defs.transport.pattern}/`,
      `/flows/${u}/server/ip: invalid value "2001:DB8::1": must be an IPv4 dotted quad or RFC 5952 IPv6 text`,
      `/flows/${u}/orientedBy: must be one of "syn", "syn-ack", "first-packet", "service-port", "well-known-port" (got "guess")`,
    ]);
  });

  it('addresses: IPv4 dotted quads and RFC 5952 IPv6 text only', async () => {
    const r = await fresh();
    const u = indexOf(r, 'udp');
    for (const ip of ['10.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', '2001:db8::a:0:1', '1:2:3:4:5:6:7:8', '::ffff:192.0.2.1']) {
      r.flows[u].client.ip = ip;
      expect(validateReport(r), ip).toEqual([]);
    }
    for (const ip of ['256.1.1.1', '01.2.3.4', '10.0.0', '2001:0db8::1', 'fe80::1%eth0', '1::2::3', '1:2:3:4:5:6:7:8:9', '']) {
      r.flows[u].client.ip = ip;
      expect(validateReport(r), ip).toEqual([`/flows/${u}/client/ip: invalid value ${JSON.stringify(ip)}: must be an IPv4 dotted quad or RFC 5952 IPv6 text`]);
    }
  });

  it('ports are 0 for IP protocols other than TCP, UDP and ICMP', async () => {
    const r = await fresh();
    const u = indexOf(r, 'udp');
    r.flows[u].transport = 'ip-47';
    expect(validateReport(r)).toEqual([
      `/flows/${u}/client/port: must be 0 (got ${r.flows[u].client.port})`,
      `/flows/${u}/server/port: must be 0 (got ${r.flows[u].server.port})`,
    ]);
    r.flows[u].client.port = 0;
    r.flows[u].server.port = 0;
    expect(validateReport(r)).toEqual([]);
  });

  it('firstPacket null exactly when the input has no packets', async () => {
    const r = await fresh();
    r.inputs[0].firstPacket = null;
    expect(validateReport(r)).toEqual(['/inputs/0/firstPacket: must be number (got null)']);
  });

  it('classification: a bad verdict, a misspelt role source, a finding without its filter, a checklist status', async () => {
    const r = await fresh();
    r.flows[0].verdict = 'allowed';
    r.flows[0].server.roleSource = 'guessed';
    delete r.findings[0].wiresharkFilter;
    r.checklist[0].status = 'ok';
    delete r.totals.verdicts.unclassified;
    expect(validateReport(r)).toEqual([
      '/totals/verdicts: missing required property "unclassified"',
      '/flows/0/server/roleSource: must be one of "configured", "inferred", "unknown" (got "guessed")',
      '/flows/0/verdict: must be one of "documented", "misdirected", "undocumented", "unclassified" (got "allowed")',
      '/findings/0: missing required property "wiresharkFilter"',
      '/checklist/0/status: must be one of "working", "failing", "not-seen" (got "ok")',
    ]);
  });

  it('the root is an object', () => {
    expect(validateReport([])).toEqual(['/: must be object (got [])']);
  });
});

describe('the schema and the code name the same things', () => {
  it('anomaly names: every name of src/anomalies.ts is well formed and listed in the schema', () => {
    const known = /Known names: (.*)\.$/.exec(schema.$defs.anomalyName.description)![1].split(', ');
    expect(known).toEqual(ANOMALIES.map((a) => a.name));
    for (const a of ANOMALIES) expect(a.name).toMatch(new RegExp(schema.$defs.anomalyName.pattern));
  });

  it('orientedBy and endedBy enums are the names flow-store.ts writes', () => {
    const flow = schema.$defs.flow.properties;
    expect(new Set(flow.orientedBy.enum)).toEqual(new Set(ORIENTED_BY_NAMES.filter((n) => n !== '')));
    expect(new Set(flow.endedBy.enum)).toEqual(new Set(ENDED_BY_NAMES.filter((n) => n !== '')));
  });

  it('finding kinds, severities and verdicts are the names the classifier writes', () => {
    expect(schema.$defs.findingKind.enum).toEqual([...FINDING_KINDS]);
    expect(schema.$defs.finding.properties.severity.enum).toEqual([...SEVERITIES]);
    const verdicts: Verdict[] = ['documented', 'misdirected', 'undocumented', 'unclassified'];
    expect(schema.$defs.flow.properties.verdict.enum).toEqual(verdicts);
  });

  it('the schema constant is REPORT_SCHEMA', () => {
    expect(schema.properties.schema.const).toBe(REPORT_SCHEMA);
  });

  it('is the file validateReport uses, and package.json ships it', () => {
    expect(reportSchemaPath()).toBe(join(REPO_ROOT, 'schema', 'report.schema.json'));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schema');
  });
});
