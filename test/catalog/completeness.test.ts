/**
 * Catalog completeness: every data row of every seed table, and of the edge
 * reference tables, is in the catalog with a citation naming its file, table
 * and row, the row's cells verbatim, and the ports and transports the row
 * states. The tables are read from /work/shared at test time.
 */
import { describe, expect, it } from 'vitest';
import { listPacks, loadCatalog } from '../../src/catalog/load.js';
import type { CatalogRule, Citation, MediaPath } from '../../src/catalog/types.js';
import { SHARED_DIR, readReferenceParagraphs, readReferenceTables, readSeedTables, sharedAvailable, type SourceTable } from './seed-tables.js';

const have = sharedAvailable();
const skipNote = have ? '' : ` [skipped: ${SHARED_DIR}/seeds or reference/edge-ports.md not found]`;

const SEED_000 = '000_f92bc0b53b762791.txt';
const SEED_003 = '003_93df49e990053d98.txt';
const SEED_004 = '004_c95457c486943e80.txt';

/** The tables and row counts of /work/shared/reference/seed-glossary.md. */
const SEED_TABLES = [
  { file: SEED_000, heading: '방화벽 요약 - 공용 인스턴트 메시징 연결', rows: 6, portCol: 0, transportCol: 0 },
  { file: SEED_003, heading: '필요한 서버 포트 (서버 역할별)', rows: 53, portCol: 2, transportCol: 3 },
  { file: SEED_003, heading: '하드웨어 부하 분산만 사용 하는 경우 하드웨어 부하 분산 장치 포트', rows: 20, portCol: 1, transportCol: 2 },
  { file: SEED_003, heading: 'DNS 부하 분산을 사용 하는 경우 하드웨어 부하 분산 장치 포트', rows: 6, portCol: 1, transportCol: 2 },
  { file: SEED_003, heading: '필수 클라이언트 포트', rows: 12, portCol: 1, transportCol: 2 },
  { file: SEED_003, heading: '권장 IPsec 예외', rows: 15, portCol: -1, transportCol: 3 },
  { file: SEED_004, heading: '단일 디렉터의 방화벽 포트 및 프로토콜 정의', rows: 9, portCol: 0, transportCol: 0 },
] as const;

type Entry = (CatalogRule | MediaPath) & { citation: Citation };

function entriesCiting(entries: readonly Entry[], source: { file?: string; reference?: string }, table: string, row: number): Entry[] {
  return entries.filter(
    (e) =>
      (source.file === undefined || e.citation.file === source.file) &&
      (source.reference === undefined || e.citation.reference === source.reference) &&
      e.citation.table === table &&
      e.citation.row === row,
  );
}

/** Ports stated in a cell: "5061", "57501-65535", "67/68", "1024-65535\*", "50,000-59,999", "TCP 50001, 50002, 50003". */
function statedRanges(cell: string): [number, number][] {
  const text = cell.replace(/(\d),(\d{3})/g, '$1$2');
  const tail = /((?:\d+(?:-\d+)?)(?:\s*[/,]\s*\d+(?:-\d+)?)*)\s*(?:\\\*)?$/.exec(text);
  if (tail === null) return [];
  return merge(tail[1].split(/\s*[/,]\s*/).map((p) => p.split('-').map(Number) as [number, number?]).map(([lo, hi]) => [lo, hi ?? lo]));
}

function merge(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].map((r) => [r[0], r[1]] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

/** Transports a protocol cell states. DHCP ("서버의" in seed 003, see the glossary) runs over UDP. */
function statedTransports(cell: string): string[] {
  const up = cell.toUpperCase();
  if (up.includes('서버의')) return ['udp'];
  const udp = up.includes('UDP');
  const tcp = up.includes('TCP') || !udp; // HTTP, HTTPS, DCOM, empty cells: TCP
  return [...(tcp ? ['tcp'] : []), ...(udp ? ['udp'] : [])];
}

describe.skipIf(!have)(`catalog completeness against the seed tables${skipNote}`, () => {
  const catalog = have ? loadCatalog({ packs: listPacks() }) : undefined;
  const entries = (): Entry[] => [...catalog!.rules, ...catalog!.mediaPaths];

  for (const t of SEED_TABLES) {
    it(`${t.file} "${t.heading}": ${t.rows} rows, each cited with its cells, ports and transports`, () => {
      const table = readSeedTables(t.file).find((x) => x.heading === t.heading);
      expect(table, `table "${t.heading}" in ${t.file}`).toBeDefined();
      expect(table!.rows).toHaveLength(t.rows);
      const citing = entries().filter((e) => e.citation.file === t.file);
      // The pack transcribing this seed declares the table under its verbatim heading.
      const declared = catalog!.packs.find((p) => p.source.file === t.file)?.tables.find((x) => x.heading === t.heading);
      expect(declared, `a pack table with heading "${t.heading}"`).toBeDefined();
      expect(declared!.rows).toBe(t.rows);
      const tableId = declared!.id;

      for (let row = 1; row <= t.rows; row++) {
        const cells = table!.rows[row - 1];
        const hits = entriesCiting(citing, t, tableId!, row);
        expect(hits.length, `row ${row} of "${t.heading}" (${cells[0]})`).toBeGreaterThan(0);
        for (const h of hits) {
          expect(h.citation.cell).toBe(cells[0]);
          expect(h.citation.cells).toEqual(cells);
        }
        const rules = hits.filter((h): h is CatalogRule & Entry => 'ranges' in h);
        const paths = hits.filter((h): h is MediaPath & Entry => 'transports' in h);
        const transports = [...new Set([...rules.map((r) => r.transport), ...paths.flatMap((p) => p.transports)])].sort();
        expect(transports, `transports of row ${row}`).toEqual(statedTransports(cells[t.transportCol]).sort());
        if (t.portCol >= 0) {
          expect(merge(rules.flatMap((r) => r.ranges)), `ports of row ${row}`).toEqual(statedRanges(cells[t.portCol]));
        }
      }
      // Nothing cites a row the table does not have.
      for (const e of citing.filter((x) => x.citation.table === tableId)) expect(e.citation.row).toBeLessThanOrEqual(t.rows);
    });
  }

  it('keeps the 15 IPsec exception rows as media paths, not port rules', () => {
    const ipsec = catalog!.mediaPaths.filter((m) => m.citation.file === SEED_003);
    expect(ipsec).toHaveLength(15);
    expect(catalog!.rules.filter((r) => r.citation.table === ipsec[0].citation.table)).toHaveLength(0);
  });
});

/** Rows of the edge reference tables, by pack: which row ids each pack must cover. */
const REF = 'edge-ports.md';
const EXT = '1. Lync 2013 Edge, external interface';
const INT = '2. Lync 2013 / SfB 2015 Edge, internal interface';
const RP = '3. Reverse proxy';

function refTable(heading: string, firstHeader: string): SourceTable {
  const t = readReferenceTables(REF).find((x) => x.heading === heading && x.header[0] === firstHeader);
  if (t === undefined) throw new Error(`no table under "${heading}" in ${REF}`);
  return t;
}

describe.skipIf(!have)(`catalog completeness against the edge reference${skipNote}`, () => {
  const catalog = have ? loadCatalog({ packs: listPacks() }) : undefined;
  const cases = [
    { pack: 'lync2013-edge', heading: EXT, first: 'id', table: 'edge-external', rows: 17, absent: [] as string[], portCol: 2 },
    { pack: 'lync2013-edge', heading: INT, first: 'id', table: 'edge-internal', rows: 9, absent: [], portCol: 2 },
    // SfB 2015 has no inbound 50000-59999 rows (E11, E12).
    { pack: 'sfb2015-edge', heading: EXT, first: 'id', table: 'edge-external', rows: 17, absent: ['E11', 'E12'], portCol: 2 },
    { pack: 'sfb2015-edge', heading: INT, first: 'id', table: 'edge-internal', rows: 9, absent: [], portCol: 2 },
    { pack: 'reverse-proxy', heading: RP, first: 'side', table: 'reverse-proxy', rows: 5, absent: [], portCol: 1 },
  ];
  for (const c of cases) {
    it(`${c.pack}: every row of "${c.heading}"${c.absent.length ? ` except ${c.absent.join(', ')}` : ''}`, () => {
      const t = refTable(c.heading, c.first);
      expect(t.rows).toHaveLength(c.rows);
      const rules = catalog!.rules.filter((r) => r.pack === c.pack);
      t.rows.forEach((cells, i) => {
        const hits = entriesCiting(rules as Entry[], { reference: REF }, c.table, i + 1) as CatalogRule[];
        if (c.absent.includes(cells[0])) {
          expect(hits, `${cells[0]} must be absent from ${c.pack}`).toHaveLength(0);
          return;
        }
        expect(hits.length, `row ${i + 1} (${cells[0]})`).toBeGreaterThan(0);
        for (const h of hits) {
          expect(h.citation.cell).toBe(cells[0]);
          expect(h.citation.cells).toEqual(cells);
          expect(h.citation.section).toBe(c.heading);
        }
        expect([...new Set(hits.map((h) => h.transport))].sort()).toEqual(statedTransports(cells[c.portCol]));
        expect(merge(hits.flatMap((h) => h.ranges))).toEqual(statedRanges(cells[c.portCol]));
      });
    });
  }

  it('cites prose paragraphs of the reference by their verbatim text', () => {
    const prose = [...catalog!.rules].filter((r) => r.citation.reference === REF && r.citation.cells === undefined);
    expect(prose.length).toBeGreaterThan(0);
    for (const r of prose) {
      const paragraphs = readReferenceParagraphs(REF, r.citation.section!);
      expect(paragraphs[r.citation.row! - 1], `${r.id}: paragraph ${r.citation.row} of "${r.citation.section}"`).toContain(r.citation.cell);
    }
  });
});
