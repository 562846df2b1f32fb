/**
 * `flowaudit catalog list|show|lookup|validate`: explains the port catalog to
 * a user who wonders why a flow got its verdict. Options parsed here, answers
 * computed by src/catalog/describe.ts, text rendered by src/report/catalog-text.ts.
 * A ConfigError (bad --catalog-file, unknown pack) propagates to main.ts,
 * which prints its lines and exits 2.
 */
import { Command } from 'commander';
import {
  formatQuery,
  lookupHitCount,
  lookupPorts,
  packListing,
  parsePortQuery,
  ruleDetail,
  ruleSource,
  unknownRuleMessage,
  unloadedPacksDocumenting,
} from '../catalog/describe.js';
import { listPacks, loadCatalog } from '../catalog/load.js';
import type { Catalog } from '../catalog/types.js';
import { validateConfigFile } from '../catalog/validate-files.js';
import { lookupLines, mediaPathLines, packListLines, ruleDetailLines, ruleListLines, validateLines } from '../report/catalog-text.js';
import { addCatalogOptions, catalogLoadOptions, type CatalogCliOptions } from './catalog-options.js';
import { ExitCode } from './exit-codes.js';

interface CatalogCommandOptions extends CatalogCliOptions {
  json?: boolean;
}

const EXIT_HELP = `Exit codes:
  0  done (lookup: also when no rule documents the port)
  2  usage error, unknown rule or pack, or an invalid or unreadable catalog file`;

const VALIDATE_EXIT_HELP = `Exit codes:
  0  every file is valid
  2  a file is invalid or unreadable, or a usage error`;

/** The options every catalog subcommand takes. */
function withCatalogOptions(cmd: Command): Command {
  return addCatalogOptions(cmd).option('--json', 'print machine-readable JSON instead of text');
}

function loadChosen(opts: CatalogCommandOptions): Catalog {
  return loadCatalog(catalogLoadOptions(opts));
}

/** Every shipped pack, for listing the packs not loaded and pointing at them. */
function loadShipped(): Catalog {
  return loadCatalog({ packs: listPacks() });
}

/** Writes to stdout; main.ts ends the process quietly when the reader went away (`| head`). */
function write(text: string): void {
  process.stdout.write(text);
}

function print(lines: readonly string[]): void {
  write(`${lines.join('\n')}\n`);
}

function printJson(value: unknown): void {
  write(`${JSON.stringify(value, null, 2)}\n`);
}

function runList(opts: CatalogCommandOptions & { rules?: boolean }): number {
  const chosen = loadChosen(opts);
  const packs = packListing(loadShipped(), chosen);
  if (opts.json) {
    printJson({ catalogDir: chosen.dir, packs, ...(opts.rules && { rules: chosen.rules }) });
    return ExitCode.Ok;
  }
  print(packListLines(packs));
  if (opts.rules) print(['', `Rules (${chosen.rules.length}, in load order):`, ...ruleListLines(chosen.rules)]);
  return ExitCode.Ok;
}

function runShow(id: string, opts: CatalogCommandOptions): number {
  const catalog = loadChosen(opts);
  const rule = catalog.ruleById.get(id);
  if (rule !== undefined) {
    const detail = ruleDetail(catalog, rule);
    if (opts.json) printJson(detail);
    else print(ruleDetailLines(detail));
    return ExitCode.Ok;
  }
  const path = catalog.mediaPaths.find((m) => m.id === id);
  if (path !== undefined) {
    if (opts.json) printJson({ mediaPath: path });
    else print(mediaPathLines(catalog, path));
    return ExitCode.Ok;
  }
  process.stderr.write(`flowaudit: ${unknownRuleMessage(catalog, id, listPacks())}\n`);
  return ExitCode.UsageOrInput;
}

function runLookup(spec: string, opts: CatalogCommandOptions): number {
  const query = parsePortQuery(spec);
  if (typeof query === 'string') {
    process.stderr.write(`flowaudit: ${query}\n`);
    return ExitCode.UsageOrInput;
  }
  const catalog = loadChosen(opts);
  const result = lookupPorts(catalog, query);
  const elsewhere = unloadedPacksDocumenting(loadShipped(), catalog, query);
  if (opts.json) {
    const groups = Object.fromEntries(
      Object.entries(result.groups).map(([g, hits]) => [g, hits.map((h) => ({ ...h, table: ruleSource(catalog, h.rule).table ?? null }))]),
    );
    printJson({
      query: formatQuery(query),
      transport: query.transport,
      ports: [query.lo, query.hi],
      packs: result.packs,
      rules: lookupHitCount(result),
      groups,
      undocumented: result.undocumented,
      broadOnly: result.broadOnly,
      notLoaded: elsewhere,
    });
  } else print(lookupLines(catalog, result, elsewhere));
  return ExitCode.Ok;
}

function runValidate(files: string[], opts: CatalogCommandOptions): number {
  // The context itself must load: its errors are not the validated files' errors.
  loadChosen(opts);
  const context = { ...(opts.catalog !== undefined && { packs: opts.catalog }), extraFiles: opts.catalogFile ?? [] };
  const results = files.map((f) => validateConfigFile(f, context));
  const ok = results.every((r) => r.ok);
  if (opts.json) printJson({ ok, files: results });
  else print(validateLines(results));
  return ok ? ExitCode.Ok : ExitCode.UsageOrInput;
}

/** Adds `catalog` and its subcommands to the program. */
export function addCatalogCommand(program: Command): Command {
  const catalog = program
    .command('catalog')
    .description('explain the port catalog: its packs and rules, which rules document a port, and check user rule and topology files')
    .addHelpText('after', `
Examples:
  flowaudit catalog list --rules
  flowaudit catalog show sfb2015-servers/fe-sip-tls-5061
  flowaudit catalog lookup tcp/5061
  flowaudit catalog validate my-rules.json site-topology.json

${EXIT_HELP}`);

  withCatalogOptions(
    catalog
      .command('list')
      .description('list the packs (id, title, default or not, rule count, source document); with --rules, one line per rule')
      .option('--rules', 'also list every loaded rule: id, transport/ports, from -> to roles, protocol, service'),
  )
    .addHelpText('after', `
Examples:
  flowaudit catalog list
  flowaudit catalog list --rules
  flowaudit catalog list --rules --catalog sfb2015-servers,sfb2015-edge,media-ranges
  flowaudit catalog list --rules --catalog-file site-rules.json --json

${EXIT_HELP}`)
    .action((opts: CatalogCommandOptions & { rules?: boolean }) => {
      process.exitCode = runList(opts);
    });

  withCatalogOptions(
    catalog
      .command('show')
      .description('everything about one rule: ports and their side, roles, service, protocol, broad, inferred fields, notes, citation, override')
      .argument('<rule-id>', 'a rule id as listed by "flowaudit catalog list --rules" (a media path id works too)'),
  )
    .addHelpText('after', `
Examples:
  flowaudit catalog show sfb2015-servers/fe-sip-tls-5061
  flowaudit catalog show lync2013-edge/ext-e15-stun-tcp-in-443 --catalog-file catalog/examples/single-ip-edge.json
  flowaudit catalog show sfb2015-edge/ext-e6-sip-mtls-in-5061 --catalog sfb2015-servers,sfb2015-edge --json

${EXIT_HELP}`)
    .action((id: string, opts: CatalogCommandOptions) => {
      process.exitCode = runShow(id, opts);
    });

  withCatalogOptions(
    catalog
      .command('lookup')
      .description('every rule documenting a port, grouped into server side, client side, either side and broad media ranges')
      .argument('<port>', 'tcp/PORT, udp/PORT, or a range such as udp/50000-50010'),
  )
    .addHelpText('after', `
Examples:
  flowaudit catalog lookup tcp/5061
  flowaudit catalog lookup udp/3478 --catalog sfb2015-servers,sfb2015-edge
  flowaudit catalog lookup udp/50000-50010
  flowaudit catalog lookup tcp/444 --catalog-file catalog/examples/single-ip-edge.json --json

${EXIT_HELP}`)
    .action((spec: string, opts: CatalogCommandOptions) => {
      process.exitCode = runLookup(spec, opts);
    });

  withCatalogOptions(
    catalog
      .command('validate')
      .description('check user rule files and topology files (a file with a top-level "roles" is a topology); rule files are checked on top of the chosen packs')
      .argument('<files...>', 'rule files (as for --catalog-file) and topology files'),
  )
    .addHelpText('after', `
Examples:
  flowaudit catalog validate catalog/examples/*.json
  flowaudit catalog validate site-topology.json site-rules.json
  flowaudit catalog validate site-rules.json --catalog sfb2015-servers,sfb2015-edge --json

${VALIDATE_EXIT_HELP}`)
    .action((files: string[], opts: CatalogCommandOptions) => {
      process.exitCode = runValidate(files, opts);
    });

  // main.ts turns commander's exits into exceptions for the commands it knows; these are one level deeper.
  catalog.exitOverride();
  for (const sub of catalog.commands) sub.exitOverride();
  return catalog;
}
