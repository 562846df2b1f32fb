/**
 * The committed samples: which scenario goes into which files. generateSamples()
 * returns every file's bytes so that main.ts can write them and the tests can
 * compare them with what is committed.
 */
import { EDGE_DMZ_DESCRIPTION, EDGE_DMZ_TOPOLOGY, buildEdgeDmz } from './scenarios/edge-dmz.js';
import { EDGE_MINI_DESCRIPTION, EDGE_MINI_TOPOLOGY, buildEdgeMini } from './scenarios/edge-mini.js';
import type { Trace } from './trace.js';
import { computeTruth, type TruthFile } from './truth.js';
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
}

const SCENARIOS: Scenario[] = [
  { name: 'edge-dmz', build: buildEdgeDmz, description: EDGE_DMZ_DESCRIPTION, roles: EDGE_DMZ_TOPOLOGY.roles },
  { name: 'edge-mini', build: buildEdgeMini, description: EDGE_MINI_DESCRIPTION, roles: EDGE_MINI_TOPOLOGY.roles },
];

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
    out.set(`${scenario.name}.truth.json`, json(computeTruth(trace, scenario.description, files, scenario.roles)));
  }
  return out;
}
