/**
 * Colours and terminal output: the decision rule (NO_COLOR, FORCE_COLOR,
 * TERM=dumb, TTY), then the real CLI: no escape or carriage return in piped
 * output whatever the environment says, colours on a pseudo-terminal unless
 * NO_COLOR is set, and the progress line erased before the summary.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colourEnabled } from '../../src/cli/colour.js';
import { CLI } from '../helpers/cli.js';
import { hasTool, SAMPLES, skipNote } from '../helpers/environment.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-colour-'));
/** A capture cut inside a record: the run warns on stderr, the warning word is coloured on a terminal. */
const cut = join(tmp, 'cut.pcap');
writeFileSync(cut, readFileSync(join(SAMPLES, 'edge-dmz.pcap')).subarray(0, 3001));

/** The environment without any colour setting of the test runner's own. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.TERM;
  return { ...env, ...extra };
}

function piped(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('colourEnabled', () => {
  const cases: [Record<string, string>, boolean, boolean][] = [
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: 'false' }, true, false], // any non-empty value (no-color.org)
    [{ NO_COLOR: '' }, true, true], // empty means unset
    [{ TERM: 'dumb' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '' }, false, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true, false], // NO_COLOR wins
  ];
  for (const [env, tty, expected] of cases) {
    it(`${JSON.stringify(env)} on ${tty ? 'a terminal' : 'a pipe'}: ${expected ? 'colour' : 'none'}`, () => {
      expect(colourEnabled(env, tty)).toBe(expected);
    });
  }
});

describe('piped output', () => {
  it('has no escape sequence and no carriage return on stdout or stderr', () => {
    const r = piped(['analyze', cut], cleanEnv());
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/flows/);
    expect(r.stderr).toMatch(/^warning: /);
    expect(r.stdout + r.stderr).not.toMatch(/[\x1b\r]/);
  });

  it('is coloured with FORCE_COLOR (for CI logs), unless NO_COLOR is also set', () => {
    expect(piped(['analyze', cut], cleanEnv({ FORCE_COLOR: '1' })).stderr).toMatch(/^\x1b\[33mwarning:\x1b\[0m /);
    const both = piped(['analyze', cut], cleanEnv({ FORCE_COLOR: '1', NO_COLOR: '1' }));
    expect(both.stdout + both.stderr).not.toMatch(/\x1b/);
  });
});

const hasScript = hasTool('script');
skipNote('colours and progress on a pseudo-terminal', hasScript ? [] : ['script (util-linux)']);

describe.skipIf(!hasScript)('on a pseudo-terminal (util-linux script)', () => {
  /** Runs the CLI with stdin, stdout and stderr on a pty; returns everything the terminal received. */
  function onTty(args: string[], env: NodeJS.ProcessEnv): string {
    const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env });
    expect(r.status).toBe(0);
    return r.stdout;
  }

  it('refuses to write the binary protobuf export to the terminal (exit 2)', () => {
    const command = `'${process.execPath}' '${CLI}' analyze '${join(SAMPLES, 'edge-mini.pcap')}' --pb -; echo "exit $?"`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: cleanEnv() });
    expect(r.stdout).toBe('flowaudit: --pb - would write binary data to the terminal; redirect it to a file or a pipe\r\nexit 2\r\n');
  });

  it('colours the warning, and NO_COLOR removes every escape', () => {
    expect(onTty(['analyze', cut], cleanEnv({ TERM: 'xterm' }))).toContain('\x1b[33mwarning:\x1b[0m');
    expect(onTty(['analyze', cut], cleanEnv({ TERM: 'xterm', NO_COLOR: '1' }))).not.toMatch(/\x1b/);
  });

  it('draws progress while reading a slow standard input, erases it before the summary, and draws none with --quiet', () => {
    const sample = join(SAMPLES, 'edge-dmz.pcap');
    // Half the capture, a pause longer than the progress delay, then the rest: the second chunk draws the line.
    const feed = `(head -c 20000 '${sample}'; sleep 0.8; tail -c +20001 '${sample}')`;
    const run = (quiet: string) => {
      const command = `${feed} | '${process.execPath}' '${CLI}' analyze - ${quiet}`;
      const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: cleanEnv({ TERM: 'xterm', NO_COLOR: '1' }) });
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const out = run('');
    expect(out).toMatch(/\r[\d.]+ KiB read {2}[\d,]+ packets {2}/);
    // Every line the terminal finally shows (the text after its last carriage return) is free of progress text.
    for (const line of out.split('\r\n')) expect(line.split('\r').at(-1)).not.toMatch(/ read {2}/);
    expect(out).toMatch(/packets, .* flows/);
    const quiet = run('-q');
    expect(quiet).toBe('');
  });
});
