/** Public surface of the catalog module: packs, user rule files, topology, compiled lookups. */
export { loadCatalog, listPacks, type LoadCatalogOptions } from './load.js';
export { loadTopology, topologyFromJson, type Topology, type TopologyEntry, type LoadTopologyOptions } from './topology.js';
export { servicePortBitmaps, lookup, parsePortSpec, type ServicePortBitmaps } from './compile.js';
export { rolesFit, loadRoles } from './roles.js';
export { parsePrefix, prefixContains, formatPrefix, type Prefix } from './address.js';
export { ConfigError } from './errors.js';
export { defaultCatalogDir } from './paths.js';
export type * from './types.js';
