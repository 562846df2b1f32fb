/**
 * The classification options of `flowaudit analyze`: --topology, --catalog,
 * --catalog-file, --no-infer-roles, --infer-topology and --fail-on, with the
 * exit codes a CI gate relies on, and one stderr line per configuration problem.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ethernet, EtherType, ipPacket, IpProto, TcpFlag, tcpSegment } from '../../samples/generator/packets.js';
import { validateReport } from '../../src/report/validate.js';
import { pcapFile } from '../helpers/capture-builders.js';
import { SAMPLES } from '../helpers/environment.js';
import { flowaudit } from '../helpers/cli.js';

const EDGE = join(SAMPLES, 'edge-dmz.pcapng');
const TOPOLOGY = join(SAMPLES, 'edge-dmz.topology.json');
const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-classify-'));
const l2 = { src: '00:15:5d:00:00:01', dst: '00:15:5d:00:00:02' };

function report(args: string[]) {
  const r = flowaudit(['analyze', EDGE, '--json', '-', ...args]);
  return { ...r, json: r.status === 0 || r.status === 1 ? JSON.parse(r.stdout) : undefined };
}

describe('--fail-on', () => {
  it('exits 0 by default, whatever the findings', () => {
    const r = report([]);
    expect(r.status).toBe(0);
    expect(r.json.findings.length).toBeGreaterThan(0);
  });

  it('exits 1 when a finding has the level or above, 0 when none does, and says why on the console', () => {
    const { json } = report(['--topology', TOPOLOGY]);
    const severities = new Set(json.findings.map((f: { severity: string }) => f.severity));
    expect(severities.has('high')).toBe(true);
    const high = flowaudit(['analyze', EDGE, '--topology', TOPOLOGY, '--fail-on', 'high']);
    expect(high.status).toBe(1);
    expect(high.stdout).toContain('findings of severity high or above');
    expect(flowaudit(['analyze', EDGE, '--topology', TOPOLOGY, '--fail-on', 'none', '-q']).status).toBe(0);
  });

  it('exits 1 exactly for the levels at or below the highest finding severity', () => {
    const mini = join(SAMPLES, 'edge-mini.pcapng');
    const json = JSON.parse(flowaudit(['analyze', mini, '--json', '-', '-q']).stdout);
    const rank = ['info', 'low', 'medium', 'high'];
    const highest = Math.max(...json.findings.map((f: { severity: string }) => rank.indexOf(f.severity)));
    expect(json.findings.map((f: { severity: string }) => f.severity)).toContain('info');
    for (const level of rank) {
      expect(flowaudit(['analyze', mini, '-q', '--fail-on', level]).status, level).toBe(rank.indexOf(level) <= highest ? 1 : 0);
    }
  });

  it('exits 0 at every level on a clean capture: one answered, documented connection', () => {
    // SIP/TLS to 5061 with handshake, data and close: documented, answered, no finding at all.
    const client: [string, number] = ['10.0.2.3', 50999];
    const server: [string, number] = ['10.0.1.10', 5061];
    const seg = (from: [string, number], to: [string, number], flags: number, seq: number, ack: number, payload = Buffer.alloc(0)) =>
      ethernet(l2, EtherType.IPv4, ipPacket({ src: from[0], dst: to[0], ttl: 128 }, IpProto.TCP,
        tcpSegment(from[0], to[0], { sport: from[1], dport: to[1], seq, ack, flags, window: 8192 }, payload)));
    const frames = [
      seg(client, server, TcpFlag.SYN, 100, 0),
      seg(server, client, TcpFlag.SYN | TcpFlag.ACK, 500, 101),
      seg(client, server, TcpFlag.ACK, 101, 501),
      seg(client, server, TcpFlag.PSH | TcpFlag.ACK, 101, 501, Buffer.alloc(40, 0x16)),
      seg(server, client, TcpFlag.FIN | TcpFlag.ACK, 501, 141),
      seg(client, server, TcpFlag.FIN | TcpFlag.ACK, 141, 502),
      seg(server, client, TcpFlag.ACK, 502, 142),
    ];
    const file = join(tmp, 'clean.pcap');
    writeFileSync(file, pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000 + i, frac: 0, data }))));
    const json = JSON.parse(flowaudit(['analyze', file, '--json', '-', '-q']).stdout);
    expect(json.flows.map((f: { verdict: string }) => f.verdict)).toEqual(['documented']);
    expect(json.findings).toEqual([]);
    for (const level of ['info', 'low', 'medium', 'high']) expect(flowaudit(['analyze', file, '-q', '--fail-on', level]).status, level).toBe(0);
  });

  it('rejects an unknown level with exit 2', () => {
    const r = flowaudit(['analyze', EDGE, '--fail-on', 'critical']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are info, low, medium, high, none/);
  });
});

describe('roles', () => {
  it('--topology gives configured roles, and the report validates', () => {
    const { json, status } = report(['--topology', TOPOLOGY]);
    expect(status).toBe(0);
    expect(validateReport(json)).toEqual([]);
    expect(json.topology.file).toBe(TOPOLOGY);
    const fe = json.topology.hosts.find((h: { address: string }) => h.address === '10.0.2.1');
    expect(fe).toMatchObject({ roles: ['front-end'], source: 'configured' });
    expect(fe.evidence[0]).toContain('front-end');
  });

  it('--no-infer-roles leaves every role unknown', () => {
    const { json } = report(['--no-infer-roles']);
    expect(json.topology).toEqual({ file: null, inferred: false, hosts: [], undecided: [] });
    for (const f of json.flows) expect(f.confidence).toBe('port');
  });

  it('--infer-topology writes a topology file that --topology accepts and that gives the same roles', () => {
    const file = join(tmp, 'inferred.json');
    const first = report(['--infer-topology', file]);
    const inferred = first.json.topology.hosts.filter((h: { source: string }) => h.source === 'inferred');
    expect(inferred.length).toBeGreaterThan(0);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    for (const h of inferred) for (const role of h.roles) expect(written.roles[role]).toContain(h.address);
    const again = report(['--topology', file, '--no-infer-roles']);
    expect(again.status).toBe(0);
    const configured = again.json.topology.hosts.map((h: { address: string; roles: string[]; source: string }) => [h.address, h.roles, h.source]);
    expect(configured).toEqual(inferred.map((h: { address: string; roles: string[] }) => [h.address, h.roles, 'configured']));
  });
});

describe('bad configuration: one line per problem, exit 2, no stack trace', () => {
  it('a topology with a bad address and an unknown role', () => {
    const file = join(tmp, 'bad-topology.json');
    writeFileSync(file, JSON.stringify({ roles: { 'edge-av': ['131.107.10.300'], 'front-door': ['10.0.0.1'] } }));
    const r = flowaudit(['analyze', EDGE, '--topology', file]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect(l).toMatch(/^flowaudit: .*bad-topology\.json/);
    expect(r.stderr).toContain('front-door');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('a topology that is not JSON, and one that does not exist', () => {
    const file = join(tmp, 'not-json.json');
    writeFileSync(file, '{"roles": {"edge-av": [}');
    const r = flowaudit(['analyze', EDGE, '--topology', file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const missing = flowaudit(['analyze', EDGE, '--topology', join(tmp, 'nope.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^flowaudit: .*nope\.json: cannot read file/);
  });

  it('an unknown pack and a malformed rule file', () => {
    const unknown = flowaudit(['analyze', EDGE, '--catalog', 'lync2013-edge,no-such-pack']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no-such-pack');
    const file = join(tmp, 'bad-rules.json');
    writeFileSync(file, JSON.stringify({ pack: 'site', title: 'x', source: { document: 'x' }, rules: [{ id: 'site/a', transport: 'sctp', ports: [70000] }] }));
    const bad = flowaudit(['analyze', EDGE, '--catalog-file', file]);
    expect(bad.status).toBe(2);
    const lines = bad.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(/^flowaudit: .*bad-rules\.json/);
  });
});

describe('--catalog and --catalog-file', () => {
  it('a user rule file documents a site-specific port, and the report names the file and pack', () => {
    const file = join(tmp, 'site-rules.json');
    const base = report(['--no-infer-roles']).json;
    const undocumented = base.flows.find((f: { verdict: string; transport: string }) => f.verdict === 'undocumented' && f.transport === 'tcp');
    writeFileSync(file, JSON.stringify({
      pack: 'site', title: 'Site rules', source: { document: 'change ticket 42' },
      rules: [{ id: 'site/extra', transport: 'tcp', ports: [undocumented.server.port], from: ['any'], to: ['any'], service: 'site service', protocol: 'TCP', citation: { document: 'change ticket 42', row: 1 } }],
    }));
    const r = report(['--no-infer-roles', '--catalog-file', file, '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const same = r.json.flows.find((f: { id: number }) => f.id === undocumented.id);
    expect(same.verdict).toBe('documented');
    expect(same.rules).toContain('site/extra');
    expect(r.json.catalog.files).toEqual([file]);
    expect(r.json.catalog.packs).toContain('site');
  });

  it('--catalog limits the packs', () => {
    const r = report(['--catalog', 'lync2013-edge']);
    expect(r.json.catalog.packs).toEqual(['lync2013-edge']);
    for (const row of r.json.checklist) expect(row.rule.startsWith('lync2013-edge/')).toBe(true);
  });
});
