/**
 * A real TURN session to capture: coturn's turnserver, its UDP echo peers and its test clients, all
 * on loopback, recorded by tcpdump. Real peers speak what a hand-made capture would not think of
 * (channels past 0x4FFF, RFC 6062 data connections, RFC 5780 RESPONSE-PORT): the first session
 * found three gaps in flowaudit. Every process is bounded in time and traffic, and ends with the
 * session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { hasTool } from '../helpers/environment.js';

export const COTURN_TOOLS = ['turnserver', 'turnutils_uclient', 'turnutils_peer', 'turnutils_stunclient', 'tcpdump'];

/** What stops a session here: missing tools, or no root for tcpdump on the loopback interface. */
export function coturnSessionMissing(): string[] {
  const missing = COTURN_TOOLS.filter((t) => !hasTool(t));
  if (process.getuid?.() !== 0) missing.push('root (tcpdump on lo)');
  if (!Object.values(networkInterfaces()).flat().some((a) => a?.address === '::1')) missing.push('IPv6 loopback (::1)');
  return missing;
}

/** Ports of one session: the server, its RFC 5780 alternate port, the peers, then the relay range. */
interface Ports {
  server: number;
  alternate: number;
  peer: number;
  relayMin: number;
  relayMax: number;
}

export interface ClientRun {
  /** What the client tried (its flags). */
  name: string;
  status: number | null;
  output: string;
}

export interface CoturnSession {
  pcap: string;
  clients: ClientRun[];
  ports: Ports;
}

const USER = 'alice';
const PASSWORD = 'flowaudit-test';
const REALM = 'flowaudit.test';
const STEP_TIMEOUT_MS = 30_000;
/** The clients of a session (captureCoturnSession), each bounded by STEP_TIMEOUT_MS. */
const CLIENT_RUNS = 7;
/** The longest a session can take: its clients, and tcpdump's and turnserver's start and stop. */
export const SESSION_TIMEOUT_MS = STEP_TIMEOUT_MS * (CLIENT_RUNS + 4);

/** Starts `cmd` and resolves once `ready` appears in what it prints (rejects after STEP_TIMEOUT_MS or on exit). */
function startAndWait(cmd: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${cmd} did not get ready in ${STEP_TIMEOUT_MS} ms: ${seen.slice(-2000)}`)), STEP_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (ready.test(seen)) {
        clearTimeout(timer);
        child.stdout!.removeListener('data', onData);
        child.stderr!.removeListener('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${cmd} exited (${code}) before it was ready: ${seen.slice(-2000)}`)));
  });
}

/** Runs a client to its end (killed after STEP_TIMEOUT_MS). */
function runClient(name: string, cmd: string, args: string[]): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: STEP_TIMEOUT_MS });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', (err) => resolve({ name, status: null, output: `${output}\n${err.message}` }));
    child.once('close', (status) => resolve({ name, status, output }));
  });
}

function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill(signal);
  });
}

/** True when `port` can be bound on `ip`, over TCP and over UDP. */
async function portFree(ip: string, port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: ip, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const socket = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: ip, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/**
 * The first port of a block of 100 for a session: random, below Linux's ephemeral range
 * (32768-60999) so that no client's port falls among the session's, and with every port the
 * session may bind free: another session, or any server, may hold some.
 */
async function freePortBlock(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + 100 * Math.floor(Math.random() * 90);
    const relays = Array.from({ length: 90 }, (_, i) => base + 10 + i);
    const listened: [string, number][] = [
      ...['127.0.0.1', '127.0.0.2', '::1'].flatMap((ip): [string, number][] => [[ip, base], [ip, base + 1]]),
      ...['127.0.0.1', '::1'].flatMap((ip) => [base + 2, ...relays].map((port): [string, number] => [ip, port])),
    ];
    let free = true;
    for (const [ip, port] of listened) if (!(free = await portFree(ip, port))) break;
    if (free) return base;
  }
  throw new Error('no free block of ports for a coturn session in 20 tries');
}

/**
 * Records one session into `dir`/coturn.pcap: TURN over UDP with channels, with Send/Data
 * indications and with padded channels; TURN over TCP; an IPv6 relay; RFC 6062 TCP relays; an
 * RFC 5780 behaviour test. About 30 seconds in all, SESSION_TIMEOUT_MS at most.
 */
export async function captureCoturnSession(dir: string): Promise<CoturnSession> {
  const base = await freePortBlock();
  const ports: Ports = { server: base, alternate: base + 1, peer: base + 2, relayMin: base + 10, relayMax: base + 99 };
  const pcap = join(dir, 'coturn.pcap');
  const processes: ChildProcess[] = [];
  let tcpdump: ChildProcess | undefined;
  // A test worker that exits mid-session (a timeout) must not leave a root tcpdump or a server behind.
  const killAll = () => {
    for (const p of [...processes, tcpdump]) if (p !== undefined && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  };
  process.once('exit', killAll);
  try {
    // --immediate-mode: without it libpcap holds packets in the kernel for up to a second, and those
    // still held when tcpdump stops (the last client's, the RFC 5780 test) never reach the file.
    tcpdump = await startAndWait('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-n', '-w', pcap, `portrange ${base}-${base + 99}`], /listening on/);
    processes.push(await startAndWait('turnserver', [
      '-n', '--log-file=stdout', '--pidfile', join(dir, 'turnserver.pid'), '--userdb', join(dir, 'turndb'),
      '--listening-ip=127.0.0.1', '--listening-ip=127.0.0.2', '--listening-ip=::1', `--listening-port=${ports.server}`, `--alt-listening-port=${ports.alternate}`,
      '--relay-ip=127.0.0.1', '--relay-ip=::1', `--min-port=${ports.relayMin}`, `--max-port=${ports.relayMax}`,
      '--lt-cred-mech', `--user=${USER}:${PASSWORD}`, `--realm=${REALM}`, '--fingerprint',
      '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers',
    ], /Total General servers/));
    for (const ip of ['127.0.0.1', '::1']) {
      const peer = spawn('turnutils_peer', ['-p', String(ports.peer), '-L', ip], { stdio: 'ignore' });
      peer.once('error', () => {}); // a peer that cannot start shows as the clients' relayed data missing
      processes.push(peer);
    }
    await new Promise((r) => setTimeout(r, 300)); // the peers print nothing when ready

    const uclient = (flags: string[], server = '127.0.0.1', peer = '127.0.0.1') =>
      ['-p', String(ports.server), '-u', USER, '-w', PASSWORD, '-n', '10', '-m', '1', '-l', '120', '-e', peer, '-r', String(ports.peer), ...flags, server];
    const runs: [string, string, string[]][] = [
      ['udp, channels', 'turnutils_uclient', uclient([])],
      ['udp, send indications (-s)', 'turnutils_uclient', uclient(['-s'])],
      ['udp, padded channels (-D)', 'turnutils_uclient', uclient(['-D'])],
      ['tcp (-t)', 'turnutils_uclient', uclient(['-t'])],
      ['ipv6 relay (-x)', 'turnutils_uclient', uclient(['-x'], '::1', '::1')],
      ['rfc 6062 tcp relay (-T)', 'turnutils_uclient', ['-p', String(ports.server), '-u', USER, '-w', PASSWORD, '-n', '10', '-m', '1', '-l', '120', '-T', '127.0.0.1']],
      ['rfc 5780 (stunclient -f)', 'turnutils_stunclient', ['-p', String(ports.server), '-f', '127.0.0.1']],
    ];
    if (runs.length !== CLIENT_RUNS) throw new Error('CLIENT_RUNS is the number of runs');
    // One after another. Side by side, a client's relayed data went missing (4 of 10 messages, or all),
    // before tcpdump ran in immediate mode: perhaps the same lost tail, all clients ending together.
    // Apart, each run is also easier to read in the capture.
    const clients: ClientRun[] = [];
    for (const [name, cmd, args] of runs) clients.push(await runClient(name, cmd, args));
    await new Promise((r) => setTimeout(r, 200)); // the last answers reach tcpdump
    return { pcap, clients, ports };
  } finally {
    await Promise.all(processes.map((p) => stop(p)));
    await stop(tcpdump, 'SIGINT'); // tcpdump flushes and closes the file on SIGINT
    process.removeListener('exit', killAll);
  }
}
