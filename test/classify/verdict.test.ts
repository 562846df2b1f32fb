/** Flow verdicts against the shipped catalog, with and without a topology. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { compileCatalogIndex } from '../../src/classify/catalog-index.js';
import { classifyFlow, resolverFor, type EndpointRoles, type FlowVerdict } from '../../src/classify/index.js';
import { flow, siteTopology, type FlowSpec } from './flows.js';

const catalog = loadCatalog();
const topo = siteTopology();
const withTopology = resolverFor(topo);
const noTopology = resolverFor();

function verdict(spec: FlowSpec | string, roles = withTopology): FlowVerdict {
  return classifyFlow(flow(spec), catalog, roles);
}

/** Ids of the server-side rules of `transport` holding `port`, in catalog order. */
function serverRulesAt(transport: 'tcp' | 'udp', port: number): string[] {
  return catalog.rules
    .filter((r) => r.transport === transport && r.portSide === 'server' && !r.broad && r.ranges.some(([lo, hi]) => lo <= port && port <= hi))
    .map((r) => r.id);
}

describe('documented', () => {
  it('front end -> edge internal tcp/5061 with a topology: role confidence, the one matching rule', () => {
    const v = verdict('tcp 10.0.2.2:52000 > 10.0.1.10:5061');
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('role');
    expect(v.rules).toEqual(['lync2013-edge/int-i2-sip-mtls-to-edge-5061']);
    expect(v.client).toMatchObject({ roles: ['front-end'], source: 'configured' });
    expect(v.server).toMatchObject({ roles: ['edge-internal'], source: 'configured' });
    expect(v.explanation).toContain('roles checked');
  });

  it('the same flow without a topology: port confidence, every rule of tcp/5061 as possible', () => {
    const v = verdict('tcp 10.0.2.2:52000 > 10.0.1.10:5061', noTopology);
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('port');
    expect(v.rules).toEqual(serverRulesAt('tcp', 5061));
    expect(v.rules.length).toBeGreaterThan(5);
    expect(v.client.source).toBe('unknown');
    expect(v.explanation).toContain("neither end's role is known");
  });

  it('a match through `any` with an unknown client is port confidence, and lists the matches only', () => {
    const v = verdict('tcp 203.0.113.25:50123 > 131.107.10.10:443');
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('port');
    // ext-e5 (any -> edge-access) matches; external-client rules are only possible and are left out.
    expect(v.rules).toEqual(['lync2013-edge/ext-e5-sip-tls-443']);
    // The server's configured role was checked: only the client end is matched by port.
    expect(v.explanation).toContain("the server is edge-access (configured), which fits the rules; the client's role is unknown, so that end is matched by transport and port only.");
    expect(v.explanation).not.toContain('matched by transport and port only, because');
  });

  it('inferred roles give role confidence and are reported as inferred', () => {
    const inferred = new Map<string, EndpointRoles>([['203.0.113.25', { roles: ['external-client'], source: 'inferred', evidence: ['signs in over SIP/TLS'] }]]);
    const v = verdict('tcp 203.0.113.25:50123 > 131.107.10.10:443', resolverFor(topo, inferred));
    expect(v.confidence).toBe('role');
    expect(v.client).toEqual({ roles: ['external-client'], source: 'inferred', evidence: ['signs in over SIP/TLS'] });
    expect(v.rules).toContain('lync2013-edge/ext-e5-sip-tls-443');
    expect(v.rules).toContain('sfb2015-servers/client-sip-tls-443');
  });
});

describe('misdirected', () => {
  it('an internet host with a known role straight to a front end on 5061', () => {
    const v = verdict('tcp 198.51.100.10:52311 > 10.0.2.1:5061');
    expect(v.verdict).toBe('misdirected');
    expect(v.confidence).toBe('role');
    expect(v.rules).toEqual(serverRulesAt('tcp', 5061));
    expect(v.explanation).toContain('the client is federation-partner (configured) and the server is front-end (configured)');
    expect(v.explanation).toContain('no rule fits both ends');
  });

  it('an internet host of unknown role to a front end on 5061 is only port-documented (the catalog lets edge-internal and clients reach it)', () => {
    const v = verdict('tcp 203.0.113.5:52311 > 10.0.2.1:5061');
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('port');
    expect(v.rules).toContain('lync2013-edge/int-i3-sip-mtls-from-edge-5061');
    expect(v.rules).not.toContain('lync2013-edge/ext-e6-sip-mtls-in-5061');
  });

  it('roles in the wrong direction: edge internal opening PSOM to a front end', () => {
    const v = verdict('tcp 10.0.1.10:53000 > 10.0.2.1:8057');
    expect(v.verdict).toBe('misdirected');
    expect(v.confidence).toBe('role');
    expect(v.rules).toContain('lync2013-edge/int-i4-psom-mtls-8057');
    expect(v.explanation).toContain('opposite direction');
    expect(v.explanation).toContain('lync2013-edge/int-i4-psom-mtls-8057');
  });

  it('ports in the wrong direction: the service port is the opener\'s', () => {
    for (const roles of [withTopology, noTopology]) {
      const v = verdict('tcp 10.0.1.10:5061 > 10.0.2.3:40000', roles);
      expect(v.verdict).toBe('misdirected');
      expect(v.rules).toEqual(serverRulesAt('tcp', 5061));
      expect(v.explanation).toContain('wrong direction');
      expect(v.confidence).toBe(roles === withTopology ? 'role' : 'port');
    }
  });
});

describe('undocumented and broad ranges', () => {
  // With the default packs tcp/3389 lies in the clients' 1024-65535 media ranges (broad).
  const rdp = 'tcp 203.0.113.99:40000 > 131.107.10.10:3389';

  it('precondition: only broad rules hold tcp/3389', () => {
    const idx = compileCatalogIndex(catalog);
    const held = idx.tcp.sets[idx.tcp.slot[3389]];
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((r) => r.rule.broad)).toBe(true);
  });

  it('RDP inbound is undocumented, with and without a topology', () => {
    for (const roles of [withTopology, noTopology]) {
      const v = verdict(rdp, roles);
      expect(v.verdict).toBe('undocumented');
      expect(v.confidence).toBe('port');
      expect(v.rules).toEqual([]);
      expect(v.explanation).toContain("Broad media ranges hold the server's port");
    }
    expect(verdict(rdp).explanation).toContain("the server's roles (edge-access) do not fit them");
    expect(verdict(rdp, noTopology).explanation).toContain("the server's role is unknown");
  });

  it('with media payload the clients\' broad ranges document it (port confidence, broad rules only)', () => {
    const v = verdict({ spec: rdp, apps: ['rtp'] }, noTopology);
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('port');
    expect(v.rules).toContain('sfb2015-servers/client-audio-media-1024-65535-tcp');
    expect(v.rules.every((id) => catalog.ruleById.get(id)?.broad)).toBe(true);
    expect(v.explanation).toContain('media payload was seen');
    // Relayed media counts, as TURN ChannelData or MS-TURN data frames; non-media payload does not.
    expect(verdict({ spec: rdp, apps: ['channeldata'] }, noTopology).verdict).toBe('documented');
    expect(verdict({ spec: rdp, apps: ['ms-turn-tcp'] }, noTopology).verdict).toBe('documented');
    expect(verdict({ spec: rdp, apps: ['tls'] }, noTopology).verdict).toBe('undocumented');
  });

  it('a listener whose known role fits a broad range documents it without media', () => {
    const v = verdict('tcp 10.0.2.1:40000 > 10.0.10.5:3389');
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('role');
    expect(v.rules).toContain('sfb2015-servers/client-audio-media-1024-65535-tcp');
    expect(v.rules.every((id) => catalog.ruleById.get(id)?.broad)).toBe(true);
    expect(v.explanation).toContain("listening end's known role fits");
  });

  it("an opener's ephemeral port in its own media range does not document a flow without media", () => {
    const spec = 'tcp 10.0.10.5:50010 > 10.0.2.20:1433';
    expect(verdict(spec).verdict).toBe('undocumented');
    const media = verdict({ spec, apps: ['rtp'] });
    expect(media.verdict).toBe('documented');
    expect(media.confidence).toBe('port');
  });

  it('A/V edge media range: listener role, media payload, or neither', () => {
    const spec = 'udp 203.0.113.25:50042 > 131.107.10.12:52012';
    const byRole = verdict(spec);
    expect(byRole.verdict).toBe('documented');
    expect(byRole.rules).toEqual(['lync2013-edge/ext-e12-rtp-udp-in-50000-59999']);
    expect(verdict(spec, noTopology).verdict).toBe('undocumented');
    const byMedia = verdict({ spec, apps: ['STUN'] }, noTopology);
    expect(byMedia.verdict).toBe('documented');
    expect(byMedia.rules).toContain('lync2013-edge/ext-e12-rtp-udp-in-50000-59999');
  });

  it("a client's own media port documents nothing: STUN to the edge's UDP 443 is undocumented, media or roles aside", () => {
    const spec = 'udp 203.0.113.25:40042 > 131.107.10.12:443'; // (a client port outside the edge's own relay range, 50000-59999)
    for (const roles of [withTopology, noTopology]) {
      const v = verdict({ spec, apps: ['stun'] }, roles);
      expect(v.verdict).toBe('undocumented');
      expect(v.rules).toEqual([]);
      expect(v.explanation).toContain("The client's port is only in broad media ranges");
    }
    // Without media the question does not arise, and the explanation does not raise it.
    expect(verdict('tcp 203.0.113.25:40042 > 131.107.10.12:23').explanation).not.toContain('broad media ranges');
    // To the documented 3478, the rules cited are those of 3478, none of the clients' own 1024-65535 media ranges.
    const stun = verdict({ spec: 'udp 203.0.113.25:40042 > 131.107.10.12:3478', apps: ['stun'] });
    expect(stun.verdict).toBe('documented');
    const clientRanges = catalog.rules.filter((r) => r.broad && r.portSide === 'either' && r.transport === 'udp' && r.to.includes('external-client')).map((r) => r.id);
    expect(clientRanges.length).toBeGreaterThan(1);
    for (const id of clientRanges) expect(stun.rules).not.toContain(id);
  });

  it("media a server opens from its own range to a peer's media port no rule documents (a PSTN gateway's RTP) is documented by that range", () => {
    const roles = resolverFor(siteTopology({ mediation: ['10.0.5.5'], 'pstn-gateway': ['10.0.6.6'] }));
    const v = verdict({ spec: 'udp 10.0.5.5:49300 > 10.0.6.6:16400', apps: ['rtp'] }, roles);
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('role');
    expect(v.rules).toContain('media-ranges/server-audio-49152-57500-udp');
    // Without media, the opener's range says nothing: nothing documents the gateway's port for a gateway.
    expect(verdict('udp 10.0.5.5:49300 > 10.0.6.6:16400', roles).verdict).not.toBe('documented');
  });

  it("the edge's own relay range (portSide client) is admitted by the opener's role", () => {
    const v = verdict('udp 131.107.10.12:55300 > 198.51.100.77:49875');
    expect(v.verdict).toBe('documented');
    expect(v.confidence).toBe('port');
    expect(v.rules).toEqual(['lync2013-edge/ext-e10-rtp-udp-out-50000-59999']);
    expect(v.explanation).toContain("udp/55300 (the client's port)");
  });
});

describe('unclassified', () => {
  it('ICMP and other IP protocols are not classified', () => {
    for (const t of ['icmp', 'icmpv6', 'ip-47']) {
      const v = verdict(`${t} 192.0.2.1:3 > 10.0.2.1:3`);
      expect(v.verdict).toBe('unclassified');
      expect(v.rules).toEqual([]);
      expect(v.confidence).toBe('port');
    }
  });
});
