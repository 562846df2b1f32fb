/** Findings: kinds, severities, aggregation, filters, citations. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { compileCatalogIndex } from '../../src/classify/catalog-index.js';
import {
  classify, compactRanges, FINDING_KINDS, FINDING_SEVERITY_RULES, FINDING_TITLES, portsText, severityAtLeast, wiresharkFilter,
  type ClassifiableFlow, type Finding,
} from '../../src/classify/index.js';
import { isBlocked } from '../../src/classify/findings.js';
import { hasTool, run, SAMPLES } from '../helpers/environment.js';
import { flow, siteTopology, type FlowSpec } from './flows.js';

const catalog = loadCatalog();
const topology = siteTopology();

function findings(specs: readonly (FlowSpec | string | ClassifiableFlow)[], withTopology = true): { list: Finding[]; kinds: (readonly string[])[] } {
  const flows = specs.map((s) => (typeof s === 'object' && 'transport' in s ? s : flow(s)));
  const r = classify(flows, { catalog, topology: withTopology ? topology : undefined });
  return { list: r.findings, kinds: r.flowFindings };
}

/** One finding of `kind`; fails when there are none or several. */
function only(list: readonly Finding[], kind: string): Finding {
  const hits = list.filter((f) => f.kind === kind);
  expect(hits.map((f) => f.kind)).toEqual([kind]);
  return hits[0];
}

/** tshark's verdict on a display filter: parses, and how many frames of the sample it selects. */
function tsharkSelect(filter: string): number {
  const r = run('tshark', ['-r', `${SAMPLES}/edge-dmz.pcapng`, '-Y', filter, '-T', 'fields', '-e', 'frame.number']);
  expect(r.status, `${filter}\n${r.stderr}`).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '').length;
}

describe('finding tables', () => {
  it('every kind has a title and a severity rule, and the kind order lists each once', () => {
    expect(new Set(FINDING_KINDS).size).toBe(FINDING_KINDS.length);
    expect(Object.keys(FINDING_TITLES).sort()).toEqual([...FINDING_KINDS].sort());
    expect(Object.keys(FINDING_SEVERITY_RULES).sort()).toEqual([...FINDING_KINDS].sort());
  });
});

describe('aggregation', () => {
  // Ports 10000-14999: no specific rule holds them (checked), only broad media ranges.
  const scanPorts = Array.from({ length: 5000 }, (_, i) => 10000 + i);

  it('precondition: no specific rule holds the scanned ports', () => {
    const idx = compileCatalogIndex(catalog);
    expect(scanPorts.every((p) => idx.tcp.sets[idx.tcp.slot[p]].every((r) => r.rule.broad))).toBe(true);
  });

  it('a 5,000-port scan from one host is one undocumented-port finding plus one tcp-refused finding', () => {
    const { list, kinds } = findings(scanPorts.map((p) => ({ spec: `tcp 203.0.113.200:45555 > 131.107.10.11:${p}`, state: 'REJ' })));
    expect(list.map((f) => `${f.kind}/${f.severity}`)).toEqual(['undocumented-port/medium', 'tcp-refused/info']);
    const f = list[0];
    expect(f.flowCount).toBe(5000);
    expect(f.flows).toHaveLength(100);
    expect(f.flows).toEqual([...f.flows].sort((a, b) => a - b));
    expect(f.evidenceFrames).toHaveLength(20);
    expect(f.ports).toBe('tcp/10000-14999');
    expect(f.client).toBe('203.0.113.200');
    expect(f.server).toBe('131.107.10.11');
    expect(f.wiresharkFilter).toBe('ip.addr==203.0.113.200 && ip.addr==131.107.10.11 && tcp.port in {10000..14999} && tcp.port==45555');
    expect(f.citation).toEqual([]);
    expect(f.explanation).toContain('5,000 flows');
    expect(f.explanation).toContain('blocked');
    expect(kinds[0]).toEqual(['undocumented-port', 'tcp-refused']);
  });

  it('lists scattered ports compactly, and leaves out client ports when they are too many', () => {
    const specs = Array.from({ length: 60 }, (_, i) => ({ spec: `tcp 203.0.113.200:${40000 + 2 * i} > 131.107.10.11:${10000 + 2 * i}`, state: 'S0' }));
    const f = only(findings(specs).list, 'undocumented-port');
    expect(f.ports).toBe(`tcp/${specs.map((_, i) => 10000 + 2 * i).join(',')}`);
    expect(f.wiresharkFilter).not.toContain('40000');
    expect(f.wiresharkFilter).toMatch(/^ip\.addr==203\.0\.113\.200 && ip\.addr==131\.107\.10\.11 && tcp\.port in \{10000, 10002, .*10118\}$/);
  });

  it('one finding per client and server pair, ordered by first flow within a severity', () => {
    const { list } = findings([
      'tcp 203.0.113.1:40000 > 131.107.10.10:3389',
      'tcp 203.0.113.2:40000 > 131.107.10.10:3389',
      'tcp 203.0.113.1:40001 > 131.107.10.11:3389',
      'tcp 203.0.113.1:40002 > 131.107.10.11:22',
    ]);
    expect(list.map((f) => `${f.client}>${f.server} ${f.ports} ${f.flowCount}`)).toEqual([
      '203.0.113.1>131.107.10.10 tcp/3389 1',
      '203.0.113.2>131.107.10.10 tcp/3389 1',
      '203.0.113.1>131.107.10.11 tcp/22,3389 2',
    ]);
  });

  it('splits a scan by severity: the ports that answered are high, the blocked ones medium', () => {
    const { list } = findings([
      { spec: 'tcp 203.0.113.9:45555 > 131.107.10.11:21', state: 'REJ' },
      { spec: 'tcp 203.0.113.9:45555 > 131.107.10.11:22', state: 'SF' },
      { spec: 'tcp 203.0.113.9:45555 > 131.107.10.11:23', state: 'S0' },
    ]);
    const und = list.filter((f) => f.kind === 'undocumented-port');
    expect(und.map((f) => `${f.severity} ${f.ports}`)).toEqual(['high tcp/22', 'medium tcp/21,23']);
    // Highest severity first.
    expect(list[0].severity).toBe('high');
  });

  it('compactRanges and portsText', () => {
    expect(compactRanges([5, 1, 2, 3, 9, 5])).toEqual([[1, 3], [5, 5], [9, 9]]);
    expect(portsText('udp', compactRanges([3478]))).toBe('udp/3478');
    expect(portsText('icmp', [])).toBe('icmp');
  });
});

describe('severities', () => {
  const severityOf = (spec: FlowSpec | string, kind: string, withTopology = true): string => only(findings([spec], withTopology).list, kind).severity;

  it('undocumented-port: high when it got through, medium when blocked', () => {
    expect(severityOf('tcp 203.0.113.9:40000 > 131.107.10.10:3389', 'undocumented-port')).toBe('high');
    expect(severityOf({ spec: 'tcp 203.0.113.9:40000 > 131.107.10.10:3389', state: 'S0' }, 'undocumented-port')).toBe('medium');
    expect(severityOf({ spec: 'tcp 203.0.113.9:40000 > 131.107.10.10:3389', state: 'REJ' }, 'undocumented-port')).toBe('medium');
    expect(severityOf({ spec: 'udp 203.0.113.9:40000 > 131.107.10.10:161', fromServer: 0, icmpErrors: [{}] }, 'undocumented-port')).toBe('medium');
    // One-way UDP without an ICMP error: nothing says a firewall stopped it.
    expect(severityOf({ spec: 'udp 203.0.113.9:40000 > 131.107.10.10:161', fromServer: 0 }, 'undocumented-port')).toBe('high');
  });

  it('undocumented-port to a link- or site-scoped multicast or a broadcast address is info: local discovery, no firewall path', () => {
    for (const spec of ['udp 10.0.9.7:17500 > 255.255.255.255:17500', 'udp 10.0.9.7:5353 > 224.0.0.251:5353', 'udp 10.0.9.7:50000 > 239.255.255.250:1900',
      'udp [fe80::1]:5353 > [ff02::fb]:5353', 'udp [2001:db8::1]:5000 > [ff15::1]:5000']) {
      const f = only(findings([{ spec, fromServer: 0 }]).list, 'undocumented-port');
      expect(f.severity, spec).toBe('info');
      expect(f.explanation).toContain('multicast or a broadcast address');
    }
    // Globally scoped multicast can cross firewalls: judged as any other flow.
    expect(severityOf({ spec: 'udp 10.0.9.7:5004 > 233.252.0.1:5004', fromServer: 0 }, 'undocumented-port')).toBe('high');
    expect(severityOf({ spec: 'udp [2001:db8::1]:5004 > [ff0e::1]:5004', fromServer: 0 }, 'undocumented-port')).toBe('high');
    // A subnet's directed broadcast cannot be told by its address without the netmask: judged as unicast,
    // unless its frame went to the link-layer broadcast address (Dropbox LAN sync, NetBIOS datagrams).
    expect(severityOf({ spec: 'udp 10.0.9.7:40000 > 10.0.9.255:161', fromServer: 0 }, 'undocumented-port')).toBe('high');
    const directed = only(findings([{ ...flow({ spec: 'udp 10.0.9.7:17500 > 10.0.9.255:17500', fromServer: 0 }), linkBroadcast: true }]).list, 'undocumented-port');
    expect(directed.severity).toBe('info');
    expect(directed.explanation).toContain('multicast or a broadcast address');
  });

  it('misdirected-flow is high', () => {
    const f = only(findings(['tcp 198.51.100.10:52311 > 10.0.2.1:5061']).list, 'misdirected-flow');
    expect(f.severity).toBe('high');
    expect(f.citation.map((c) => c.rule)).toContain('lync2013-edge/ext-e6-sip-mtls-in-5061');
    expect(f.citation.find((c) => c.rule === 'lync2013-edge/ext-e6-sip-mtls-in-5061')?.source).toBe('edge-ports.md, table edge-external, row 7: "E6"');
    expect(f.explanation).toContain('federation-partner');
  });

  it('tcp-unanswered and tcp-refused: high on a documented port, info on an undocumented one', () => {
    const documented = 'tcp 203.0.113.25:50123 > 131.107.10.10:443';
    const undocumented = 'tcp 203.0.113.25:50123 > 131.107.10.10:3389';
    for (const [state, kind] of [['S0', 'tcp-unanswered'], ['SH', 'tcp-unanswered'], ['RSTOS0', 'tcp-unanswered'], ['REJ', 'tcp-refused']]) {
      const high = only(findings([{ spec: documented, state }]).list, kind);
      expect(high.severity).toBe('high');
      expect(high.citation.map((c) => c.rule)).toEqual(['lync2013-edge/ext-e5-sip-tls-443']);
      expect(high.explanation).toContain('documented service');
      expect(severityOf({ spec: undocumented, state }, kind)).toBe('info');
    }
    // Answered connections have neither.
    for (const state of ['SF', 'S1', 'RSTO', 'RSTR', 'OTH']) {
      const kinds = findings([{ spec: documented, state }]).list.map((f) => f.kind);
      expect(kinds).not.toContain('tcp-unanswered');
      expect(kinds).not.toContain('tcp-refused');
    }
  });

  it('a connection whose client acknowledged, sent data or closed after its SYN, with no server packet captured, was answered: the capture is one-sided', () => {
    const documented = 'tcp 203.0.113.25:50123 > 131.107.10.10:443';
    // rawip_ocs_ndpi.pcap holds the clients' direction only: SADF (SH) and SAD (S0), 0 packets from the server.
    for (const [state, history] of [['SH', 'SADF'], ['S0', 'SAD'], ['S0', 'SA'], ['SH', 'SF']]) {
      const oneSided = flow({ spec: documented, state, history, fromServer: 0 });
      const { list } = findings([oneSided]);
      expect(list.map((f) => `${f.kind}/${f.severity}`), `${state} ${history}`).toEqual(['tcp-server-side-missing/info']);
      expect(list[0].explanation).toContain('Not a firewall drop');
      expect(isBlocked(oneSided)).toBe(false);
    }
    // The SYN alone, resent or reset by the client: no sign of an answer.
    for (const [state, history] of [['S0', 'S'], ['S0', 'ST'], ['RSTOS0', 'SR']]) {
      const unanswered = flow({ spec: documented, state, history, fromServer: 0 });
      expect(findings([unanswered]).list.map((f) => `${f.kind}/${f.severity}`), `${state} ${history}`).toEqual(['tcp-unanswered/high']);
      expect(isBlocked(unanswered)).toBe(true);
    }
    // The checklist counts the one-sided connection as working, not failing.
    const r = classify([flow({ spec: documented, state: 'SH', history: 'SADF', fromServer: 0 })], { catalog, topology });
    expect(r.checklist.find((row) => row.rule === 'lync2013-edge/ext-e5-sip-tls-443')).toMatchObject({ status: 'working', failing: 0 });
  });

  it('ICMP errors: admin-prohibited and unreachable, by type and code, severity by documented port', () => {
    const documented = 'udp 203.0.113.25:50040 > 131.107.10.12:3478';
    const undocumented = 'udp 203.0.113.25:50040 > 131.107.10.12:161';
    const kindOf = (spec: string, type: number, code: number): string[] => findings([{ spec, fromServer: 0, icmpErrors: [{ type, code }] }]).list
      .filter((f) => f.kind.startsWith('icmp-')).map((f) => `${f.kind}/${f.severity}`);
    expect(kindOf(documented, 3, 13)).toEqual(['icmp-admin-prohibited/high']);
    expect(kindOf(documented, 3, 9)).toEqual(['icmp-admin-prohibited/high']);
    expect(kindOf(documented, 3, 10)).toEqual(['icmp-admin-prohibited/high']);
    expect(kindOf(undocumented, 3, 13)).toEqual(['icmp-admin-prohibited/info']);
    expect(kindOf(documented, 3, 3)).toEqual(['icmp-unreachable/medium']);
    expect(kindOf(documented, 3, 1)).toEqual(['icmp-unreachable/medium']);
    expect(kindOf(documented, 11, 0)).toEqual(['icmp-unreachable/medium']);
    expect(kindOf(undocumented, 3, 3)).toEqual(['icmp-unreachable/info']);
    // Parameter problem and source quench are not about reachability.
    expect(kindOf(documented, 12, 0)).toEqual([]);
    expect(kindOf(documented, 4, 0)).toEqual([]);
    // ICMPv6 numbering for IPv6 flows.
    const v6 = 'udp [2001:db8:100::99]:40123 > [2001:db8:10::10]:123';
    expect(kindOf(v6, 1, 1)).toEqual(['icmp-admin-prohibited/info']);
    expect(kindOf(v6, 1, 4)).toEqual(['icmp-unreachable/info']);
    expect(kindOf(v6, 3, 0)).toEqual(['icmp-unreachable/info']);
    expect(kindOf(v6, 2, 0)).toEqual([]);
  });

  it("a port unreachable from the flow's own client about the server's datagram is its closed port, not a blocked service", () => {
    // turn_signal_call_ndpi: Allocate, Refresh with lifetime 0, then the server's late datagram meets the client's closed socket.
    const spec = 'udp 203.0.113.25:50040 > 131.107.10.12:3478';
    const closed = { type: 3, code: 3, reporter: '203.0.113.25', quotedFrom: 'server' as const };
    const quiet = findings([{ spec, icmpErrors: [closed] }]);
    expect(quiet.list.filter((f) => f.kind.startsWith('icmp-'))).toEqual([]);
    expect(isBlocked(flow({ spec, icmpErrors: [closed] }))).toBe(false);
    // The same error from elsewhere, of another code, or about the client's datagram, is a failure.
    for (const e of [{ ...closed, reporter: '203.0.113.1' }, { ...closed, code: 13 }, { ...closed, quotedFrom: 'client' as const }]) {
      expect(isBlocked(flow({ spec, icmpErrors: [e] }))).toBe(true);
      expect(findings([{ spec, icmpErrors: [e] }]).list.some((f) => f.kind.startsWith('icmp-'))).toBe(true);
    }
    // ICMPv6 port unreachable is type 1 code 4.
    const v6 = 'udp [2001:db8:100::99]:40123 > [2001:db8:10::10]:3478';
    expect(isBlocked(flow({ spec: v6, icmpErrors: [{ type: 1, code: 4, reporter: '2001:db8:100::99', quotedFrom: 'server' }] }))).toBe(false);
    expect(isBlocked(flow({ spec: v6, icmpErrors: [{ type: 3, code: 4, reporter: '2001:db8:100::99', quotedFrom: 'server' }] }))).toBe(true);
  });

  it('ICMP findings show the error frames and the reporter', () => {
    const f = flow({ spec: 'tcp 198.51.100.150:40500 > 131.107.10.10:1723', state: 'S0', fromServer: 0, icmpErrors: [{ type: 3, code: 13, reporter: '131.107.10.1', firstFrame: 9999 }] });
    const { list, kinds } = findings([f]);
    const icmp = only(list, 'icmp-admin-prohibited');
    expect(icmp.evidenceFrames).toEqual([9999]);
    expect(icmp.explanation).toContain('ICMP communication administratively prohibited from 131.107.10.1');
    // The ICMP error says why the SYN went unanswered: the failure is reported once, by its cause.
    expect(kinds[0]).toEqual(['undocumented-port', 'icmp-admin-prohibited']);
    expect(list.some((x) => x.kind === 'tcp-unanswered')).toBe(false);
    const silent = findings([flow({ spec: 'tcp 198.51.100.150:40501 > 131.107.10.10:1723', state: 'S0', fromServer: 0 })]);
    expect(silent.kinds[0]).toEqual(['undocumented-port', 'tcp-unanswered']);
  });

  it('unclassified flows have no findings', () => {
    expect(findings(['icmp 192.0.2.1:3 > 10.0.2.1:3']).list).toEqual([]);
  });
});

describe('severityAtLeast (--fail-on)', () => {
  const { list } = findings([{ spec: 'tcp 203.0.113.9:40000 > 131.107.10.10:3389', state: 'S0' }]);
  it('compares with the highest severity present', () => {
    expect(list.map((f) => f.severity)).toEqual(['medium', 'info']);
    expect(severityAtLeast(list, 'info')).toBe(true);
    expect(severityAtLeast(list, 'low')).toBe(true);
    expect(severityAtLeast(list, 'medium')).toBe(true);
    expect(severityAtLeast(list, 'high')).toBe(false);
    expect(severityAtLeast(list, 'none')).toBe(false);
    expect(severityAtLeast([], 'info')).toBe(false);
  });
});

describe.skipIf(!hasTool('tshark'))('Wireshark display filters', () => {
  it('parse in tshark, IPv4 and IPv6, single ports, sets and ranges', () => {
    expect(tsharkSelect(wiresharkFilter('tcp', '203.0.113.200', '131.107.10.11', compactRanges([10000, 10001, 10002, 14999]), [[45555, 45555]]))).toBe(0);
    expect(tsharkSelect(wiresharkFilter('udp', '2001:db8:100::99', '2001:db8:10::10', [[123, 123]], [[40123, 40123]]))).toBeGreaterThan(0);
    expect(tsharkSelect(wiresharkFilter('icmp', '131.107.10.1', '198.51.100.150', [], []))).toBe(1);
    expect(tsharkSelect(wiresharkFilter('ip-47', '192.0.2.1', '192.0.2.2', [], []))).toBe(0);
    expect(tsharkSelect(wiresharkFilter('ip-47', '2001:db8::1', '2001:db8::2', [], []))).toBe(0);
    const scan = findings(Array.from({ length: 5000 }, (_, i) => ({ spec: `tcp 203.0.113.200:45555 > 131.107.10.11:${10000 + i}`, state: 'REJ' }))).list;
    for (const f of scan) expect(tsharkSelect(f.wiresharkFilter)).toBe(0);
  });
});
