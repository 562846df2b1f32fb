/**
 * Topology files: which addresses hold which roles.
 *
 *   { "roles": { "edge-av": ["131.107.10.12"], "front-end": ["10.0.2.0/28", "2001:db8:2::/64"] } }
 *
 * An address takes the roles of the most specific prefix holding it (a /32
 * front end inside a /16 of internal clients is a front end only); a prefix
 * listed under several roles gives all of them (a Front End Server with a
 * collocated Mediation Server). Errors are reported like the catalog's.
 */
import { readFileSync } from 'node:fs';
import { Family } from '../decode/packet-view.js';
import { type Prefix, parsePrefix, prefixContains } from './address.js';
import { ConfigError, errorLine, parseJsonText } from './errors.js';
import { defaultCatalogDir } from './paths.js';
import { schemaErrors } from './schema.js';

export interface TopologyEntry {
  readonly role: string;
  /** The address or prefix as written. */
  readonly text: string;
  readonly prefix: Prefix;
}

export interface Topology {
  readonly file: string;
  readonly name?: string;
  readonly entries: readonly TopologyEntry[];
  /**
   * Roles of the address (4 words as in PacketView), most specific prefix
   * first-and-only; an empty array when no prefix holds it. The arrays are
   * shared and frozen: no allocation per call.
   */
  roleOf(family: number, addrWords: Uint32Array): readonly string[];
}

interface Group {
  readonly prefix: Prefix;
  readonly roles: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

function sameNetwork(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.len === b.len && a.words.every((w, i) => w === b.words[i]);
}

/** True for ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), which is matched against the IPv4 prefixes. */
function isV4Mapped(w: Uint32Array): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

class TopologyMatcher implements Topology {
  private readonly v4: Group[];
  private readonly v6: Group[];

  constructor(readonly file: string, readonly name: string | undefined, readonly entries: readonly TopologyEntry[]) {
    const groups: { prefix: Prefix; roles: string[] }[] = [];
    for (const e of entries) {
      const g = groups.find((x) => sameNetwork(x.prefix, e.prefix));
      if (g === undefined) groups.push({ prefix: e.prefix, roles: [e.role] });
      else if (!g.roles.includes(e.role)) g.roles.push(e.role);
    }
    const frozen = groups.map((g) => ({ prefix: g.prefix, roles: Object.freeze(g.roles) }));
    // Longest prefix first: the first match is the most specific one.
    frozen.sort((a, b) => b.prefix.len - a.prefix.len);
    this.v4 = frozen.filter((g) => g.prefix.family === Family.V4);
    this.v6 = frozen.filter((g) => g.prefix.family === Family.V6);
  }

  roleOf(family: number, addrWords: Uint32Array): readonly string[] {
    let list: Group[];
    if (family === Family.V4 || (family === Family.V6 && isV4Mapped(addrWords))) {
      family = Family.V4;
      list = this.v4;
    } else if (family === Family.V6) list = this.v6;
    else return NONE;
    for (let i = 0; i < list.length; i++) {
      if (prefixContains(list[i].prefix, family, addrWords)) return list[i].roles;
    }
    return NONE;
  }
}

export interface LoadTopologyOptions {
  /** Directory holding schema/topology.schema.json. Default: the shipped catalog. */
  readonly catalogDir?: string;
}

/** Validates topology JSON already parsed (`file` names it in error lines); throws ConfigError. */
export function topologyFromJson(data: unknown, file: string, options: LoadTopologyOptions = {}): Topology {
  const errors = schemaErrors(options.catalogDir ?? defaultCatalogDir(), 'topology', file, data);
  if (errors.length > 0) throw new ConfigError(errors);
  const json = data as { name?: string; roles: Record<string, string[]> };
  const entries: TopologyEntry[] = [];
  for (const [role, list] of Object.entries(json.roles)) {
    list.forEach((text, i) => {
      const p = parsePrefix(text.trim());
      if (typeof p === 'string') errors.push(errorLine(file, `/roles/${role}/${i}`, p));
      else entries.push({ role, text, prefix: p });
    });
  }
  if (errors.length > 0) throw new ConfigError(errors);
  return new TopologyMatcher(file, json.name, Object.freeze(entries));
}

/** Reads and validates a topology file; throws ConfigError listing every problem. */
export function loadTopology(file: string, options: LoadTopologyOptions = {}): Topology {
  const errors: string[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`${file}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  const data = parseJsonText(file, text, errors);
  if (errors.length > 0) throw new ConfigError(errors);
  return topologyFromJson(data, file, options);
}
