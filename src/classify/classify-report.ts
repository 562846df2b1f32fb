/**
 * Classification as the report carries it: roles inferred from the traffic
 * (unless turned off), then one verdict per flow, the findings and the
 * checklist, folded into the report's flow records and sections. Runs once
 * per run over the finished flows, never per packet.
 */
import type { Topology } from '../catalog/topology.js';
import type { Catalog } from '../catalog/types.js';
import type { FlowEndpoint, FlowRecord } from '../flow/flow-record.js';
import type { CatalogUsed, HostRoles, ReportEndpoint, ReportFlow, Report, TopologyReport } from '../report/model.js';
import { classify } from './index.js';
import { inferRolesDetailed } from './infer-roles.js';
import { compareAddresses, type EndpointRoles } from './roles.js';
import type { Verdict } from './verdict.js';

export interface ReportClassificationOptions {
  readonly catalog: Catalog;
  /** User rule files the catalog was loaded with, as given (for the report). */
  readonly catalogFiles?: readonly string[];
  /** The user's topology; its roles win over inference. */
  readonly topology?: Topology;
  /** Infer roles from the traffic for addresses the topology does not list (default true). */
  readonly inferRoles?: boolean;
}

export type ReportClassification = Pick<Report, 'catalog' | 'topology' | 'flows' | 'findings' | 'checklist'> & {
  verdicts: Record<Verdict, number>;
};

export function classifyForReport(flows: readonly FlowRecord[], options: ReportClassificationOptions): ReportClassification {
  const { catalog, topology } = options;
  const infer = options.inferRoles !== false;
  const inference = infer ? inferRolesDetailed(flows, catalog) : undefined;
  const result = classify(flows, { catalog, topology, inferred: inference?.roles });

  const verdicts: Record<Verdict, number> = { documented: 0, misdirected: 0, undocumented: 0, unclassified: 0 };
  const hosts = new Map<string, EndpointRoles>();
  const out: ReportFlow[] = new Array(flows.length);
  for (let i = 0; i < flows.length; i++) {
    const f = flows[i];
    const v = result.verdicts[i];
    verdicts[v.verdict]++;
    remember(hosts, f.client.ip, v.client);
    remember(hosts, f.server.ip, v.server);
    out[i] = {
      ...f,
      client: endpoint(f.client, v.client),
      server: endpoint(f.server, v.server),
      verdict: v.verdict,
      rules: [...v.rules],
      confidence: v.confidence,
      explanation: v.explanation,
      findings: [...result.flowFindings[i]],
    };
  }
  const catalogUsed: CatalogUsed = { packs: catalog.packs.map((p) => p.id), files: [...(options.catalogFiles ?? [])] };
  const topologyReport: TopologyReport = {
    file: topology?.file ?? null,
    ...(topology?.name !== undefined && { name: topology.name }),
    inferred: infer,
    hosts: hostList(hosts),
    undecided: [...(inference?.undecided ?? [])]
      .sort(([a], [b]) => compareAddresses(a, b))
      .map(([address, evidence]) => ({ address, evidence: [...evidence] })),
  };
  return { catalog: catalogUsed, topology: topologyReport, flows: out, findings: result.findings, checklist: result.checklist, verdicts };
}

function remember(hosts: Map<string, EndpointRoles>, ip: string, roles: EndpointRoles): void {
  if (roles.source !== 'unknown' && roles.roles.length > 0 && !hosts.has(ip)) hosts.set(ip, roles);
}

function endpoint(e: FlowEndpoint, roles: EndpointRoles): ReportEndpoint {
  return { ip: e.ip, port: e.port, roles: [...roles.roles], roleSource: roles.source };
}

function hostList(hosts: ReadonlyMap<string, EndpointRoles>): HostRoles[] {
  return [...hosts.keys()].sort(compareAddresses).map((address) => {
    const e = hosts.get(address)!;
    return { address, roles: [...e.roles], source: e.source as HostRoles['source'], evidence: [...(e.evidence ?? [])] };
  });
}

/** The inferred hosts of a report, in the form inferredTopologyText() takes (for --infer-topology). */
export function inferredHosts(topology: TopologyReport): Map<string, EndpointRoles> {
  const out = new Map<string, EndpointRoles>();
  for (const h of topology.hosts) if (h.source === 'inferred') out.set(h.address, { roles: [...h.roles], source: 'inferred', evidence: [...h.evidence] });
  return out;
}
