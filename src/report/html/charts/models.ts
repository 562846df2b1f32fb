/**
 * Chart data: small aggregates computed from the report (and the catalog, for
 * documented ranges), complete over every flow, bounded in size whatever the
 * capture. Plain data, so that the charts can be drawn in a worker thread.
 * No d3 here: this module loads fast and runs in the main thread.
 */
import type { Catalog } from '../../../catalog/types.js';
import type { RtpStreamReport } from '../../../inspect/media/media-report.js';
import { mediaSeries, streamLabel, streamSummary, type SeriesPoint } from '../av-data.js';
import type { HtmlFlow, HtmlReport } from '../input.js';

/** Colour keys of the timeline and port map: a verdict, or 'none' for a report without verdicts. */
export type VerdictKey = 'documented' | 'misdirected' | 'undocumented' | 'unclassified' | 'none';
export const VERDICT_KEYS: readonly VerdictKey[] = ['misdirected', 'undocumented', 'documented', 'unclassified', 'none'];

/** Flows drawn one lane each; above this the timeline counts active flows per time bin. */
export const MAX_TIMELINE_LANES = 60;
export const TIMELINE_BINS = 80;
/** Rows of the role matrix per axis; the rest are merged into "other roles". */
export const MAX_MATRIX_ROLES = 14;
/** Media streams drawn (worst loss first). */
export const MAX_MEDIA_CHARTS = 12;
/** Points per media series (longer series are averaged into this many buckets). */
export const MAX_MEDIA_POINTS = 120;
/** Documented rule rows per port-map panel. */
export const MAX_PORTMAP_RULES = 40;
/** Horizontal resolution of the used-port marks: ports closer than this on the log axis share one mark. */
export const PORTMAP_MARK_BUCKETS = 400;

export function verdictKey(flow: HtmlFlow): VerdictKey {
  const v = flow.verdict;
  return v === 'documented' || v === 'misdirected' || v === 'undocumented' || v === 'unclassified' ? v : 'none';
}

export interface TimelineModel {
  t0: number;
  t1: number;
  lanes?: { id: number; start: number; end: number; verdict: VerdictKey; label: string }[];
  /** Active flows per bin and verdict (a flow counts in every bin its life overlaps). */
  bins?: { start: number; end: number; counts: Record<VerdictKey, number> }[];
  verdicts: VerdictKey[];
}

export interface PortMapModel {
  transport: string;
  rules: { id: string; label: string; ranges: [number, number][]; broad: boolean }[];
  rulesLeftOut: number;
  /** Used server ports per verdict, bucketed: [port, flows] (the bucket's lowest port and its flow count). */
  used: { verdict: VerdictKey; marks: [number, number][]; ports: number; flows: number }[];
}

export interface RoleMatrixModel {
  clients: string[];
  servers: string[];
  /** cells[client][server]: flows, and the most urgent verdict among them. */
  cells: { flows: number; verdict: VerdictKey }[][];
}

export interface BarModel {
  title: string;
  bars: { label: string; value: number }[];
}

export interface MediaChartModel {
  label: string;
  summary: string;
  /** Width of one point in seconds (the series' buckets, merged when there were more than MAX_MEDIA_POINTS). */
  bucketSeconds: number;
  points: SeriesPoint[];
}

export interface ChartModels {
  timeline?: TimelineModel;
  portMaps: PortMapModel[];
  roleMatrix?: RoleMatrixModel;
  protocolMix: BarModel[];
  media: MediaChartModel[];
  mediaLeftOut: number;
}

export function chartModels(report: HtmlReport, catalog?: Catalog): ChartModels {
  return {
    timeline: timelineModel(report.flows),
    portMaps: portMapModels(report.flows, catalog),
    roleMatrix: roleMatrixModel(report.flows),
    protocolMix: protocolMixModel(report),
    ...mediaModels(report.media?.streams),
  };
}

function timelineModel(flows: readonly HtmlFlow[]): TimelineModel | undefined {
  if (flows.length === 0) return undefined;
  let t0 = Infinity;
  let t1 = -Infinity;
  const present = new Set<VerdictKey>();
  for (const f of flows) {
    if (f.firstSeen < t0) t0 = f.firstSeen;
    if (f.lastSeen > t1) t1 = f.lastSeen;
    present.add(verdictKey(f));
  }
  if (!(t1 > t0)) t1 = t0 + 1;
  const verdicts = VERDICT_KEYS.filter((v) => present.has(v));
  if (flows.length <= MAX_TIMELINE_LANES) {
    const lanes = flows.map((f) => ({ id: f.id, start: f.firstSeen, end: f.lastSeen, verdict: verdictKey(f), label: `#${f.id} ${f.transport}/${f.server.port}` }));
    return { t0, t1, lanes, verdicts };
  }
  // Difference arrays per verdict: O(flows + bins), whatever the number of flows.
  const width = (t1 - t0) / TIMELINE_BINS;
  const diff = new Map<VerdictKey, Float64Array>(verdicts.map((v) => [v, new Float64Array(TIMELINE_BINS + 1)]));
  for (const f of flows) {
    const a = Math.min(TIMELINE_BINS - 1, Math.floor((f.firstSeen - t0) / width));
    const b = Math.min(TIMELINE_BINS - 1, Math.floor((f.lastSeen - t0) / width));
    const d = diff.get(verdictKey(f))!;
    d[a]++;
    d[b + 1]--;
  }
  const bins: NonNullable<TimelineModel['bins']> = [];
  const running = new Map<VerdictKey, number>(verdicts.map((v) => [v, 0]));
  for (let i = 0; i < TIMELINE_BINS; i++) {
    const counts = { documented: 0, misdirected: 0, undocumented: 0, unclassified: 0, none: 0 };
    for (const v of verdicts) {
      const n = running.get(v)! + diff.get(v)![i];
      running.set(v, n);
      counts[v] = n;
    }
    bins.push({ start: t0 + i * width, end: t0 + (i + 1) * width, counts });
  }
  return { t0, t1, bins, verdicts };
}

/** Mark bucket of each port on the port map's log axis, computed once. */
let bucketOfPort: Uint16Array | undefined;
function portBuckets(): Uint16Array {
  if (bucketOfPort === undefined) {
    bucketOfPort = new Uint16Array(65536);
    for (let p = 0; p < 65536; p++) bucketOfPort[p] = Math.floor((Math.log(Math.max(1, p)) / Math.log(65536)) * PORTMAP_MARK_BUCKETS);
  }
  return bucketOfPort;
}

function portMapModels(flows: readonly HtmlFlow[], catalog?: Catalog): PortMapModel[] {
  const transports = ['tcp', 'udp'];
  const V = VERDICT_KEYS.length;
  const buckets = portBuckets();
  // Per transport and verdict: flows per mark bucket, lowest port per bucket, ports seen (one pass over the flows).
  const marks = transports.map(() => VERDICT_KEYS.map(() => new Uint32Array(PORTMAP_MARK_BUCKETS + 1)));
  const lowest = transports.map(() => VERDICT_KEYS.map(() => new Int32Array(PORTMAP_MARK_BUCKETS + 1).fill(-1)));
  const seen = transports.map(() => VERDICT_KEYS.map(() => new Uint8Array(65536)));
  const rulesUsed = transports.map(() => new Set<string>());
  const flowCount = transports.map(() => new Float64Array(V));
  const portCount = transports.map(() => new Float64Array(V));
  for (const f of flows) {
    const t = f.transport === 'tcp' ? 0 : f.transport === 'udp' ? 1 : -1;
    if (t < 0) continue;
    const v = VERDICT_INDEX[verdictKey(f)];
    const port = f.server.port & 0xffff;
    const b = buckets[port];
    marks[t][v][b]++;
    if (lowest[t][v][b] < 0 || port < lowest[t][v][b]) lowest[t][v][b] = port;
    if (seen[t][v][port] === 0) { seen[t][v][port] = 1; portCount[t][v]++; }
    flowCount[t][v]++;
    const rules = f.rules;
    if (rules !== undefined) for (let i = 0; i < rules.length; i++) rulesUsed[t].add(rules[i]);
  }
  const models: PortMapModel[] = [];
  transports.forEach((transport, t) => {
    if (flowCount[t].every((n) => n === 0)) return;
    const rules: PortMapModel['rules'] = [];
    let rulesLeftOut = 0;
    for (const rule of catalog?.rules ?? []) {
      if (rule.transport !== transport || !rulesUsed[t].has(rule.id)) continue;
      if (rules.length >= MAX_PORTMAP_RULES) { rulesLeftOut++; continue; }
      rules.push({ id: rule.id, label: `${rule.id} (${rule.service})`, ranges: rule.ranges.map(([lo, hi]) => [lo, hi]), broad: rule.broad });
    }
    const used: PortMapModel['used'] = [];
    VERDICT_KEYS.forEach((verdict, v) => {
      if (flowCount[t][v] === 0) return;
      const row: [number, number][] = [];
      for (let b = 0; b <= PORTMAP_MARK_BUCKETS; b++) if (marks[t][v][b] > 0) row.push([lowest[t][v][b], marks[t][v][b]]);
      used.push({ verdict, marks: row, ports: portCount[t][v], flows: flowCount[t][v] });
    });
    models.push({ transport, rules, rulesLeftOut, used });
  });
  return models;
}

const VERDICT_INDEX: Record<VerdictKey, number> = { misdirected: 0, undocumented: 1, documented: 2, unclassified: 3, none: 4 };

const URGENCY: Record<VerdictKey, number> = { misdirected: 4, undocumented: 3, documented: 1, unclassified: 0, none: 0 };

function roleName(roles: readonly string[] | undefined): string {
  return roles !== undefined && roles.length > 0 ? roles.join('+') : 'unknown';
}

function roleMatrixModel(flows: readonly HtmlFlow[]): RoleMatrixModel | undefined {
  if (!flows.some((f) => (f.client.roles?.length ?? 0) > 0 || (f.server.roles?.length ?? 0) > 0)) return undefined;
  const clientTotals = new Map<string, number>();
  const serverTotals = new Map<string, number>();
  for (const f of flows) {
    const c = roleName(f.client.roles);
    const s = roleName(f.server.roles);
    clientTotals.set(c, (clientTotals.get(c) ?? 0) + 1);
    serverTotals.set(s, (serverTotals.get(s) ?? 0) + 1);
  }
  const top = (totals: Map<string, number>): string[] => {
    const names = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([n]) => n);
    return names.length > MAX_MATRIX_ROLES ? [...names.slice(0, MAX_MATRIX_ROLES - 1), 'other roles'] : names;
  };
  const clients = top(clientTotals);
  const servers = top(serverTotals);
  const ci = new Map(clients.map((n, i) => [n, i]));
  const si = new Map(servers.map((n, i) => [n, i]));
  const cells = clients.map(() => servers.map(() => ({ flows: 0, verdict: 'none' as VerdictKey })));
  for (const f of flows) {
    const row = ci.get(roleName(f.client.roles)) ?? clients.length - 1;
    const col = si.get(roleName(f.server.roles)) ?? servers.length - 1;
    const cell = cells[row][col];
    cell.flows++;
    const v = verdictKey(f);
    if (URGENCY[v] > URGENCY[cell.verdict] || cell.flows === 1) cell.verdict = v;
  }
  return { clients, servers, cells };
}

function protocolMixModel(report: HtmlReport): BarModel[] {
  const models: BarModel[] = [];
  const transports = Object.entries(report.totals.flowsByTransport).map(([label, value]) => ({ label, value }));
  if (transports.length > 0) models.push({ title: 'Flows per transport', bars: transports.sort((a, b) => b.value - a.value) });
  const apps = new Map<string, number>();
  for (const f of report.flows) {
    if (f.apps === undefined) continue;
    for (const app of f.apps) {
      const name = `${String(app.protocol)}${app.confidence === 'port' ? ' (by port)' : ''}`;
      apps.set(name, (apps.get(name) ?? 0) + 1);
    }
  }
  if (apps.size > 0) {
    const bars = [...apps.entries()].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
    models.push({ title: 'Flows per application protocol (payload inspection)', bars: bars.slice(0, 24) });
  }
  return models;
}

/** Charts for the streams with the most loss, then the most jitter (ties by flow id, then table order). */
function mediaModels(streams: readonly RtpStreamReport[] | undefined): { media: MediaChartModel[]; mediaLeftOut: number } {
  if (streams === undefined || streams.length === 0) return { media: [], mediaLeftOut: 0 };
  const score = (v: number): number => (Number.isFinite(v) ? v : -1);
  const ranked = streams.map((s, i) => ({ s, i }))
    .sort((a, b) => score(b.s.lossPct) - score(a.s.lossPct) || score(b.s.maxJitterMs) - score(a.s.maxJitterMs) || a.i - b.i);
  const media = ranked.slice(0, MAX_MEDIA_CHARTS).map(({ s }) => {
    const points = mediaSeries(s, MAX_MEDIA_POINTS);
    const width = Number.isFinite(s.series?.bucketSeconds) ? s.series.bucketSeconds : 1;
    const n = Math.max(s.series?.lossPct?.length ?? 0, s.series?.maxJitterMs?.length ?? 0);
    return { label: streamLabel(s), summary: streamSummary(s), bucketSeconds: width * Math.max(1, Math.ceil(n / MAX_MEDIA_POINTS)), points };
  });
  return { media, mediaLeftOut: Math.max(0, streams.length - MAX_MEDIA_CHARTS) };
}
