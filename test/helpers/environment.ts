/** Where the shared captures and the oracle tools are, and how to say they are missing. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_CAPTURES = resolve(REPO_ROOT, '..', 'shared', 'captures');
export const SAMPLES = join(REPO_ROOT, 'samples');

export const hasSharedCaptures = existsSync(SHARED_CAPTURES);

/** Capture files in ../shared/captures (empty when the folder is absent). */
export function sharedCaptures(): string[] {
  if (!hasSharedCaptures) return [];
  return readdirSync(SHARED_CAPTURES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

/** Explains, once per file, why a suite is skipped. */
export function skipNote(what: string, missing: string[]): void {
  if (missing.length > 0) console.warn(`[skipped] ${what}: needs ${missing.join(' and ')}, not available here`);
}

export function run(cmd: string, args: string[], input?: Buffer): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, { input, maxBuffer: 512 * 1024 * 1024, encoding: 'buffer' });
  return { stdout: r.stdout?.toString('utf8') ?? '', stderr: r.stderr?.toString('utf8') ?? '', status: r.status ?? -1 };
}

/** tshark's standard output; it still prints its tables when it stops at a damaged record (exit status 2). */
export function tsharkOutput(args: string[]): string {
  const r = spawnSync('tshark', args, { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 && !/appears to (have been cut short|be damaged or corrupt)/.test(r.stderr)) {
    throw new Error(`tshark ${args.join(' ')} failed: ${r.stderr}`);
  }
  return r.stdout;
}

/**
 * A fuzzed classic pcap whose second record is impossible. tshark then guesses
 * that the file is one of libpcap's 1999 "modified" variants (24-byte record
 * headers, same magic number) and re-reads it that way: one more bogus 1-byte
 * packet, and a first frame shifted by 8 bytes that no longer decodes as IP.
 * flowaudit does not guess formats from damaged data: the magic number says
 * standard pcap, so it reports 1 packet and the corruption at byte 228.
 */
export const TSHARK_GUESSES_FORMAT = 'corrupt_huge_caplen_suricata.pcap';
