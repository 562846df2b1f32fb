/** Pack choice, and user rule files that extend, replace (by id) or disable rules. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { makeCatalogDir, pack, rule, tempDir, writeFiles } from './fixtures.js';

function fixture() {
  return makeCatalogDir({
    'core.json': pack('core', [rule('core/sip', { ports: [5061] }), rule('core/web', { ports: [443], protocol: 'HTTPS' })]),
    'edge.json': pack('edge', [rule('edge/turn', { ports: [443], to: ['edge-av'], protocol: 'STUN/MSTURN' })]),
    'optional.json': pack('optional', [rule('optional/x', { ports: [3479], transport: 'udp' })], { defaultEnabled: false }),
  });
}

describe('pack choice', () => {
  it('loads the defaultEnabled packs when none are named, in file-name order', () => {
    const c = loadCatalog({ catalogDir: fixture().dir });
    expect(c.packs.map((p) => p.id)).toEqual(['core', 'edge']);
    expect(c.rules.map((r) => r.id)).toEqual(['core/sip', 'core/web', 'edge/turn']);
  });

  it('loads exactly the named packs, in the order named, once each', () => {
    const c = loadCatalog({ catalogDir: fixture().dir, packs: ['optional', 'edge', 'optional'] });
    expect(c.packs.map((p) => p.id)).toEqual(['optional', 'edge']);
    expect(c.rules.map((r) => r.id)).toEqual(['optional/x', 'edge/turn']);
  });

  it('loads no pack for an empty list (user files only)', () => {
    const user = writeFiles(tempDir(), { 'u.json': pack('u', [rule('u/a')]) });
    const c = loadCatalog({ catalogDir: fixture().dir, packs: [], extraFiles: [user['u.json']] });
    expect(c.rules.map((r) => r.id)).toEqual(['u/a']);
    expect(c.packs[0]).toMatchObject({ id: 'u', user: true, ruleCount: 1, file: user['u.json'] });
  });

  it('fills defaults: portSide server, broad false, no inferred fields; merges port ranges', () => {
    const { dir } = makeCatalogDir({ 'p.json': pack('p', [rule('p/r', { ports: [[5070, 5080], 5061, 5062, [5063, 5069], 443] })]) });
    const r = loadCatalog({ catalogDir: dir }).ruleById.get('p/r')!;
    expect(r).toMatchObject({ portSide: 'server', broad: false, inferred: [], pack: 'p' });
    expect(r.ranges).toEqual([[443, 443], [5061, 5080]]);
    expect(Object.isFrozen(r)).toBe(true);
  });
});

describe('user rule files', () => {
  it('add new rules after the packs', () => {
    const user = writeFiles(tempDir(), { 'u.json': pack('site', [rule('site/rdp', { ports: [3389] })]) });
    const c = loadCatalog({ catalogDir: fixture().dir, extraFiles: [user['u.json']] });
    expect(c.rules.map((r) => r.id)).toEqual(['core/sip', 'core/web', 'edge/turn', 'site/rdp']);
    expect(c.ruleById.get('site/rdp')!.overrides).toBeUndefined();
  });

  it('replace a rule with the same id in place, recording the file it replaced', () => {
    const { dir, paths } = fixture();
    const user = writeFiles(tempDir(), { 'u.json': pack('site', [rule('edge/turn', { ports: [444], to: ['edge-av'], protocol: 'STUN/MSTURN' })]) });
    const c = loadCatalog({ catalogDir: dir, extraFiles: [user['u.json']] });
    expect(c.rules.map((r) => r.id)).toEqual(['core/sip', 'core/web', 'edge/turn']);
    expect(c.ruleById.get('edge/turn')).toMatchObject({ ranges: [[444, 444]], pack: 'site', file: user['u.json'], overrides: paths['edge.json'] });
    expect(c.rules[2]).toBe(c.ruleById.get('edge/turn'));
  });

  it('apply in order: a later user file overrides an earlier one', () => {
    const d = tempDir();
    const user = writeFiles(d, {
      'a.json': pack('a', [rule('core/sip', { ports: [5067] })]),
      'b.json': pack('b', [rule('core/sip', { ports: [5068] })]),
    });
    const c = loadCatalog({ catalogDir: fixture().dir, extraFiles: [user['a.json'], user['b.json']] });
    expect(c.ruleById.get('core/sip')).toMatchObject({ ranges: [[5068, 5068]], overrides: user['a.json'] });
  });

  it('disable rules by id, including those of packs not chosen (silently)', () => {
    const user = writeFiles(tempDir(), { 'u.json': pack('u', [], { disable: ['core/web', 'optional/x'] }) });
    const c = loadCatalog({ catalogDir: fixture().dir, extraFiles: [user['u.json']] });
    expect(c.rules.map((r) => r.id)).toEqual(['core/sip', 'edge/turn']);
  });
});
