/**
 * Bad configuration: a malformed pack, user rule file or topology gives one
 * line per problem, `FILE: /json/pointer: message`, in a ConfigError.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadTopology } from '../../src/catalog/topology.js';
import { configErrorLines, makeCatalogDir, pack, rule, tempDir, writeFiles } from './fixtures.js';

const sorted = (a: readonly string[]): string[] => [...a].sort();

describe('catalog errors', () => {
  it('reports schema violations one per line, naming file, JSON path and problem', () => {
    const { dir, paths } = makeCatalogDir({
      'bad.json': {
        pack: 'bad',
        title: 'bad',
        source: { document: 'd' },
        defaultEnabled: true,
        rules: [
          {
            id: 'bad/a',
            transport: 'tcpp',
            ports: [70000, 'x', [1, 2, 3]],
            portSide: 'listener',
            from: ['edge-avv'],
            to: [],
            service: 's',
            protocol: 'p',
            citation: { row: 0 },
            colour: 'red',
          },
          { id: 'no spaces', transport: 'udp', ports: [], from: ['any'], to: ['any'], service: 's', citation: { file: 'f' } },
        ],
      },
    });
    const f = paths['bad.json'];
    expect(sorted(configErrorLines(() => loadCatalog({ catalogDir: dir })))).toEqual(
      sorted([
        `${f}: /rules/0: unknown property "colour"`,
        `${f}: /rules/0/transport: must be one of "tcp", "udp" (got "tcpp")`,
        `${f}: /rules/0/ports/0: port 70000 is out of range 1-65535`,
        `${f}: /rules/0/ports/1: must be integer or array (got "x")`,
        `${f}: /rules/0/ports/2: a port range must be [lo, hi] (got [1,2,3])`,
        `${f}: /rules/0/portSide: must be one of "server", "client", "either" (got "listener")`,
        `${f}: /rules/0/from/0: unknown role "edge-avv" (the roles are listed in catalog/roles.json)`,
        `${f}: /rules/0/to: must NOT have fewer than 1 items`,
        `${f}: /rules/0/citation: must have one of the properties "file", "reference", "document"`,
        `${f}: /rules/0/citation/row: must be >= 1 (got 0)`,
        `${f}: /rules/1: missing required property "protocol"`,
        `${f}: /rules/1/id: invalid value "no spaces": must match "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"`,
        `${f}: /rules/1/ports: must NOT have fewer than 1 items`,
      ]),
    );
  });

  it('reports what the schema cannot see: duplicate ids, lo > hi, pack id, undeclared tables and rows', () => {
    const { dir, paths } = makeCatalogDir({
      'sem.json': pack('semantic', [
        rule('sem/a', { ports: [[6000, 5000], 80] }),
        rule('sem/b', { citation: { file: 'x.txt', table: 'nope', row: 1, cell: 'c' } }),
        rule('sem/a'),
        rule('sem/c', { citation: { file: 'x.txt', table: 't1', row: 4, cell: 'c' } }),
      ], { tables: [{ id: 't1', heading: 'Table one', rows: 3 }] }),
    });
    const f = paths['sem.json'];
    expect(configErrorLines(() => loadCatalog({ catalogDir: dir }))).toEqual([
      `${f}: /pack: pack id "semantic" must be the file name "sem"`,
      `${f}: /rules/0/ports/0: range [6000, 5000] has lo > hi`,
      `${f}: /rules/1/citation/table: table "nope" is not declared in /tables`,
      `${f}: /rules/2/id: duplicate id "sem/a" (first at /rules/0)`,
      `${f}: /rules/3/citation/row: row 4 is beyond the 3 rows of table "t1"`,
    ]);
  });

  it('rejects a rule id defined by two packs, and names both files', () => {
    const { dir, paths } = makeCatalogDir({ 'a.json': pack('a', [rule('shared/x')]), 'b.json': pack('b', [rule('shared/x')]) });
    expect(configErrorLines(() => loadCatalog({ catalogDir: dir }))).toEqual([
      `${paths['b.json']}: /rules/0/id: rule id "shared/x" is already defined in ${paths['a.json']}`,
    ]);
  });

  it('lists the known packs when asked for an unknown one', () => {
    const { dir } = makeCatalogDir({ 'a.json': pack('a', [rule('a/x')]), 'b.json': pack('b', [rule('b/x')]) });
    expect(configErrorLines(() => loadCatalog({ catalogDir: dir, packs: ['a', 'lync2031-edge'] }))).toEqual([
      'catalog: unknown pack "lync2031-edge" (known packs: a, b)',
    ]);
  });

  it('reports unreadable files and JSON syntax errors with line and column, collecting all files', () => {
    const { dir } = makeCatalogDir({ 'a.json': pack('a', [rule('a/x')]) });
    const user = writeFiles(tempDir(), { 'broken.json': '{\n  "pack": "u",\n  "rules": [,]\n}\n' });
    const missing = join(tempDir(), 'missing.json');
    const lines = configErrorLines(() => loadCatalog({ catalogDir: dir, extraFiles: [user['broken.json'], missing] }));
    expect(lines).toEqual([
      `${user['broken.json']}: invalid JSON: unexpected ",", expected a value (line 3, column 13)`,
      `${missing}: cannot read file (ENOENT)`,
    ]);
  });

  it('rejects disabling a rule nobody loaded', () => {
    const { dir } = makeCatalogDir({ 'a.json': pack('a', [rule('a/x')]) });
    const user = writeFiles(tempDir(), { 'u.json': pack('u', [], { disable: ['a/x', 'a/typo', 'nopack/y'] }) });
    expect(configErrorLines(() => loadCatalog({ catalogDir: dir, extraFiles: [user['u.json']] }))).toEqual([
      `${user['u.json']}: /disable/1: no loaded rule "a/typo" to disable`,
      `${user['u.json']}: /disable/2: no loaded rule "nopack/y" to disable`,
    ]);
  });
});

describe('topology errors', () => {
  it('reports schema violations: unknown role, the wildcard role, wrong types, unknown properties', () => {
    const t = writeFiles(tempDir(), {
      'topo.json': { roles: { 'edge-avv': ['1.2.3.4'], any: ['10.0.0.0/8'], 'front-end': ['10.0.2.1', 5], director: '10.0.3.5' }, site: 'x' },
    });
    const f = t['topo.json'];
    expect(sorted(configErrorLines(() => loadTopology(f)))).toEqual(
      sorted([
        `${f}: /: unknown property "site"`,
        `${f}: /roles: unknown role "edge-avv" (the roles are listed in catalog/roles.json)`,
        `${f}: /roles: the wildcard role "any" matches every address and cannot be assigned`,
        `${f}: /roles/front-end/1: must be string (got 5)`,
        `${f}: /roles/director: must be array (got "10.0.3.5")`,
      ]),
    );
  });

  it('reports every malformed address or prefix with its position', () => {
    const t = writeFiles(tempDir(), {
      'topo.json': {
        roles: {
          'front-end': ['10.0.2.5/24', '300.1.1.1', '10.0.2.0/33', '2001:db8::1/129', '2001:db8::/abc'],
          'edge-av': ['131.107.10.12', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', '010.0.0.1', '2001:db8:0:0:1::/64'],
        },
      },
    });
    const f = t['topo.json'];
    expect(configErrorLines(() => loadTopology(f))).toEqual([
      `${f}: /roles/front-end/0: "10.0.2.5/24" has host bits set (did you mean 10.0.2.0/24?)`,
      `${f}: /roles/front-end/1: "300.1.1.1" is not an IPv4 or IPv6 address or CIDR prefix`,
      `${f}: /roles/front-end/2: "10.0.2.0/33" has a prefix length above 32`,
      `${f}: /roles/front-end/3: "2001:db8::1/129" has a prefix length above 128`,
      `${f}: /roles/front-end/4: "2001:db8::/abc" has an invalid prefix length`,
      `${f}: /roles/edge-av/1: "fe80::1%eth0" is not an IPv4 or IPv6 address or CIDR prefix`,
      `${f}: /roles/edge-av/2: "1:2:3:4:5:6:7:8:9" is not an IPv4 or IPv6 address or CIDR prefix`,
      `${f}: /roles/edge-av/3: "010.0.0.1" is not an IPv4 or IPv6 address or CIDR prefix`,
      `${f}: /roles/edge-av/4: "2001:db8:0:0:1::/64" has host bits set (did you mean 2001:db8::/64?)`,
    ]);
  });

  it('reports a missing file and invalid JSON in one line', () => {
    const missing = join(tempDir(), 'nope.json');
    expect(configErrorLines(() => loadTopology(missing))).toEqual([`${missing}: cannot read file (ENOENT)`]);
    const t = writeFiles(tempDir(), { 'bad.json': '{"roles": {"edge-av": ["1.2.3.4",]}}' });
    expect(configErrorLines(() => loadTopology(t['bad.json']))).toEqual([
      `${t['bad.json']}: invalid JSON: unexpected "]", expected a value (line 1, column 34)`,
    ]);
  });
});
