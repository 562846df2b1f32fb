/**
 * The catalog as the rest of flowaudit sees it: rules loaded from the packs in
 * catalog/ and from users' rule files, validated and normalized. The JSON form
 * is described field by field in catalog/schema/catalog.schema.json.
 */

export type Transport = 'tcp' | 'udp';

/**
 * Which end of a flow a rule's port is on.
 * - server: the destination (listening) port of a `to` host; the flow was opened by a `from` host.
 * - client: the source port of the `from` host that opened the flow (an edge's media relay range).
 * - either: a media range that a `to` host uses at its own end, whichever side opened the flow.
 */
export type PortSide = 'server' | 'client' | 'either';

/** An inclusive port range; a single port is [p, p]. */
export type PortRange = readonly [lo: number, hi: number];

export interface Citation {
  /** Seed file name (e.g. 003_93df49e990053d98.txt). */
  readonly file?: string;
  /** Project reference document (e.g. edge-ports.md). */
  readonly reference?: string;
  /** Any other source, e.g. a user's own configuration dump. */
  readonly document?: string;
  readonly section?: string;
  /** Table id, declared in the pack's `tables`. */
  readonly table?: string;
  /** 1-based data row within the table (paragraph number for prose). */
  readonly row?: number;
  /** First cell of the row, verbatim, in the source's language. */
  readonly cell?: string;
  /** Every cell of the row, verbatim (whitespace collapsed). */
  readonly cells?: readonly string[];
}

export interface CatalogRule {
  readonly id: string;
  /** Id of the pack or user file the rule came from. */
  readonly pack: string;
  /** Path of the file the rule came from. */
  readonly file: string;
  readonly transport: Transport;
  /** Sorted, merged port ranges. */
  readonly ranges: readonly PortRange[];
  readonly portSide: PortSide;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly service: string;
  /** Protocol label as the source states it (SIP/MTLS, STUN/MSTURN, RTP, HTTPS...). */
  readonly protocol: string;
  /** A media-only range: documents a flow only with media payload or a fitting role. */
  readonly broad: boolean;
  /** Fields the catalog derived rather than read from the source. */
  readonly inferred: readonly string[];
  readonly citation: Citation;
  readonly notes?: string;
  /** Path of the file whose rule of the same id this one replaced, if any. */
  readonly overrides?: string;
}

/** A media path documented without ports (seed 003's recommended IPsec exceptions). */
export interface MediaPath {
  readonly id: string;
  readonly pack: string;
  readonly name: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly transports: readonly Transport[];
  readonly sourcePorts: string;
  readonly destinationPorts: string;
  readonly authentication?: string;
  readonly citation: Citation;
  readonly notes?: string;
}

export interface SourceInfo {
  readonly document: string;
  readonly file?: string;
  readonly reference?: string;
  readonly upstream?: readonly string[];
  readonly language?: string;
  readonly notes?: string;
}

export interface SourceTableInfo {
  readonly id: string;
  /** The heading above the table in the source, verbatim. */
  readonly heading: string;
  readonly title?: string;
  /** Number of data rows in the source table. */
  readonly rows: number;
}

export interface PackInfo {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly source: SourceInfo;
  readonly defaultEnabled: boolean;
  /** True for a user's rule file, false for a pack shipped in catalog/. */
  readonly user: boolean;
  readonly ruleCount: number;
  /** The source tables the pack transcribes (empty for most user files). */
  readonly tables: readonly SourceTableInfo[];
}

export interface RoleInfo {
  readonly id: string;
  readonly description: string;
  /** For a group role: the roles it stands for. */
  readonly members?: readonly string[];
  /** True for `any`, which matches every address. */
  readonly wildcard?: boolean;
}

export interface Catalog {
  /** The catalog directory the packs were read from. */
  readonly dir: string;
  /** Packs then user files, in load order. */
  readonly packs: readonly PackInfo[];
  /** Effective rules: pack order, a user override taking the place of the rule it replaces. */
  readonly rules: readonly CatalogRule[];
  readonly mediaPaths: readonly MediaPath[];
  readonly roles: readonly RoleInfo[];
  readonly ruleById: ReadonlyMap<string, CatalogRule>;
}
