/**
 * The benchmark's flow kinds. Each flow is a small state machine stepped once
 * per 20 ms slot; a step writes that slot's packets straight into the capture
 * stream. Objects are allocated per flow, never per packet.
 */
import { EtherType, Icmp4, Icmp4Unreach, IpProto, TcpFlag, ethernet, icmp4Error, ipv4, synOptions, udpDatagram } from '../packets.js';
import { ntpClientRequest, snmpGetRequest } from '../payloads/apps.js';
import { Attr, StunType, attr, stunMessage, xorAddress } from '../payloads/stun.js';
import * as tls from '../payloads/tls.js';
import type { Rng } from '../rng.js';
import type { Host } from '../trace.js';
import type { PayloadPool } from './pool.js';
import { DirTemplate, type CaptureStream } from './stream.js';

const { FIN, SYN, RST, PSH, ACK } = TcpFlag;
export const SLOT_US = 20_000; // one RTP packetization interval (20 ms)
const MSS = 1460;
const WINDOW = 1026; // scaled by 2^8 after the handshake
export const TLS_RECORD = 5 + 16384 + 24; // full TLS 1.2 AES-GCM record: header, plaintext, nonce + tag

export interface Ctx {
  s: CaptureStream;
  rng: Rng;
  /** Back-to-back full TLS application-data records, for bulk transfers. */
  tlsPool: PayloadPool;
  /** Random bytes, for media and small encrypted messages. */
  rndPool: PayloadPool;
  slot: number;
}

export abstract class BenchFlow {
  done = false;
  /** How many 5-tuples (flows, as an analyser counts them) this object produces. */
  tuples = 1;
  abstract step(ctx: Ctx): void;
}

/** The two directions of a 5-tuple. */
export class Pair {
  readonly up: DirTemplate;
  readonly down: DirTemplate;
  constructor(readonly client: Host, readonly cport: number, readonly server: Host, readonly sport: number, proto: number, rng: Rng) {
    this.up = new DirTemplate(client.mac, server.mac, client.ip, server.ip, client.ttl, proto, rng.u32());
    this.down = new DirTemplate(server.mac, client.mac, server.ip, client.ip, server.ttl, proto, rng.u32());
  }
}

// ---------------------------------------------------------------- UDP media

export interface Codec {
  pt: number;
  clockRate: number;
  bytes: number;
}

/** An RTP call: optional ICE Binding checks first, then one packet per slot each way, with rare loss. */
export class RtpFlow extends BenchFlow {
  private readonly p: Pair;
  private readonly hdrUp = Buffer.alloc(12);
  private readonly hdrDown = Buffer.alloc(12);
  private seqUp: number;
  private seqDown: number;
  private tsUp: number;
  private tsDown: number;
  private checks: number;

  constructor(ctx: Ctx, client: Host, cport: number, server: Host, sport: number, private slots: number, private readonly codec: Codec, ice: boolean) {
    super();
    const r = ctx.rng;
    this.p = new Pair(client, cport, server, sport, IpProto.UDP, r);
    this.seqUp = r.int(0, 0xffff);
    this.seqDown = r.int(0, 0xffff);
    this.tsUp = r.u32();
    this.tsDown = r.u32();
    for (const [h, ssrc] of [[this.hdrUp, r.u32()], [this.hdrDown, r.u32()]] as const) {
      h[0] = 0x80; // V=2
      h[1] = codec.pt;
      h.writeUInt32BE(ssrc, 8);
    }
    this.checks = ice ? 2 : 0;
  }

  step(ctx: Ctx): void {
    const { s, rng } = ctx;
    const p = this.p;
    if (this.checks > 0) {
      // ICE connectivity check on the media 5-tuple (RFC 8445 §7.2), answered at once.
      this.checks--;
      const tx = rng.bytes(12);
      const req = stunMessage(StunType.BindingRequest, tx, [attr(Attr.Software, 'bench')], { fingerprint: true });
      s.udp(p.up, p.cport, p.sport, req, req.length, ctx.rndPool, 0, 0);
      const resp = stunMessage(StunType.BindingSuccess, tx, [attr(Attr.XorMappedAddress, xorAddress(p.client.ip, p.cport, tx))], { fingerprint: true });
      s.udp(p.down, p.sport, p.cport, resp, resp.length, ctx.rndPool, 0, 0);
      return;
    }
    const step = (this.codec.clockRate / 50) >>> 0; // samples per 20 ms
    const n = this.codec.bytes;
    if (rng.u32() % 1000 !== 0) { // 0.1 % loss upstream of the capture point
      this.hdrUp.writeUInt16BE(this.seqUp, 2);
      this.hdrUp.writeUInt32BE(this.tsUp >>> 0, 4);
      s.udp(p.up, p.cport, p.sport, this.hdrUp, 12, ctx.rndPool, (rng.u32() % 30000) * 2, n);
    }
    this.hdrDown.writeUInt16BE(this.seqDown, 2);
    this.hdrDown.writeUInt32BE(this.tsDown >>> 0, 4);
    s.udp(p.down, p.sport, p.cport, this.hdrDown, 12, ctx.rndPool, (rng.u32() % 30000) * 2, n);
    this.seqUp = (this.seqUp + 1) & 0xffff;
    this.seqDown = (this.seqDown + 1) & 0xffff;
    this.tsUp = (this.tsUp + step) >>> 0;
    this.tsDown = (this.tsDown + step) >>> 0;
    if (--this.slots <= 0) this.done = true;
  }
}

/** RFC 5766 Allocate on 3478: 401 then success, one exchange per slot. */
export class StunAllocateFlow extends BenchFlow {
  private readonly p: Pair;
  private phase = 0;
  constructor(ctx: Ctx, client: Host, cport: number, server: Host, private readonly relayPort: number) {
    super();
    this.p = new Pair(client, cport, server, 3478, IpProto.UDP, ctx.rng); // 3478: STUN's default port (RFC 5389 §18.4)
  }
  step(ctx: Ctx): void {
    const { s, rng } = ctx;
    const p = this.p;
    const tx = rng.bytes(12);
    const transport = attr(Attr.RequestedTransport, 0x11000000);
    const req = stunMessage(StunType.AllocateRequest, tx, [transport], { fingerprint: true });
    s.udp(p.up, p.cport, p.sport, req, req.length, ctx.rndPool, 0, 0);
    const resp = this.phase === 0
      ? stunMessage(StunType.AllocateError, tx, [attr(Attr.ErrorCode, Buffer.from([0, 0, 4, 1, 0x55, 0x6e, 0x61, 0x75]))], { fingerprint: true }) // 401 "Unau"
      : stunMessage(StunType.AllocateSuccess, tx, [
          attr(Attr.XorRelayedAddress, xorAddress(p.server.ip, this.relayPort, tx)), attr(Attr.Lifetime, 600),
          attr(Attr.XorMappedAddress, xorAddress(p.client.ip, p.cport, tx)),
        ], { fingerprint: true });
    s.udp(p.down, p.sport, p.cport, resp, resp.length, ctx.rndPool, 0, 0);
    if (++this.phase === 2) this.done = true;
  }
}

// ---------------------------------------------------------------- TCP

export type TcpStep =
  | { k: 'handshake' }
  | { k: 'tls'; sni: string }
  | { k: 'send'; fromClient: boolean; len: number }
  | { k: 'bulk'; fromClient: boolean; len: number; perSlot: number }
  | { k: 'pause'; slots: number }
  | { k: 'fin'; clientFirst: boolean }
  | { k: 'rst'; fromClient: boolean };

/**
 * A scripted TCP connection. One request or response per slot (an RTT of
 * about 20 ms), bulk transfers at `perSlot` full segments per slot with an ACK
 * for every second segment.
 */
export class TcpFlow extends BenchFlow {
  private readonly p: Pair;
  private cNxt: number;
  private sNxt: number;
  private i = 0;
  private left = 0; // bytes left in the current bulk step
  private wait = 0;
  private readonly recHead = Buffer.alloc(6);

  constructor(ctx: Ctx, client: Host, cport: number, server: Host, sport: number, private readonly script: TcpStep[], midstream = false) {
    super();
    const r = ctx.rng;
    this.p = new Pair(client, cport, server, sport, IpProto.TCP, r);
    this.cNxt = r.u32();
    this.sNxt = r.u32();
    if (midstream) {
      this.cNxt = (this.cNxt + r.int(1000, 1 << 24)) >>> 0;
      this.sNxt = (this.sNxt + r.int(1000, 1 << 24)) >>> 0;
    }
  }

  private seg(ctx: Ctx, fromClient: boolean, flags: number, head: Buffer | null, pool: PayloadPool | null, poolStart: number, poolLen: number, options: Buffer | null = null): void {
    const p = this.p;
    const seq = fromClient ? this.cNxt : this.sNxt;
    const ack = flags & ACK ? (fromClient ? this.sNxt : this.cNxt) : 0;
    const t = fromClient ? p.up : p.down;
    ctx.s.tcp(t, fromClient ? p.cport : p.sport, fromClient ? p.sport : p.cport, seq, ack, flags, flags & SYN ? 64240 : WINDOW, options, head, pool, poolStart, poolLen);
    const adv = (head ? head.length : 0) + poolLen + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
    if (fromClient) this.cNxt = (this.cNxt + adv) >>> 0;
    else this.sNxt = (this.sNxt + adv) >>> 0;
  }

  /** A message of `data` bytes, segmented. */
  private message(ctx: Ctx, fromClient: boolean, data: Buffer): void {
    for (let off = 0; off < data.length; off += MSS) {
      const end = Math.min(off + MSS, data.length);
      this.seg(ctx, fromClient, end === data.length ? PSH | ACK : ACK, data.subarray(off, end), null, 0, 0);
    }
    this.seg(ctx, !fromClient, ACK, null, null, 0, 0);
  }

  step(ctx: Ctx): void {
    if (this.wait > 0) {
      this.wait--;
      return;
    }
    const st = this.script[this.i];
    if (!st) {
      this.done = true;
      return;
    }
    const { rng } = ctx;
    switch (st.k) {
      case 'handshake':
        this.seg(ctx, true, SYN, null, null, 0, 0, synOptions(MSS, 8));
        this.seg(ctx, false, SYN | ACK, null, null, 0, 0, synOptions(MSS, 8));
        this.seg(ctx, true, ACK, null, null, 0, 0);
        this.i++;
        return;
      case 'tls': {
        const ch = tls.clientHello({ version: '1.2', sni: st.sni }, rng);
        this.message(ctx, true, ch);
        this.message(ctx, false, tls.serverFlight('1.2', rng, ch));
        this.message(ctx, true, tls.clientFinish('1.2', rng));
        this.message(ctx, false, tls.serverFinish(rng));
        this.i++;
        return;
      }
      case 'send': {
        // One TLS application-data record in one segment: 5-byte header + 1 byte of body, then pool bytes.
        const len = Math.min(st.len, MSS);
        const h = this.recHead;
        h[0] = tls.ContentType.ApplicationData;
        h.writeUInt16BE(tls.TLS12, 1);
        h.writeUInt16BE(len - 5, 3);
        h[5] = rng.u32() & 0xff;
        this.seg(ctx, st.fromClient, PSH | ACK, h, ctx.rndPool, (rng.u32() % 30000) * 2, len - 6);
        this.i++;
        if (this.script[this.i]?.k !== 'send') this.seg(ctx, !st.fromClient, ACK, null, null, 0, 0);
        return;
      }
      case 'bulk': {
        if (this.left === 0) this.left = st.len;
        const pool = ctx.tlsPool;
        for (let k = 0; k < st.perSlot && this.left > 0; k++) {
          const n = Math.min(MSS, this.left);
          const streamPos = st.len - this.left; // records stay aligned: bulk lengths are whole records
          this.seg(ctx, st.fromClient, n < MSS ? PSH | ACK : ACK, null, pool, streamPos % pool.period, n);
          this.left -= n;
          if (k & 1 || this.left === 0) this.seg(ctx, !st.fromClient, ACK, null, null, 0, 0);
        }
        if (this.left === 0) this.i++;
        return;
      }
      case 'pause':
        this.wait = st.slots;
        this.i++;
        return;
      case 'fin':
        this.seg(ctx, st.clientFirst, FIN | ACK, null, null, 0, 0);
        this.seg(ctx, !st.clientFirst, FIN | ACK, null, null, 0, 0);
        this.seg(ctx, st.clientFirst, ACK, null, null, 0, 0);
        this.done = true;
        return;
      case 'rst':
        this.seg(ctx, st.fromClient, RST | ACK, null, null, 0, 0);
        this.done = true;
        return;
    }
  }
}

// ---------------------------------------------------------------- scans and probes

/**
 * A SYN scan from one address and source port over a list of ports: closed
 * ports answer RST+ACK at once (REJ); a firewalled target answers nothing and
 * the scanner retransmits each SYN once after 1 s (S0).
 */
export class ScanFlow extends BenchFlow {
  private next = 0;
  private readonly retransmit: { slot: number; port: number; seq: number }[] = [];
  private readonly opts = synOptions(MSS, 8);

  constructor(private readonly scanner: Host, private readonly sport: number, private readonly target: Host, private readonly ports: number[],
    private readonly perSlot: number, private readonly answered: boolean) {
    super();
    this.tuples = new Set(ports).size;
  }

  step(ctx: Ctx): void {
    const { s, rng, slot } = ctx;
    while (this.retransmit.length && this.retransmit[0].slot <= slot) {
      const r = this.retransmit.shift()!;
      const t = new DirTemplate(this.scanner.mac, this.target.mac, this.scanner.ip, this.target.ip, this.scanner.ttl, IpProto.TCP, rng.u32());
      s.tcp(t, this.sport, r.port, r.seq, 0, SYN, 1024, this.opts, null, null, 0, 0);
    }
    for (let k = 0; k < this.perSlot && this.next < this.ports.length; k++) {
      const port = this.ports[this.next++];
      const seq = rng.u32();
      const up = new DirTemplate(this.scanner.mac, this.target.mac, this.scanner.ip, this.target.ip, this.scanner.ttl, IpProto.TCP, rng.u32());
      s.tcp(up, this.sport, port, seq, 0, SYN, 1024, this.opts, null, null, 0, 0);
      if (this.answered) {
        const down = new DirTemplate(this.target.mac, this.scanner.mac, this.target.ip, this.scanner.ip, this.target.ttl, IpProto.TCP, rng.u32());
        s.tcp(down, port, this.sport, 0, (seq + 1) >>> 0, RST | ACK, 0, null, null, null, 0, 0);
      } else this.retransmit.push({ slot: slot + 50, port, seq });
    }
    if (this.next >= this.ports.length && this.retransmit.length === 0) this.done = true;
  }
}

/** A UDP probe (SNMP or NTP) answered by ICMP port unreachable quoting it. */
export class UdpProbeFlow extends BenchFlow {
  constructor(private readonly prober: Host, private readonly sport: number, private readonly target: Host, private readonly dport: number) {
    super();
  }
  step(ctx: Ctx): void {
    const { s, rng } = ctx;
    const payload = this.dport === 161 ? snmpGetRequest(rng.u32() & 0x7fffffff) : ntpClientRequest(rng); // 161 SNMP (RFC 3417), 123 NTP (RFC 5905)
    const probe = ipv4({ src: this.prober.ip, dst: this.target.ip, ttl: this.prober.ttl, id: rng.u32() & 0xffff }, IpProto.UDP,
      udpDatagram(this.prober.ip, this.target.ip, this.sport, this.dport, payload));
    s.frame(ethernet({ src: this.prober.mac, dst: this.target.mac }, EtherType.IPv4, probe));
    const err = icmp4Error(Icmp4.DestUnreachable, Icmp4Unreach.Port, probe);
    s.frame(ethernet({ src: this.target.mac, dst: this.prober.mac }, EtherType.IPv4,
      ipv4({ src: this.target.ip, dst: this.prober.ip, ttl: this.target.ttl, id: rng.u32() & 0xffff, df: false }, IpProto.ICMP, err)));
    this.done = true;
  }
}
