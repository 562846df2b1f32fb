/** The catalog questions behind `flowaudit catalog`: port queries, lookups, suggestions, file validation. */
import { describe, expect, it } from 'vitest';
import {
  lookupHitCount,
  lookupPorts,
  packListing,
  parsePortQuery,
  ruleDetail,
  similarIds,
  unknownRuleMessage,
  unloadedPacksDocumenting,
} from '../../src/catalog/describe.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { kindOf, validateConfigFile } from '../../src/catalog/validate-files.js';
import { makeCatalogDir, pack, rule, tempDir, writeFiles } from './fixtures.js';

/** Every lookup group, and an optional pack that is off by default. */
function fixture() {
  return makeCatalogDir({
    'core.json': pack(
      'core',
      [
        rule('core/sip-tls', { ports: [5061], from: ['internal-client'], to: ['front-end'], inferred: ['from'], citation: { file: 'seed.txt', table: 't1', row: 2, cell: 'Front End' } }),
        rule('core/relay-out', { transport: 'udp', ports: [[50000, 50019]], portSide: 'client', from: ['edge-av'], to: ['any'], protocol: 'RTP', broad: true }),
        rule('core/e911', { ports: [5066], portSide: 'either' }),
        rule('core/client-media', { transport: 'udp', ports: [[1024, 65535]], portSide: 'either', to: ['internal-client'], protocol: 'RTP', broad: true }),
        rule('core/stun', { transport: 'udp', ports: [3478], to: ['edge-av'], protocol: 'STUN/MSTURN' }),
      ],
      { tables: [{ id: 't1', heading: 'Table one', title: 'Server ports', rows: 5 }] },
    ),
    'extra.json': pack('extra', [rule('extra/rdp', { ports: [3389] })], { defaultEnabled: false }),
  });
}

describe('parsePortQuery', () => {
  it('reads single ports and ranges, case-insensitively', () => {
    expect(parsePortQuery('tcp/5061')).toEqual({ transport: 'tcp', lo: 5061, hi: 5061 });
    expect(parsePortQuery(' UDP/3478 ')).toEqual({ transport: 'udp', lo: 3478, hi: 3478 });
    expect(parsePortQuery('udp/50000-50010')).toEqual({ transport: 'udp', lo: 50000, hi: 50010 });
    expect(parsePortQuery('tcp/65535-65535')).toEqual({ transport: 'tcp', lo: 65535, hi: 65535 });
  });

  it('says exactly what is wrong with a malformed query', () => {
    expect(parsePortQuery('5061')).toBe('invalid port "5061": expected tcp/PORT, udp/PORT or a range such as udp/50000-50010');
    expect(parsePortQuery('sctp/5061')).toBe('invalid port "sctp/5061": expected tcp/PORT, udp/PORT or a range such as udp/50000-50010');
    expect(parsePortQuery('tcp/0')).toBe('invalid port "tcp/0": port 0 is out of range 1-65535');
    expect(parsePortQuery('tcp/65536')).toBe('invalid port "tcp/65536": port 65536 is out of range 1-65535');
    expect(parsePortQuery('udp/10-70000')).toBe('invalid port "udp/10-70000": port 70000 is out of range 1-65535');
    expect(parsePortQuery('udp/10-5')).toBe('invalid port "udp/10-5": range 10-5 has lo > hi');
    expect(parsePortQuery('udp/10-')).toMatch(/^invalid port "udp\/10-": expected/);
  });
});

describe('lookupPorts', () => {
  it('groups the rules holding a port by side, broad ones apart', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const r = lookupPorts(c, { transport: 'udp', lo: 50005, hi: 50005 });
    expect(r.groups.server).toEqual([]);
    expect(r.groups.client).toEqual([]); // relay-out is broad: it goes to the broad group, whatever its side
    expect(r.groups.broad.map((h) => h.rule.id)).toEqual(['core/relay-out', 'core/client-media']);
    expect(r.groups.broad[0].ports).toEqual([[50005, 50005]]);
    expect(lookupHitCount(r)).toBe(2);
    expect(lookupPorts(c, { transport: 'tcp', lo: 5066, hi: 5066 }).groups.either.map((h) => h.rule.id)).toEqual(['core/e911']);
    expect(lookupPorts(c, { transport: 'udp', lo: 3478, hi: 3478 }).groups.server.map((h) => h.rule.id)).toEqual(['core/stun']);
  });

  it('finds nothing on the other transport or an undocumented port', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const r = lookupPorts(c, { transport: 'tcp', lo: 3478, hi: 3478 });
    expect(lookupHitCount(r)).toBe(0);
    expect(r.undocumented).toEqual([[3478, 3478]]);
    expect(r.packs).toEqual(['core']);
  });

  it('splits a range into undocumented, broad-only and specific ports, and clips each rule to it', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const r = lookupPorts(c, { transport: 'udp', lo: 1020, hi: 1030 });
    expect(r.undocumented).toEqual([[1020, 1023]]);
    expect(r.broadOnly).toEqual([[1024, 1030]]);
    expect(r.groups.broad.map((h) => [h.rule.id, h.ports])).toEqual([['core/client-media', [[1024, 1030]]]]);
    const s = lookupPorts(c, { transport: 'udp', lo: 3477, hi: 3479 });
    expect(s.broadOnly).toEqual([[3477, 3477], [3479, 3479]]);
    expect(s.groups.server.map((h) => h.ports)).toEqual([[[3478, 3478]]]);
  });

  it('names the shipped packs not loaded that document the port', () => {
    const { dir } = fixture();
    const chosen = loadCatalog({ catalogDir: dir });
    const all = loadCatalog({ catalogDir: dir, packs: ['core', 'extra'] });
    expect(unloadedPacksDocumenting(all, chosen, { transport: 'tcp', lo: 3389, hi: 3389 })).toEqual([{ pack: 'extra', rules: ['extra/rdp'] }]);
    expect(unloadedPacksDocumenting(all, chosen, { transport: 'udp', lo: 3389, hi: 3389 })).toEqual([]);
    expect(packListing(all, chosen).map((p) => [p.id, p.loaded])).toEqual([['core', true], ['extra', false]]);
  });
});

describe('ruleDetail', () => {
  it('joins the rule with its pack, its cited table and its roles', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    const d = ruleDetail(c, c.ruleById.get('core/sip-tls')!);
    expect(d.pack?.id).toBe('core');
    expect(d.table).toEqual({ id: 't1', heading: 'Table one', title: 'Server ports', rows: 5 });
    expect(Object.keys(d.roles)).toEqual(['internal-client', 'front-end']);
    expect(d.meaning.portSide).toMatch(/listening/);
    expect(d.meaning.broad).toMatch(/^a specific port/);
    expect(ruleDetail(c, c.ruleById.get('core/relay-out')!).meaning.broad).toMatch(/only when the payload is media/);
  });
});

describe('similarIds and unknownRuleMessage', () => {
  const ids = ['core/sip-tls-5061', 'core/sip-5060', 'edge/sip-tls-5061', 'core/web-443'];

  it('suggests the id under its pack prefixes, then containing ids, then typos', () => {
    expect(similarIds(ids, 'sip-tls-5061')).toEqual(['core/sip-tls-5061', 'edge/sip-tls-5061']);
    expect(similarIds(ids, 'core/sip-tls-5016')).toEqual(['core/sip-tls-5061']);
    expect(similarIds(ids, 'web')).toEqual(['core/web-443']);
    expect(similarIds(ids, 'completely-different')).toEqual([]);
  });

  it('says "no rule X (did you mean: ...?)" and points at a pack that is not loaded', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    expect(unknownRuleMessage(c, 'core/sip-tsl', ['core', 'extra'])).toBe('no rule core/sip-tsl (did you mean: core/sip-tls?)');
    expect(unknownRuleMessage(c, 'zzzz', ['core', 'extra'])).toBe('no rule zzzz in the chosen packs');
    expect(unknownRuleMessage(c, 'extra/rdp', ['core', 'extra'])).toBe('no rule extra/rdp in the chosen packs; pack extra is not loaded (use --catalog core,extra)');
  });
});

describe('validateConfigFile', () => {
  it('tells topology files from rule files by a top-level "roles"', () => {
    expect(kindOf({ roles: {} })).toBe('topology');
    expect(kindOf({ pack: 'x', rules: [] })).toBe('rules');
    expect(kindOf([])).toBe('rules');
    expect(kindOf(null)).toBe('rules');
  });

  it('checks a rule file on top of the packs: counts, replacements, disabled ids', () => {
    const { dir } = fixture();
    const f = writeFiles(tempDir(), {
      'site.json': pack('site', [rule('core/stun', { transport: 'udp', ports: [3479] }), rule('site/new')], { disable: ['core/e911'] }),
    });
    expect(validateConfigFile(f['site.json'], { catalogDir: dir })).toEqual({
      file: f['site.json'], kind: 'rules', ok: true, errors: [], pack: 'site', rules: 2, replaces: ['core/stun'], disables: ['core/e911'],
    });
  });

  it('reports the errors a load would give, one line each', () => {
    const { dir } = fixture();
    const f = writeFiles(tempDir(), {
      'bad.json': pack('bad', [rule('bad/a', { ports: [70000] })], { disable: ['core/nope'] }),
      'topo.json': { roles: { 'edge-av': ['192.0.2.1'], 'no-such-role': ['192.0.2.2'] } },
      'syntax.json': '{"roles": {,}}',
    });
    expect(validateConfigFile(f['bad.json'], { catalogDir: dir })).toEqual({
      file: f['bad.json'], kind: 'rules', ok: false, errors: [`${f['bad.json']}: /rules/0/ports/0: port 70000 is out of range 1-65535`],
    });
    expect(validateConfigFile(f['topo.json'], { catalogDir: dir })).toEqual({
      file: f['topo.json'], kind: 'topology', ok: false,
      errors: [`${f['topo.json']}: /roles: unknown role "no-such-role" (the roles are listed in catalog/roles.json)`],
    });
    const syntax = validateConfigFile(f['syntax.json'], { catalogDir: dir });
    expect(syntax).toEqual({ file: f['syntax.json'], ok: false, errors: [`${f['syntax.json']}: invalid JSON: unexpected ",", expected a property name in double quotes (line 1, column 12)`] });
    expect(validateConfigFile(`${f['syntax.json']}.missing`).errors).toEqual([`${f['syntax.json']}.missing: cannot read file (ENOENT)`]);
  });

  it('counts a valid topology and does not load a validated rule file twice when it is also context', () => {
    const { dir } = fixture();
    const f = writeFiles(tempDir(), {
      'topo.json': { roles: { 'edge-av': ['192.0.2.1', '2001:db8::1'], 'front-end': ['10.0.0.0/24'] } },
      'site.json': pack('site', [rule('site/a')]),
    });
    expect(validateConfigFile(f['topo.json'], { catalogDir: dir })).toMatchObject({ kind: 'topology', ok: true, roles: 2, addresses: 3 });
    expect(validateConfigFile(f['site.json'], { catalogDir: dir, extraFiles: [f['site.json']] })).toMatchObject({ ok: true, rules: 1 });
  });
});
