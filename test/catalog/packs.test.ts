/**
 * The shipped packs, roles and schemas: every pack validates, ids are stable
 * and unique, every rule cites a source row, the role vocabulary and the two
 * schemas agree, and the example user files load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listPacks, loadCatalog } from '../../src/catalog/load.js';
import { defaultCatalogDir } from '../../src/catalog/paths.js';
import { loadRoles } from '../../src/catalog/roles.js';
import { schemaErrors } from '../../src/catalog/schema.js';

const dir = defaultCatalogDir();
const readJson = (...p: string[]): any => JSON.parse(readFileSync(join(dir, ...p), 'utf8'));

/** Role names users' topology files depend on (ARCHITECTURE.md and the task's vocabulary). */
const STABLE_ROLES = [
  'edge-access', 'edge-webconf', 'edge-av', 'edge-internal', 'front-end', 'director', 'mediation', 'reverse-proxy',
  'office-web-apps', 'persistent-chat', 'sba', 'internal-client', 'external-client', 'federation-partner',
  'public-im-partner', 'xmpp-partner', 'load-balancer', 'sql-backend', 'file-share', 'exchange-um', 'pstn-gateway',
  'all-internal-servers', 'any',
];

describe('shipped packs', () => {
  const packs = listPacks();

  it('lists the packs of catalog/', () => {
    expect(packs).toEqual([
      'lync2013-director', 'lync2013-edge', 'lync2013-public-im', 'media-ranges', 'reverse-proxy',
      'sfb-online-teams', 'sfb2015-edge', 'sfb2015-servers',
    ]);
  });

  for (const id of packs) {
    it(`${id}.json validates against catalog.schema.json`, () => {
      expect(schemaErrors(dir, 'catalog', `${id}.json`, readJson(`${id}.json`))).toEqual([]);
    });
  }

  it('load together: ids unique across packs, each prefixed by its pack, each citing table, row and first cell', () => {
    const all = loadCatalog({ packs });
    expect(all.rules.length).toBe(new Set(all.rules.map((r) => r.id)).size);
    for (const r of [...all.rules, ...all.mediaPaths]) {
      expect(r.id.startsWith(`${r.pack}/`), r.id).toBe(true);
      expect(r.citation.file ?? r.citation.reference, r.id).toBeTruthy();
      expect(r.citation.table, r.id).toBeTruthy();
      expect(r.citation.row, r.id).toBeGreaterThan(0);
      expect(r.citation.cell, r.id).toBeTruthy();
      expect(r.notes, r.id).toBeTruthy();
    }
  });

  it('enables every pack by default except the alternatives and options', () => {
    const def = loadCatalog();
    expect(def.packs.map((p) => p.id)).toEqual([
      'lync2013-director', 'lync2013-edge', 'lync2013-public-im', 'media-ranges', 'reverse-proxy', 'sfb2015-servers',
    ]);
    expect(readJson('sfb-online-teams.json').defaultEnabled).toBe(false);
    expect(readJson('sfb2015-edge.json').defaultEnabled).toBe(false);
  });

  it('marks every media range broad, and only media ranges', () => {
    const all = loadCatalog({ packs });
    for (const r of all.rules) {
      const span = r.ranges.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
      if (span > 100) expect(r.broad, `${r.id} spans ${span} ports`).toBe(true);
      if (r.broad) expect(r.protocol, r.id).toBe('RTP');
    }
  });

  it('documents the edge relay range as the A/V edge source port on outbound rows', () => {
    const all = loadCatalog({ packs: ['lync2013-edge'] });
    const e9 = all.ruleById.get('lync2013-edge/ext-e9-rtp-tcp-out-50000-59999')!;
    expect(e9).toMatchObject({ portSide: 'client', from: ['edge-av'], to: ['any'], broad: true, ranges: [[50000, 59999]] });
    const e11 = all.ruleById.get('lync2013-edge/ext-e11-rtp-tcp-in-50000-59999')!;
    expect(e11).toMatchObject({ portSide: 'server', from: ['any'], to: ['edge-av'] });
    expect(loadCatalog({ packs: ['sfb2015-edge'] }).ruleById.has('sfb2015-edge/ext-e11-rtp-tcp-in-50000-59999')).toBe(false);
  });
});

describe('role vocabulary', () => {
  const roles = loadRoles(dir).map((r) => r.id);

  it('keeps the stable role names', () => {
    for (const r of STABLE_ROLES) expect(roles).toContain(r);
  });

  it('is the role enum of catalog.schema.json, and of topology.schema.json minus "any"', () => {
    expect(readJson('schema', 'catalog.schema.json').$defs.role.enum).toEqual(roles);
    expect(readJson('schema', 'topology.schema.json').properties.roles.propertyNames.enum).toEqual(roles.filter((r) => r !== 'any'));
  });

  it('describes every role in one line; groups name existing roles', () => {
    for (const r of loadRoles(dir)) {
      expect(r.description.length).toBeGreaterThan(5);
      expect(r.description).not.toContain('\n');
      for (const m of r.members ?? []) expect(roles).toContain(m);
    }
  });
});

describe('example user files', () => {
  it('single-ip-edge.json replaces the A/V edge TCP TURN rule by id', () => {
    const file = join(dir, 'examples', 'single-ip-edge.json');
    const c = loadCatalog({ packs: ['lync2013-edge'], extraFiles: [file] });
    const r = c.ruleById.get('lync2013-edge/ext-e15-stun-tcp-in-443')!;
    expect(r.ranges).toEqual([[444, 444]]);
    expect(r.overrides).toBe(join(dir, 'lync2013-edge.json'));
    expect(r.file).toBe(file);
  });

  it('client-media-ports.json swaps the default client media rules for the configured ranges', () => {
    const file = join(dir, 'examples', 'client-media-ports.json');
    const c = loadCatalog({ extraFiles: [file] });
    const clientMedia = c.rules.filter((r) => r.to.includes('internal-client') && r.broad);
    expect(clientMedia.map((r) => r.id).sort()).toEqual([
      'site-client-media/appshare-tcp', 'site-client-media/audio-tcp', 'site-client-media/audio-udp',
      'site-client-media/filetransfer-tcp', 'site-client-media/video-tcp', 'site-client-media/video-udp',
    ]);
    // Also loads when the packs it disables rules of are not chosen.
    expect(() => loadCatalog({ packs: ['lync2013-edge'], extraFiles: [file] })).not.toThrow();
  });
});
