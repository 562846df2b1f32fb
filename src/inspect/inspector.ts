/**
 * Payload inspection, called by the pipeline for every TCP/UDP packet with
 * payload, after the flow table attributed it (flow index and direction).
 *
 * Cost model (ARCHITECTURE.md "Payload inspection only where it can pay"):
 * one byte per flow says whether the flow is undecided, skipped or active.
 * A skipped flow costs one array read. An undecided flow gets its first
 * UNDECIDED_PACKETS payloads examined (UDP: RFC 7983 first-byte
 * demultiplexing, each guess confirmed by structure, never by port; TCP: the
 * framing of the first bytes, else the application parsers), then is skipped
 * unless something was recognised. Active flows (STUN, TURN, media) are
 * inspected on every packet: STUN messages parsed into one reused scratch
 * message, media handed to the RTP module, TCP framed with bounded
 * reassembly (tcp-framing.ts). Per-flow objects (flow-state.ts) are created
 * once, when a flow first shows something worth keeping.
 *
 * Nothing here throws on packet bytes: every flaw is a named anomaly.
 */
import { A, ANOMALY_ID, type AnomalyCounters, newAnomalyCounters } from '../anomalies.js';
import { IpProto, TcpFlag, type PacketView } from '../decode/packet-view.js';
import { Decode } from '../decode/status.js';
import { formatIp } from '../flow/ip-format.js';
import { CHANNEL_MAX, ChannelDataView, MS_MUX_CHANNEL, parseChannelData } from './channeldata.js';
import { addBounded, Allocation, FlowInspection, HELD_CHANNELS, MAX_ALLOCATIONS, MAX_EVIDENCE_FRAMES, MAX_PEERS, MAX_UNKNOWN_TYPES, type AppHello } from './flow-state.js';
import { Addr, Flaw, parseStun, peerSlot, sameTid, StunMessage, stunText, Txt } from './stun.js';
import { Dialect, Method, MsType, StunClass } from './stun-constants.js';
import { detectFraming, endFraming, feedSegment, Frame, Framing, opensWithData, pseudoTlsHello, relayedPayload, SYNC_SEGMENTS, Stop, TcpDirection, type FrameSink } from './tcp-framing.js';
import { NOT_RTP, rtpHeaderBytes } from './media/rtp-header.js';
import { Outcome } from './transactions.js';
import { httpFlowEnded, httpSegment, httpStartLineEnd, newHttpTally } from './apps/http-stream.js';
import { UNKNOWN as UNKNOWN_POSITION } from './apps/message-stream.js';
import { newSipTally, sipDatagram, sipFlowEnded, sipSegment } from './apps/sip-stream.js';
import { sipStartLineEnd } from './apps/sip.js';

/** The media module's entry point (inspect/media/rtp-streams.ts RtpStreams satisfies it). */
export interface MediaSink {
  /** Capture time (epoch s) of the payload given to `feed`, written just before the call (a double argument would be boxed per packet). */
  readonly arrival: Float64Array;
  /** One payload of `flow` in direction `dir`; true when it was taken as media (RtpStreams.feed). */
  feed(flow: number, dir: number, frameNo: number, buf: Buffer, off: number, end: number): boolean;
}

/** Application parsers tried on the first payloads of a flow (inspect/apps); each returns null when the bytes are not its protocol. */
export interface AppParsers {
  tcp: readonly AppParser[];
  udp: readonly AppParser[];
  /** Tried on a TCP flow's payloads after `tcp`, while no hello was found: a capture that started after the handshake. */
  tcpMidSession?: readonly AppParser[];
}

/** What an application parser returns: its protocol and details, and the anomaly it met, if any (a name of src/anomalies.ts). */
export type AppParser = (buf: Buffer, off: number, end: number) => { readonly protocol: string; readonly anomaly?: string | null } | null;

/**
 * What a flow's payloads get, one byte per flow. A flow goes from Undecided to Skip or to Active, and
 * from Active to Skip once nothing more of it is read (an HTTP body to the end, an RFC 6062 data
 * connection); never back. So an inspection worker's main thread may read the bytes as the worker
 * writes them (thread/worker-inspection.ts): a value it sees is final, Undecided, or Active about to
 * become Skip, when it queues a few packets the worker then drops.
 */
export const FlowMode = { Undecided: 0, Skip: 1, Active: 2 } as const;
const UNDECIDED = FlowMode.Undecided;
const SKIP = FlowMode.Skip;
const ACTIVE = FlowMode.Active;
const UNDECIDED_PACKETS = 8; // payload packets examined before an unrecognised flow is skipped
/** What an unframed TCP payload gave the application parsers (Inspector.unframed). */
const Hello = { None: 0, Read: 1, Completed: 2 } as const;
const TLS_HANDSHAKE_RECORD = 22; // RFC 8446 §5.1 content type
const TLS_HEADER = 5; // RFC 8446 §5.1 record header
const MAX_TLS_RECORD = 16384; // RFC 8446 §5.1: a plaintext record's fragment is at most 2^14 bytes
const APP_PACKETS = 4; // of which the application parsers see at most this many
/** Payloads without framing after which an undecided TCP flow is skipped, whatever the application parsers said (tcp()). */
export const TCP_UNFRAMED_PACKETS = APP_PACKETS;

/**
 * True when the TCP payload at `off`, on an undecided flow, counts towards TCP_UNFRAMED_PACKETS: it
 * shows no framing (tcp() makes the flow active on one that does) and starts no SIP or HTTP message
 * (such a flow stays active too, for its message counts). `scratch` is overwritten.
 */
export function unframedTcpPayload(buf: Buffer, off: number, end: number, scratch: StunMessage): boolean {
  return detectFraming(buf, off, end, scratch) === Framing.None && sipStartLineEnd(buf, off, end) < 0 && httpStartLineEnd(buf, off, end) < 0;
}

// RFC 7983 §7 first-byte ranges (UDP)
export const RTP_FIRST = 128;
export const RTP_LAST = 191;
const DTLS_FIRST = 20;
const DTLS_LAST = 63;
const CHANNELDATA_FIRST = 64;
const CHANNELDATA_LAST = 79;
// RFC 5766 §11 channels run to 0x7FFF, and older servers (coturn 4.6 among them) still bind numbers past
// 0x4FFF; RFC 9443 gives first bytes 80-127 to QUIC, so those are believed only on a flow already known to
// carry TURN (TURN messages, or ChannelData confirmed on channels 0x4000-0x4FFF).
const CHANNEL_RFC5766_LAST = CHANNEL_MAX >> 8;
const MS_MUX_FIRST_BYTE = MS_MUX_CHANNEL >> 8;
// First bytes of a SIP start line: an upper-case method, or "SIP/2.0" (apps/sip.ts).
const SIP_FIRST = 0x41;
const SIP_LAST = 0x5a;

export class Inspector implements FrameSink {
  /** Counters of the current input; the pipeline swaps them per input file, as for the flow table. */
  anomalies: AnomalyCounters = newAnomalyCounters();
  media: MediaSink | null;
  apps: AppParsers;
  private readonly msg = new StunMessage();
  private readonly inner = new StunMessage();
  private readonly cd = new ChannelDataView();
  private mode: Uint8Array<ArrayBufferLike>;
  private seen: Uint8Array<ArrayBufferLike>;
  private readonly states: (FlowInspection | undefined)[] = [];
  // the packet being inspected, for frame() callbacks from the TCP framer
  private cur: FlowInspection | null = null;
  private curFlow = 0;
  private curDir = 0;
  private curTs = 0;
  private curFrame = 0;

  /**
   * Per direction of a SIP or HTTP flow (index flow * 2 + dir, for the flows it has room for): the TCP
   * sequence number at which its next message starts, plus 1, or 0 when not known (or a message's
   * head is held). Every byte before it is a body's, or was read already: an inspection worker's main
   * thread does not copy such segments (thread/worker-inspection.ts), which this would only skip.
   */
  private readonly textPositions: Float64Array | null;

  /**
   * `mode`: where the per-flow modes are kept (shared with another thread); a larger copy replaces it
   * for flows past its end. `textPositions`: see the field.
   */
  constructor(media: MediaSink | null = null, apps: AppParsers = { tcp: [], udp: [] }, mode: Uint8Array<ArrayBufferLike> = new Uint8Array(1024),
    textPositions: Float64Array | null = null) {
    this.media = media;
    this.apps = apps;
    this.mode = mode;
    this.textPositions = textPositions;
    this.seen = new Uint8Array(mode.length);
  }

  /** Flows with inspection state, ascending by flow index. */
  inspected(): FlowInspection[] {
    const out: FlowInspection[] = [];
    for (const s of this.states) {
      if (s === undefined) continue;
      if (s.hello !== null) this.parseHeld(s, false); // the capture ended inside a hello: what it holds
      if (s.sip !== null) sipFlowEnded(s.sip); // or inside a SIP or HTTP message's header section
      if (s.http !== null) httpFlowEnded(s.http);
      out.push(s);
    }
    return out;
  }

  state(flow: number): FlowInspection | undefined {
    return this.states[flow];
  }

  /**
   * The flow table ended `flow` (idle, evicted, closed): no packet of it comes again, so its TCP
   * reassembly buffers go (up to 64 KiB per direction, else held for the rest of the run), and a
   * hello it held is read as far as it came.
   */
  flowEnded(flow: number): void {
    const st = this.states[flow];
    if (st === undefined) return;
    st.tcp = null;
    if (st.hello !== null) this.parseHeld(st, true);
    if (st.sip !== null) sipFlowEnded(st.sip);
    if (st.http !== null) httpFlowEnded(st.http);
  }

  /**
   * One TCP or UDP packet with payload, attributed to `flow` in direction `dir` (0 = from the
   * client). InspectionCore.packet first offers it to activeMedia(); this takes the rest.
   */
  onPacket(flow: number, dir: number, pkt: PacketView): void {
    if (flow >= this.mode.length) this.grow(flow);
    const mode = this.mode[flow];
    if (mode === SKIP) return;
    const off = pkt.payloadOff;
    const end = pkt.payloadEnd;
    if (end <= off) return;
    this.curFlow = flow;
    this.curDir = dir;
    this.curTs = pkt.ts;
    this.curFrame = pkt.frameNo;
    if (pkt.proto === IpProto.UDP) this.udp(flow, dir, mode, pkt.buf, off, end, pkt.payloadLen);
    else if (pkt.proto === IpProto.TCP) this.tcp(flow, dir, mode, pkt);
  }

  /**
   * The bulk of a media capture, taken before onPacket: RTP (by its first byte) of a UDP flow
   * already active goes straight to the media module, since nothing else would be tried on it (udp()
   * does the same, through more calls). Small, so that InspectionCore.packet can inline it. False:
   * not such a packet, give it to onPacket.
   */
  activeMedia(flow: number, dir: number, pkt: PacketView): boolean {
    if (pkt.proto !== IpProto.UDP || flow >= this.mode.length || this.mode[flow] !== ACTIVE) return false;
    const off = pkt.payloadOff;
    const b0 = pkt.buf[off];
    if (b0 < RTP_FIRST || b0 > RTP_LAST) return false;
    const media = this.media;
    if (media !== null) {
      media.arrival[0] = pkt.ts;
      media.feed(flow, dir, pkt.frameNo, pkt.buf, off, pkt.payloadEnd);
    }
    return true;
  }

  /**
   * An RTP packet of a UDP flow not known to be active, classified by an inspection worker's main
   * thread (thread/worker-inspection.ts), which saw no more of it: what udp() does with RTP, the
   * media module aside. False when the flow is skipped (nothing is done with its payloads).
   */
  rtpSeen(flow: number): boolean {
    if (flow >= this.mode.length) this.grow(flow);
    if (this.mode[flow] === SKIP) return false;
    this.mode[flow] = ACTIVE;
    return true;
  }

  // ---------------------------------------------------------------- UDP

  private udp(flow: number, dir: number, mode: number, buf: Buffer, off: number, end: number, wireLen: number): void {
    const b0 = buf[off];
    let found = false;
    if (b0 < 4) {
      found = this.stun(flow, buf, off, end, wireLen, false);
    } else if (b0 >= RTP_FIRST && b0 <= RTP_LAST) {
      found = this.media !== null && this.toMedia(this.media, flow, dir, buf, off, end);
    } else if (b0 >= SIP_FIRST && b0 <= SIP_LAST && this.states[flow]?.sip) {
      // Every later message of a SIP flow (upper-case letters, 0x41-0x5A, overlap ChannelData's first bytes).
      sipDatagram(this.states[flow]!.sip!, buf, off, end, this.curFrame);
      found = true;
    } else if ((b0 >= CHANNELDATA_FIRST && b0 <= CHANNEL_RFC5766_LAST) || b0 === MS_MUX_FIRST_BYTE) {
      const st = this.states[flow];
      if (st !== undefined && (st.turnSeen || st.channelDataConfirmed)) found = this.channelData(st, buf, off, end, wireLen, false);
      else if ((b0 <= CHANNELDATA_LAST || b0 === MS_MUX_FIRST_BYTE) && this.standaloneChannelData(flow, buf, off, end, wireLen)) {
        found = this.channelData(this.flowState(flow), buf, off, end, wireLen, false);
      }
    } else if (b0 >= DTLS_FIRST && b0 <= DTLS_LAST && mode === ACTIVE && this.appRoom(flow, 'dtls')) {
      // DTLS after ICE made the flow active (WebRTC, SfB media): its handshake, for `apps`, while evidence is wanted.
      this.tryApps(flow, this.apps.udp, buf, off, end);
    }
    if (mode === UNDECIDED && !found) {
      const n = ++this.seen[flow];
      if (n <= APP_PACKETS) found = this.tryApps(flow, this.apps.udp, buf, off, end);
      const sip = found ? this.states[flow]?.sip : undefined;
      if (sip) sipDatagram(sip, buf, off, end, this.curFrame); // the message that made it a SIP flow
      if (!found && n >= UNDECIDED_PACKETS) this.mode[flow] = SKIP;
    }
    if (found && mode !== ACTIVE) this.mode[flow] = ACTIVE;
  }

  // ---------------------------------------------------------------- TCP

  private tcp(flow: number, dir: number, mode: number, pkt: PacketView): void {
    const buf = pkt.buf;
    const off = pkt.payloadOff;
    const end = pkt.payloadEnd;
    let st = this.states[flow];
    if (mode === UNDECIDED) {
      const framing = detectFraming(buf, off, end, this.msg);
      if (framing === Framing.None) {
        const n = ++this.seen[flow];
        // After a hello and one more payload (the other side's hello), the flow has shown what it is.
        const app = this.unframed(flow, dir, pkt);
        const counted = this.states[flow];
        if (counted?.sip || counted?.http) this.textSegment(counted, dir, pkt);
        if (n >= TCP_UNFRAMED_PACKETS || (app === Hello.Read && n >= 2)) {
          // SIP and HTTP go on being counted, message by message; other protocols have shown all that is read of them.
          // (An HTTP flow already turned into a tunnel or a close-delimited body stays skipped.)
          this.mode[flow] = (counted?.sip || counted?.http) && this.mode[flow] !== SKIP ? ACTIVE : SKIP;
          const held = this.states[flow];
          if (held?.hello) this.parseHeld(held, true);
        }
        return;
      }
      st = this.flowState(flow);
      st.framing = framing;
      st.tcp = [new TcpDirection(), new TcpDirection()];
      // Media or relayed data before any STUN: the capture began mid-stream, after the Allocate (and any ChannelBind).
      st.midStream = opensWithData(framing, buf, off);
      this.mode[flow] = ACTIVE;
    }
    if (st?.sip || st?.http) {
      this.textSegment(st, dir, pkt);
      return;
    }
    if (st === undefined || st.tcp === null) return; // active for another reason (an app hello): nothing to frame
    const d = st.tcp[dir];
    // Begun mid-stream, a direction's first segments may start inside a message: its framing starts
    // at the first that holds whole frames, as the one that set the framing did (for a few segments).
    if (st.midStream && d.nextSeq < 0 && d.unsynced < SYNC_SEGMENTS && detectFraming(buf, off, end, this.msg) !== st.framing) {
      d.unsynced++;
      return;
    }
    this.cur = st;
    // Data on a SYN (TCP Fast Open, RFC 7413) starts after the sequence number the SYN itself takes.
    const seq = (pkt.tcpFlags & TcpFlag.SYN) !== 0 ? (pkt.tcpSeq + 1) >>> 0 : pkt.tcpSeq;
    const why = feedSegment(d, st.framing, seq, pkt.payloadLen, buf, off, end, this);
    this.cur = null;
    if (why === Stop.Gap) this.anomalies[A.InspectTcpGap]++;
    else if (why === Stop.Desync) this.anomalies[A.InspectTcpDesync]++;
    else if (why === Stop.Limit) this.anomalies[A.InspectTcpLimit]++;
  }

  /** FrameSink: one complete frame of the TCP flow being inspected. */
  frame(kind: number, buf: Buffer, off: number, end: number): void {
    const st = this.cur!;
    if (kind === Frame.Stun) {
      this.stun(this.curFlow, buf, off, end, end - off, false);
    } else if (kind === Frame.ChannelData) {
      // In sync on a framed stream, ChannelData around RTP, RTCP or STUN is believed without TURN (an Allocate before the capture).
      if (!st.turnSeen && !st.channelDataConfirmed && relayedPayload(buf, off + 4, Math.min(end, off + 4 + ((buf[off + 2] << 8) | buf[off + 3])), this.inner)) {
        st.channelDataConfirmed = true;
      }
      if (st.turnSeen || st.channelDataConfirmed) this.channelData(st, buf, off, end, end - off, true);
    } else if (kind === Frame.Data) {
      if (st.framing === Framing.MsTurnTcp) {
        st.msTurnDataFrames++;
        const frames = st.msTurnDataFrameNos;
        if (frames.length < MAX_EVIDENCE_FRAMES && frames[frames.length - 1] !== this.curFrame) frames.push(this.curFrame);
      }
      this.innerPayload(st, buf, off, end);
    } else if (pseudoTlsHello(buf, off, end) !== 0) {
      st.pseudoTls = true;
      if (st.pseudoTlsFrames.length < MAX_EVIDENCE_FRAMES) st.pseudoTlsFrames.push(this.curFrame);
    }
  }

  /** A TCP segment of a SIP or HTTP flow, for its message counts. */
  private textSegment(st: FlowInspection, dir: number, pkt: PacketView): void {
    // Data on a SYN (TCP Fast Open, RFC 7413) starts after the sequence number the SYN itself takes.
    const seq = (pkt.tcpFlags & TcpFlag.SYN) !== 0 ? (pkt.tcpSeq + 1) >>> 0 : pkt.tcpSeq;
    const tally = st.sip ?? st.http!;
    if (st.sip !== null) sipSegment(st.sip, dir, seq, pkt.payloadLen, pkt.buf, pkt.payloadOff, pkt.payloadEnd, this.curFrame);
    else {
      httpSegment(st.http!, dir, seq, pkt.payloadLen, pkt.buf, pkt.payloadOff, pkt.payloadEnd, this.curFrame);
      // A tunnel, another protocol, or a body to the end of the connection: nothing more is read, so the
      // flow's packets need not come here (an inspection worker's main thread stops copying them).
      if (st.http!.done[0] || st.http!.done[1]) this.mode[st.flow] = SKIP;
    }
    const positions = this.textPositions;
    const at = st.flow * 2 + dir;
    if (positions !== null && at < positions.length) {
      const next = tally.nextMessage[dir];
      positions[at] = tally.held[dir] === null && next !== UNKNOWN_POSITION ? next + 1 : 0;
    }
  }

  // ---------------------------------------------------------------- STUN

  /**
   * Parses and records the STUN message at `off` (`avail` bytes given by the
   * transport). Returns false when the bytes are no STUN message of any
   * dialect. `tunneled`: inside TURN data, counted, and a response answers the flow's pending request.
   */
  private stun(flow: number, buf: Buffer, off: number, end: number, avail: number, tunneled: boolean): boolean {
    const msg = tunneled ? this.inner : this.msg;
    const status = parseStun(buf, off, end, avail, msg);
    if (status === Decode.NotMine) return false;
    this.countFlaws(msg.flaws);
    const st = this.flowState(flow);
    if (tunneled) {
      st.tunneledStun++;
      st.tx?.recordTunneled(msg, this.curTs, this.curFrame);
      return true;
    }
    st.stunMessages++;
    st.dialects |= 1 << msg.dialect;
    const key = (msg.dialect << 20) | (this.curDir << 16) | msg.type;
    st.typeCounts.set(key, (st.typeCounts.get(key) ?? 0) + 1);
    if (st.stunFrames.length < MAX_EVIDENCE_FRAMES && st.stunFrames[st.stunFrames.length - 1] !== this.curFrame) st.stunFrames.push(this.curFrame);
    const outcome = st.transactions().record(msg, this.curFrame, this.curTs, this.curDir);
    if (status === Decode.Ok) {
      this.attributes(st, buf, msg);
      this.turn(st, buf, msg, outcome);
    } else if (isTurnMethod(msg)) {
      st.turnSeen = true;
    }
    return true;
  }

  /**
   * RFC 6062 §4.3 and §4.4 (a connection the client or the peer opened): once a ConnectionBind
   * succeeds, its TCP connection carries the peer's data as is,
   * both ways (the client sends nothing before the success arrives): nothing more is framed, and
   * the flow's later payloads need not come here.
   */
  private dataConnection(st: FlowInspection): void {
    st.dataConnectionFrame = this.curFrame;
    endFraming(st.tcp![0], Stop.DataConnection);
    endFraming(st.tcp![1], Stop.DataConnection);
    this.mode[st.flow] = SKIP;
  }

  private countFlaws(flaws: number): void {
    if (flaws === 0) return;
    const a = this.anomalies;
    if (flaws & Flaw.BadLength) a[A.StunBadLength]++;
    if (flaws & Flaw.Truncated) a[A.StunTruncated]++;
    if (flaws & Flaw.AttributePastEnd) a[A.StunAttributePastEnd]++;
    if (flaws & Flaw.AttributeBadValue) a[A.StunAttributeBadValue]++;
    if (flaws & Flaw.FingerprintMismatch) a[A.StunFingerprintMismatch]++;
    if (flaws & Flaw.TrailingBytes) a[A.StunTrailingBytes]++;
  }

  /** Flow-level facts from the attributes; strings only the first time (bounded). */
  private attributes(st: FlowInspection, buf: Buffer, msg: StunMessage): void {
    if (st.software === undefined && msg.txtLen[Txt.Software] >= 0) st.software = stunText(buf, msg, Txt.Software);
    if (st.realm === undefined && msg.txtLen[Txt.Realm] >= 0) st.realm = stunText(buf, msg, Txt.Realm);
    if (msg.fingerprint === 1) st.fingerprintsOk++;
    else if (msg.fingerprint === 2) st.fingerprintsBad++;
    if (msg.integrity) st.integrity++;
    for (let i = 0; i < msg.unknown && i < msg.unknownTypes.length; i++) {
      const t = msg.unknownTypes[i];
      const n = st.unknownAttributes.get(t);
      if (n !== undefined) st.unknownAttributes.set(t, n + 1);
      else if (st.unknownAttributes.size < MAX_UNKNOWN_TYPES) st.unknownAttributes.set(t, 1);
    }
    if (msg.msVersion >= 0) addBounded(st.msVersions, msg.msVersion, MAX_PEERS);
    if (msg.msStreamType >= 0) addBounded(st.msStreamTypes, msg.msStreamType, MAX_PEERS);
    if (msg.msImplementationVersion >= 0) addBounded(st.msImplementationVersions, msg.msImplementationVersion, MAX_PEERS);
    if (msg.msCandidateId >= 0) st.msCandidateIds++;
    if (msg.msBandwidthReservation) st.msBandwidthReservation = true;
    if (msg.txtLen[Txt.CallId] >= 0 && st.callIds.length < MAX_PEERS) addBounded(st.callIds, stunText(buf, msg, Txt.CallId)!, MAX_PEERS);
    if (msg.method === Method.Binding && msg.kind === StunClass.Request && msg.priority >= 0) {
      st.iceChecks++;
      if (msg.useCandidate) st.useCandidate++;
      if (msg.iceRole === 1) st.controlling++;
      else if (msg.iceRole === 2) st.controlled++;
    }
  }

  /** The TURN allocation ledger. */
  private turn(st: FlowInspection, buf: Buffer, msg: StunMessage, outcome: number): void {
    if (!isTurnMethod(msg)) return;
    st.turnSeen = true;
    const ms = msg.dialect === Dialect.MsTurn;
    const kind = msg.kind;
    const method = msg.method;
    if (ms && (msg.type === MsType.SendRequest || msg.type === MsType.DataIndication)) {
      const a = current(st);
      if (a !== undefined) {
        if (msg.type === MsType.SendRequest) a.sendIndications++;
        else a.dataIndications++;
      }
      if (msg.dataOff >= 0) this.innerPayload(st, buf, msg.dataOff, msg.dataOff + msg.dataLen);
      return;
    }
    if (method === Method.Allocate) {
      // MS-TURN has no Refresh (its 0x0004 is Send): a client refreshes, or with LIFETIME 0 releases,
      // its allocation with another Allocate on the same 5-tuple (as libnice's MSN/OC2007 modes build
      // refreshes, and Teams does in msturn_teams_ndpi.pcap).
      const live = ms ? liveAllocation(st) : undefined;
      if (kind === StunClass.Request) {
        if (outcome === Outcome.NewRequest) {
          if (live === undefined) this.newAllocation(st, buf, msg);
          else {
            live.refreshes++;
            if (msg.lifetime === 0) live.deleted = true;
          }
        } else if (outcome === Outcome.Retransmission) {
          const a = byTid(st, msg);
          if (a !== undefined) a.attempts++;
        }
      } else if (kind !== StunClass.Indication) {
        const a = byTid(st, msg);
        if (a !== undefined) {
          if (a.outcome === 0) this.allocationAnswer(st, a, buf, msg, ms);
        } else if (live !== undefined && kind === StunClass.Error && outcome === Outcome.Answer) {
          live.refreshErrors++;
        } else if (outcome === Outcome.Unmatched) {
          // Kept with the unmatched response, for a request of another flow it may answer (stun-report.ts).
          const answer = new Allocation();
          this.allocationAnswer(st, answer, buf, msg, ms);
          st.tx!.unmatched[st.tx!.unmatched.length - 1].allocation = answer;
        }
      }
      return;
    }
    if (method === Method.ConnectionBind) {
      // RFC 6062 §4.3: on a new connection to the server, the client names the peer connection this one is to carry.
      if (kind === StunClass.Request && msg.connectionId >= 0 && st.boundConnectionId < 0) st.boundConnectionId = msg.connectionId;
      else if (kind === StunClass.Success && st.tcp !== null && st.framing === Framing.StunStream) this.dataConnection(st);
      return;
    }
    const a = current(st);
    if (a === undefined) return;
    if (method === Method.Connect || method === Method.ConnectionAttempt) {
      this.relayConnection(a, msg, outcome);
    } else if (method === Method.Refresh && !ms) {
      if (kind === StunClass.Request && outcome === Outcome.NewRequest) {
        a.refreshes++;
        if (msg.lifetime === 0) a.deleted = true;
      } else if (kind === StunClass.Error && outcome === Outcome.Answer) {
        a.refreshErrors++;
      }
    } else if (method === Method.Send && ms) {
      // [MS-TURN] 0x0006: Set Active Destination.
      if (kind === StunClass.Request && outcome === Outcome.NewRequest) {
        a.setActiveDestination++;
        if (msg.addrFamily[Addr.Destination] !== 0) a.destination = addrText(msg, Addr.Destination);
      }
    } else if (method === Method.Send && kind === StunClass.Indication) {
      a.sendIndications++;
      if (msg.dataOff >= 0) this.innerPayload(st, buf, msg.dataOff, msg.dataOff + msg.dataLen);
    } else if (method === Method.Data && kind === StunClass.Indication) {
      a.dataIndications++;
      if (msg.dataOff >= 0) this.innerPayload(st, buf, msg.dataOff, msg.dataOff + msg.dataLen);
    } else if (method === Method.CreatePermission && kind === StunClass.Request && outcome === Outcome.NewRequest) {
      a.permissions++;
      for (let i = 0; i < msg.peers; i++) addBounded(a.peers, addrText(msg, peerSlot(i)), MAX_PEERS);
    } else if (method === Method.ChannelBind && kind === StunClass.Request && outcome === Outcome.NewRequest) {
      a.channelBinds++;
      if (msg.channel >= 0 && a.channels.length < MAX_PEERS && !a.channels.some((c) => c.channel === msg.channel)) {
        a.channels.push({ channel: msg.channel, peer: msg.addrFamily[Addr.Peer] !== 0 ? addrText(msg, Addr.Peer) : null });
      }
    }
  }

  /**
   * RFC 6062 on a TCP allocation's control connection: the client asks the server to connect to a
   * peer (Connect, §4.3; the success names the connection), or the server says a peer connected to
   * the relayed address (ConnectionAttempt, §4.4, an indication as coturn sends it, or a request).
   */
  private relayConnection(a: Allocation, msg: StunMessage, outcome: number): void {
    const kind = msg.kind;
    const peer = msg.peers > 0 ? addrText(msg, peerSlot(0)) : null;
    if (msg.method === Method.Connect) {
      if (kind === StunClass.Request && outcome === Outcome.NewRequest) {
        a.connects++;
        if (a.pendingConnects.length >= MAX_PEERS) a.pendingConnects.shift();
        a.pendingConnects.push({ tid: Array.from(msg.tid), peer });
      } else if (kind === StunClass.Success || kind === StunClass.Error) {
        // The answer to a request seen (its peer), or to one before the capture began (no peer).
        const i = a.pendingConnects.findIndex((p) => sameTid(p.tid, msg.tid));
        const requested = i >= 0 ? a.pendingConnects.splice(i, 1)[0].peer : null;
        if (kind === StunClass.Success) this.namedConnection(a, msg, requested, 'client');
      }
    } else if (kind === StunClass.Indication || (kind === StunClass.Request && outcome === Outcome.NewRequest)) {
      a.connectionAttempts++;
      this.namedConnection(a, msg, peer, 'peer');
    }
  }

  /** Lists the connection `msg`'s CONNECTION-ID names, once each, at most MAX_PEERS. */
  private namedConnection(a: Allocation, msg: StunMessage, peer: string | null, initiatedBy: 'client' | 'peer'): void {
    const id = msg.connectionId;
    if (id < 0 || a.connections.length >= MAX_PEERS || a.connections.some((c) => c.connectionId === id)) return;
    a.connections.push({ connectionId: id, peer, initiatedBy, frame: this.curFrame });
  }

  private newAllocation(st: FlowInspection, buf: Buffer, msg: StunMessage): void {
    if (st.allocations.length >= MAX_ALLOCATIONS) {
      st.allocationsDropped++;
      this.anomalies[A.TurnAllocationTableFull]++;
      return;
    }
    const a = new Allocation();
    a.tid.set(msg.tid);
    a.requestFrame = this.curFrame;
    a.requestTs = this.curTs;
    a.requestedTransport = msg.requestedTransport;
    a.msVersion = msg.msVersion;
    a.streamType = msg.msStreamType;
    a.username = stunText(buf, msg, Txt.Username);
    st.allocations.push(a);
  }

  private allocationAnswer(st: FlowInspection, a: Allocation, buf: Buffer, msg: StunMessage, ms: boolean): void {
    a.outcome = msg.kind === StunClass.Success ? 1 : 2;
    a.responseFrame = this.curFrame;
    a.responseTime = Math.max(0, this.curTs - a.requestTs); // from the first request, as the transaction's response time
    if (a.outcome === 2) {
      a.errorCode = msg.errorCode;
      a.errorReason = stunText(buf, msg, Txt.Reason);
    }
    // [MS-TURN] §3.2.5: the Allocate response's MAPPED-ADDRESS is the relayed address. An error response
    // allocates nothing (RFC 8656 §7.3), whatever addresses it carries (MS-TURN's 401 has a MAPPED-ADDRESS).
    const relayedSlot = a.outcome !== 1 ? -1 : msg.addrFamily[Addr.XorRelayed] !== 0 ? Addr.XorRelayed : ms ? Addr.Mapped : -1;
    if (relayedSlot >= 0 && msg.addrFamily[relayedSlot] !== 0) {
      a.relayedIp = formatIp(msg.addrFamily[relayedSlot], msg.addrWords, relayedSlot * 4);
      a.relayedPort = msg.addrPort[relayedSlot];
      a.relayed = addrText(msg, relayedSlot);
    }
    if (msg.addrFamily[Addr.XorMapped] !== 0) a.reflexive = addrText(msg, Addr.XorMapped);
    if (msg.lifetime >= 0) a.lifetime = msg.lifetime;
    if (a.msVersion < 0) a.msVersion = msg.msVersion;
    a.realm = stunText(buf, msg, Txt.Realm) ?? a.realm;
  }

  // ---------------------------------------------------------------- TURN data

  private channelData(st: FlowInspection, buf: Buffer, off: number, end: number, avail: number, padded: boolean): boolean {
    const view = this.cd;
    const status = parseChannelData(buf, off, end, avail, padded, view);
    if (status === Decode.NotMine) return false;
    if (status === Decode.Malformed) {
      this.anomalies[A.ChannelDataBadLength]++;
      return true;
    }
    st.channelData++;
    if (view.channel === MS_MUX_CHANNEL) st.multiplexedTurn++;
    addBounded(st.channels, view.channel, MAX_PEERS);
    if (st.channelFrames.length < MAX_EVIDENCE_FRAMES && st.channelFrames[st.channelFrames.length - 1] !== this.curFrame) st.channelFrames.push(this.curFrame);
    if (status === Decode.Ok) this.innerPayload(st, buf, view.dataOff, view.dataEnd);
    return true;
  }

  /**
   * ChannelData on a flow without TURN messages of its own: Microsoft
   * multiplexed TURN (Teams sends it to another port of the relay than the
   * one it allocated on), or a capture that starts mid-call, after the
   * Allocate and ChannelBind. Believed only when the message fills the
   * datagram exactly (or with its padding, RFC 8656 §12.5) and the data
   * inside is a whole STUN message or media: RTP-range for multiplexed TURN;
   * for a standard channel an RTP or RTCP header, and only from the second
   * such datagram in one direction on the same channel, since a QUIC short
   * header starts with the same bytes. Each direction holds the last
   * candidate of up to HELD_CHANNELS channels (audio and video relayed on one
   * allocation alternate theirs). The candidates held are then counted with
   * it (their media is not replayed), and every ChannelData of the flow is
   * believed from then on.
   */
  private standaloneChannelData(flow: number, buf: Buffer, off: number, end: number, wireLen: number): boolean {
    const view = this.cd;
    if (parseChannelData(buf, off, end, wireLen, false, view) !== Decode.Ok) return false;
    const mux = view.channel === MS_MUX_CHANNEL;
    if (view.total !== wireLen && (mux || ((view.total + 3) & ~3) !== wireLen)) return false;
    const d = view.dataOff;
    if (d >= view.dataEnd) return false;
    const b = buf[d];
    const inner = b < 4
      ? parseStun(buf, d, view.dataEnd, view.dataEnd - d, this.inner) === Decode.Ok
      : b >= RTP_FIRST && b <= RTP_LAST && (mux || rtpHeaderBytes(buf, d, view.dataEnd) !== NOT_RTP);
    if (!inner) return false;
    if (mux) return true;
    const st = this.flowState(flow);
    const held = st.standaloneChannel;
    const first = this.curDir * HELD_CHANNELS;
    let slot = first;
    while (slot < first + HELD_CHANNELS && held[slot] !== view.channel) slot++;
    if (slot === first + HELD_CHANNELS) {
      // A channel not held yet: a free slot of this direction, else the one held longest.
      slot = first;
      for (let i = first; i < first + HELD_CHANNELS; i++) {
        if (held[i] < 0) { slot = i; break; }
        if (st.standaloneChannelFrame[i] < st.standaloneChannelFrame[slot]) slot = i;
      }
      held[slot] = view.channel;
      st.standaloneChannelFrame[slot] = this.curFrame;
      return false;
    }
    st.channelDataConfirmed = true;
    // The candidates held (both directions') count with it, in frame order.
    const heldFrames = st.standaloneChannelFrame;
    const slots: number[] = [];
    for (let i = 0; i < held.length; i++) if (held[i] >= 0) slots.push(i);
    slots.sort((a, b) => heldFrames[a] - heldFrames[b]);
    const frames = st.channelFrames;
    for (const i of slots) {
      st.channelData++;
      addBounded(st.channels, held[i], MAX_PEERS);
      frames.push(heldFrames[i]);
    }
    frames.sort((a, b) => a - b);
    frames.length = Math.min(frames.length, MAX_EVIDENCE_FRAMES);
    return true;
  }

  /** Application data relayed by TURN: media to the RTP module, STUN (ICE through the relay) counted. */
  private innerPayload(st: FlowInspection, buf: Buffer, off: number, end: number): void {
    if (end <= off) return;
    const b0 = buf[off];
    if (b0 >= RTP_FIRST && b0 <= RTP_LAST) {
      if (this.media !== null) this.toMedia(this.media, this.curFlow, this.curDir, buf, off, end);
    } else if (b0 < 4) {
      this.stun(st.flow, buf, off, end, end - off, true);
    }
  }

  // ---------------------------------------------------------------- helpers

  private toMedia(media: MediaSink, flow: number, dir: number, buf: Buffer, off: number, end: number): boolean {
    media.arrival[0] = this.curTs;
    return media.feed(flow, dir, this.curFrame, buf, off, end);
  }

  /** `frame`: the frame the bytes came from; `count`: whether a damaged hello's anomaly is counted (not at report time, after the counts were settled). */
  private tryApps(flow: number, parsers: AppParsers['tcp'], buf: Buffer, off: number, end: number, frame = this.curFrame, count = true): boolean {
    for (const parse of parsers) {
      const hello = parse(buf, off, end);
      if (hello === null) continue;
      // A damaged hello is still that protocol: count what was wrong with it, keep what was read.
      if (hello.anomaly && count) {
        const id = ANOMALY_ID.get(hello.anomaly);
        if (id !== undefined) this.anomalies[id]++;
      }
      const st = this.flowState(flow);
      if (hello.protocol === 'sip' && st.sip === null && st.http === null) st.sip = newSipTally();
      else if (hello.protocol === 'http' && st.http === null && st.sip === null) st.http = newHttpTally();
      const known = st.apps.find((h) => h.protocol === hello.protocol);
      if (known === undefined) st.apps.push({ ...hello, evidenceFrames: [frame] });
      else {
        // The other side's hello (a ServerHello, a SIP response) adds what the first lacks: selected version, cipher suite, status.
        for (const [key, value] of Object.entries(hello)) if (!(key in known) && value !== undefined) known[key] = value;
        if (known.evidenceFrames !== undefined && known.evidenceFrames.length < MAX_EVIDENCE_FRAMES) known.evidenceFrames.push(frame);
      }
      return true;
    }
    return false;
  }

  /**
   * An unframed payload of an undecided TCP flow, for the application parsers. A TLS record longer than
   * its segment (a ClientHello with post-quantum key shares spans two) is held and parsed whole once
   * the next segments of its direction complete it; a gap or the other direction first parses what is
   * held.
   */
  private unframed(flow: number, dir: number, pkt: PacketView): number {
    const buf = pkt.buf;
    const off = pkt.payloadOff;
    const end = pkt.payloadEnd;
    // A flow that showed only records of data (a capture begun after the hellos) has no hello to come:
    // its later payloads add evidence, and no hello is parsed out of its ciphertext.
    const apps = this.states[flow]?.apps;
    const midSessionOnly = apps !== undefined && apps.length > 0 && apps.every((a) => a.midSession === true);
    const midSession = this.apps.tcpMidSession;
    if (midSessionOnly) return midSession !== undefined && this.tryApps(flow, midSession, buf, off, end) ? Hello.Read : Hello.None;
    const held = this.states[flow]?.hello;
    if (held) {
      const st = this.states[flow]!;
      if (held.dir === dir && pkt.tcpSeq === held.nextSeq && end - off === pkt.payloadLen) {
        const take = Math.min(end - off, held.bytes.length - held.length);
        buf.copy(held.bytes, held.length, off, off + take);
        held.length += take;
        held.nextSeq = (held.nextSeq + pkt.payloadLen) >>> 0;
        if (held.length < held.bytes.length) return Hello.None;
        return this.parseHeld(st, true) ? Hello.Completed : Hello.None;
      }
      this.parseHeld(st, true);
    }
    const record = end - off >= TLS_HEADER && buf[off] === TLS_HANDSHAKE_RECORD ? TLS_HEADER + ((buf[off + 3] << 8) | buf[off + 4]) : 0;
    if (record > end - off && record <= TLS_HEADER + MAX_TLS_RECORD && end - off === pkt.payloadLen) {
      const st = this.flowState(flow);
      const bytes = Buffer.allocUnsafe(record);
      buf.copy(bytes, 0, off, end);
      const seq = (pkt.tcpFlags & TcpFlag.SYN) !== 0 ? (pkt.tcpSeq + 1) >>> 0 : pkt.tcpSeq;
      st.hello = { dir, nextSeq: (seq + pkt.payloadLen) >>> 0, frame: this.curFrame, bytes, length: end - off };
      return Hello.None;
    }
    if (this.tryApps(flow, this.apps.tcp, buf, off, end)) return Hello.Read;
    // No hello so far: a capture that started after the handshake sees records of encrypted data only.
    if (midSession !== undefined && !this.states[flow]?.apps.length && this.tryApps(flow, midSession, buf, off, end)) return Hello.Read;
    return Hello.None;
  }

  /** Parses a held TLS record, whole or as far as it came (counting its anomaly when `count`), at its first frame. */
  private parseHeld(st: FlowInspection, count: boolean): boolean {
    const held = st.hello!;
    st.hello = null;
    return this.tryApps(st.flow, this.apps.tcp, held.bytes, 0, held.length, held.frame, count);
  }

  /** Whether `flow` has room for more evidence of `protocol` (none yet, or fewer than MAX_EVIDENCE_FRAMES frames). */
  private appRoom(flow: number, protocol: string): boolean {
    const known = this.states[flow]?.apps.find((h) => h.protocol === protocol);
    return known === undefined || (known.evidenceFrames?.length ?? 0) < MAX_EVIDENCE_FRAMES;
  }

  private flowState(flow: number): FlowInspection {
    let st = this.states[flow];
    if (st === undefined) {
      st = new FlowInspection(flow);
      this.states[flow] = st;
    }
    return st;
  }

  private grow(flow: number): void {
    let size = this.mode.length;
    while (size <= flow) size *= 2;
    const mode = new Uint8Array(size);
    mode.set(this.mode);
    this.mode = mode;
    const seen = new Uint8Array(size);
    seen.set(this.seen);
    this.seen = seen;
  }
}

/** Methods that only TURN uses: seeing one proves TURN on the flow (and makes ChannelData believable). */
function isTurnMethod(msg: StunMessage): boolean {
  const m = msg.method;
  if (msg.dialect === Dialect.MsTurn) return m !== Method.Binding && m !== Method.SharedSecret;
  return m >= Method.Allocate && m <= Method.ConnectionAttempt && m !== 0x005;
}

/** The flow's last successful allocation not released, if any. */
function liveAllocation(st: FlowInspection): Allocation | undefined {
  for (let i = st.allocations.length - 1; i >= 0; i--) {
    const a = st.allocations[i];
    if (a.outcome === 1) return a.deleted ? undefined : a;
  }
  return undefined;
}

/** The allocation later TURN requests on the flow belong to: the last successful one, else the last. */
function current(st: FlowInspection): Allocation | undefined {
  for (let i = st.allocations.length - 1; i >= 0; i--) if (st.allocations[i].outcome === 1) return st.allocations[i];
  return st.allocations[st.allocations.length - 1];
}

function byTid(st: FlowInspection, msg: StunMessage): Allocation | undefined {
  for (let i = st.allocations.length - 1; i >= 0; i--) if (sameTid(st.allocations[i].tid, msg.tid)) return st.allocations[i];
  return undefined;
}


/** "ip:port" (IPv6 in brackets) of an address slot. */
function addrText(msg: StunMessage, slot: number): string {
  const fam = msg.addrFamily[slot];
  const ip = formatIp(fam, msg.addrWords, slot * 4);
  return fam === 6 ? `[${ip}]:${msg.addrPort[slot]}` : `${ip}:${msg.addrPort[slot]}`;
}
