/**
 * `flowaudit catalog list|show|lookup|validate`, run as a user runs them (the
 * built CLI), checked against the pack files read directly.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/environment.js';
import { CLI, flowaudit } from '../helpers/cli.js';

const CATALOG = join(REPO_ROOT, 'catalog');
const EXAMPLES = join(CATALOG, 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-catalog-cli-'));

interface RuleJson {
  id: string;
  transport: string;
  ports: (number | [number, number])[];
  broad?: boolean;
  citation: { file?: string; table?: string; row?: number; cell?: string };
}
interface PackJson {
  pack: string;
  defaultEnabled?: boolean;
  rules: RuleJson[];
  tables?: { id: string; title?: string; rows: number }[];
}

/** The shipped packs, straight from their files: the oracle for the CLI's answers. */
const packs: PackJson[] = readdirSync(CATALOG)
  .filter((f) => f.endsWith('.json') && f !== 'roles.json')
  .sort()
  .map((f) => JSON.parse(readFileSync(join(CATALOG, f), 'utf8')) as PackJson);
const defaultRules = packs.filter((p) => p.defaultEnabled).flatMap((p) => p.rules);

function holds(r: RuleJson, transport: string, port: number): boolean {
  return r.transport === transport && r.ports.some((p) => (typeof p === 'number' ? p === port : p[0] <= port && port <= p[1]));
}

function ruleJson(id: string): RuleJson {
  return packs.flatMap((p) => p.rules).find((r) => r.id === id)!;
}

/** The lines of `text` from the heading starting with `prefix` up to the next blank line. */
function section(text: string, prefix: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(prefix));
  if (at < 0) return '';
  const end = lines.indexOf('', at);
  return lines.slice(at, end < 0 ? undefined : end).join('\n');
}

function expectNoStack(r: { stderr: string }): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
}

describe('flowaudit catalog lookup', () => {
  it('lists every default rule documenting tcp/5061: the seed 003 front-end rule and the edge rules server side, with citations', () => {
    const r = flowaudit(['catalog', 'lookup', 'tcp/5061']);
    expect(r.status).toBe(0);
    const expected = defaultRules.filter((x) => holds(x, 'tcp', 5061));
    const broad = expected.filter((x) => x.broad);
    expect(r.stdout.split('\n')[0]).toBe(`tcp/5061: documented by ${expected.length} rules in the chosen packs (${expected.length - broad.length} server side, ${broad.length} broad)`);
    const server = section(r.stdout, 'Server side:');
    const fe = ruleJson('sfb2015-servers/fe-sip-tls-5061');
    expect(fe.citation.file).toBe('003_93df49e990053d98.txt');
    expect(server).toContain(
      [
        '  sfb2015-servers/fe-sip-tls-5061',
        '      SIP/TLS  internal-client, all-internal-servers, edge-internal, load-balancer -> front-end  (tcp/5061)',
        '      Skype for Business Server Front-End service',
        `      cited: 003_93df49e990053d98.txt, table "Required server ports (by server role)", row ${fe.citation.row}: "${fe.citation.cell}"`,
      ].join('\n'),
    );
    for (const id of ['lync2013-edge/ext-e6-sip-mtls-in-5061', 'lync2013-edge/ext-e7-sip-mtls-out-5061', 'lync2013-edge/int-i2-sip-mtls-to-edge-5061', 'lync2013-edge/int-i3-sip-mtls-from-edge-5061']) {
      const c = ruleJson(id).citation;
      expect(server).toContain(`  ${id}\n`);
      expect(server).toMatch(new RegExp(`cited: edge-ports\\.md, table "Edge Server (external|internal) interface \\(ids [EI]1-[EI]1?\\d\\)", row ${c.row}: "${c.cell}"`));
    }
    for (const x of expected) expect(r.stdout).toContain(`  ${x.id}\n`);
    // Broad client media ranges are shown apart, never among the server-side rules.
    expect(server).not.toContain('media-ranges/client-default-1024-65535-tcp');
    expect(section(r.stdout, 'Broad media ranges:')).toContain('  media-ranges/client-default-1024-65535-tcp\n');
    // The sfb2015-edge pack is off by default: named as documenting the port, not counted.
    expect(r.stdout).toMatch(/Not loaded, but documenting it:\n {2}pack sfb2015-edge: sfb2015-edge\/ext-e6-sip-mtls-in-5061/);
  });

  it('says plainly that no rule documents a port, and exits 0', () => {
    expect(defaultRules.some((x) => holds(x, 'tcp', 22))).toBe(false);
    const r = flowaudit(['catalog', 'lookup', 'tcp/22']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('tcp/22: documented by no rule in the chosen packs');
    expect(r.stderr).toBe('');
  });

  it('tells a port held only by broad media ranges from a documented one (tcp/3389)', () => {
    const expected = defaultRules.filter((x) => holds(x, 'tcp', 3389));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((x) => x.broad)).toBe(true);
    const r = flowaudit(['catalog', 'lookup', 'tcp/3389']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`tcp/3389: documented by no specific rule in the chosen packs; only ${expected.length} broad media ranges hold it`);
    expect(r.stdout).not.toContain('Server side:');
  });

  it('honours --catalog and answers a range query', () => {
    const r = flowaudit(['catalog', 'lookup', 'udp/49990-50005', '--catalog', 'sfb-online-teams']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      'udp/49990-50005: documented by no specific rule in the chosen packs; only 1 broad media range holds it',
      '  no rule holds: 49990-49999',
      '  only broad media ranges hold: 50000-50005',
      '  packs: sfb-online-teams',
    ]);
    expect(r.stdout).toContain('      RTP  internal-client, external-client -> any  (udp/50000-50019, client side; holds 50000-50005 of the query)');
  });

  it('includes a user rule file (--catalog-file) and prints JSON with --json', () => {
    const r = flowaudit(['catalog', 'lookup', 'tcp/444', '--catalog-file', join(EXAMPLES, 'single-ip-edge.json'), '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ query: 'tcp/444', transport: 'tcp', ports: [444, 444] });
    expect(out.packs).toContain('site-single-ip-edge');
    const ids = out.groups.server.map((h: { rule: { id: string } }) => h.rule.id);
    expect(ids).toContain('lync2013-edge/ext-e15-stun-tcp-in-443');
    expect(out.groups.server.find((h: { rule: { id: string } }) => h.rule.id === 'lync2013-edge/ext-e15-stun-tcp-in-443').rule.overrides).toMatch(/lync2013-edge\.json$/);
  });

  it('rejects bad syntax with one line and exit 2', () => {
    for (const [spec, line] of [
      ['tcp/abc', 'flowaudit: invalid port "tcp/abc": expected tcp/PORT, udp/PORT or a range such as udp/50000-50010'],
      ['tcp/70000', 'flowaudit: invalid port "tcp/70000": port 70000 is out of range 1-65535'],
      ['udp/10-5', 'flowaudit: invalid port "udp/10-5": range 10-5 has lo > hi'],
    ]) {
      const r = flowaudit(['catalog', 'lookup', spec]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.stdout).toBe('');
    }
  });
});

describe('flowaudit catalog show', () => {
  it('prints everything about a rule, its citation row included', () => {
    const r = flowaudit(['catalog', 'show', 'sfb2015-servers/fe-sip-tls-5061']);
    expect(r.status).toBe(0);
    const c = ruleJson('sfb2015-servers/fe-sip-tls-5061').citation;
    const table = packs.find((p) => p.pack === 'sfb2015-servers')!.tables!.find((t) => t.id === c.table)!;
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('sfb2015-servers/fe-sip-tls-5061');
    expect(lines).toContain('  ports:      tcp/5061');
    expect(lines).toContain('  port side:  server: the destination (listening) port of a "to" host; the flow is opened by a "from" host');
    expect(lines).toContain('  to:         front-end');
    expect(lines).toContain('  inferred:   from (derived by the catalog, not stated in the source row)');
    expect(lines).toContain('  seed file:  003_93df49e990053d98.txt');
    expect(lines).toContain(`  table:      ${table.title} (${c.table})`);
    expect(lines).toContain(`  row:        ${c.row} of ${table.rows}`);
    expect(lines).toContain(`  cell:       ${c.cell}`);
    expect(lines.some((l) => l.startsWith('  overrides:'))).toBe(false);
  });

  it('explains a broad rule', () => {
    const r = flowaudit(['catalog', 'show', 'media-ranges/client-default-1024-65535-udp']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  port side:  either: a port a "to" host uses at its own end');
    expect(r.stdout).toMatch(/ {2}broad: {6}yes \(a broad media range: it documents a flow only when the payload is media .*or the listening endpoint's role is known to fit/);
  });

  it('shows which file a user rule overrides', () => {
    const file = join(EXAMPLES, 'single-ip-edge.json');
    const r = flowaudit(['catalog', 'show', 'lync2013-edge/ext-e15-stun-tcp-in-443', '--catalog-file', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  ports:      tcp/444');
    expect(r.stdout).toContain(`  file:       ${file}`);
    expect(r.stdout).toContain(`  overrides:  the rule of the same id in ${join(CATALOG, 'lync2013-edge.json')}`);
    const json = JSON.parse(flowaudit(['catalog', 'show', 'lync2013-edge/ext-e15-stun-tcp-in-443', '--catalog-file', file, '--json']).stdout);
    expect(json.rule).toMatchObject({ id: 'lync2013-edge/ext-e15-stun-tcp-in-443', ranges: [[444, 444]], pack: 'site-single-ip-edge' });
    expect(json.meaning.portSide).toMatch(/listening/);
  });

  it('answers an unknown id with close matches on one line, exit 2, no stack', () => {
    const r = flowaudit(['catalog', 'show', 'sfb2015-servers/fe-sip-tls-5016']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('flowaudit: no rule sfb2015-servers/fe-sip-tls-5016 (did you mean: sfb2015-servers/fe-sip-tls-5061?)\n');
    expect(r.stdout).toBe('');
    const bare = flowaudit(['catalog', 'show', 'fe-sip-tls-5061']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/^flowaudit: no rule fe-sip-tls-5061 \(did you mean: sfb2015-servers\/fe-sip-tls-5061[,?]/);
    const none = flowaudit(['catalog', 'show', 'zzzz']);
    expect(none.stderr).toBe('flowaudit: no rule zzzz in the chosen packs\n');
    expectNoStack(none);
  });

  it('points at a shipped pack that is not loaded', () => {
    const r = flowaudit(['catalog', 'show', 'sfb2015-edge/ext-e6-sip-mtls-in-5061']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flowaudit: no rule sfb2015-edge\/ext-e6-sip-mtls-in-5061 \(did you mean: lync2013-edge\/ext-e6-sip-mtls-in-5061.*\?\); pack sfb2015-edge is not loaded \(use --catalog .*,sfb2015-edge\)\n$/);
    expect(flowaudit(['catalog', 'show', 'sfb2015-edge/ext-e6-sip-mtls-in-5061', '--catalog', 'sfb2015-edge']).status).toBe(0);
  });
});

describe('flowaudit catalog list', () => {
  it('lists every shipped pack with its state and rule count', () => {
    const r = flowaudit(['catalog', 'list']);
    expect(r.status).toBe(0);
    for (const p of packs) {
      const state = p.defaultEnabled ? 'loaded, enabled by default' : 'not loaded, off by default';
      expect(r.stdout).toContain(`${p.pack}  (${state}, ${p.rules.length} rule${p.rules.length === 1 ? '' : 's'})\n`);
    }
    expect(r.stdout).toContain('    source: Skype for Business Server 2015, Port and protocol requirements for servers (Korean machine translation) [003_93df49e990053d98.txt]\n');
  });

  it('with --rules, prints one line per loaded rule', () => {
    const r = flowaudit(['catalog', 'list', '--rules']);
    expect(r.status).toBe(0);
    const rules = r.stdout.slice(r.stdout.indexOf('Rules (')).split('\n').slice(1).filter((l) => l !== '');
    expect(r.stdout).toContain(`Rules (${defaultRules.length}, in load order):`);
    expect(rules).toHaveLength(defaultRules.length);
    expect(rules.map((l) => l.split(' ')[0])).toEqual(defaultRules.map((x) => x.id));
    expect(rules.find((l) => l.startsWith('sfb2015-servers/fe-sip-tls-5061 '))).toMatch(
      /^sfb2015-servers\/fe-sip-tls-5061 +tcp\/5061 +internal-client,all-internal-servers,edge-internal,load-balancer -> front-end {2}SIP\/TLS {2}Skype for Business Server Front-End service$/,
    );
    expect(rules.find((l) => l.startsWith('lync2013-edge/ext-e10-rtp-udp-out-50000-59999 '))).toMatch(/ udp\/50000-59999 +edge-av -> any {2}RTP {2}.*\[client side, broad\]$/);
  });

  it('honours --catalog and --catalog-file, and prints JSON', () => {
    const r = flowaudit(['catalog', 'list', '--rules', '--json', '--catalog', 'sfb2015-edge', '--catalog-file', join(EXAMPLES, 'client-media-ports.json')]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const edge = packs.find((p) => p.pack === 'sfb2015-edge')!;
    expect(out.packs.filter((p: { loaded: boolean }) => p.loaded).map((p: { id: string }) => p.id)).toEqual(['sfb2015-edge', 'site-client-media']);
    expect(out.rules.map((x: { id: string }) => x.id)).toEqual([...edge.rules.map((x) => x.id), ...JSON.parse(readFileSync(join(EXAMPLES, 'client-media-ports.json'), 'utf8')).rules.map((x: RuleJson) => x.id)]);
  });

  it('rejects an unknown pack with one line and exit 2', () => {
    const r = flowaudit(['catalog', 'list', '--catalog', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`flowaudit: catalog: unknown pack "nope" (known packs: ${packs.map((p) => p.pack).join(', ')})\n`);
  });
});

describe('flowaudit catalog validate', () => {
  it('says ok for the shipped examples', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).map((f) => join(EXAMPLES, f));
    expect(files.length).toBeGreaterThan(0);
    const r = flowaudit(['catalog', 'validate', ...files]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(files.length);
    for (const [i, f] of files.entries()) {
      const n = JSON.parse(readFileSync(f, 'utf8')).rules.length;
      expect(lines[i]).toMatch(new RegExp(`^${f.replace(/[.]/g, '\\.')}: ok \\(rule file, ${n} rules?(, |\\))`));
    }
    expect(r.stdout).toContain(`${join(EXAMPLES, 'single-ip-edge.json')}: ok (rule file, 1 rule, replaces lync2013-edge/ext-e15-stun-tcp-in-443)\n`);
  });

  it('tells topologies from rule files and gives the exact error lines, exit 2', () => {
    const topo = join(tmp, 'site.json');
    writeFileSync(topo, JSON.stringify({ roles: { 'edge-av': ['131.107.10.12'], 'front-end': ['10.0.2.0/28', '2001:db8:2::/64'] } }));
    const badTopo = join(tmp, 'bad-topo.json');
    writeFileSync(badTopo, JSON.stringify({ roles: { 'front-end': ['10.0.2.1/28'] } }));
    const badRules = join(tmp, 'bad-rules.json');
    writeFileSync(badRules, JSON.stringify({ pack: 'site', title: 't', source: { document: 'd' }, disable: ['media-ranges/no-such-rule'], rules: [{ id: 'site/a', transport: 'tcp', ports: [70000], from: ['any'], to: ['front-end'], service: 's', protocol: 'p', citation: { document: 'd' } }] }));
    const syntax = join(tmp, 'syntax.json');
    writeFileSync(syntax, '{\n  "pack": "x",\n  "rules": [,]\n}\n');
    const r = flowaudit(['catalog', 'validate', topo, badTopo, badRules, syntax]);
    expect(r.status).toBe(2);
    expect(r.stdout.split('\n')).toEqual([
      `${topo}: ok (topology, 2 roles, 3 addresses)`,
      `${badTopo}: invalid topology (top-level "roles"), 1 problem:`,
      `${badTopo}: /roles/front-end/0: "10.0.2.1/28" has host bits set (did you mean 10.0.2.0/28?)`,
      `${badRules}: invalid rule file (no top-level "roles"), 1 problem:`,
      `${badRules}: /rules/0/ports/0: port 70000 is out of range 1-65535`,
      `${syntax}: invalid JSON: unexpected ",", expected a value (line 3, column 13)`,
      '',
    ]);
    expectNoStack(r);
  });

  it('checks disabled ids against the chosen packs', () => {
    const f = join(tmp, 'disable.json');
    writeFileSync(f, JSON.stringify({ pack: 'site2', title: 't', source: { document: 'd' }, disable: ['media-ranges/no-such-rule'], rules: [] }));
    const r = flowaudit(['catalog', 'validate', f]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`${f}: /disable/0: no loaded rule "media-ranges/no-such-rule" to disable\n`);
    const json = JSON.parse(flowaudit(['catalog', 'validate', f, '--json']).stdout);
    expect(json).toEqual({ ok: false, files: [{ file: f, kind: 'rules', ok: false, errors: [`${f}: /disable/0: no loaded rule "media-ranges/no-such-rule" to disable`] }] });
  });

  it('reports a missing file in one line', () => {
    const missing = join(tmp, 'missing.json');
    const r = flowaudit(['catalog', 'validate', missing]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe(`${missing}: cannot read file (ENOENT)\n`);
  });
});

describe('flowaudit catalog usage', () => {
  it('exits 2 without a stack on an unknown subcommand, a missing argument or an unknown option', () => {
    for (const args of [['catalog', 'frob'], ['catalog', 'lookup'], ['catalog', 'show'], ['catalog', 'validate'], ['catalog', 'list', '--bogus'], ['catalog']]) {
      const r = flowaudit(args);
      expect(r.status, args.join(' ')).toBe(2);
      expectNoStack(r);
    }
    expect(flowaudit(['catalog', 'frob']).stderr).toContain("error: unknown command 'frob'");
    expect(flowaudit(['catalog', 'lookup']).stderr).toContain("error: missing required argument 'port'");
  });

  it('reports a broken --catalog-file as one line per problem, exit 2', () => {
    const bad = join(tmp, 'broken.json');
    writeFileSync(bad, JSON.stringify({ pack: 'b', title: 't', source: { document: 'd' }, rules: [{ id: 'b/x', transport: 'sctp' }] }));
    const r = flowaudit(['catalog', 'lookup', 'tcp/5061', '--catalog-file', bad]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(new RegExp(`^flowaudit: ${bad.replace(/[.]/g, '\\.')}: /rules/0`));
    expect(lines).toContain(`flowaudit: ${bad}: /rules/0/transport: must be one of "tcp", "udp" (got "sctp")`);
  });

  it('ends quietly with status 0 when the reader of its output goes away (| head)', () => {
    // 180 KB of JSON, more than a pipe buffer: the writer meets a closed pipe.
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" catalog list --rules --json | head -c 100 > /dev/null`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('has help with examples for every subcommand', () => {
    for (const sub of ['list', 'show', 'lookup', 'validate']) {
      const r = flowaudit(['catalog', sub, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Usage: flowaudit catalog ${sub}`);
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n {2}flowaudit catalog ${sub}\\b`));
      expect(r.stdout).toContain('--catalog <packs>');
      expect(r.stdout).toContain('--catalog-file <file>');
      expect(r.stdout).toContain('--json');
      expect(r.stdout).toContain('Exit codes:');
    }
    expect(flowaudit(['--help']).stdout).toMatch(/\n {2}catalog /);
  });
});
