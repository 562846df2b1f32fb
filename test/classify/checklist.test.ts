/** The firewall checklist: one row per rule, working / failing / not seen. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { classify, MAX_CHECKLIST_FLOWS, type ChecklistRow } from '../../src/classify/index.js';
import { flow, siteTopology, type FlowSpec } from './flows.js';

const catalog = loadCatalog();
const topology = siteTopology();
const SIP_TLS = 'lync2013-edge/ext-e5-sip-tls-443';
const STUN_IN = 'lync2013-edge/ext-e14-stun-udp-in-3478';

function checklist(specs: readonly (FlowSpec | string)[]): Map<string, ChecklistRow> {
  const r = classify(specs.map((s) => flow(s)), { catalog, topology });
  expect(r.checklist.map((row) => row.rule)).toEqual(catalog.rules.map((rule) => rule.id));
  return new Map(r.checklist.map((row) => [row.rule, row]));
}

describe('checklist', () => {
  it('a rule with no documented flow is not seen', () => {
    const rows = checklist([]);
    expect([...rows.values()].every((r) => r.status === 'not-seen' && r.flowCount === 0 && r.flows.length === 0)).toBe(true);
  });

  it('working when a documented flow got through, failing when every one was blocked', () => {
    const ok = flow('tcp 203.0.113.25:50123 > 131.107.10.10:443');
    const s0 = flow({ spec: 'tcp 203.0.113.26:50123 > 131.107.10.10:443', state: 'S0' });
    const rows = classify([ok, s0], { catalog, topology }).checklist;
    expect(rows.find((r) => r.rule === SIP_TLS)).toEqual({ rule: SIP_TLS, status: 'working', flows: [ok.id, s0.id], flowCount: 2, working: 1, failing: 1 });
    for (const state of ['S0', 'SH', 'RSTOS0', 'REJ']) {
      expect(checklist([{ spec: 'tcp 203.0.113.25:50123 > 131.107.10.10:443', state }]).get(SIP_TLS)).toMatchObject({ status: 'failing', working: 0, failing: 1 });
    }
    // Any reply to the SYN counts as getting through, even a later reset.
    for (const state of ['SF', 'S1', 'RSTR', 'RSTO', 'OTH']) {
      expect(checklist([{ spec: 'tcp 203.0.113.25:50123 > 131.107.10.10:443', state }]).get(SIP_TLS)?.status).toBe('working');
    }
  });

  it('UDP: one way without an ICMP error works; an ICMP error quoting it fails', () => {
    const spec = 'udp 203.0.113.25:50040 > 131.107.10.12:3478';
    expect(checklist([{ spec, fromServer: 0 }]).get(STUN_IN)?.status).toBe('working');
    expect(checklist([{ spec, fromServer: 0, icmpErrors: [{ type: 3, code: 13 }] }]).get(STUN_IN)?.status).toBe('failing');
  });

  it('only documented flows count: misdirected and undocumented ones do not', () => {
    const rows = checklist(['tcp 198.51.100.10:52311 > 10.0.2.1:5061', 'tcp 203.0.113.99:40000 > 131.107.10.10:3389']);
    expect([...rows.values()].every((r) => r.status === 'not-seen')).toBe(true);
  });

  it('keeps at most 100 flow ids but counts them all', () => {
    const specs = Array.from({ length: 150 }, (_, i) => `tcp 203.0.113.25:${40000 + i} > 131.107.10.10:443`);
    const row = checklist(specs).get(SIP_TLS) as ChecklistRow;
    expect(row.flowCount).toBe(150);
    expect(row.working).toBe(150);
    expect(row.flows).toHaveLength(MAX_CHECKLIST_FLOWS);
  });
});
