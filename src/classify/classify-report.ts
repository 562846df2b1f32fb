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
import type { PayloadEvidence } from './payload-findings.js';
import { inferRolesDetailed } from './infer-roles.js';
import { compareAddresses, type EndpointRoles } from './roles.js';
import type { FindingKind } from './finding-types.js';
import type { Verdict } from './verdict.js';

export interface ReportClassificationOptions {
  readonly catalog: Catalog;
  /** User rule files the catalog was loaded with, as given (for the report). */
  readonly catalogFiles?: readonly string[];
  /** The user's topology; its roles win over inference. */
  readonly topology?: Topology;
  /** Infer roles from the traffic for addresses the topology does not list (default true). */
  readonly inferRoles?: boolean;
  /** The report's STUN and media sections, when payload inspection ran: findings on them. */
  readonly payload?: PayloadEvidence;
}

export type ReportClassification = Pick<Report, 'catalog' | 'topology' | 'flows' | 'findings' | 'checklist'> & {
  verdicts: Record<Verdict, number>;
};

/**
 * Classifies the flows and turns each record into its ReportFlow in place
 * (endpoints gain their roles, the classification fields are appended, so
 * the key order stays fixed): the records are analyze()'s own, and copying
 * hundreds of thousands of them would cost more than the classification.
 */
export function classifyForReport(flows: FlowRecord[], options: ReportClassificationOptions): ReportClassification {
  const { catalog, topology } = options;
  const infer = options.inferRoles !== false;
  const inference = infer ? inferRolesDetailed(flows, catalog) : undefined;
  const result = classify(flows, { catalog, topology, inferred: inference?.roles, payload: options.payload });

  const verdicts: Record<Verdict, number> = { documented: 0, misdirected: 0, undocumented: 0, unclassified: 0 };
  const hosts = new Map<string, EndpointRoles>();
  const out = flows as ReportFlow[];
  for (let i = 0; i < flows.length; i++) {
    const f = out[i];
    const v = result.verdicts[i];
    verdicts[v.verdict]++;
    remember(hosts, f.client.ip, v.client);
    remember(hosts, f.server.ip, v.server);
    f.client = endpoint(f.client, v.client);
    f.server = endpoint(f.server, v.server);
    f.verdict = v.verdict;
    f.rules = v.rules as string[];
    f.confidence = v.confidence;
    f.explanation = v.explanation;
    f.findings = result.flowFindings[i] as FindingKind[];
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
  // The roles array is shared by every endpoint of the address (resolverFor memoizes): the report is read, not changed.
  return { ip: e.ip, port: e.port, roles: roles.roles, roleSource: roles.source };
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
