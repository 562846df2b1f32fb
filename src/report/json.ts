/**
 * JSON rendering. The report head is pretty-printed; each flow is one compact
 * line, so that a report with a million flows is written in bounded pieces,
 * stays greppable, and diffs line by line.
 */
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Report } from './model.js';

const FLOWS_PER_PIECE = 2000;

export function* jsonPieces(report: Report): Generator<string> {
  const { flows, ...head } = report;
  const headJson = JSON.stringify(head, null, 2);
  // headJson ends with "\n}": reopen it to append the flows array last.
  yield `${headJson.slice(0, -2)},\n  "flows": [`;
  for (let i = 0; i < flows.length; i += FLOWS_PER_PIECE) {
    let piece = '';
    const end = Math.min(flows.length, i + FLOWS_PER_PIECE);
    for (let j = i; j < end; j++) piece += `${j === 0 ? '' : ','}\n    ${JSON.stringify(flows[j])}`;
    yield piece;
  }
  yield `${flows.length > 0 ? '\n  ' : ''}]\n}\n`;
}

/** The whole report as one string (for tests and small captures). */
export function reportToJson(report: Report): string {
  let out = '';
  for (const piece of jsonPieces(report)) out += piece;
  return out;
}

/** Writes the report to a file path, or to `stdout` for "-", honouring back-pressure. */
export async function writeJsonReport(report: Report, dest: string, stdout: Writable): Promise<void> {
  const source = Readable.from(jsonPieces(report));
  if (dest === '-') {
    await pipeline(source, stdout, { end: false });
  } else {
    await pipeline(source, createWriteStream(dest));
  }
}
