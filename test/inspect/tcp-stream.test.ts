/** TCP payload inspection over a stream's life: data on the SYN, and what a flow holds after it ends. */
import { describe, expect, it } from 'vitest';
import { A, newAnomalyCounters } from '../../src/anomalies.js';
import { IpProto, TcpFlag, type PacketView } from '../../src/decode/packet-view.js';
import { payloadView } from './payload-view.js';
import { APP_PARSERS } from '../../src/inspect/inspection.js';
import { Inspector } from '../../src/inspect/inspector.js';
import { RtpStreams } from '../../src/inspect/media/rtp-streams.js';
import { RFC5769_REQUEST } from './fixtures.js';
import { rtp } from './media/rtp-builders.js';
import { CLIENT_HELLO, SERVER_HELLO } from './apps/fixtures.js';

/** RFC 4571 framing: a 2-byte length, then the message. */
function framed(...messages: Buffer[]): Buffer {
  return Buffer.concat(messages.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), m]));
}

function segment(payload: Buffer, seq: number, flags: number, frameNo: number): PacketView {
  return payloadView(IpProto.TCP, payload, { seq, flags, frameNo, ts: 1.7e9 + frameNo / 100 });
}

function inspector(): Inspector {
  const i = new Inspector(null, APP_PARSERS);
  i.anomalies = newAnomalyCounters();
  return i;
}

describe('TCP streams', () => {
  it('data on a SYN (TCP Fast Open) starts one past its sequence number: no gap before the next segment', () => {
    const ins = inspector();
    const first = framed(RFC5769_REQUEST);
    ins.onPacket(0, 0, segment(first, 1000, TcpFlag.SYN, 1));
    ins.onPacket(0, 0, segment(framed(RFC5769_REQUEST, RFC5769_REQUEST, RFC5769_REQUEST), 1000 + 1 + first.length, TcpFlag.ACK, 3));
    expect(ins.anomalies[A.InspectTcpGap]).toBe(0);
    expect(ins.state(0)!.stunMessages).toBe(4);
  });

  it("drops a flow's reassembly buffers when the flow ends", () => {
    const ins = inspector();
    const partial = Buffer.concat([framed(RFC5769_REQUEST), Buffer.from([0xff, 0xff]), Buffer.alloc(20)]); // a frame of 65535 bytes begins
    ins.onPacket(0, 0, segment(partial, 1, TcpFlag.ACK, 1));
    expect(ins.state(0)!.tcp![0].heldLen).toBe(22);
    ins.flowEnded(0);
    expect(ins.state(0)!.tcp).toBeNull();
    expect(ins.state(0)!.stunMessages).toBe(1); // what it found stays
  });

  it('RTP over TCP in RFC 4571 frames, with no STUN before it, is framed and measured', () => {
    const streams = new RtpStreams();
    const ins = new Inspector(streams);
    ins.anomalies = newAnomalyCounters();
    let seq = 1000;
    for (let i = 0; i < 20; i++) {
      const payload = framed(rtp({ seq: 100 + i, ts: i * 160, ssrc: 0xabcdef01 }));
      ins.onPacket(0, 0, segment(payload, seq, TcpFlag.ACK, i + 1));
      seq += payload.length;
    }
    expect(streams.report().streams).toMatchObject([{ ssrc: 0xabcdef01, packets: 20, lost: 0 }]);
  });

  it('a length prefix that does not end where the segment ends proves nothing', () => {
    const streams = new RtpStreams();
    const ins = new Inspector(streams);
    ins.anomalies = newAnomalyCounters();
    for (let i = 0; i < 20; i++) {
      const payload = Buffer.concat([framed(rtp({ seq: 100 + i, ts: i * 160, ssrc: 7 })), Buffer.from([0])]); // one byte too many
      ins.onPacket(0, 0, segment(payload, 1000 + i * payload.length, TcpFlag.ACK, i + 1));
    }
    expect(streams.report().streams).toEqual([]);
  });

  it('a ClientHello split over two segments is read whole, and the ServerHello after it too', () => {
    for (const cut of [10, 40, CLIENT_HELLO.length - 1]) {
      const ins = inspector();
      ins.onPacket(0, 0, segment(CLIENT_HELLO.subarray(0, cut), 100, TcpFlag.ACK, 4));
      ins.onPacket(0, 0, segment(CLIENT_HELLO.subarray(cut), 100 + cut, TcpFlag.ACK, 5));
      ins.onPacket(0, 1, segment(SERVER_HELLO, 900, TcpFlag.ACK, 6));
      const [tls] = ins.state(0)!.apps;
      expect(tls, `cut at ${cut}`).toMatchObject({ protocol: 'tls', sni: 'sip.contoso.com', alpn: ['h2', 'http/1.1'], truncated: false, selectedVersion: 'TLS 1.3', evidenceFrames: [4, 6] });
      expect(ins.anomalies.reduce((a, b) => a + b, 0), `cut at ${cut}`).toBe(0);
    }
  });

  it('a hello whose rest never comes is read as far as it came, cut short', () => {
    const ins = inspector();
    ins.onPacket(0, 0, segment(CLIENT_HELLO.subarray(0, 80), 100, TcpFlag.ACK, 4));
    ins.onPacket(0, 0, segment(Buffer.from('later data after a gap'), 500, TcpFlag.ACK, 9)); // not the next byte
    expect(ins.state(0)!.apps[0]).toMatchObject({ protocol: 'tls', sni: 'sip.contoso.com', truncated: true, evidenceFrames: [4] });
  });
});
