/**
 * The committed samples: which scenario goes into which files. generateSamples()
 * returns every file's bytes so that main.ts can write them and the tests can
 * compare them with what is committed.
 */
import { EDGE_DMZ_DESCRIPTION, EDGE_DMZ_TOPOLOGY, buildEdgeDmz } from './scenarios/edge-dmz.js';
import { EDGE_DMZ_EXPECT } from './scenarios/edge-dmz.expected.js';
import { EDGE_MINI_DESCRIPTION, EDGE_MINI_TOPOLOGY, buildEdgeMini } from './scenarios/edge-mini.js';
import { FEDERATION_DESCRIPTION, FEDERATION_EXPECT, FEDERATION_NOTES, FEDERATION_TOPOLOGY, FEDERATION_VARIANTS, buildFederation } from './scenarios/federation.js';
import {
  INTERNAL_POOL_DESCRIPTION, INTERNAL_POOL_EXPECT, INTERNAL_POOL_NOTES, INTERNAL_POOL_TOPOLOGY, buildInternalPool,
} from './scenarios/internal-pool.js';
import { AV_ICE_CHECKS_DESCRIPTION, AV_ICE_CHECKS_EXPECT, AV_RTP_QUALITY_DESCRIPTION, AV_RTP_QUALITY_EXPECT, buildAvIceChecks, buildAvRtpQuality } from './scenarios/av-media.js';
import { AV_TOPOLOGY } from './scenarios/av-common.js';
import { AV_TURN_ERRORS_DESCRIPTION, AV_TURN_ERRORS_EXPECT, AV_UDP_BLOCKED_DESCRIPTION, AV_UDP_BLOCKED_EXPECT, buildAvTurnErrors, buildAvUdpBlocked } from './scenarios/av-failures.js';
import {
  AV_MSTURN_TCP_DESCRIPTION, AV_MSTURN_TCP_EXPECT, AV_MSTURN_UDP_DESCRIPTION, AV_MSTURN_UDP_EXPECT, AV_TURN_AUTH_DESCRIPTION, AV_TURN_AUTH_EXPECT,
  buildAvMsturnTcp, buildAvMsturnUdp, buildAvTurnAuth,
} from './scenarios/av-relay.js';
import { HOSTILE_STRINGS_DESCRIPTION, HOSTILE_STRINGS_EXPECT, HOSTILE_TOPOLOGY, buildHostileStrings } from './scenarios/hostile-strings.js';
import type { Trace } from './trace.js';
import type { ExpectTable, PackVariant } from './expect.js';
import { computeTruth, type TruthFile } from './truth.js';
import { addExpectations } from './verdicts.js';
import { LINKTYPE_ETHERNET, writePcap, type CaptureRecord, type PcapOptions } from './writers/pcap.js';
import { writePcapng } from './writers/pcapng.js';

export const USER_APPL = 'flowaudit sample generator (samples/generator)';

/** Frames of a finalized trace as capture records (absolute time). */
export function captureRecords(trace: Trace): CaptureRecord[] {
  return trace.finalize().map((f) => ({
    sec: trace.baseSec + Math.floor(f.t / 1e6),
    nsec: (f.t % 1e6) * 1000,
    data: f.data,
    iface: f.iface,
  }));
}

export function pcapOf(trace: Trace, opts: PcapOptions = {}): Buffer {
  return writePcap(captureRecords(trace), opts);
}

export function pcapngOf(trace: Trace, byteOrder: 'le' | 'be' = 'le'): Buffer {
  return writePcapng(captureRecords(trace), {
    byteOrder,
    userAppl: USER_APPL,
    interfaces: trace.interfaces.map((i) => ({ name: i.name, description: i.description, tsresolDigits: i.tsresolDigits })),
  });
}

const json = (v: unknown): Buffer => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');

interface Scenario {
  name: string;
  build: () => Trace;
  description: string;
  roles: Record<string, string[]>;
  /** Expected verdicts per flow: the scenario then also gets <name>.topology.json. */
  expect?: ExpectTable;
  variants?: PackVariant[];
  notes?: string[];
  /** The truth also lists what payload inspection should find (inspection.ts: apps, STUN, allocations, media). */
  inspection?: boolean;
}

const AV_NOTES = ['Remote clients and media peers are on the internet and deliberately not in the topology; only the A/V Edge is.'];
const av = (name: string, build: () => Trace, description: string, expect: ExpectTable): Scenario =>
  ({ name, build, description, roles: AV_TOPOLOGY.roles, expect, notes: AV_NOTES, inspection: true });

const SCENARIOS: Scenario[] = [
  { name: 'edge-dmz', build: buildEdgeDmz, description: EDGE_DMZ_DESCRIPTION, roles: EDGE_DMZ_TOPOLOGY.roles, expect: EDGE_DMZ_EXPECT },
  { name: 'edge-mini', build: buildEdgeMini, description: EDGE_MINI_DESCRIPTION, roles: EDGE_MINI_TOPOLOGY.roles },
  {
    name: 'internal-pool', build: buildInternalPool, description: INTERNAL_POOL_DESCRIPTION, roles: INTERNAL_POOL_TOPOLOGY.roles,
    expect: INTERNAL_POOL_EXPECT, notes: INTERNAL_POOL_NOTES,
  },
  {
    name: 'federation', build: buildFederation, description: FEDERATION_DESCRIPTION, roles: FEDERATION_TOPOLOGY.roles,
    expect: FEDERATION_EXPECT, variants: FEDERATION_VARIANTS, notes: FEDERATION_NOTES,
  },
  av('av-msturn-udp', buildAvMsturnUdp, AV_MSTURN_UDP_DESCRIPTION, AV_MSTURN_UDP_EXPECT),
  av('av-msturn-tcp', buildAvMsturnTcp, AV_MSTURN_TCP_DESCRIPTION, AV_MSTURN_TCP_EXPECT),
  av('av-turn-auth', buildAvTurnAuth, AV_TURN_AUTH_DESCRIPTION, AV_TURN_AUTH_EXPECT),
  av('av-udp-blocked', buildAvUdpBlocked, AV_UDP_BLOCKED_DESCRIPTION, AV_UDP_BLOCKED_EXPECT),
  av('av-turn-errors', buildAvTurnErrors, AV_TURN_ERRORS_DESCRIPTION, AV_TURN_ERRORS_EXPECT),
  av('av-ice-checks', buildAvIceChecks, AV_ICE_CHECKS_DESCRIPTION, AV_ICE_CHECKS_EXPECT),
  av('av-rtp-quality', buildAvRtpQuality, AV_RTP_QUALITY_DESCRIPTION, AV_RTP_QUALITY_EXPECT),
  {
    name: 'hostile-strings', build: buildHostileStrings, description: HOSTILE_STRINGS_DESCRIPTION, roles: HOSTILE_TOPOLOGY.roles,
    expect: HOSTILE_STRINGS_EXPECT, inspection: true,
  },
];

/** The analyser's topology file for a scenario (catalog/schema/topology.schema.json). */
export function topologyFile(name: string, roles: Record<string, string[]>): unknown {
  return {
    $schema: '../catalog/schema/topology.schema.json',
    name: `${name} sample site`,
    description: `Roles of the addresses in samples/${name}.pcap(ng), generated from the scenario (npm run samples). ` +
      `Hosts left out (internet clients, media peers, some servers) are meant to be unknown.`,
    roles,
  };
}

/** File name -> contents, for every committed sample: each scenario as pcap and pcapng, with one truth file. */
export function generateSamples(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const scenario of SCENARIOS) {
    const trace = scenario.build();
    const pcap = pcapOf(trace);
    const pcapng = pcapngOf(trace);
    const packets = trace.frames.length;
    const files: Record<string, TruthFile> = {
      [`${scenario.name}.pcap`]: {
        format: 'pcap', byteOrder: 'le', packets, sizeBytes: pcap.length,
        interfaces: [{ name: 'merged', linkType: LINKTYPE_ETHERNET, tsresolDigits: 6 }],
      },
      [`${scenario.name}.pcapng`]: {
        format: 'pcapng', byteOrder: 'le', packets, sizeBytes: pcapng.length,
        interfaces: trace.interfaces.map((i) => ({ name: i.name, linkType: LINKTYPE_ETHERNET, tsresolDigits: i.tsresolDigits })),
      },
    };
    out.set(`${scenario.name}.pcap`, pcap);
    out.set(`${scenario.name}.pcapng`, pcapng);
    let truth = computeTruth(trace, scenario.description, files, scenario.roles, { inspection: scenario.inspection });
    if (scenario.expect) {
      const topology = `${scenario.name}.topology.json`;
      truth = addExpectations(truth, { topologyFile: topology, expect: scenario.expect, variants: scenario.variants, notes: scenario.notes });
      out.set(topology, json(topologyFile(scenario.name, scenario.roles)));
    }
    out.set(`${scenario.name}.truth.json`, json(truth));
  }
  return out;
}
