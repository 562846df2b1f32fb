/**
 * The plain-language sentences of flow verdicts: which rule, which roles, and
 * what did not fit. English, for people, not parsers. A sentence depends on
 * the candidate rules and the endpoints' roles, which many flows share, plus
 * the flow's own ports: so each is built once per distinct case as an
 * Explainer, and a flow only pays for putting its ports in.
 */
import { fit, NO, type IndexedRule } from './catalog-index.js';
import { isKnown, type EndpointRoles } from './roles.js';
import type { Candidates } from './verdict.js';

/** The sentence of one flow, given its transport and ports. */
export type Explainer = (transport: string, cport: number, sport: number) => string;

/** What every explanation of a case knows. */
export interface ExplainCase {
  readonly client: EndpointRoles;
  readonly server: EndpointRoles;
  readonly media: boolean;
}

/** Rules named in full before "and N more". */
const MAX_NAMED = 3;

/** "front-end (configured)" or "unknown". */
export function describeRoles(e: EndpointRoles): string {
  return isKnown(e) ? `${e.roles.join(', ')} (${e.source})` : 'unknown';
}

/** "the client is front-end (configured)" or "the client's role is unknown". */
function endIs(end: 'client' | 'server', e: EndpointRoles): string {
  return isKnown(e) ? `the ${end} is ${describeRoles(e)}` : `the ${end}'s role is unknown`;
}

/** "10.0.2.1 (front-end, configured)" or "203.0.113.5 (role unknown)". */
export function describeEndpoint(ip: string, e: EndpointRoles): string {
  return isKnown(e) ? `${ip} (${e.roles.join(', ')}, ${e.source})` : `${ip} (role unknown)`;
}

function andMore(items: readonly string[], total: number, sep: string): string {
  const more = total - items.length;
  return more > 0 ? `${items.join(sep)}${sep}and ${more} more` : items.join(sep);
}

function ruleLine(r: IndexedRule): string {
  return `${r.rule.id} (${r.rule.protocol} from ${r.rule.from.join(', ')} to ${r.rule.to.join(', ')})`;
}

function ruleList(rules: readonly IndexedRule[]): string {
  return andMore(rules.slice(0, MAX_NAMED).map(ruleLine), rules.length, '; ');
}

/** The distinct "from X to Y" role pairs of the rules. */
function rolePairs(rules: readonly IndexedRule[]): string {
  const pairs = [...new Set(rules.map((r) => `from ${r.rule.from.join(', ')} to ${r.rule.to.join(', ')}`))];
  return andMore(pairs.slice(0, MAX_NAMED), pairs.length, '; ');
}

/** "tcp/5061" when the rules hold the server's port, else "tcp/50000 (the client's port)". */
function portLabel(atServer: boolean): Explainer {
  return atServer ? (t, _c, s) => `${t}/${s}` : (t, c) => `${t}/${c} (the client's port)`;
}

function unknownEnds(k: ExplainCase): string {
  const c = isKnown(k.client);
  const s = isKnown(k.server);
  if (!c && !s) return "neither end's role is known";
  return !c ? "the client's role is unknown" : "the server's role is unknown";
}

/** How a match without both roles was made: by transport and port alone, or with the one known end's role checked. */
function portMatch(k: ExplainCase): string {
  const c = isKnown(k.client);
  const s = isKnown(k.server);
  if (c === s) return `; matched by transport and port only, because ${unknownEnds(k)}.`;
  const [known, unknown] = c ? (['client', 'server'] as const) : (['server', 'client'] as const);
  return `; ${endIs(known, c ? k.client : k.server)}, which fits the rules; the ${unknown}'s role is unknown, so that end is matched by transport and port only.`;
}

/** `atServer`: the rules hold the server's port (else only the client's). */
export function explainDocumented(k: ExplainCase, rules: readonly IndexedRule[], confidence: 'role' | 'port', atServer: boolean): Explainer {
  let rest = ` is documented by ${ruleList(rules)}`;
  rest += confidence === 'role'
    ? `; roles checked: ${endIs('client', k.client)}, ${endIs('server', k.server)}.`
    : portMatch(k);
  if (rules.some((r) => r.rule.broad)) {
    rest += k.media ? ' A broad media range documents it because media payload was seen.' : " A broad media range documents it because the listening end's known role fits.";
  }
  const label = portLabel(atServer);
  return (t, c, s) => label(t, c, s) + rest;
}

/** Which end keeps the mismatched rules from fitting: the same end for all of them, or it varies. */
function misfit(k: ExplainCase, rules: readonly IndexedRule[]): string {
  const clientFails = rules.every((r) => fit(k.client, r.from) === NO);
  const serverFails = rules.every((r) => fit(k.server, r.to) === NO);
  if (serverFails && !clientFails) return "no rule names the server's role as the listener";
  if (clientFails && !serverFails) return "no rule names the client's role as the opener";
  if (clientFails) return 'neither end has a role these rules name';
  return 'no rule fits both ends';
}

export function explainMisdirected(k: ExplainCase, c: Candidates, atServer: boolean): Explainer {
  if (c.mismatch !== undefined) {
    let rest = ` is documented ${rolePairs(c.mismatch)}; here ${endIs('client', k.client)} and ${endIs('server', k.server)}, so ${misfit(k, c.mismatch)}.`;
    if (c.reversed !== undefined) {
      rest += ` The roles fit the opposite direction (${andMore(c.reversed.slice(0, MAX_NAMED).map((r) => r.rule.id), c.reversed.length, ', ')}): the flow was opened the wrong way.`;
    }
    const label = portLabel(atServer);
    return (t, cp, sp) => label(t, cp, sp) + rest;
  }
  const swapped = c.swapped ?? [];
  const serverSide = swapped.some((r) => r.rule.portSide === 'server');
  const what = serverSide ? 'the listening (server) port' : "the opener's source port";
  const holder = serverSide ? 'the client holds it' : 'the server holds it';
  const rules = ruleList(swapped);
  return (t, cp, sp) => `${t}/${serverSide ? cp : sp} is ${what} of ${rules}, but here ${holder}: the client opened the flow from port ${cp} to port ${sp}, so it runs in the wrong direction.`;
}

export function explainUndocumented(k: ExplainCase, c: Candidates): Explainer {
  let rest = '';
  if (c.firstGated !== undefined) {
    const named = c.gatedAtServer > 1 ? `${c.firstGated.rule.id} and ${c.gatedAtServer - 1} more` : c.firstGated.rule.id;
    const listener = isKnown(k.server) ? `the server's roles (${k.server.roles.join(', ')}) do not fit them` : "the server's role is unknown";
    rest = ` Broad media ranges hold the server's port (${named}), but they document a flow only with media payload or a listening end known to fit: no media payload was seen and ${listener}.`;
  }
  if (c.gatedAtClient !== undefined && k.media) {
    // Media from a client's media port: say why its range does not document the flow.
    rest += ` The client's port is only in broad media ranges (such as ${c.gatedAtClient.rule.id}), which document the flows opened to them, and one their holder opens only when it carries media to a peer's media port.`;
  }
  return (t, cp, sp) => `No rule of the chosen packs documents ${t}/${sp} (the server's port) or ${t}/${cp} (the client's port).${rest}`;
}

export function explainUnclassified(transport: string): string {
  return `${transport} flows are not classified against the port catalog (it documents TCP and UDP ports only); ICMP errors are reported on the flows they quote.`;
}
