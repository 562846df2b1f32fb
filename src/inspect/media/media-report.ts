/**
 * The report's `media` section: RTP streams with loss and jitter, and what the
 * endpoints themselves said in RTCP. Part of the public JSON contract
 * (flowaudit-report/1): fields are only ever added. Ordering is stable (flow
 * id, then direction, then SSRC) so that two runs diff cleanly.
 */

/** Where a stream's clock rate came from; the jitter in milliseconds depends on it. */
export type ClockRateSource =
  /** The payload type is static, with the rate of RFC 3551 Tables 4 and 5. */
  | 'static'
  /**
   * Dynamic payload type (96-127): the rate is the standard one (8, 12, 16,
   * 24, 32, 48 or 90 kHz) nearest in ratio to the stream's RTP timestamp
   * advance divided by its capture-time span (packets of jitterPayloadType
   * only). Needs at least 10 packets over 0.1 s; fixed after 2 s.
   */
  | 'inferred'
  /** Dynamic payload type and too short a stream to infer from: DEFAULT_DYNAMIC_CLOCK_RATE was assumed. */
  | 'default';

export type MediaDirection = 'fromClient' | 'fromServer';

export interface RtpStreamReport {
  /** Id of the flow carrying the stream (report.flows[].id). For media inside TURN ChannelData or Data indications, the flow to the relay. */
  flow: number;
  /** Which side of the flow sent the stream. */
  direction: MediaDirection;
  /** Synchronisation source, as an unsigned 32-bit number. */
  ssrc: number;
  /** The same, as Wireshark prints it: "0x" and 8 upper-case hex digits. */
  ssrcHex: string;
  /** Payload types seen, ascending (CN, telephone-event and RED often share a stream with the codec). */
  payloadTypes: number[];
  /** Payload type of the first packet. */
  firstPayloadType: number;
  /**
   * Payload type whose packets jitter is measured on, and whose clock rate it is measured at: the one
   * most of the stream's first 50 packets carry, comfort noise aside (rtp-stream-stats.ts, VOTE_PACKETS).
   * Packets of another clock (telephone-event, a dynamic comfort noise) are left out of the jitter.
   */
  jitterPayloadType: number;
  /** RTP timestamp units per second used for jitter (Hz). */
  clockRate: number;
  clockRateSource: ClockRateSource;
  /** Capture time of the first and last packet, epoch seconds. */
  firstSeen: number;
  lastSeen: number;
  /** Frame numbers (1-based, as in Wireshark) of the first and last packet. */
  firstFrame: number;
  lastFrame: number;
  /** RTP packets received, duplicates included. */
  packets: number;
  /** RTP payload bytes (after the RTP header, CSRCs, extension; padding included), summed. */
  payloadBytes: number;
  /**
   * Packets the sequence numbers say were sent: highest extended sequence
   * number minus the first plus one (RFC 3550 A.3), summed over the segments
   * between sequence resynchronisations.
   */
  expected: number;
  /** expected - packets. Negative when duplicates outnumber losses (RFC 3550 A.3 keeps the sign). */
  lost: number;
  /** lost / expected, in percent (0 when nothing was expected), 3 decimals. */
  lossPct: number;
  /** Packets that arrived after a packet with a higher sequence number (late, not duplicated). */
  outOfOrder: number;
  /** Packets whose sequence number was already received (within the last 128). */
  duplicates: number;
  /** Jumps of more than 3000 sequence numbers confirmed by the next packet (RFC 3550 A.1 MAX_DROPOUT): the sender restarted its numbering. */
  seqResyncs: number;
  /**
   * Times the RTP timestamp went back by more than 10 s of media (TS_JUMP_SECONDS): the sender reset
   * its timestamp base; jitter measurement restarts from that packet instead of counting the jump.
   */
  timestampJumps: number;
  /**
   * Interarrival jitter at the end of the stream, RFC 3550 §6.4.1 / A.8 (the
   * value an RTCP receiver report would carry), in milliseconds, 3 decimals.
   */
  jitterMs: number;
  /**
   * Largest and mean jitter estimate over the stream, in milliseconds, sampled
   * after each packet except the first, those with the marker bit (start of a
   * talk spurt, where a gap is expected), comfort noise and packets older in
   * RTP time than their predecessor: the same samples Wireshark's RTP stream
   * analysis uses.
   */
  maxJitterMs: number;
  meanJitterMs: number;
  /** Loss and jitter over time, for charts; bounded (see MediaSeries). */
  series: MediaSeries;
}

/**
 * Fixed-width time buckets from the stream's first packet. Starts at 1 s per
 * bucket; when a stream outlasts MAX_SERIES_BUCKETS buckets, neighbours are
 * merged and the width doubles, so a stream never has more than that many.
 */
export interface MediaSeries {
  /** Bucket width in seconds. */
  bucketSeconds: number;
  /** Packets received per bucket. */
  received: number[];
  /** Packets expected per bucket (advance of the highest sequence number in that bucket). */
  expected: number[];
  /** Loss per bucket in percent, max(0, expected - received) / expected; 0 for an empty bucket. */
  lossPct: number[];
  /** Largest jitter estimate reached in the bucket, milliseconds (same samples as maxJitterMs). */
  maxJitterMs: number[];
}

/** One RTCP report block (RFC 3550 §6.4.1): a receiver's view of one source, latest values. */
export interface RtcpReceptionReport {
  /** Flow carrying the RTCP and the side that sent it. */
  flow: number;
  direction: MediaDirection;
  /** SSRC of the endpoint that sent the report. */
  reporterSsrc: number;
  /** SSRC of the stream it reports on. */
  sourceSsrc: number;
  /** Report blocks received for this pair. */
  reports: number;
  firstFrame: number;
  lastFrame: number;
  /** Fraction lost in the last interval as reported, percent (the 8-bit fixed-point value * 100 / 256), 3 decimals. */
  fractionLostPct: number;
  /** Largest fraction lost reported, percent. */
  maxFractionLostPct: number;
  /** Cumulative number of packets lost, as last reported (24-bit signed). */
  cumulativeLost: number;
  /** Extended highest sequence number received, as last reported. */
  highestSeq: number;
  /** Interarrival jitter as last reported, in RTP timestamp units. */
  jitter: number;
  /** The same in milliseconds, using the clock rate of the RTP stream with that SSRC seen in the capture; null when no such stream was seen. */
  jitterMs: number | null;
}

/** What a sender said about itself in RTCP sender reports (RFC 3550 §6.4.1). */
export interface RtcpSenderReport {
  flow: number;
  direction: MediaDirection;
  ssrc: number;
  /** Sender reports received. */
  reports: number;
  /** Sender's packet and octet counts, as last reported. */
  packetCount: number;
  octetCount: number;
}

export interface MediaReport {
  /** Clock rate assumed for a dynamic payload type when none could be inferred (Hz). */
  defaultDynamicClockRate: number;
  streams: RtpStreamReport[];
  rtcp: {
    /** RTCP compound packets seen. */
    packets: number;
    /**
     * Compound packets whose sub-packet lengths do not add up to the payload
     * (RFC 3550 A.2): SRTCP (encrypted after the first header, with an index
     * and an authentication tag at the end) or damage. Their report blocks are
     * not believed.
     */
    unverified: number;
    receptionReports: RtcpReceptionReport[];
    senderReports: RtcpSenderReport[];
  };
  /** Streams not tracked because the stream table was full (maxStreams). */
  streamsDropped: number;
}
