/**
 * Test helper: reads the tables of the seed documents and of the edge reference
 * as they are, so the completeness test compares the catalog with the sources
 * rather than with a second copy of them.
 *
 * The seeds hold two table syntaxes: Markdown pipe tables (003, the edge
 * reference) and HTML <table> blocks (000, 004). A table is named by the
 * nearest heading above it: a `#` line or a `**bold**` line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SHARED_DIR = process.env.FLOWAUDIT_SHARED ?? join(import.meta.dirname, '..', '..', '..', 'shared');
export const SEEDS_DIR = join(SHARED_DIR, 'seeds');
export const REFERENCE_DIR = join(SHARED_DIR, 'reference');

export function sharedAvailable(): boolean {
  return existsSync(SEEDS_DIR) && existsSync(join(REFERENCE_DIR, 'edge-ports.md'));
}

export interface SourceTable {
  /** The heading text above the table, without `#` or `**` markers. */
  readonly heading: string;
  /** Header cells. */
  readonly header: readonly string[];
  /** Data rows, cells normalized with `normCell`. */
  readonly rows: readonly (readonly string[])[];
}

/** Cell text as the catalog citations store it: whitespace runs collapsed, trimmed, markup kept. */
export function normCell(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function headingText(line: string): string | undefined {
  const t = line.trim();
  const h = /^#{1,6}\s+(.*)$/.exec(t);
  if (h) return h[1].replace(/<a name="[^"]*"><\/a>/g, '').trim();
  const b = /^\*\*(.+)\*\*$/.exec(t);
  return b ? b[1].trim() : undefined;
}

function splitPipeRow(line: string): string[] {
  const t = line.trim();
  return t.slice(1, t.endsWith('|') ? -1 : undefined).split('|').map(normCell);
}

/** Every table of a document, in order of appearance. */
export function parseTables(text: string): SourceTable[] {
  const lines = text.split(/\r?\n/);
  const tables: SourceTable[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const h = headingText(line);
    if (h !== undefined) {
      heading = h;
      continue;
    }
    if (line.trimStart().startsWith('|')) {
      const block: string[] = [];
      while (i < lines.length && lines[i].trimStart().startsWith('|')) block.push(lines[i++]);
      i--;
      // Row 2 is the |---|---| separator.
      const [header, , ...data] = block.map(splitPipeRow);
      tables.push({ heading, header, rows: data });
      continue;
    }
    if (line.trim().startsWith('<table')) {
      const block: string[] = [];
      while (i < lines.length && !lines[i].includes('</table>')) block.push(lines[i++]);
      tables.push({ heading, ...parseHtmlTable(block.join('\n')) });
    }
  }
  return tables;
}

function htmlCell(s: string): string {
  return normCell(s.replace(/<\/?p>/g, ' '));
}

function parseHtmlTable(html: string): { header: string[]; rows: string[][] } {
  const header = [...html.matchAll(/<th>([\s\S]*?)<\/th>/g)].map((m) => htmlCell(m[1]));
  const body = html.slice(html.indexOf('<tbody>'));
  const rows = [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...tr[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => htmlCell(m[1])),
  );
  return { header, rows };
}

export function readSeedTables(file: string): SourceTable[] {
  return parseTables(readFileSync(join(SEEDS_DIR, file), 'utf8'));
}

export function readReferenceTables(file: string): SourceTable[] {
  return parseTables(readFileSync(join(REFERENCE_DIR, file), 'utf8'));
}

/** The prose paragraphs (tables left out) of one `## ` section of a reference document, in order. */
export function readReferenceParagraphs(file: string, sectionHeading: string): string[] {
  const text = readFileSync(join(REFERENCE_DIR, file), 'utf8');
  const start = text.indexOf(`## ${sectionHeading}\n`);
  if (start < 0) return [];
  const rest = text.slice(start).split('\n').slice(1).join('\n');
  const end = rest.search(/^## /m);
  return (end < 0 ? rest : rest.slice(0, end))
    .split(/\n\s*\n/)
    .map(normCell)
    .filter((p) => p.length > 0 && !p.startsWith('|'));
}
