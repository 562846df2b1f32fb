/** Hand-built FlowRecords for classifier tests: only what the classifier reads is meaningful. */
import type { FlowRecord, IcmpErrorRecord } from '../../src/flow/flow-record.js';
import type { ClassifiableFlow } from '../../src/classify/index.js';
import { topologyFromJson, type Topology } from '../../src/catalog/topology.js';

let nextId = 1;
let nextFrame = 1;

export interface FlowSpec {
  /** "tcp 203.0.113.5:50123 > 131.107.10.10:443" (IPv6 in brackets: "[2001:db8::1]:443"). */
  readonly spec: string;
  /** Zeek state for TCP (default SF); ignored for UDP. */
  readonly state?: string;
  /** Zeek history letters for TCP (default ShADdFf). */
  readonly history?: string;
  /** Packets from the server (default 1; 0 for one-way). */
  readonly fromServer?: number;
  readonly icmpErrors?: readonly Partial<IcmpErrorRecord>[];
  readonly apps?: readonly string[];
  readonly id?: number;
}

function endpoint(text: string): { ip: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (m === null) throw new Error(`bad endpoint ${text}`);
  return { ip: m[1], port: Number(m[2]) };
}

export function flow(s: FlowSpec | string): ClassifiableFlow {
  const o: FlowSpec = typeof s === 'string' ? { spec: s } : s;
  const m = /^(\S+) (\S+) > (\S+)$/.exec(o.spec);
  if (m === null) throw new Error(`bad flow spec ${o.spec}`);
  const transport = m[1] as FlowRecord['transport'];
  const id = o.id ?? nextId++;
  const first = nextFrame;
  nextFrame += 4;
  const fromServer = o.fromServer ?? 1;
  const record: ClassifiableFlow = {
    id,
    transport,
    client: endpoint(m[2]),
    server: endpoint(m[3]),
    firstSeen: 1710234000,
    lastSeen: 1710234001,
    frames: { first, last: first + 3 },
    packets: { fromClient: 1, fromServer },
    bytes: { fromClient: 60, fromServer: 60 * fromServer },
    payloadBytes: { fromClient: 0, fromServer: 0 },
    orientedBy: transport === 'tcp' ? 'syn' : 'first-packet',
    endedBy: 'end',
    ...(transport === 'tcp' ? { tcp: { state: o.state ?? 'SF', history: o.history ?? 'ShADdFf' } } : {}),
    ...(o.icmpErrors !== undefined
      ? {
          icmpErrors: o.icmpErrors.map((e) => ({
            type: 3, code: 3, reporter: '192.0.2.1', quotedFrom: 'client' as const, count: 1, firstFrame: first + 1, firstSeen: 1710234000.5, ...e,
          })),
        }
      : {}),
    ...(o.apps !== undefined ? { apps: o.apps.map((protocol) => ({ protocol })) } : {}),
  };
  return record;
}

/** The topology most tests use: a consolidated edge, a front-end pool, a director, clients, a federation partner. */
export function siteTopology(extra: Record<string, string[]> = {}): Topology {
  return topologyFromJson(
    {
      roles: {
        'edge-access': ['131.107.10.10', '2001:db8:10::10'],
        'edge-webconf': ['131.107.10.11'],
        'edge-av': ['131.107.10.12'],
        'edge-internal': ['10.0.1.10'],
        'front-end': ['10.0.2.0/29'],
        director: ['10.0.3.5'],
        'reverse-proxy': ['10.0.4.5'],
        'internal-client': ['10.0.10.0/23'],
        'federation-partner': ['198.51.100.10'],
        ...extra,
      },
    },
    'site.json',
  );
}
