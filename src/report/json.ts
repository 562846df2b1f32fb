/**
 * JSON rendering, in bounded pieces: a report's size grows with the capture (a flow per line, and
 * findings, STUN records and media streams that scale with flows too), and a single string of it
 * would pass what V8 can build (~512 M characters). The head is pretty-printed exactly as
 * JSON.stringify(head, null, 2) would print it, but walked so that no piece is larger than about
 * PIECE_CHARS plus one small value; each flow is one compact line, so the flows stay greppable and
 * diff line by line.
 */
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Report } from './model.js';

const FLOWS_PER_PIECE = 2000;
/** A piece is yielded once it holds this many characters. */
const PIECE_CHARS = 1 << 16;
/**
 * Values this deep are rendered whole: the model bounds them (a finding's evidence, a STUN record's
 * lists). Shallower objects and arrays are walked, so that none is built as one string.
 */
const WHOLE_DEPTH = 3;
const INDENT = '  ';

export function* jsonPieces(report: Report): Generator<string> {
  const { flows, ...head } = report;
  let piece = '';
  // The head as JSON.stringify(head, null, 2) prints it, left open: the flows array comes last.
  for (const part of prettyParts(head, 0, true)) {
    piece += part;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece},\n  "flows": [`; // the head has keys (schema first), so a comma follows
  for (let i = 0; i < flows.length; i += FLOWS_PER_PIECE) {
    let lines = '';
    const end = Math.min(flows.length, i + FLOWS_PER_PIECE);
    for (let j = i; j < end; j++) lines += `${j === 0 ? '' : ','}\n    ${JSON.stringify(flows[j])}`;
    yield lines;
  }
  yield `${flows.length > 0 ? '\n  ' : ''}]\n}\n`;
}

/**
 * JSON.stringify(value, null, 2)'s text for a value at nesting `depth`, in parts, for what a report
 * holds (plain objects, arrays, strings, numbers, booleans, null). `open`: an object's closing
 * brace is left out.
 */
function* prettyParts(value: unknown, depth: number, open = false): Generator<string> {
  if (depth >= WHOLE_DEPTH || value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const text = JSON.stringify(value, null, 2);
    yield depth === 0 ? text : text.replaceAll('\n', '\n' + INDENT.repeat(depth));
    return;
  }
  const inner = '\n' + INDENT.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    for (let i = 0; i < value.length; i++) {
      yield i === 0 ? '[' + inner : ',' + inner;
      const v = value[i];
      // As JSON.stringify does: what has no JSON text is null in an array.
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') yield 'null';
      else yield* prettyParts(v, depth + 1);
    }
    yield '\n' + INDENT.repeat(depth) + ']';
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // omitted, as JSON.stringify does
    yield (first ? '{' : ',') + inner + JSON.stringify(key) + ': ';
    first = false;
    yield* prettyParts(v, depth + 1);
  }
  if (!open) yield first ? '{}' : '\n' + INDENT.repeat(depth) + '}';
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
