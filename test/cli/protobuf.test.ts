/**
 * `analyze --pb`: the file is written beside the JSON, standard output gets
 * the same bytes with `--pb -`, and the README's Node snippet reads it back
 * to the JSON report's flow count and byte totals, as written in the README.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, flowaudit } from '../helpers/cli.js';
import { REPO_ROOT, SAMPLES } from '../helpers/environment.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowaudit-pb-'));
const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const snippet = /## Protobuf export[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

describe('flowaudit analyze --pb', () => {
  it('writes the export; the README snippet reads back the JSON report\'s flow count and TCP bytes', () => {
    const pb = join(tmp, 'flows.pb');
    const json = join(tmp, 'report.json');
    const r = flowaudit(['analyze', join(SAMPLES, 'edge-dmz.pcapng'), '--pb', pb, '--json', json]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Protobuf flow records: ${pb}`);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.flows.length).toBeGreaterThan(0);
    const tcpBytes = report.flows.filter((f: { transport: string }) => f.transport === 'tcp')
      .reduce((n: number, f: { bytes: { fromClient: number; fromServer: number } }) => n + f.bytes.fromClient + f.bytes.fromServer, 0);

    expect(snippet).toContain("'node_modules/flowaudit/proto/flowaudit.proto'");
    expect(snippet).toContain("'flows.pb'");
    // The snippet must resolve 'protobufjs' from this checkout's node_modules: run it from inside the repository.
    const dir = join(REPO_ROOT, '.cache', 'readme-snippet');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'read-pb.mjs');
    writeFileSync(file, snippet
      .replace("'node_modules/flowaudit/proto/flowaudit.proto'", JSON.stringify(join(REPO_ROOT, 'proto', 'flowaudit.proto')))
      .replace("'flows.pb'", JSON.stringify(pb)));
    const out = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe(`flowaudit-flows/1: ${report.totals.flows} flows announced, ${report.flows.length} read, ${tcpBytes} TCP bytes`);
  });

  it('writes the same bytes to standard output with --pb -, the summary going to stderr', () => {
    const pb = join(tmp, 'same.pb');
    const sample = join(SAMPLES, 'federation.pcap');
    expect(flowaudit(['analyze', sample, '--pb', pb, '-q']).status).toBe(0);
    const r = spawnSync(process.execPath, [CLI, 'analyze', sample, '--pb', '-'], { encoding: 'buffer', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(Buffer.compare(r.stdout, readFileSync(pb))).toBe(0);
    expect(r.stderr.toString('utf8')).toMatch(/flows/);
  });

  it('refuses --json - together with --pb - (one standard output), exit 2', () => {
    const r = flowaudit(['analyze', join(SAMPLES, 'federation.pcap'), '--json', '-', '--pb', '-']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('flowaudit: --json - and --pb - cannot both use standard output\n');
  });
});
