/**
 * The analyser against the generator's truth files: every flow of every
 * sample, in pcap and pcapng, with its orientation, counters, timestamps,
 * frames, TCP state and history, and ICMP errors. The generator shares no
 * code with src/, so this compares two independent accounts of one capture.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import type { FlowRecord } from '../../src/flow/flow-record.js';
import type { TruthFlow } from '../../samples/generator/truth.js';
import { SAMPLES } from '../helpers/environment.js';

interface Truth { files: Record<string, { packets: number }>; flows: TruthFlow[] }

const truths = readdirSync(SAMPLES).filter((f) => f.endsWith('.truth.json'));

/** A flow as the truth file states it: only the fields both accounts have. */
function fromTruth(t: TruthFlow) {
  return {
    transport: t.transport,
    client: { ip: t.client.ip, port: t.client.port },
    server: { ip: t.server.ip, port: t.server.port },
    packets: t.packets,
    bytes: t.bytes,
    payloadBytes: t.payloadBytes,
    frames: { first: t.firstFrame, last: t.lastFrame },
    tcp: t.transport === 'tcp' ? { state: t.state, history: t.history } : undefined,
    icmpErrors: t.icmpErrors,
  };
}

function fromReport(f: FlowRecord) {
  return {
    transport: f.transport,
    client: { ip: f.client.ip, port: f.client.port },
    server: { ip: f.server.ip, port: f.server.port },
    packets: f.packets,
    bytes: f.bytes,
    payloadBytes: f.payloadBytes,
    frames: f.frames,
    tcp: f.tcp,
    icmpErrors: (f.icmpErrors ?? []).reduce((n, e) => n + e.count, 0),
  };
}

describe('analysis equals the generator truth', () => {
  expect(truths.length).toBeGreaterThan(0);
  for (const truthFile of truths) {
    const truth = JSON.parse(readFileSync(join(SAMPLES, truthFile), 'utf8')) as Truth;
    for (const capture of Object.keys(truth.files)) {
      it(capture, async () => {
        const report = await analyze([join(SAMPLES, capture)]);
        expect(report.totals.packets).toBe(truth.files[capture].packets);
        // ICMP error messages form ICMP flows of their own; the truth lists the flows they quote.
        const ours = report.flows.filter((f) => f.transport === 'tcp' || f.transport === 'udp');
        const byKey = new Map(ours.map((f) => [`${f.transport} ${f.client.ip}:${f.client.port} ${f.server.ip}:${f.server.port}`, f]));
        expect(ours.length).toBe(truth.flows.length);
        for (const t of truth.flows) {
          const f = byKey.get(`${t.transport} ${t.client.ip}:${t.client.port} ${t.server.ip}:${t.server.port}`);
          expect(f, `${t.label}: no flow with this orientation`).toBeDefined();
          expect(fromReport(f!), t.label).toEqual(fromTruth(t));
          expect(f!.firstSeen, `${t.label} firstSeen`).toBeCloseTo(t.firstSeen, 6);
          expect(f!.lastSeen, `${t.label} lastSeen`).toBeCloseTo(t.lastSeen, 6);
        }
      });
    }
  }
});
