/**
 * Bidirectional flow table: attributes each decoded packet to its flow.
 *
 * Live flows are found through a FlowIndex (open addressing over typed
 * arrays, direction-independent hash) and kept in a FlowStore (columnar
 * typed arrays). The hit path allocates nothing.
 *
 * Orientation, decided once when a flow is created (never flipped later):
 * - TCP SYN without ACK: its sender is the client ('syn');
 * - TCP SYN-ACK: its receiver is the client ('syn-ack');
 * - otherwise (mid-flow TCP, UDP): when exactly one side's port is marked in
 *   the `servicePorts` bitmap of the protocol, that side is the server
 *   ('service-port'); else for TCP, when exactly one port is below 1024,
 *   that side is the server ('well-known-port'); else the first packet's
 *   sender is the client ('first-packet');
 * - ICMP/ICMPv6 and other IP protocols: the first packet's sender is the client.
 *
 * A flow stops being live, and stays in the store finished, when:
 * - a packet comes after more than the idle timeout of the flow's protocol
 *   and state (that packet starts a new flow), or a periodic sweep finds it
 *   idle at the latest capture time seen: EndedBy.Idle, counted as
 *   A.FlowEvictedIdle; a closed TCP connection ends as EndedBy.Closed
 *   instead, which is not an anomaly;
 * - the live-flow cap is reached: the least recently seen flows are evicted
 *   until 90% of the cap are live: EndedBy.Cap, counted as A.FlowEvictedCap;
 * - TCP: a SYN without ACK arrives on a connection already closed (FIN both
 *   ways, or a RST): port reuse, a new flow begins (EndedBy.Reuse), as in Zeek;
 * - finish() at the end of the capture, or finishFlow(): EndedBy.End.
 *
 * Options and default timeouts: flow-options.ts.
 */
import { A, newAnomalyCounters, type AnomalyCounters } from '../anomalies.js';
import { Family, IpProto, TcpFlag, type PacketView } from '../decode/packet-view.js';
import { isLinkBroadcast } from '../decode/link-broadcast.js';
import { flowKeyHash, flowKeyHashV4 } from './flow-hash.js';
import { FlowIndex, matchDir, SEEN_UNKNOWN } from './flow-index.js';
import { DEFAULT_IDLE_TIMEOUTS, DEFAULT_MAX_LIVE_FLOWS, type FlowTableOptions, type IdleTimeouts, type ServicePorts } from './flow-options.js';
import { EndedBy, F_FIRST_FRAME, F_FIRST_TS, F_LAST_FRAME, F_LAST_TS, F_PACKETS, F_PAYLOAD_BYTES, F_WIRE_BYTES, FlowStore, OrientedBy, REC_F64 } from './flow-store.js';
import { recordIcmpError } from './icmp-errors.js';
import { markFlipped, tcpIsClosed, tcpIsEstablished, tcpPacket } from './tcp-state.js';

export { DEFAULT_IDLE_TIMEOUTS, DEFAULT_MAX_LIVE_FLOWS, type FlowTableOptions, type IdleTimeouts, type ServicePorts } from './flow-options.js';

const SWEEP_EVERY_MASK = (1 << 14) - 1; // consider an idle sweep once every 16384 packets...
const SWEEP_MIN_ADVANCE_S = 10; // ...when capture time advanced at least this much since the last one
const CAP_EVICT_TO = 0.9; // after a cap eviction at most this fraction of maxLiveFlows is live
const WELL_KNOWN_PORT_LIMIT = 1024; // RFC 6335 §6: System Ports are 0-1023
const PORT_BITMAP_SIZE = 65536;
const SYN_ACK_MASK = TcpFlag.SYN | TcpFlag.ACK;

export class FlowTable {
  readonly store: FlowStore;
  /** Counters for A.FlowEvictedIdle and A.FlowEvictedCap; the caller swaps them per input file. */
  anomalies: AnomalyCounters = newAnomalyCounters();
  /** Direction of the packet last given to add() (or find()): 0 = sent by the client, 1 = by the server. */
  lastDir = 0;
  /** True when the last add() created the flow it returned. */
  lastCreated = false;
  /** Flows finished early by the idle timeout or the live-flow cap, over the table's life. */
  evictedCount = 0;
  /** Largest number of flows live at once. */
  peakLiveFlows = 0;
  readonly maxLiveFlows: number;
  readonly idleTimeouts: Readonly<IdleTimeouts>;

  private readonly index: FlowIndex;
  private serviceTcp: Uint8Array | null = null;
  private serviceUdp: Uint8Array | null = null;
  private readonly onFinish: ((flow: number) => void) | undefined;
  private readonly minTimeout: number;
  private now = -Infinity;
  private lastSweepTs = -Infinity;
  private packetsSeen = 0;
  private scratch = new Int32Array(0);
  /** Origin of the slots' coarse last-seen times: the first finite capture time given to create(). */
  private seenBase = NaN;
  /** Slot of the flow last created. */
  private lastSlot = -1;

  constructor(options: FlowTableOptions = {}) {
    const max = options.maxLiveFlows ?? DEFAULT_MAX_LIVE_FLOWS;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxLiveFlows must be a positive integer, got ${max}`);
    this.maxLiveFlows = max;
    const t = { ...DEFAULT_IDLE_TIMEOUTS, ...options.idleTimeouts };
    for (const [k, v] of Object.entries(t)) {
      if (!(v > 0)) throw new RangeError(`idle timeout ${k} must be positive, got ${v}`);
    }
    this.idleTimeouts = t;
    this.minTimeout = Math.min(t.tcpEstablished, t.tcpOther, t.tcpClosed, t.udp, t.other);
    this.store = options.store ?? new FlowStore();
    this.index = new FlowIndex(this.store);
    this.onFinish = options.onFinish;
    if (options.servicePorts) this.setServicePorts(options.servicePorts);
  }

  /** Number of live flows. */
  get live(): number {
    return this.index.size;
  }

  /** Installs the catalog's service-port bitmaps; they orient the flows created afterwards. */
  setServicePorts(ports: ServicePorts): void {
    if (ports.tcp.length < PORT_BITMAP_SIZE || ports.udp.length < PORT_BITMAP_SIZE) {
      throw new RangeError(`service-port bitmaps need ${PORT_BITMAP_SIZE} entries`);
    }
    this.serviceTcp = ports.tcp;
    this.serviceUdp = ports.udp;
  }

  /**
   * Attributes a decoded packet (one with a flow key) to its flow, creating
   * the flow on its first packet, and updates counters, timestamps and TCP
   * state. Returns the flow index; lastDir / lastCreated describe the packet.
   */
  add(pkt: PacketView): number {
    const ts = pkt.ts;
    if (ts > this.now) this.now = ts;
    if ((++this.packetsSeen & SWEEP_EVERY_MASK) === 0 && this.now - this.lastSweepTs >= SWEEP_MIN_ADVANCE_S) this.sweepIdle();

    const proto = pkt.proto;
    const index = this.index;
    const hash =
      pkt.family === Family.V4
        ? flowKeyHashV4(proto, pkt.src[3], pkt.srcPort, pkt.dst[3], pkt.dstPort)
        : flowKeyHash(pkt.family, proto, pkt.src, 0, pkt.srcPort, pkt.dst, 0, pkt.dstPort);
    const slot = index.probe(hash, pkt.family, proto, pkt.src, 0, pkt.srcPort, pkt.dst, 0, pkt.dstPort);
    // A TCP segment with a header (not a non-first fragment): counted by the TCP state machine.
    const tcp = proto === IpProto.TCP && pkt.l4Off >= 0;
    let flow: number;
    let dir: number;
    let r: Float64Array;
    let o: number;
    let at = slot; // the flow's slot, once it is known to be live
    if (slot >= 0) {
      flow = index.flowAt(slot);
      dir = index.dir;
      r = this.store.rec;
      o = flow * REC_F64;
      const gap = ts - r[o + F_LAST_TS];
      // The common case (recent packet, not a bare SYN) needs no call: see endsBefore for the rest.
      if (gap > this.minTimeout || (tcp && (pkt.tcpFlags & SYN_ACK_MASK) === TcpFlag.SYN)) {
        const ended = this.endsBefore(flow, tcp, gap, pkt.tcpFlags);
        if (ended !== EndedBy.Live) {
          index.removeSlot(slot);
          this.end(flow, ended);
          flow = this.create(pkt, hash);
          dir = this.lastDir;
          at = this.lastSlot;
          r = this.store.rec; // growth replaces it
          o = flow * REC_F64;
        } else {
          this.lastCreated = false;
        }
      } else {
        this.lastCreated = false;
      }
      if (ts > r[o + F_LAST_TS]) {
        r[o + F_LAST_TS] = ts;
        index.setSeen(at, this.coarseTime(ts));
      } else if (ts < r[o + F_FIRST_TS]) {
        r[o + F_FIRST_TS] = ts;
      }
    } else {
      flow = this.create(pkt, hash);
      dir = this.lastDir;
      at = this.lastSlot;
      r = this.store.rec;
      o = flow * REC_F64;
    }
    this.lastDir = dir;

    r[o + F_PACKETS + dir] += 1;
    r[o + F_WIRE_BYTES + dir] += pkt.wireLen;
    r[o + F_PAYLOAD_BYTES + dir] += pkt.payloadLen;
    r[o + F_LAST_FRAME] = pkt.frameNo;
    if (pkt.isFragment && pkt.fragOffset !== 0) {
      const s = this.store;
      const d2 = (flow << 1) | dir;
      s.fragPackets[d2] += 1;
      s.fragBytes[d2] += pkt.wireLen;
    } else if (tcp && tcpPacket(this.store, flow, dir, pkt.tcpFlags, pkt.tcpSeq, pkt.tcpWindow, pkt.payloadLen)) {
      index.setTimeout(at, this.coarseTimeout(flow)); // the TCP state may have changed its timeout
    }
    return flow;
  }

  /** The live flow of a packet, without counting the packet; -1 if none. Sets lastDir. */
  find(pkt: PacketView): number {
    const hash = flowKeyHash(pkt.family, pkt.proto, pkt.src, 0, pkt.srcPort, pkt.dst, 0, pkt.dstPort);
    const slot = this.index.probe(hash, pkt.family, pkt.proto, pkt.src, 0, pkt.srcPort, pkt.dst, 0, pkt.dstPort);
    if (slot < 0) return -1;
    this.lastDir = this.index.dir;
    return this.index.flowAt(slot);
  }

  /**
   * The live flow whose datagram an ICMP error quotes (pkt.inner*, from the
   * original sender's point of view), or -1. Counting unmatched errors
   * (A.IcmpErrorUnmatched) is left to the caller.
   */
  findQuoted(pkt: PacketView): number {
    const family = pkt.innerFamily;
    if (family === Family.None) return -1;
    const proto = pkt.innerProto;
    const hash = flowKeyHash(family, proto, pkt.innerSrc, 0, pkt.innerSrcPort, pkt.innerDst, 0, pkt.innerDstPort);
    const slot = this.index.probe(hash, family, proto, pkt.innerSrc, 0, pkt.innerSrcPort, pkt.innerDst, 0, pkt.innerDstPort);
    return slot < 0 ? -1 : this.index.flowAt(slot);
  }

  /**
   * Notes the ICMP error `pkt` against `flow` (usually findQuoted's answer):
   * one entry per (reporter, type, code, quoted side), allocated on its
   * first occurrence; see icmp-errors.ts.
   */
  recordIcmpError(flow: number, pkt: PacketView): void {
    const dir = matchDir(this.store, flow, pkt.innerFamily, pkt.innerSrc, 0, pkt.innerSrcPort, pkt.innerDst, 0, pkt.innerDstPort);
    recordIcmpError(this.store, flow, pkt, dir === 1 ? 'server' : 'client');
  }

  /** Finishes one live flow now (EndedBy.End). Returns false when it was not live. */
  finishFlow(flow: number): boolean {
    const slot = this.index.slotOf(flow);
    if (slot < 0) return false;
    this.index.removeSlot(slot);
    this.end(flow, EndedBy.End);
    return true;
  }

  /** Finishes every live flow (EndedBy.End), in flow order. The table stays usable. */
  finish(): void {
    const n = this.collect(() => true);
    const flows = this.scratch.subarray(0, n).sort();
    this.index.clear();
    for (let k = 0; k < n; k++) this.end(flows[k], EndedBy.End);
  }

  /** Finishes the flows idle for longer than their timeout at the latest capture time seen. */
  sweepIdle(): void {
    this.lastSweepTs = this.now;
    const s = this.store;
    const now = this.now;
    if (this.scratch.length < this.index.size) this.scratch = new Int32Array(this.index.size * 2);
    // The slots' coarse times rule out most flows without touching their records.
    const flows = this.scratch;
    const candidates = this.index.collectIdle(flows, now - this.seenBase);
    let n = 0;
    for (let k = 0; k < candidates; k++) {
      const f = flows[k];
      if (now - s.lastTs(f) > this.timeoutOf(f)) flows[n++] = f;
    }
    this.endAll(n, (f) => this.idleReason(f));
  }

  /** Consistency check for tests: null when the index is sound and holds exactly the live flows. */
  checkTable(): string | null {
    const problem = this.index.check();
    if (problem !== null) return problem;
    let live = 0;
    for (let f = 0; f < this.store.count; f++) {
      if (this.store.isFinished(f)) continue;
      live++;
      if (this.index.slotOf(f) < 0) return `live flow ${f} is not in the index`;
    }
    return live === this.index.size ? null : `${live} unfinished flows, ${this.index.size} indexed`;
  }

  // ---- internals ----

  /**
   * Why the live flow must end before a packet that came `gap` seconds after
   * its last one, or EndedBy.Live when the packet belongs to it. `tcp`: the
   * packet is a TCP segment with a header, with flags `tcpFlags`.
   */
  private endsBefore(flow: number, tcp: boolean, gap: number, tcpFlags: number): EndedBy {
    if (gap > this.minTimeout && gap > this.timeoutOf(flow)) return this.idleReason(flow);
    if (tcp && (tcpFlags & SYN_ACK_MASK) === TcpFlag.SYN && tcpIsClosed(this.store, flow)) return EndedBy.Reuse;
    return EndedBy.Live;
  }

  /**
   * The slot's coarse last-seen time for capture time `ts` (see
   * FlowIndex.setSeen): whole seconds since seenBase, rounded down, or
   * SEEN_UNKNOWN when that does not fit an int32 (or ts is not finite).
   */
  private coarseTime(ts: number): number {
    const rel = ts - this.seenBase;
    return rel > -0x7fffffff && rel < 0x7fffffff ? Math.floor(rel) : SEEN_UNKNOWN;
  }

  /** The slot's coarse idle timeout of a live flow (see FlowIndex.setTimeout): whole seconds, rounded down. */
  private coarseTimeout(flow: number): number {
    return Math.floor(Math.min(this.timeoutOf(flow), 0x7fffffff));
  }

  private timeoutOf(flow: number): number {
    const s = this.store;
    const t = this.idleTimeouts;
    const proto = s.proto(flow);
    if (proto === IpProto.TCP) {
      if (tcpIsClosed(s, flow)) return t.tcpClosed;
      return tcpIsEstablished(s, flow) ? t.tcpEstablished : t.tcpOther;
    }
    return proto === IpProto.UDP ? t.udp : t.other;
  }

  /** A closed TCP connection that goes quiet has simply ended; anything else was cut by the timeout. */
  private idleReason(flow: number): EndedBy {
    return this.isClosedTcp(flow) ? EndedBy.Closed : EndedBy.Idle;
  }

  private isClosedTcp(flow: number): boolean {
    return this.store.proto(flow) === IpProto.TCP && tcpIsClosed(this.store, flow);
  }

  private create(pkt: PacketView, hash: number): number {
    if (this.index.size >= this.maxLiveFlows) this.evictForCap();

    const proto = pkt.proto;
    const sport = pkt.srcPort;
    const dport = pkt.dstPort;
    let clientIsSrc = true;
    let by: OrientedBy = OrientedBy.FirstPacket;
    if (proto === IpProto.TCP && pkt.l4Off >= 0) {
      const f = pkt.tcpFlags & SYN_ACK_MASK;
      if (f === TcpFlag.SYN) {
        by = OrientedBy.Syn;
      } else if (f === SYN_ACK_MASK) {
        by = OrientedBy.SynAck;
        clientIsSrc = false;
      }
    }
    if (by === OrientedBy.FirstPacket && (proto === IpProto.TCP || proto === IpProto.UDP)) {
      const bitmap = proto === IpProto.TCP ? this.serviceTcp : this.serviceUdp;
      const srcService = bitmap !== null && bitmap[sport] !== 0;
      const dstService = bitmap !== null && bitmap[dport] !== 0;
      if (srcService !== dstService) {
        by = OrientedBy.ServicePort;
        clientIsSrc = dstService;
      } else if (proto === IpProto.TCP && sport < WELL_KNOWN_PORT_LIMIT !== dport < WELL_KNOWN_PORT_LIMIT) {
        by = OrientedBy.WellKnownPort;
        clientIsSrc = dport < WELL_KNOWN_PORT_LIMIT;
      }
    }

    const s = this.store;
    const f = clientIsSrc
      ? s.create(pkt.family, proto, pkt.src, 0, sport, pkt.dst, 0, dport)
      : s.create(pkt.family, proto, pkt.dst, 0, dport, pkt.src, 0, sport);
    s.orientedBy[f] = by;
    if (isLinkBroadcast(pkt)) s.linkBroadcast[f] = 1;
    const r = s.rec;
    const o = f * REC_F64;
    r[o + F_FIRST_TS] = pkt.ts;
    r[o + F_LAST_TS] = pkt.ts;
    r[o + F_FIRST_FRAME] = pkt.frameNo;
    if (proto === IpProto.TCP && !clientIsSrc) markFlipped(s, f);

    if (!Number.isFinite(this.seenBase)) this.seenBase = pkt.ts;
    this.lastSlot = this.index.insert(hash, f, this.coarseTime(pkt.ts), this.coarseTimeout(f));
    if (this.index.size > this.peakLiveFlows) this.peakLiveFlows = this.index.size;
    this.lastDir = clientIsSrc ? 0 : 1;
    this.lastCreated = true;
    return f;
  }

  /** Evicts the least recently seen live flows until at most CAP_EVICT_TO of the cap are live. */
  private evictForCap(): void {
    const s = this.store;
    const n = this.collect(() => true);
    const flows = this.scratch;
    const k = Math.min(n, Math.max(1, n - Math.floor(this.maxLiveFlows * CAP_EVICT_TO)));
    // Rare (once per 10% of the cap in new flows): sorting a copy of the last-seen times is affordable.
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = s.lastTs(flows[i]);
    times.sort();
    const threshold = times[k - 1];
    let ties = k;
    for (let i = 0; i < k; i++) if (times[i] < threshold) ties--;
    // Everything older than the threshold, then just enough flows seen exactly at it; compacted in place.
    let m = 0;
    for (let i = 0; i < n; i++) {
      const f = flows[i];
      const t = s.lastTs(f);
      if (t < threshold || (t === threshold && ties-- > 0)) flows[m++] = f;
    }
    this.endAll(m, (f) => (this.isClosedTcp(f) ? EndedBy.Closed : EndedBy.Cap));
  }

  /** Puts the live flows accepted by `keep` into scratch[0..n) and returns n. */
  private collect(keep: (flow: number) => boolean): number {
    if (this.scratch.length < this.index.size) this.scratch = new Int32Array(this.index.size * 2);
    return this.index.collect(this.scratch, keep);
  }

  /** Removes from the index and ends the flows in scratch[0..n), in flow order (so onFinish sees a stable order). */
  private endAll(n: number, reason: (flow: number) => EndedBy): void {
    const flows = this.scratch.subarray(0, n).sort();
    for (let k = 0; k < n; k++) {
      const f = flows[k];
      const slot = this.index.slotOf(f);
      if (slot < 0) continue;
      const why = reason(f);
      this.index.removeSlot(slot);
      this.end(f, why);
    }
  }

  private end(flow: number, why: EndedBy): void {
    this.store.endedBy[flow] = why;
    if (why === EndedBy.Idle) {
      this.anomalies[A.FlowEvictedIdle]++;
      this.evictedCount++;
    } else if (why === EndedBy.Cap) {
      this.anomalies[A.FlowEvictedCap]++;
      this.evictedCount++;
    }
    this.onFinish?.(flow);
  }
}
