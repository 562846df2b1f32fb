/**
 * The large benchmark capture: a synthetic edge mix of about the requested
 * size, streamed to disk in 20 ms slots. Mostly RTP media between the A/V
 * edge's 50000-59999 range and external clients, STUN on 3478, long-lived
 * SIP/TLS on 443/5061, bulk TLS downloads in full-size segments, plus SYN
 * scans, RDP/SSH attempts and UDP probes answered by ICMP. Flows start and end
 * all along the capture (calls of 20-180 s, SIP connections idle for tens of
 * seconds between messages), so idle timeouts and eviction matter.
 *
 * Deterministic for a given seed and size. IPv4 only; TLS application data is
 * opaque filler (record headers are real for bulk transfers and messages).
 */
import * as tls from '../payloads/tls.js';
import { Rng } from '../rng.js';
import type { Host } from '../trace.js';
import { BenchFlow, RtpFlow, ScanFlow, SLOT_US, StunAllocateFlow, TcpFlow, TLS_RECORD, UdpProbeFlow, type Codec, type Ctx, type TcpStep } from './flows.js';
import { PayloadPool } from './pool.js';
import { CaptureStream } from './stream.js';

export const BENCH_BASE_SEC = 1710237600; // 2024-03-12T10:00:00Z

export interface BenchOptions {
  sizeBytes: number;
  pcapng: boolean;
  seed: number;
}

export interface BenchResult {
  packets: number;
  flows: number;
  bytes: number;
  /** Capture duration, seconds. */
  duration: number;
}

const SLOTS_PER_S = 1e6 / SLOT_US;

/** Arrivals per second of each kind of flow. */
const RATE = { call: 0.7, sip: 5, bulk: 0.15, scan: 0.2, probe: 2, intrusion: 1 } as const;
/** Flows already under way when the capture starts. */
const INITIAL = { calls: 70, sip: 500 } as const;

const EXT_ROUTER = '00:1b:54:c2:10:01';
const EDGE_EXT = '00:15:5d:0a:0a:0a';
const EDGE_INT = '00:15:5d:01:00:0a';
const INT_ROUTER = '00:1b:54:c2:20:01';
const edge = (ip: string): Host => ({ ip, mac: EDGE_EXT, ttl: 128 });
const ACCESS = edge('131.107.10.10');
const WEBCONF = edge('131.107.10.11');
const AV = edge('131.107.10.12');
const EDGE_INTERNAL: Host = { ip: '10.0.1.10', mac: EDGE_INT, ttl: 128 };
const INTERNET_NETS = ['203.0.113', '198.51.100', '192.0.2']; // RFC 5737 documentation ranges

const CODECS: Codec[] = [
  { pt: 0, clockRate: 8000, bytes: 160 }, // PCMU 20 ms (RFC 3551)
  { pt: 0, clockRate: 8000, bytes: 160 },
  { pt: 114, clockRate: 16000, bytes: 90 }, // a wideband codec on a dynamic payload type
  { pt: 9, clockRate: 8000, bytes: 160 }, // G.722 (RFC 3551: RTP clock 8000)
];

export async function writeBench(path: string, opts: BenchOptions): Promise<BenchResult> {
  const rng = new Rng(opts.seed);
  const s = new CaptureStream(path, opts.pcapng, BENCH_BASE_SEC);
  const ctx: Ctx = { s, rng, tlsPool: tlsRecordPool(rng), rndPool: PayloadPool.random(rng, 65536), slot: 0 };
  let active: BenchFlow[] = [];
  let flows = 0;
  const add = (f: BenchFlow) => {
    active.push(f);
    flows += f.tuples;
  };
  const gen = new Spawner(ctx, add);
  for (let i = 0; i < INITIAL.calls; i++) gen.call(rng.int(50, 9000), true);
  for (let i = 0; i < INITIAL.sip; i++) gen.sip(true);

  let expected = 200;
  while (s.bytes < opts.sizeBytes) {
    s.startSlot(ctx.slot * SLOT_US, SLOT_US, expected);
    const before = s.packets;
    gen.arrivals();
    for (const f of active) f.step(ctx);
    active = active.filter((f) => !f.done);
    expected = Math.ceil((s.packets - before) * 1.05) + 1;
    ctx.slot++;
  }
  s.close();
  return { packets: s.packets, flows, bytes: s.bytes, duration: ctx.slot / SLOTS_PER_S };
}

/** Four full TLS application-data records back to back (an even period, as the pool needs). */
function tlsRecordPool(rng: Rng): PayloadPool {
  const records: Buffer[] = [];
  for (let i = 0; i < 4; i++) records.push(tls.record(tls.ContentType.ApplicationData, tls.TLS12, rng.bytes(TLS_RECORD - 5)));
  return new PayloadPool(Buffer.concat(records));
}

class Spawner {
  constructor(private readonly ctx: Ctx, private readonly add: (f: BenchFlow) => void) {}

  private get rng(): Rng {
    return this.ctx.rng;
  }

  private chance(perSecond: number): boolean {
    return this.rng.float() < perSecond / SLOTS_PER_S;
  }

  private internetHost(): Host {
    const r = this.rng;
    return { ip: `${r.pick(INTERNET_NETS)}.${r.int(1, 254)}`, mac: EXT_ROUTER, ttl: r.int(40, 120) };
  }

  private ephemeral(): number {
    return this.rng.int(49152, 65535);
  }

  arrivals(): void {
    if (this.chance(RATE.call)) this.call(this.rng.int(20 * SLOTS_PER_S, 180 * SLOTS_PER_S), false);
    if (this.chance(RATE.sip)) this.sip(false);
    if (this.chance(RATE.bulk)) this.bulk();
    if (this.chance(RATE.scan)) this.scan();
    if (this.chance(RATE.probe)) this.probe();
    if (this.chance(RATE.intrusion)) this.intrusion();
  }

  /** A call: an Allocate on 3478 and RTP between the A/V edge's media range and the client. */
  call(slots: number, midstream: boolean): void {
    const r = this.rng;
    const client = this.internetHost();
    const cport = this.ephemeral();
    const relay = r.int(50000, 59999); // the A/V edge's media port range in this synthetic topology
    if (!midstream) this.add(new StunAllocateFlow(this.ctx, client, cport, AV, relay));
    const codec = r.pick(CODECS);
    if (r.float() < 0.3) this.add(new RtpFlow(this.ctx, AV, relay, client, cport + 1, slots, codec, !midstream));
    else this.add(new RtpFlow(this.ctx, client, cport + 1, AV, relay, slots, codec, !midstream));
  }

  /** A long-lived SIP/TLS connection: a few messages tens of seconds apart, then FIN, RST or silence. */
  sip(midstream: boolean): void {
    const r = this.rng;
    const script: TcpStep[] = [];
    const kind = r.float();
    let client: Host;
    let server: Host;
    let sport: number;
    let sni: string;
    if (kind < 0.7) [client, server, sport, sni] = [this.internetHost(), ACCESS, 443, 'sip.contoso.com'];
    else if (kind < 0.85) [client, server, sport, sni] = [this.internetHost(), ACCESS, 5061, 'sip.contoso.com'];
    else if (kind < 0.95) [client, server, sport, sni] = [{ ip: `10.0.2.${r.int(1, 4)}`, mac: INT_ROUTER, ttl: 128 }, EDGE_INTERNAL, 5061, 'edgepool-int.contoso.local'];
    else [client, server, sport, sni] = [{ ip: `10.0.2.${r.int(1, 4)}`, mac: INT_ROUTER, ttl: 128 }, EDGE_INTERNAL, 8057, ''];
    if (!midstream) script.push({ k: 'handshake' }, { k: 'tls', sni });
    const exchanges = r.int(2, 20);
    for (let i = 0; i < exchanges; i++) {
      // A connection already open at capture start may speak at any moment; later ones idle 5-60 s.
      script.push({ k: 'pause', slots: r.int(midstream && i === 0 ? 0 : 5 * SLOTS_PER_S, 60 * SLOTS_PER_S) });
      script.push({ k: 'send', fromClient: true, len: r.int(300, 1400) }, { k: 'send', fromClient: false, len: r.int(200, 1400) });
    }
    const end = r.float();
    if (end < 0.6) script.push({ k: 'fin', clientFirst: r.float() < 0.7 });
    else if (end < 0.7) script.push({ k: 'rst', fromClient: false });
    this.add(new TcpFlow(this.ctx, client, this.ephemeral(), server, sport, script, midstream));
  }

  /** A download over TLS in full-size segments (web conferencing content). */
  bulk(): void {
    const r = this.rng;
    const script: TcpStep[] = [{ k: 'handshake' }, { k: 'tls', sni: 'webcon.contoso.com' }, { k: 'send', fromClient: true, len: 600 }];
    script.push({ k: 'bulk', fromClient: false, len: r.int(4, 150) * TLS_RECORD, perSlot: r.int(4, 12) });
    script.push({ k: 'send', fromClient: true, len: 300 }, { k: 'fin', clientFirst: true });
    this.add(new TcpFlow(this.ctx, this.internetHost(), this.ephemeral(), WEBCONF, 443, script));
  }

  /** A SYN scan of one edge address: answered with RST (REJ) or dropped (S0 with a retransmission). */
  scan(): void {
    const r = this.rng;
    const n = r.int(50, 500);
    const first = r.int(1, 60000);
    const ports = r.float() < 0.5 ? Array.from({ length: n }, (_, i) => first + i) : Array.from({ length: n }, () => r.int(1, 65535));
    const answered = r.float() < 0.6;
    this.add(new ScanFlow(this.internetHost(), r.int(32768, 60999), answered ? r.pick([ACCESS, WEBCONF]) : AV, ports, r.int(1, 3), answered));
  }

  probe(): void {
    this.add(new UdpProbeFlow(this.internetHost(), this.ephemeral(), this.rng.pick([ACCESS, WEBCONF, AV]), this.rng.pick([161, 123])));
  }

  /** RDP or SSH from the internet: a short exchange, then reset by the server or closed. */
  intrusion(): void {
    const r = this.rng;
    const script: TcpStep[] = [{ k: 'handshake' }, { k: 'send', fromClient: true, len: r.int(40, 400) }, { k: 'send', fromClient: false, len: r.int(40, 800) },
      { k: 'pause', slots: r.int(1, 100) }, r.float() < 0.5 ? { k: 'rst', fromClient: false } : { k: 'fin', clientFirst: true }];
    this.add(new TcpFlow(this.ctx, this.internetHost(), this.ephemeral(), ACCESS, r.pick([3389, 22]), script));
  }
}
