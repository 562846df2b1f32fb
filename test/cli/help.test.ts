/**
 * `--help` of every command, found by walking the help output itself (so a
 * new command is covered without editing this test): each has examples and
 * the exit codes; the exit codes in the README and in --help match the
 * ExitCode contract.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { flowaudit } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/environment.js';

/** Subcommand names listed under "Commands:" in a help text ("help" is commander's own). */
function subcommands(help: string): string[] {
  const section = /\nCommands:\n([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
}

function allCommands(prefix: string[] = []): string[][] {
  const help = flowaudit([...prefix, '--help']).stdout;
  return [prefix, ...subcommands(help).flatMap((name) => allCommands([...prefix, name]))];
}

const commands = allCommands();

describe('--help', () => {
  it('finds every command: analyze, catalog and its four subcommands', () => {
    expect(commands.map((c) => c.join(' ')).sort()).toEqual(
      ['', 'analyze', 'catalog', 'catalog list', 'catalog lookup', 'catalog show', 'catalog validate']);
  });

  for (const command of commands) {
    it(`flowaudit ${command.join(' ')} --help has examples and exit codes, and exits 0`, () => {
      const r = flowaudit([...command, '--help']);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/\nExamples:\n {2}(flowaudit|tcpdump) /);
      expect(r.stdout).toMatch(/\nExit codes:\n {2}0 {2}/);
    });
  }

  it('analyze --help explains the summary, progress, colours, and shows --pb', () => {
    const help = flowaudit(['analyze', '--help']).stdout;
    expect(help).toMatch(/--pb <file>/);
    expect(help).toMatch(/progress line .* stderr when it is a terminal/s);
    expect(help).toMatch(/NO_COLOR=1/);
    expect(help).toMatch(/flowaudit analyze \S+ --pb \S+/);
  });
});

describe('exit codes are documented the same everywhere', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const table = /### Exit codes\n\n([\s\S]*?)\n\n/.exec(readme)?.[1] ?? '';
  const help = flowaudit(['--help']).stdout;
  const codes = Object.values(ExitCode).sort();

  it('the README table and --help list exactly the codes of ExitCode', () => {
    expect([...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))).toEqual(codes);
    const helpCodes = /Exit codes:\n((?: {2}\d .*\n?)+)/.exec(help)?.[1] ?? '';
    expect([...helpCodes.matchAll(/^ {2}(\d) /gm)].map((m) => Number(m[1]))).toEqual(codes);
  });

  it('the README documents the console behaviour: NO_COLOR, progress on stderr, --quiet', () => {
    expect(readme).toMatch(/NO_COLOR/);
    expect(readme).toMatch(/progress\s+line on standard error/);
    expect(readme).toMatch(/`--quiet` turns off both/);
  });
});
