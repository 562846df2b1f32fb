/** Role inference heuristics on hand-built flows, against the shipped catalog and a hand-made one. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { isPublicAddress } from '../../src/classify/infer-address.js';
import { inferRoles, inferRolesDetailed } from '../../src/classify/infer-roles.js';
import type { FlowRecord } from '../../src/flow/flow-record.js';
import { makeCatalogDir, pack, rule } from '../catalog/fixtures.js';

const catalog = loadCatalog();

/** Flows with ids in creation order; `answered: false` makes TCP S0 and UDP one-way. */
class Flows {
  readonly list: FlowRecord[] = [];

  add(transport: 'tcp' | 'udp', client: string, server: string, opts: { state?: string; answered?: boolean } = {}): number {
    const [cip, cport] = split(client);
    const [sip, sport] = split(server);
    const answered = opts.answered ?? true;
    const id = this.list.length + 1;
    const back = answered ? 3 : 0;
    this.list.push({
      id,
      transport,
      client: { ip: cip, port: cport },
      server: { ip: sip, port: sport },
      firstSeen: 1000 + id,
      lastSeen: 1001 + id,
      frames: { first: id * 10, last: id * 10 + 5 },
      packets: { fromClient: 3, fromServer: back },
      bytes: { fromClient: 300, fromServer: back * 100 },
      payloadBytes: { fromClient: 100, fromServer: back * 30 },
      orientedBy: transport === 'tcp' ? 'syn' : 'first-packet',
      endedBy: 'end',
      ...(transport === 'tcp' ? { tcp: { state: opts.state ?? (answered ? 'SF' : 'S0'), history: answered ? 'ShADadFf' : 'S' } } : {}),
    });
    return id;
  }
}

/** "1.2.3.4:80" or "[2001:db8::1]:443". */
function split(endpoint: string): [string, number] {
  const m = /^\[(.+)\]:(\d+)$/.exec(endpoint) ?? /^([^:]+):(\d+)$/.exec(endpoint);
  if (m === null) throw new Error(`bad endpoint ${endpoint}`);
  return [m[1], Number(m[2])];
}

const AV = '131.107.10.12';
const ACCESS = '131.107.10.10';
const EXT1 = '203.0.113.1';
const EXT2 = '198.51.100.2';
const EXT3 = '203.0.113.3';

/** An A/V edge as the issue describes it: STUN from two internet hosts, media relayed from its own range. */
function avEdge(f: Flows, host = AV): { stun: number[]; relay: number[] } {
  const stun = [f.add('udp', `${EXT1}:50040`, `${host}:3478`), f.add('udp', `${EXT2}:49874`, `${host}:3478`)];
  const relay = [f.add('udp', `${EXT1}:50042`, `${host}:52012`), f.add('udp', `${host}:55300`, `${EXT2}:49875`)];
  return { stun, relay };
}

describe('isPublicAddress', () => {
  it('tells private, shared, link-local and loopback space from global addresses', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.1.1', '127.0.0.1', 'fd00::1', 'fe80::1', '::1', '::ffff:10.0.0.1']) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
    for (const ip of ['131.107.10.12', '203.0.113.1', '172.32.0.1', '8.8.8.8', '2001:db8::1', '2a00:1450::1', '::ffff:8.8.8.8']) {
      expect(isPublicAddress(ip), ip).toBe(true);
    }
    expect(isPublicAddress('not an address')).toBe(false);
  });
});

describe('A/V edge: answers STUN from outside and relays media on its own range', () => {
  it('infers edge-av with evidence naming the flows, ports and rules', () => {
    const f = new Flows();
    const { stun, relay } = avEdge(f);
    const roles = inferRoles(f.list, catalog);
    expect([...roles.keys()]).toEqual([AV]);
    const e = roles.get(AV)!;
    expect(e.roles).toEqual(['edge-av']);
    expect(e.source).toBe('inferred');
    expect(e.evidence).toHaveLength(1);
    const text = e.evidence![0];
    expect(text).toContain('udp/3478');
    expect(text).toContain(`flows ${stun.join(', ')}`);
    expect(text).toContain(`flows ${relay.join(', ')}`);
    expect(text).toContain('udp/50000-59999');
    expect(text).toContain('2 external peers');
    expect(text).toContain('lync2013-edge/ext-e14-stun-udp-in-3478');
  });

  it('takes the service end from the ports when the first datagram seen was the answer', () => {
    const f = new Flows();
    f.add('udp', `${AV}:3478`, `${EXT1}:50040`);
    f.add('udp', `${EXT2}:49874`, `${AV}:3478`);
    f.add('udp', `${EXT1}:50042`, `${AV}:52012`);
    expect(inferRoles(f.list, catalog).get(AV)?.roles).toEqual(['edge-av']);
  });

  it('needs two distinct peers', () => {
    const f = new Flows();
    f.add('udp', `${EXT1}:50040`, `${AV}:3478`);
    f.add('udp', `${EXT1}:50041`, `${AV}:3478`);
    f.add('udp', `${EXT1}:50042`, `${AV}:52012`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('needs the STUN flows answered', () => {
    const f = new Flows();
    f.add('udp', `${EXT1}:50040`, `${AV}:3478`, { answered: false });
    f.add('udp', `${EXT2}:49874`, `${AV}:3478`);
    f.add('udp', `${EXT1}:50042`, `${AV}:52012`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('needs a relay flow: answering STUN alone also fits the edge internal interface', () => {
    const f = new Flows();
    f.add('udp', `${EXT1}:50040`, `${AV}:3478`);
    f.add('udp', `${EXT2}:49874`, `${AV}:3478`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('ignores relay flows that are not answered, or whose own port is outside the edge relay range', () => {
    const f = new Flows();
    f.add('udp', `${EXT1}:50040`, `${AV}:3478`);
    f.add('udp', `${EXT2}:49874`, `${AV}:3478`);
    f.add('udp', `${EXT1}:50042`, `${AV}:52012`, { answered: false });
    f.add('udp', `${EXT1}:50043`, `${AV}:40000`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('does not count a flow to a documented service port (a DNS query) as relaying', () => {
    const f = new Flows();
    f.add('udp', `${EXT1}:50040`, `${AV}:3478`);
    f.add('udp', `${EXT2}:49874`, `${AV}:3478`);
    f.add('udp', `${AV}:52013`, `${EXT3}:53`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('stays unknown when STUN clients are private: edge-av and edge-internal both answer them', () => {
    const f = new Flows();
    f.add('udp', '10.0.10.5:50040', `${AV}:3478`);
    f.add('udp', '10.0.10.6:50040', `${AV}:3478`);
    f.add('udp', '10.0.10.5:50042', `${AV}:52012`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('stays unknown when a private peer uses the STUN port too', () => {
    const f = new Flows();
    avEdge(f);
    f.add('udp', '10.0.10.5:50040', `${AV}:3478`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('does not count a public peer that itself answers STUN (an edge calling an edge)', () => {
    const f = new Flows();
    const other = '192.0.2.50';
    f.add('udp', `${EXT1}:50040`, `${AV}:3478`);
    f.add('udp', `${other}:50040`, `${AV}:3478`);
    f.add('udp', `${AV}:50041`, `${other}:3478`);
    f.add('udp', `${EXT1}:50042`, `${AV}:52012`);
    expect(inferRoles(f.list, catalog).has(AV)).toBe(false);
  });
});

describe('access edge: accepts SIP on a port documented from outside only to edge-access', () => {
  it('infers edge-access from three external peers and says why they count as external', () => {
    const f = new Flows();
    const ids = [EXT1, EXT2, EXT3].map((p, i) => f.add('tcp', `${p}:${50000 + i}`, `${ACCESS}:5061`));
    const e = inferRoles(f.list, catalog).get(ACCESS);
    expect(e?.roles).toEqual(['edge-access']);
    const text = e!.evidence![0];
    expect(text).toContain('tcp/5061');
    expect(text).toContain('3 external peers (public addresses');
    expect(text).toContain(`flows ${ids.join(', ')}`);
    expect(text).toContain('no private address');
    expect(text).toContain('lync2013-edge/ext-e6-sip-mtls-in-5061');
  });

  it('counts any established TCP state as answered, but not S0, REJ or OTH', () => {
    const f = new Flows();
    f.add('tcp', `${EXT1}:50000`, `${ACCESS}:5061`, { state: 'RSTR' });
    f.add('tcp', `${EXT2}:50000`, `${ACCESS}:5061`, { state: 'S1' });
    expect(inferRoles(f.list, catalog).get(ACCESS)?.roles).toEqual(['edge-access']);
    const g = new Flows();
    g.add('tcp', `${EXT1}:50000`, `${ACCESS}:5061`);
    g.add('tcp', `${EXT2}:50000`, `${ACCESS}:5061`, { state: 'REJ' });
    g.add('tcp', `${EXT3}:50000`, `${ACCESS}:5061`, { state: 'OTH' });
    g.add('tcp', `192.0.2.9:50000`, `${ACCESS}:5061`, { answered: false });
    expect(inferRoles(g.list, catalog).size).toBe(0);
  });

  it('needs several external peers', () => {
    const f = new Flows();
    f.add('tcp', `${EXT1}:50000`, `${ACCESS}:5061`);
    f.add('tcp', `${EXT1}:50001`, `${ACCESS}:5061`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('stays unknown when private peers use the port too: front ends and directors take it from inside', () => {
    const f = new Flows();
    f.add('tcp', `${EXT1}:50000`, `${ACCESS}:5061`);
    f.add('tcp', `${EXT2}:50000`, `${ACCESS}:5061`);
    f.add('tcp', `10.0.1.10:50000`, `${ACCESS}:5061`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('stays unknown with private peers only (edge-internal, front end, director...)', () => {
    const f = new Flows();
    for (const p of ['10.0.1.10', '10.0.2.1', '10.0.2.2']) f.add('tcp', `${p}:50000`, `10.0.2.3:5061`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('does not count a partner edge that answers the same port (federation both ways)', () => {
    const f = new Flows();
    const partner = '192.0.2.10';
    f.add('tcp', `${partner}:52311`, `${ACCESS}:5061`);
    f.add('tcp', `${ACCESS}:53001`, `${partner}:5061`);
    f.add('tcp', `${EXT1}:50000`, `${ACCESS}:5061`);
    const r = inferRoles(f.list, catalog);
    expect(r.has(ACCESS)).toBe(false);
    expect(r.has(partner)).toBe(false);
  });

  it("does not count public peers that serve documented ports themselves (the site's own edges), and says so", () => {
    const f = new Flows();
    const crl = '192.0.2.80';
    // Two edges that take SIP from the internet also fetch from a server on 5061...
    f.add('tcp', `${EXT1}:50000`, `${ACCESS}:443`);
    f.add('tcp', `${EXT2}:50000`, '131.107.10.20:443');
    f.add('tcp', `${ACCESS}:50001`, `${crl}:5061`);
    f.add('tcp', `131.107.10.20:50001`, `${crl}:5061`);
    expect(inferRoles(f.list, catalog).has(crl)).toBe(false);
    // ...while a third, plain client still counts, but two are needed.
    f.add('tcp', `${EXT3}:50001`, `${crl}:5061`);
    expect(inferRoles(f.list, catalog).has(crl)).toBe(false);
    f.add('tcp', `192.0.2.99:50001`, `${crl}:5061`);
    const e = inferRoles(f.list, catalog).get(crl);
    expect(e?.roles).toEqual(['edge-access']);
    expect(e!.evidence![0]).toContain(`not counted: ${ACCESS}, 131.107.10.20, which answer documented service ports too`);
  });

  it('needs a rule naming an external sender: a port open to `any` only (HTTP to the reverse proxy) is not enough', () => {
    const f = new Flows();
    for (const p of [EXT1, EXT2, EXT3]) f.add('tcp', `${p}:50000`, '192.0.2.80:80');
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('infers IPv6 addresses as written in the flow records', () => {
    const f = new Flows();
    f.add('tcp', '[2001:db8:100::25]:50500', '[2001:db8:10::10]:5061');
    f.add('tcp', '[2001:db8:100::26]:50500', '[2001:db8:10::10]:5061');
    expect(inferRoles(f.list, catalog).get('2001:db8:10::10')?.roles).toEqual(['edge-access']);
  });
});

describe('unique service port', () => {
  it('infers edge-internal from a port only the edge internal interface serves, from two peers, private or not', () => {
    const f = new Flows();
    const a = f.add('tcp', '10.0.2.1:51000', '10.0.1.10:23456');
    const b = f.add('tcp', '10.0.2.2:51000', '10.0.1.10:23456');
    const e = inferRoles(f.list, catalog).get('10.0.1.10');
    expect(e?.roles).toEqual(['edge-internal']);
    expect(e!.evidence![0]).toContain(`flows ${a}, ${b}`);
    expect(e!.evidence![0]).toContain('only for edge-internal');
    expect(e!.evidence![0]).toContain('lync2013-edge/int-i1-xmpp-mtls-23456');
  });

  it('needs two peers', () => {
    const f = new Flows();
    f.add('tcp', '10.0.2.1:51000', '10.0.1.10:23456');
    f.add('tcp', '10.0.2.1:51001', '10.0.1.10:23456');
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('says nothing from ports several roles serve (8057: edge-internal and front-end)', () => {
    const f = new Flows();
    for (const p of ['10.0.2.1', '10.0.2.2', '10.0.10.7']) f.add('tcp', `${p}:51000`, '10.0.1.10:8057');
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('counts a group as its members: the SQL browser port of all internal servers and the edge names no one role', () => {
    const f = new Flows();
    f.add('udp', '10.0.2.1:50000', '10.0.2.9:1434');
    f.add('udp', '10.0.2.2:50000', '10.0.2.9:1434');
    f.add('udp', '10.0.2.3:50000', '10.0.2.9:1434');
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('says nothing from undocumented ports', () => {
    const f = new Flows();
    for (const p of [EXT1, EXT2, EXT3]) f.add('tcp', `${p}:51000`, `${ACCESS}:3389`);
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });
});

describe('conflicts leave the address unknown', () => {
  it('edge-internal and edge-access evidence on one address', () => {
    const f = new Flows();
    f.add('tcp', '10.0.2.1:51000', `${ACCESS}:23456`);
    f.add('tcp', '10.0.2.2:51000', `${ACCESS}:23456`);
    f.add('tcp', `${EXT1}:50000`, `${ACCESS}:5061`);
    f.add('tcp', `${EXT2}:50000`, `${ACCESS}:5061`);
    const r = inferRolesDetailed(f.list, catalog);
    expect(r.roles.size).toBe(0);
    const why = r.undecided.get(ACCESS)!;
    expect(why.some((s) => s.startsWith('edge-internal:'))).toBe(true);
    expect(why.some((s) => s.startsWith('edge-access:'))).toBe(true);
    expect(why.at(-1)).toMatch(/^conflict: .*edge-access and edge-internal/);
  });

  it('an A/V edge that also answers a port documented only for inside roles', () => {
    const f = new Flows();
    avEdge(f);
    const psom = f.add('tcp', '10.0.2.1:51000', `${AV}:8057`);
    const r = inferRolesDetailed(f.list, catalog);
    expect(r.roles.size).toBe(0);
    expect(r.undecided.get(AV)!.at(-1)).toContain(`also answers tcp/8057 (flow ${psom})`);
  });

  it('but the external edge roles may share one address (single-IP consolidated edge)', () => {
    const f = new Flows();
    avEdge(f, ACCESS);
    f.add('tcp', `${EXT1}:50000`, `${ACCESS}:5061`);
    f.add('tcp', `${EXT3}:50000`, `${ACCESS}:5061`);
    f.add('tcp', `${EXT3}:50001`, `${ACCESS}:443`); // documented for all three edge roles: no contradiction
    const e = inferRoles(f.list, catalog).get(ACCESS);
    expect(e?.roles).toEqual(['edge-access', 'edge-av']);
    expect(e?.evidence).toHaveLength(2);
  });

  it('ignores flows that were not answered when looking for contradictions', () => {
    const f = new Flows();
    avEdge(f);
    f.add('tcp', `${EXT3}:41000`, `${AV}:8057`, { answered: false });
    expect(inferRoles(f.list, catalog).get(AV)?.roles).toEqual(['edge-av']);
  });
});

describe('port knowledge comes from the catalog', () => {
  // A made-up catalog: the A/V edge's STUN on 7000 and relay on 40000-40999.
  const { dir } = makeCatalogDir({
    'p.json': pack('p', [
      rule('p/stun-in', { transport: 'udp', ports: [7000], from: ['any'], to: ['edge-av'] }),
      rule('p/stun-int', { transport: 'udp', ports: [7000], from: ['any'], to: ['edge-internal'] }),
      rule('p/relay-out', { transport: 'udp', ports: [[40000, 40999]], portSide: 'client', from: ['edge-av'], to: ['any'], broad: true, protocol: 'RTP' }),
      rule('p/client-media', { transport: 'udp', ports: [[1024, 65535]], portSide: 'either', from: ['any'], to: ['internal-client'], broad: true, protocol: 'RTP' }),
      rule('p/only-fe', { ports: [9999], from: ['any'], to: ['front-end'] }),
    ]),
  });
  const custom = loadCatalog({ catalogDir: dir });

  it('follows the rules, not fixed port numbers', () => {
    const f = new Flows();
    f.add('udp', `${EXT1}:50040`, `${AV}:7000`);
    f.add('udp', `${EXT2}:50040`, `${AV}:7000`);
    f.add('udp', `${AV}:40500`, `${EXT1}:50042`);
    f.add('tcp', '10.0.10.1:50000', '10.0.2.9:9999');
    f.add('tcp', '10.0.10.2:50000', '10.0.2.9:9999');
    const r = inferRoles(f.list, custom);
    expect(r.get(AV)?.roles).toEqual(['edge-av']);
    expect(r.get(AV)!.evidence![0]).toContain('udp/40000-40999');
    expect(r.get('10.0.2.9')?.roles).toEqual(['front-end']);
    // The shipped catalog documents neither 7000 nor 9999.
    expect(inferRoles(f.list, catalog).size).toBe(0);
  });

  it('and the shipped relay range means nothing to the made-up catalog', () => {
    const f = new Flows();
    avEdge(f);
    expect(inferRoles(f.list, custom).size).toBe(0);
  });
});

describe('flows that are not TCP or UDP', () => {
  it('are ignored', () => {
    const f = new Flows();
    avEdge(f);
    f.list.push({ ...f.list[0], id: 99, transport: 'icmp', client: { ip: AV, port: 3 }, server: { ip: EXT1, port: 3 } });
    expect(inferRoles(f.list, catalog).get(AV)?.roles).toEqual(['edge-av']);
    expect(inferRoles(f.list, catalog).has(EXT1)).toBe(false);
  });
});
