/**
 * Findings of many peers fold (src/classify/fold-findings.ts): past the first MAX_PEER_FINDINGS
 * clients of one server (or servers of one client) with the same kind, severity and transport, the
 * rest become one finding whose client (server) is "*", counted, with every flow and a filter that
 * still selects them.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { classify, MAX_PEER_FINDINGS, type Finding } from '../../src/classify/index.js';
import { hasTool, run, SAMPLES } from '../helpers/environment.js';
import { flow, siteTopology } from './flows.js';

const catalog = loadCatalog();
const topology = siteTopology();

/** The flows of `specs`, with ids 1, 2, ..., classified. */
function classified(specs: readonly string[]) {
  return classify(specs.map((spec, i) => flow({ spec, id: i + 1 })), { catalog, topology });
}

const folded = (list: readonly Finding[]) => list.filter((f) => f.client === '*' || f.server === '*');

describe('folding findings of many peers', () => {
  it('keeps a finding per client up to the limit, then folds the rest of one server\'s clients into one', () => {
    expect(MAX_PEER_FINDINGS).toBe(20);
    const specs = Array.from({ length: 25 }, (_, i) => `tcp 203.0.113.${i + 1}:40000 > 131.107.10.10:3389`);
    const r = classified(specs);
    const rdp = r.findings.filter((f) => f.kind === 'undocumented-port');
    expect(rdp).toHaveLength(21);
    expect(rdp.slice(0, 20).map((f) => f.client)).toEqual(specs.slice(0, 20).map((_, i) => `203.0.113.${i + 1}`));
    for (const f of rdp.slice(0, 20)) expect(f).not.toHaveProperty('clients');
    const [f] = folded(rdp);
    expect(f).toMatchObject({ client: '*', server: '131.107.10.10', clients: 5, flowCount: 5, flows: [21, 22, 23, 24, 25], ports: 'tcp/3389' });
    expect(f).not.toHaveProperty('servers');
    expect(f.wiresharkFilter).toBe('ip.addr==131.107.10.10 && tcp.port==3389 && tcp.port==40000');
    expect(f.explanation).toContain('from 5 clients to 131.107.10.10');
    expect(f.explanation).toContain(`The first ${MAX_PEER_FINDINGS} clients with this finding on one server have findings of their own; 5 more are folded into this one.`);
    // Each flow still lists its finding kinds.
    expect(r.flowFindings.every((k) => k.includes('undocumented-port'))).toBe(true);
  });

  it('folds nothing at the limit', () => {
    const r = classified(Array.from({ length: MAX_PEER_FINDINGS }, (_, i) => `tcp 203.0.113.${i + 1}:40000 > 131.107.10.10:3389`));
    expect(r.findings.filter((f) => f.kind === 'undocumented-port')).toHaveLength(MAX_PEER_FINDINGS);
    expect(folded(r.findings)).toEqual([]);
  });

  it('folds the servers of one client past the limit (a sweep of a subnet)', () => {
    const r = classified(Array.from({ length: 30 }, (_, i) => `tcp 203.0.113.200:45555 > 131.107.10.${i + 1}:3389`));
    const rdp = r.findings.filter((f) => f.kind === 'undocumented-port');
    expect(rdp).toHaveLength(21);
    const [f] = folded(rdp);
    expect(f).toMatchObject({ client: '203.0.113.200', server: '*', servers: 10, flowCount: 10 });
    expect(f.wiresharkFilter).toBe('ip.addr==203.0.113.200 && tcp.port==3389 && tcp.port==45555');
    expect(f.explanation).toContain('from 203.0.113.200 to 10 servers');
  });

  it('folds both sides of many clients to many servers, and every flow stays in exactly one finding of its kind', () => {
    const specs: string[] = [];
    for (let c = 1; c <= 30; c++) for (let s = 1; s <= 30; s++) specs.push(`tcp 203.0.113.${c}:40000 > 131.107.10.${s}:3389`);
    const rdp = classified(specs).findings.filter((f) => f.kind === 'undocumented-port');
    // Per server: 20 clients and one fold of 10; then per client (the 20, and "*"): 20 servers and one fold of 10.
    expect(rdp).toHaveLength(21 * 21);
    const both = rdp.filter((f) => f.client === '*' && f.server === '*');
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ clients: 10, servers: 10, flowCount: 100 });
    expect(both[0].wiresharkFilter).toBe('ip && tcp.port==3389 && tcp.port==40000');
    expect(rdp.reduce((n, f) => n + f.flowCount, 0)).toBe(900);
  });

  it('writes IPv6 filters for a folded side', () => {
    const r = classified(Array.from({ length: 22 }, (_, i) => `tcp [2001:db8:100::${i + 1}]:40000 > [2001:db8:10::10]:3389`));
    const [f] = folded(r.findings.filter((x) => x.kind === 'undocumented-port'));
    expect(f.wiresharkFilter).toBe('ipv6.addr==2001:db8:10::10 && tcp.port==3389 && tcp.port==40000');
  });

  it.skipIf(!hasTool('tshark'))('writes filters of folded findings that tshark accepts', () => {
    const specs: string[] = [];
    for (let c = 1; c <= 22; c++) for (let s = 1; s <= 22; s++) specs.push(`udp 203.0.113.${c}:40000 > 131.107.10.${s}:5000`);
    const list = folded(classified(specs).findings);
    const shapes = [list.find((f) => f.server !== '*'), list.find((f) => f.client !== '*'), list.find((f) => f.client === '*' && f.server === '*')];
    for (const f of shapes) {
      if (f === undefined) throw new Error('a fold is missing');
      const r = run('tshark', ['-r', `${SAMPLES}/edge-dmz.pcapng`, '-Y', f.wiresharkFilter, '-T', 'fields', '-e', 'frame.number']);
      expect(r.status, `${f.wiresharkFilter}\n${r.stderr}`).toBe(0);
    }
  });
});
