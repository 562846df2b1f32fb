/** Text of the `flowaudit catalog` commands, rendered from hand-made catalogs. */
import { describe, expect, it } from 'vitest';
import { lookupPorts, packListing, ruleDetail } from '../../src/catalog/describe.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { citationShort, lookupLines, mediaPathLines, packListLines, ruleDetailLines, ruleListLines, validateLines } from '../../src/report/catalog-text.js';
import { makeCatalogDir, pack, rule, tempDir, writeFiles } from '../catalog/fixtures.js';

const TABLES = { tables: [{ id: 't1', heading: '서버 포트', title: 'Server ports', rows: 5 }] };

function fixture() {
  return makeCatalogDir({
    'core.json': pack(
      'core',
      [
        rule('core/sip-tls', { ports: [5061], from: ['internal-client', 'all-internal-servers'], to: ['front-end'], service: 'Front End SIP', inferred: ['from'], notes: 'Internal SIP.', citation: { file: 'seed.txt', table: 't1', row: 2, cell: '프런트 엔드', cells: ['프런트 엔드', '5061', 'TCP'] } }),
        rule('core/relay-out', { transport: 'udp', ports: [[50000, 50019]], portSide: 'client', from: ['edge-av'], to: ['any'], protocol: 'RTP', service: 'Relay', broad: true, citation: { reference: 'edge-ports.md', section: '1. Edge', row: 3, cell: 'E10' } }),
        rule('core/e911', { ports: [5066], portSide: 'either', service: 'E9-1-1', citation: { document: 'site notes' } }),
        rule('core/client-media', { transport: 'udp', ports: [[1024, 65535]], portSide: 'either', to: ['internal-client'], protocol: 'RTP', service: 'Client media', broad: true }),
        rule('core/web', { ports: [80, 443], protocol: 'HTTPS', service: 'Web' }),
      ],
      {
        ...TABLES,
        mediaPaths: [{ id: 'core/ipsec-1', name: 'A/V inbound', from: ['any'], to: ['edge-internal'], transports: ['udp', 'tcp'], authentication: 'none', citation: { file: 'seed.txt', table: 't1', row: 5, cell: 'A/V' } }],
      },
    ),
    'extra.json': pack('extra', [rule('extra/rdp', { ports: [3389] })], { defaultEnabled: false, title: 'Extra things' }),
  });
}

describe('citationShort', () => {
  it('names the source, the table by its title, the row and the first cell', () => {
    expect(citationShort({ file: 'seed.txt', table: 't1', row: 2, cell: '프런트 엔드' }, { id: 't1', heading: 'h', title: 'Server ports', rows: 5 })).toBe(
      'seed.txt, table "Server ports", row 2: "프런트 엔드"',
    );
    expect(citationShort({ file: 'seed.txt', table: 't1', row: 2 })).toBe('seed.txt, table "t1", row 2');
    expect(citationShort({ reference: 'edge-ports.md', section: '1. Edge', row: 3, cell: 'E10' })).toBe('edge-ports.md, section "1. Edge", row 3: "E10"');
    expect(citationShort({ document: 'Get-CsConferencingConfiguration' })).toBe('Get-CsConferencingConfiguration');
  });
});

describe('packListLines', () => {
  it('gives id, state, default, rule count, title and source for every pack, then what is not loaded', () => {
    const { dir } = fixture();
    const lines = packListLines(packListing(loadCatalog({ catalogDir: dir, packs: ['core', 'extra'] }), loadCatalog({ catalogDir: dir })));
    expect(lines).toEqual([
      'core  (loaded, enabled by default, 5 rules)',
      '    pack core',
      '    source: test',
      'extra  (not loaded, off by default, 1 rule)',
      '    Extra things',
      '    source: test',
      '',
      '1 pack loaded; not loaded: extra (choose packs with --catalog a,b,...)',
    ]);
  });
});

describe('ruleListLines', () => {
  it('prints one aligned line per rule: id, transport/ports, from -> to, protocol, service, flags', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const lines = ruleListLines(c.rules);
    expect(lines).toHaveLength(c.rules.length);
    expect(lines[0]).toBe('core/sip-tls       tcp/5061         internal-client,all-internal-servers -> front-end  SIP/TLS  Front End SIP');
    expect(lines[1]).toBe('core/relay-out     udp/50000-50019  edge-av -> any  RTP  Relay  [client side, broad]');
    expect(lines[4]).toBe('core/web           tcp/80,443       any -> front-end  HTTPS  Web');
    // The ports column starts at the same place on every line.
    expect(new Set(lines.map((l) => l.search(/(tcp|udp)\//))).size).toBe(1);
  });

  it('marks a rule a user file replaced', () => {
    const { dir } = fixture();
    const user = writeFiles(tempDir(), { 'site.json': pack('site', [rule('core/web', { ports: [8443] })]) });
    const c = loadCatalog({ catalogDir: dir, extraFiles: [user['site.json']] });
    expect(ruleListLines(c.rules).find((l) => l.startsWith('core/web'))).toMatch(/tcp\/8443 .*\[from site, replacing the rule of .*core\.json\]$/);
  });
});

describe('ruleDetailLines', () => {
  it('says everything about a rule, with its citation row and the meaning of side and breadth', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const lines = ruleDetailLines(ruleDetail(c, c.ruleById.get('core/sip-tls')!));
    expect(lines[0]).toBe('core/sip-tls');
    expect(lines).toContain('  ports:      tcp/5061');
    expect(lines).toContain('  port side:  server: the destination (listening) port of a "to" host; the flow is opened by a "from" host');
    expect(lines).toContain('  from:       internal-client, all-internal-servers');
    expect(lines).toContain('  inferred:   from (derived by the catalog, not stated in the source row)');
    expect(lines).toContain('  notes:      Internal SIP.');
    expect(lines.find((l) => l.startsWith('  broad:'))).toMatch(/^ {2}broad: {6}no \(a specific port/);
    const cit = lines.slice(lines.indexOf('citation:'));
    expect(cit).toEqual([
      'citation:',
      '  seed file:  seed.txt',
      '  table:      Server ports (t1)',
      '  heading:    서버 포트',
      '  row:        2 of 5',
      '  cell:       프런트 엔드',
      '  cells:      프런트 엔드 | 5061 | TCP',
      'roles:',
      '  internal-client       Skype for Business / Lync clients on the internal network.',
      expect.stringMatching(/^ {2}all-internal-servers {2}Group: .* \(front-end, director, mediation, persistent-chat, sba\)$/),
      expect.stringMatching(/^ {2}front-end {13}Front End Servers/),
    ]);
    expect(lines.some((l) => l.includes('overrides'))).toBe(false);
  });

  it('explains a broad range and shows the file a user rule overrides', () => {
    const { dir } = fixture();
    const user = writeFiles(tempDir(), { 'site.json': pack('site', [rule('core/relay-out', { transport: 'udp', ports: [[40000, 40019]], portSide: 'client', broad: true })]) });
    const c = loadCatalog({ catalogDir: dir, extraFiles: [user['site.json']] });
    const lines = ruleDetailLines(ruleDetail(c, c.ruleById.get('core/relay-out')!));
    expect(lines.find((l) => l.startsWith('  broad:'))).toMatch(/yes \(a broad media range: it documents a flow only when the payload is media .* or the listening endpoint's role is known to fit/);
    expect(lines).toContain('  inferred:   nothing: every field is read from the source');
    expect(lines).toContain(`  overrides:  the rule of the same id in ${dir}/core.json`);
    expect(lines).toContain(`  file:       ${user['site.json']}`);
  });

  it('renders a media path', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const lines = mediaPathLines(c, c.mediaPaths[0]);
    expect(lines[0]).toBe('core/ipsec-1  (media path: documented without ports)');
    expect(lines).toContain('  transports: udp, tcp');
    expect(lines).toContain('  row:        5 of 5');
  });
});

describe('lookupLines', () => {
  it('lists server side, client side, either side and broad groups in that order, each rule with roles and citation', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const lines = lookupLines(c, lookupPorts(c, { transport: 'tcp', lo: 5061, hi: 5061 }));
    expect(lines).toEqual([
      'tcp/5061: documented by 1 rule in the chosen packs (1 server side)',
      '  packs: core',
      '',
      'Server side: the destination (listening) port of a "to" host; the flow is opened by a "from" host:',
      '  core/sip-tls',
      '      SIP/TLS  internal-client, all-internal-servers -> front-end  (tcp/5061)',
      '      Front End SIP',
      '      cited: seed.txt, table "Server ports", row 2: "프런트 엔드"',
    ]);
    const either = lookupLines(c, lookupPorts(c, { transport: 'tcp', lo: 5066, hi: 5066 }));
    expect(either[0]).toBe('tcp/5066: documented by 1 rule in the chosen packs (1 either side)');
    expect(either).toContain('Either side: a port a "to" host uses at its own end, whichever side opens the flow (a media range):');
  });

  it('says plainly when no rule documents the port, and which unloaded packs do', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const lines = lookupLines(c, lookupPorts(c, { transport: 'tcp', lo: 3389, hi: 3389 }), [{ pack: 'extra', rules: ['extra/rdp'] }]);
    expect(lines).toEqual(['tcp/3389: documented by no rule in the chosen packs', '  packs: core', '', 'Not loaded, but documenting it:', '  pack extra: extra/rdp']);
  });

  it('separates ports held only by broad ranges, and gives the part of a range each rule holds', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const one = lookupLines(c, lookupPorts(c, { transport: 'udp', lo: 50010, hi: 50010 }));
    expect(one[0]).toBe('udp/50010: documented by no specific rule in the chosen packs; only 2 broad media ranges hold it');
    const broadAt = one.findIndex((l) => l.startsWith('Broad media ranges:'));
    expect(broadAt).toBeGreaterThan(0);
    expect(one.slice(broadAt + 1, broadAt + 3)).toEqual(['  core/relay-out', '      RTP  edge-av -> any  (udp/50000-50019, client side)']);
    const range = lookupLines(c, lookupPorts(c, { transport: 'udp', lo: 1000, hi: 50005 }));
    expect(range.slice(0, 3)).toEqual([
      'udp/1000-50005: documented by no specific rule in the chosen packs; only 2 broad media ranges hold it',
      '  no rule holds: 1000-1023',
      '  only broad media ranges hold: 1024-50005',
    ]);
    expect(range).toContain('      RTP  edge-av -> any  (udp/50000-50019, client side; holds 50000-50005 of the query)');
    const mixed = lookupLines(c, lookupPorts(c, { transport: 'tcp', lo: 5000, hi: 5070 }));
    expect(mixed.slice(0, 2)).toEqual([
      'tcp/5000-5070: documented by 2 rules in the chosen packs (1 server side, 1 either side)',
      '  no rule holds: 5000-5060,5062-5065,5067-5070',
    ]);
  });
});

describe('validateLines', () => {
  it('prints ok lines with the kind, and an invalid file as a heading and its error lines', () => {
    expect(
      validateLines([
        { file: 'a.json', kind: 'rules', ok: true, errors: [], pack: 'a', rules: 6, replaces: [], disables: ['x/1', 'x/2'] },
        { file: 'b.json', kind: 'rules', ok: true, errors: [], pack: 'b', rules: 1, replaces: ['x/3'], disables: [] },
        { file: 't.json', kind: 'topology', ok: true, errors: [], roles: 1, addresses: 1 },
        { file: 'bad.json', kind: 'rules', ok: false, errors: ['bad.json: /rules/0/ports/0: port 70000 is out of range 1-65535', 'bad.json: /title: must be string (got 1)'] },
        { file: 'badt.json', kind: 'topology', ok: false, errors: ['badt.json: /roles: unknown role "x" (the roles are listed in catalog/roles.json)'] },
        { file: 's.json', ok: false, errors: ['s.json: invalid JSON: unexpected end of input (line 1, column 2)'] },
      ]),
    ).toEqual([
      'a.json: ok (rule file, 6 rules, disables 2)',
      'b.json: ok (rule file, 1 rule, replaces x/3)',
      't.json: ok (topology, 1 role, 1 address)',
      'bad.json: invalid rule file (no top-level "roles"), 2 problems:',
      'bad.json: /rules/0/ports/0: port 70000 is out of range 1-65535',
      'bad.json: /title: must be string (got 1)',
      'badt.json: invalid topology (top-level "roles"), 1 problem:',
      'badt.json: /roles: unknown role "x" (the roles are listed in catalog/roles.json)',
      's.json: invalid JSON: unexpected end of input (line 1, column 2)',
    ]);
  });
});
