/**
 * JSON rendering in bounded pieces: the text is JSON.stringify(head, null, 2) with one compact line
 * per flow, as it always was, and no piece grows with the report (a report with a few hundred
 * thousand findings or STUN records once passed what V8 can build as one string).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { jsonPieces, reportToJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/model.js';
import { SAMPLES } from '../helpers/environment.js';

/** The text as one JSON.stringify of the head prints it, then the flows a line each: the contract's layout. */
function wholeText(report: Report): string {
  const { flows, ...head } = report;
  const lines = flows.map((f, i) => `${i === 0 ? '' : ','}\n    ${JSON.stringify(f)}`).join('');
  return `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "flows": [${lines}${flows.length > 0 ? '\n  ' : ''}]\n}\n`;
}

describe('jsonPieces', () => {
  const samples = readdirSync(SAMPLES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

  it.each(samples)('%s: the same text as one JSON.stringify of the head', async (sample) => {
    const report = await analyze([join(SAMPLES, sample)]);
    expect(report.flows.length).toBeGreaterThan(0);
    expect(reportToJson(report)).toBe(wholeText(report));
  });

  it('empty and odd values print as JSON.stringify prints them', () => {
    const odd = { schema: 'x', a: [], b: {}, c: [undefined, () => 1, null, { d: undefined, e: [1, [2, []]] }], f: undefined, g: new Date(0), h: 'line\nbreak "quoted"', flows: [] };
    const report = odd as unknown as Report;
    expect(reportToJson(report)).toBe(wholeText(report));
  });

  it('a head whose text ends exactly at a piece boundary still gets its comma before the flows', () => {
    for (let n = 65510; n <= 65540; n++) {
      const report = { schema: 'x'.repeat(n), flows: [{ id: 1 }] } as unknown as Report;
      const text = reportToJson(report);
      expect(text, `schema of ${n} characters`).toBe(wholeText(report));
    }
  });

  it('yields bounded pieces for a head that scales with flows (findings, STUN records)', () => {
    const n = 20_000;
    const finding = (i: number) => ({ kind: 'stun-unanswered', severity: 'high', flows: [i + 1], evidence: { frames: [i, i + 1] }, rules: ['edge-av-udp-3478', 'edge-av-tcp-443'], text: 'x'.repeat(300) });
    const report = {
      schema: 'flowaudit-report/1',
      findings: Array.from({ length: n }, (_, i) => finding(i)),
      stun: { perFlow: Array.from({ length: n }, (_, i) => ({ flow: i + 1, methods: [{ method: 'Binding', requests: 1, unanswered: 1 }] })) },
      flows: [{ id: 1 }],
    } as unknown as Report;
    let largest = 0;
    let text = '';
    for (const piece of jsonPieces(report)) {
      largest = Math.max(largest, piece.length);
      text += piece;
    }
    expect(text).toBe(wholeText(report));
    expect(text.length).toBeGreaterThan(10_000_000);
    expect(largest).toBeLessThan(70_000); // PIECE_CHARS plus one finding
  });
});
