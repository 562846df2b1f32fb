/**
 * The protobuf export (proto/flowaudit.proto, "flowaudit-flows/1") against
 * the JSON report: every sample and shared capture round-trips field by
 * field; a report carrying the classification and inspection parts does too;
 * every key the JSON flow record has is a field of the .proto (so a new JSON
 * field cannot be silently dropped); chunk boundaries do not matter; a cut
 * file is an error, never a short answer.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type protobuf from 'protobufjs';
import { analyze } from '../../src/analyze.js';
import { reportToJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/model.js';
import { loadProto, PB_FORMAT, reportToProtobuf } from '../../src/report/protobuf.js';
import { ProtobufFormatError, readProtobufExport, type ProtobufHead } from '../../src/report/protobuf-read.js';
import { SAMPLES, SHARED_CAPTURES, hasSharedCaptures, sharedCaptures, skipNote } from '../helpers/environment.js';

// Loose on purpose: the tests index into whatever the report holds.
type Json = any;

const samples = readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
const shared = sharedCaptures();
skipNote('protobuf round trip over the shared captures', hasSharedCaptures ? [] : [SHARED_CAPTURES]);

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, Math.min(bytes.length, off + size));
}

async function readBack(bytes: Buffer, chunkSize = 64 * 1024): Promise<{ header: ProtobufHead; flows: Json[] }> {
  let header: ProtobufHead | undefined;
  const flows: Json[] = [];
  for await (const message of readProtobufExport(chunked(bytes, chunkSize))) {
    if ('header' in message) header = message.header;
    else flows.push(message.flow);
  }
  if (header === undefined) throw new Error('no header');
  return { header, flows };
}

/** The report as a JSON consumer sees it. */
function asJson(report: Report): Json {
  return JSON.parse(reportToJson(report));
}

/**
 * Report-level parts the header leaves out on purpose (the .proto keeps field
 * numbers 9-19 for them): aggregates a flow pipeline can recompute, or that
 * are still being built. Any other report key must be in the header.
 */
const NOT_IN_HEADER = ['checklist', 'findings', 'media', 'stun'];

/** Asserts the export of `report` decodes to exactly its JSON: the header's parts of the report, and the flows one by one. */
async function expectRoundTrip(report: Report): Promise<void> {
  const json = asJson(report);
  const { header, flows } = await readBack(reportToProtobuf(report));
  const { flows: jsonFlows, schema, tool, inputs, totals, catalog, topology, ...rest } = json;
  expect(Object.keys(rest).filter((k) => !NOT_IN_HEADER.includes(k))).toEqual([]);
  expect(header).toEqual({
    format: PB_FORMAT, schema, tool, inputs, totals,
    ...(catalog !== undefined && { catalog }),
    ...(topology !== undefined && { topology: { file: topology.file } }),
  });
  expect(flows.length).toBe(json.totals.flows);
  expect(flows.length).toBe(jsonFlows.length);
  for (let i = 0; i < flows.length; i++) expect(flows[i], `flow ${i + 1}`).toEqual(jsonFlows[i]);
}

/** Every key of a JSON object is a field of the message type (recursively), by protobufjs' camelCase name. */
function unmappedKeys(value: Json, type: protobuf.Type, path: string, out: Set<string>): void {
  // An app entry's protocol details travel in App.details_json, whatever their names.
  if (type.name === 'App') return;
  for (const [key, v] of Object.entries(value)) {
    const field = type.fields[key];
    if (field === undefined) { out.add(`${path}.${key}`); continue; }
    field.resolve();
    const sub = field.resolvedType;
    if (sub === null || field.map || !('fields' in sub)) continue;
    for (const item of Array.isArray(v) ? v : [v]) unmappedKeys(item, sub as protobuf.Type, `${path}.${key}`, out);
  }
}

/** A report with every classification and inspection part filled in, as main and the inspect branch add them. */
function classified(report: Report): Report {
  const json = asJson(report);
  const verdicts = ['documented', 'misdirected', 'undocumented', 'unclassified'];
  const counts: Record<string, number> = { documented: 0, misdirected: 0, undocumented: 0, unclassified: 0 };
  json.flows.forEach((flow: Json, i: number) => {
    const verdict = verdicts[i % 4];
    counts[verdict]++;
    flow.client = { ...flow.client, roles: i % 3 === 0 ? [] : ['external-client'], roleSource: i % 3 === 0 ? 'unknown' : 'inferred' };
    flow.server = { ...flow.server, roles: ['edge-access', 'edge-webconf'], roleSource: 'configured' };
    flow.verdict = verdict;
    flow.rules = verdict === 'undocumented' ? [] : ['edge-ext-sip-tls', 'edge-ext-https'];
    flow.confidence = i % 2 === 0 ? 'role' : 'port';
    flow.explanation = `Flow ${flow.id}: a sentence with "quotes", <tags> and ünïcode.`;
    flow.findings = verdict === 'misdirected' ? ['misdirected-flow', 'tcp-unanswered'] : [];
    if (i % 2 === 0) {
      flow.apps = [
        { protocol: 'stun', confidence: 'payload', evidenceFrames: [flow.frames.first, flow.frames.last] },
        { protocol: 'tls', confidence: 'payload', evidenceFrames: [flow.frames.first], sni: '<script>alert(1)</script>', version: 771 },
      ];
    }
  });
  json.totals.verdicts = counts;
  json.catalog = { packs: ['lync2013', 'sfb2015'], files: ['site-rules.json'] };
  json.topology = { file: 'site.json', hosts: [{ address: '131.107.10.10', roles: ['edge-access'], source: 'configured' }] };
  json.findings = [];
  json.checklist = [];
  return json as Report;
}

describe('protobuf export round-trips to the JSON report', () => {
  for (const name of samples) {
    it(`sample ${name}`, async () => {
      await expectRoundTrip(await analyze([join(SAMPLES, name)]));
    });
  }

  it.skipIf(!hasSharedCaptures)('every shared capture (stopped inputs, ICMP errors, fragments, IPv6, empty inputs)', async () => {
    const seen = new Set<string>();
    for (const name of shared) {
      const report = await analyze([join(SHARED_CAPTURES, name)]);
      for (const input of report.inputs) if (input.stopped) seen.add('stopped');
      for (const flow of report.flows) {
        if (flow.icmpErrors) seen.add('icmpErrors');
        if (flow.fragments) seen.add('fragments');
        if (flow.client.ip.includes(':')) seen.add('ipv6');
      }
      await expectRoundTrip(report);
    }
    // The corpus must exercise the optional parts, or the loop above proved less than it says.
    expect([...seen].sort()).toEqual(['fragments', 'icmpErrors', 'ipv6', 'stopped']);
  });

  it('with classification, roles, apps with protocol details, verdict totals, catalog and topology', async () => {
    const report = classified(await analyze([join(SAMPLES, 'edge-dmz.pcapng')]));
    expect(report.flows.length).toBeGreaterThan(8);
    await expectRoundTrip(report);
  });

  it('does not depend on where the chunks of the file end', async () => {
    const report = classified(await analyze([join(SAMPLES, 'edge-mini.pcapng')]));
    const bytes = reportToProtobuf(report);
    const whole = await readBack(bytes, bytes.length);
    for (const size of [1, 2, 3, 7, 100, 4093]) expect(await readBack(bytes, size)).toEqual(whole);
  });
});

describe('the .proto covers the JSON flow record', () => {
  it('has a field for every key of every flow of every sample, and of a classified report', async () => {
    const proto = loadProto();
    const missing = new Set<string>();
    const reports = [classified(await analyze([join(SAMPLES, 'edge-dmz.pcapng')]))];
    for (const name of [...samples, ...shared.map((f) => join(SHARED_CAPTURES, f))]) {
      reports.push(await analyze([name.startsWith('/') ? name : join(SAMPLES, name)]));
    }
    for (const report of reports) {
      // The header's coverage of report-level keys is checked by expectRoundTrip (NOT_IN_HEADER).
      for (const flow of asJson(report).flows) unmappedKeys(flow, proto.FlowRecord, 'flow', missing);
    }
    expect([...missing].sort()).toEqual([]);
  });

  it('detects a key it does not know (the check can fail)', () => {
    const missing = new Set<string>();
    unmappedKeys({ id: 1, client: { ip: 'x', port: 1, colour: 'red' }, newThing: 2 }, loadProto().FlowRecord, 'flow', missing);
    expect([...missing].sort()).toEqual(['flow.client.colour', 'flow.newThing']);
  });
});

describe('damaged exports are errors', () => {
  it('every cut of a small export either throws or ends exactly at a message boundary with fewer flows than announced', async () => {
    const report = await analyze([join(SAMPLES, 'edge-mini.pcap')]);
    const bytes = reportToProtobuf(report);
    const total = report.totals.flows;
    expect(total).toBeGreaterThan(1);
    let boundaries = 0;
    let errors = 0;
    for (let cut = 0; cut < bytes.length; cut++) {
      let result: Awaited<ReturnType<typeof readBack>> | undefined;
      let error: unknown;
      try { result = await readBack(bytes.subarray(0, cut), 97); } catch (err) { error = err; }
      if (error !== undefined) {
        expect(error).toBeInstanceOf(ProtobufFormatError);
        errors++;
      } else {
        boundaries++;
        expect(result!.flows.length).toBeLessThan(result!.header.totals.flows);
      }
    }
    // One cut per message boundary after the header (flows 0 .. total-1 present), every other cut an error.
    expect(boundaries).toBe(total);
    expect(errors).toBe(bytes.length - total);
  });

  it('refuses a file whose first message is not a flowaudit header', async () => {
    const notOurs = Buffer.from([0x05, 0x0a, 0x03, 0x61, 0x62, 0x63]); // one message: field 1 = "abc"
    await expect(readBack(notOurs)).rejects.toThrow(/not a flowaudit-flows\/1 file/);
    await expect(readBack(Buffer.alloc(0))).rejects.toThrow(/empty file/);
    await expect(readBack(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).rejects.toThrow(/varint longer than 5 bytes|implausible/);
  });
});
