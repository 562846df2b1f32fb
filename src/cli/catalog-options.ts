/**
 * The catalog options shared by `analyze` and the `catalog` subcommands:
 * which packs to load and which user rule files to add.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { LoadCatalogOptions } from '../catalog/load.js';

export interface CatalogCliOptions {
  catalog?: string[];
  catalogFile?: string[];
}

function packIds(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new InvalidArgumentError('expected pack ids separated by commas');
  return ids;
}

/** Commander's accumulator for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addCatalogOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--catalog <packs>', 'comma-separated pack ids to load (default: the packs enabled by default; see "flowaudit catalog list")').argParser(packIds))
    .addOption(new Option('--catalog-file <file>', 'a user rule file that adds rules or replaces rules by id (repeatable, applied in order)').argParser(collect));
}

export function catalogLoadOptions(opts: CatalogCliOptions): LoadCatalogOptions {
  return { ...(opts.catalog !== undefined && { packs: opts.catalog }), extraFiles: opts.catalogFile ?? [] };
}
