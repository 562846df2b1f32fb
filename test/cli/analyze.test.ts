import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SAMPLES } from '../helpers/environment.js';
import { CLI, flowaudit } from '../helpers/cli.js';

const PCAP = join(SAMPLES, 'edge-dmz.pcap');
const PCAPNG = join(SAMPLES, 'edge-dmz.pcapng');
const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-cli-'));

/** The report with what legitimately differs between ways of feeding the same bytes removed. */
function comparable(json: string) {
  const report = JSON.parse(json);
  for (const input of report.inputs) { delete input.path; delete input.compressed; }
  return report;
}

/** Splits a little-endian classic pcap into files of `per` records each, like `tcpdump -C`. */
function splitPcap(bytes: Buffer, per: number): Buffer[] {
  const header = bytes.subarray(0, 24);
  const files: Buffer[] = [];
  let records: Buffer[] = [];
  for (let off = 24; off < bytes.length;) {
    const len = 16 + bytes.readUInt32LE(off + 8);
    records.push(bytes.subarray(off, off + len));
    off += len;
    if (records.length === per) { files.push(Buffer.concat([header, ...records])); records = []; }
  }
  if (records.length) files.push(Buffer.concat([header, ...records]));
  return files;
}

describe('flowaudit analyze', () => {
  it('writes a JSON report and a summary, and exits 0', () => {
    const out = join(tmp, 'r.json');
    const r = flowaudit(['analyze', PCAPNG, '--json', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/packets, .* flows/);
    expect(r.stdout).toContain(`JSON report: ${out}`);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.schema).toBe('flowaudit-report/1');
    expect(report.inputs[0]).toMatchObject({ path: PCAPNG, format: 'pcapng' });
    expect(report.flows.length).toBe(report.totals.flows);
  });

  it('keeps stdout pure JSON with --json -, the summary going to stderr', () => {
    const r = flowaudit(['analyze', PCAP, '--json', '-']);
    expect(r.status).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toMatch(/flows/);
  });

  it('gives the same report from a file, from stdin, and from a gzip copy', () => {
    const bytes = readFileSync(PCAP);
    const fromFile = flowaudit(['analyze', PCAP, '--json', '-', '-q']);
    const fromStdin = flowaudit(['analyze', '-', '--json', '-', '-q'], bytes);
    const gz = join(tmp, 'edge.pcap.gz');
    writeFileSync(gz, gzipSync(bytes));
    const fromGzip = flowaudit(['analyze', gz, '--json', '-', '-q']);
    const fromGzipStdin = flowaudit(['analyze', '-', '--json', '-', '-q'], gzipSync(bytes));
    expect(fromStdin.status).toBe(0);
    expect(comparable(fromStdin.stdout)).toEqual(comparable(fromFile.stdout));
    expect(comparable(fromGzip.stdout)).toEqual(comparable(fromFile.stdout));
    expect(comparable(fromGzipStdin.stdout)).toEqual(comparable(fromFile.stdout));
    expect(JSON.parse(fromGzip.stdout).inputs[0].compressed).toBe(true);
  });

  it('is byte-identical across two runs', () => {
    const a = flowaudit(['analyze', PCAPNG, '--json', '-', '-q']);
    const b = flowaudit(['analyze', PCAPNG, '--json', '-', '-q']);
    expect(a.stdout).toBe(b.stdout);
  });

  it('reads ring-buffer pieces in time order as one capture, whatever order they are given in', () => {
    const pieces = splitPcap(readFileSync(PCAP), 50);
    expect(pieces.length).toBeGreaterThan(2);
    const paths = pieces.map((p, i) => { const f = join(tmp, `ring.pcap${i === 0 ? '' : i}`); writeFileSync(f, p); return f; });
    const whole = JSON.parse(flowaudit(['analyze', PCAP, '--json', '-', '-q']).stdout);
    const ring = JSON.parse(flowaudit(['analyze', ...[...paths].reverse(), '--json', '-', '-q']).stdout);
    expect(ring.inputs.map((i: { path: string }) => i.path)).toEqual(paths);
    expect(ring.flows).toEqual(whole.flows);
    expect(ring.totals).toEqual(whole.totals);
  });

  it('reports a truncated capture with what came before the cut, as a warning', () => {
    const bytes = readFileSync(PCAP);
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const r = flowaudit(['analyze', cut, '--json', '-', '-q']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*cut\.pcap: truncated at byte \d+ after [\d,]+ packets/m);
    const report = JSON.parse(r.stdout);
    expect(report.inputs[0].stopped.kind).toBe('truncated');
    expect(report.totals.packets).toBe(report.inputs[0].stopped.afterPackets);
    expect(report.totals.packets).toBeGreaterThan(0);
    // One packet, and the cut inside the second record: "after 1 packet".
    const first = 24 + 16 + bytes.readUInt32LE(24 + 8);
    writeFileSync(cut, bytes.subarray(0, first + 10));
    expect(flowaudit(['analyze', cut, '-q']).stderr).toMatch(/^warning: .*cut\.pcap: truncated at byte \d+ after 1 packet: /m);
  });

  it('keeps every packet when the live-flow cap evicts flows early', () => {
    const whole = JSON.parse(flowaudit(['analyze', PCAPNG, '--json', '-', '-q']).stdout);
    const capped = JSON.parse(flowaudit(['analyze', PCAPNG, '--json', '-', '-q', '--max-live-flows', '4']).stdout);
    expect(capped.totals.flowsEvicted).toBeGreaterThan(0);
    expect(capped.totals.peakLiveFlows).toBeLessThanOrEqual(4);
    expect(capped.inputs[0].anomalies.flow_evicted_cap).toBe(capped.totals.flowsEvicted);
    const packets = (r: { flows: { packets: { fromClient: number; fromServer: number } }[] }) =>
      r.flows.reduce((n, f) => n + f.packets.fromClient + f.packets.fromServer, 0);
    expect(packets(capped)).toBe(packets(whole));
    expect(capped.flows.length).toBeGreaterThanOrEqual(whole.flows.length);
  });

  const usage: [string, string[], RegExp][] = [
    ['a missing file', ['analyze', join(tmp, 'nope.pcap')], new RegExp(`^flowaudit: cannot read ${join(tmp, 'nope.pcap')}: no such file or directory\n$`)],
    ['a directory', ['analyze', tmp], new RegExp(`^flowaudit: cannot read ${tmp}: it is a directory\n$`)],
    ['a file that is not a capture', ['analyze', join(SAMPLES, '..', 'package.json')], /not a pcap or pcapng capture/],
    ['an empty file', ['analyze', join(tmp, 'empty')], /empty input/],
    ['no capture', ['analyze'], /missing required argument/],
    ['an unknown option', ['analyze', PCAP, '--bogus'], /unknown option/],
    ['a bad number', ['analyze', PCAP, '--max-live-flows', 'lots'], /positive/],
    ['an unknown command', ['analyse', PCAP], /unknown command/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 with a one-line error and no stack trace for ${what}`, () => {
      writeFileSync(join(tmp, 'empty'), '');
      const r = flowaudit(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
    });
  }

  it('checks the inputs and every output path before reading a capture: one line per problem, exit 2, nothing written', () => {
    const html = join(tmp, 'no-such-dir', 'r.html');
    const json = join(tmp, 'ok.json');
    const r = flowaudit(['analyze', join(tmp, 'nope.pcap'), PCAP, SAMPLES, '--json', json, '--html', html, '--pb', tmp]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe([
      `flowaudit: cannot read ${join(tmp, 'nope.pcap')}: no such file or directory`,
      `flowaudit: cannot read ${SAMPLES}: it is a directory`,
      `flowaudit: cannot write ${tmp} (--pb): it is a directory`,
      `flowaudit: cannot write ${html} (--html): no such directory ${join(tmp, 'no-such-dir')}`,
      '',
    ].join('\n'));
    expect(() => readFileSync(json)).toThrow(/ENOENT/);
  });

  it('never overwrites an input capture with a report', () => {
    const copy = join(tmp, 'input-copy.pcap');
    writeFileSync(copy, readFileSync(PCAP));
    const r = flowaudit(['analyze', copy, '--json', copy]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`flowaudit: cannot write ${copy} (--json): it is one of the input captures\n`);
    expect(readFileSync(copy).equals(readFileSync(PCAP))).toBe(true);
  });

  it('never overwrites an input through a hard link, nor one output with another, and wants a name for each output', () => {
    const input = join(tmp, 'linked.pcap');
    const link = join(tmp, 'hard-link.pcap');
    writeFileSync(input, readFileSync(PCAP));
    linkSync(input, link);
    const r = flowaudit(['analyze', input, '--json', link, '--html', join(tmp, 'same.out'), '--infer-topology', join(tmp, 'same.out'), '--pb', '']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe([
      `flowaudit: cannot write ${link} (--json): it is one of the input captures`,
      'flowaudit: --pb needs a file name, or - for standard output',
      `flowaudit: cannot write ${join(tmp, 'same.out')} (--infer-topology): --html writes it too`,
      '',
    ].join('\n'));
    expect(readFileSync(input).equals(readFileSync(PCAP))).toBe(true);
  });

  it('refuses a capture given twice, by the same path, another path or a link, and standard input twice', () => {
    const link = join(tmp, 'again.pcap');
    linkSync(PCAP, link);
    const r = flowaudit(['analyze', PCAP, PCAP, link, '-', '-']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe([
      `flowaudit: ${PCAP} is given twice`,
      `flowaudit: ${link} is ${PCAP}, given already`,
      'flowaudit: - is given twice',
      '',
    ].join('\n'));
    expect(r.stdout).toBe('');
  });

  it('knows standard input by the file behind it, follows a symlinked directory to a new output, and lets devices take any outputs', () => {
    const victim = join(tmp, 'victim.pcap');
    writeFileSync(victim, readFileSync(PCAP));
    const sh = (args: string) => spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" analyze ${args}`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const twice = sh(`"${victim}" - < "${victim}"`);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toBe(`flowaudit: - is ${victim}, given already\n`);
    const overwrite = sh(`- --json /dev/stdin < "${victim}"`);
    expect(overwrite.status).toBe(2);
    expect(overwrite.stderr).toBe('flowaudit: cannot write /dev/stdin (--json): it is one of the input captures\n');
    expect(readFileSync(victim).equals(readFileSync(PCAP))).toBe(true);
    const real = join(tmp, 'real-dir');
    mkdirSync(real);
    symlinkSync(real, join(tmp, 'link-dir'));
    const viaLink = flowaudit(['analyze', PCAP, '--json', join(real, 'x.out'), '--infer-topology', join(tmp, 'link-dir', 'x.out')]);
    expect(viaLink.status).toBe(2);
    expect(viaLink.stderr).toBe(`flowaudit: cannot write ${join(tmp, 'link-dir', 'x.out')} (--infer-topology): --json writes it too\n`);
    expect(flowaudit(['analyze', PCAP, '-q', '--json', '/dev/null', '--pb', '/dev/null']).status).toBe(0);
  });

  it('reads a pipe given as a path (process substitution, a FIFO) as it reads standard input, gzip or not', () => {
    const file = join(tmp, 'from-file.json');
    expect(flowaudit(['analyze', PCAP, '-q', '--json', file]).status).toBe(0);
    for (const [what, producer] of [['plain', 'cat'], ['gzip', 'gzip -c']]) {
      const piped = join(tmp, `from-pipe-${what}.json`);
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" analyze <(${producer} "${PCAP}") -q --json "${piped}"`], { encoding: 'utf8' });
      expect(r.stderr, what).toBe('');
      expect(r.status, what).toBe(0);
      const report = JSON.parse(readFileSync(piped, 'utf8'));
      const expected = JSON.parse(readFileSync(file, 'utf8'));
      expect(report.inputs[0].compressed, what).toBe(what === 'gzip');
      for (const r2 of [report, expected]) r2.inputs[0] = { ...r2.inputs[0], path: '', compressed: false };
      expect(report, what).toEqual(expected);
    }
  });

  it('prints a file name\'s control characters as \\xNN: a name cannot colour the terminal or forge a line', () => {
    const evil = join(tmp, 'evil\x1b[31mRED\rX\nfake.pcap');
    writeFileSync(evil, readFileSync(PCAP).subarray(0, 2000)); // cut: a warning names the file too
    const r = flowaudit(['analyze', evil, '--json', join(tmp, 'evil\x07.json')]);
    expect(r.status).toBe(0);
    for (const out of [r.stdout, r.stderr]) expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(r.stdout).toContain('evil\\x1b[31mRED\\x0dX\\x0afake.pcap: pcap');
    expect(r.stdout).toContain('evil\\x07.json');
    expect(r.stderr).toContain('warning: ');
    expect(r.stderr).toContain('evil\\x1b[31mRED\\x0dX\\x0afake.pcap: ');
    const missing = flowaudit(['analyze', `${evil}.missing`]);
    expect(missing.stderr).toBe(`flowaudit: cannot read ${tmp}/evil\\x1b[31mRED\\x0dX\\x0afake.pcap.missing: no such file or directory\n`);
  });

  it('keeps the --fail-on exit code when the reader of standard output goes away (| head)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" analyze "${PCAP}" -q --json - --fail-on info | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('1');
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk is the user\'s to fix: one line naming the output, exit 2, no stack trace', () => {
    for (const args of [['--json', '/dev/full'], ['--pb', '/dev/full'], ['--html', '/dev/full'], ['--infer-topology', '/dev/full']]) {
      const r = flowaudit(['analyze', PCAP, '-q', ...args]);
      expect(r.status, args[0]).toBe(2);
      expect(r.stderr, args[0]).toBe(`flowaudit: cannot write /dev/full (${args[0]}): no space left on device, write\n`);
    }
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" analyze "${PCAP}" -q --json - > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flowaudit: cannot write standard output(?: \(--json\))?: no space left on device, write\n$/);
  });

  it('refuses two reports on standard output', () => {
    const r = flowaudit(['analyze', PCAP, '--json', '-', '--infer-topology', '-']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('flowaudit: --json - and --infer-topology - cannot both use standard output\n');
  });

  it('writes the inferred topology to standard output with --infer-topology -, the summary to stderr', () => {
    const r = flowaudit(['analyze', PCAP, '--infer-topology', '-']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).roles['edge-av']).toBeDefined();
    expect(r.stderr).toMatch(/^Verdicts: /m);
  });

  it('documents exit codes and examples in --help', () => {
    for (const args of [['--help'], ['analyze', '--help']]) {
      const r = flowaudit(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Exit codes:/);
      expect(r.stdout).toMatch(/2 +usage error/);
    }
    expect(flowaudit(['analyze', '--help']).stdout).toMatch(/Examples:[\s\S]*tcpdump .* -w - \| flowaudit analyze -/);
  });
});
