/**
 * Test plumbing: reads a capture with the project's own reader, decoder and
 * flow table, and hands every transport payload to a callback with its flow
 * index and direction, the way inspect-core will from the pipeline.
 */
import { newAnomalyCounters } from '../../../src/anomalies.js';
import { readCapture } from '../../../src/capture/reader.js';
import { openSource } from '../../../src/capture/source.js';
import { Decoder } from '../../../src/decode/packet.js';
import { IpProto, PacketView } from '../../../src/decode/packet-view.js';
import { FlowTable } from '../../../src/flow/flow-table.js';
import { formatIp } from '../../../src/flow/ip-format.js';

export interface PayloadEvent {
  pkt: PacketView;
  flow: number;
  dir: number;
  /** "src:port>dst:port" of this packet, as tshark's tables name an endpoint pair. */
  endpoints(): string;
}

/** `proto`: an IpProto, or TCP_OR_UDP. */
export async function forEachPayload(path: string, proto: number, onPayload: (e: PayloadEvent) => void): Promise<void> {
  const pkt = new PacketView();
  const decoder = new Decoder();
  const anomalies = newAnomalyCounters();
  // Long idle timeouts: one flow per 5-tuple for the whole capture, as tshark's conversations.
  const day = 86400;
  const flows = new FlowTable({ idleTimeouts: { tcpEstablished: day, tcpOther: day, tcpClosed: day, udp: day, other: day } });
  flows.anomalies = anomalies;
  let frameNo = 0;
  const event: PayloadEvent = {
    pkt, flow: 0, dir: 0,
    endpoints: () => `${formatIp(pkt.family, pkt.src)}:${pkt.srcPort}>${formatIp(pkt.family, pkt.dst)}:${pkt.dstPort}`,
  };
  const source = await openSource(path);
  await readCapture(source, pkt, (p) => {
    p.frameNo = ++frameNo;
    if (p.linkType < 0) return;
    if (decoder.decode(p, anomalies) >= 0) return;
    const flow = flows.add(p);
    if ((proto === TCP_OR_UDP ? p.proto !== TCP && p.proto !== UDP : p.proto !== proto) || p.l4Off < 0 || p.payloadEnd <= p.payloadOff) return;
    event.flow = flow;
    event.dir = flows.lastDir;
    onPayload(event);
  }, { anomalies });
}

export const UDP = IpProto.UDP;
export const TCP = IpProto.TCP;
/** For `proto`: both, in capture order. */
export const TCP_OR_UDP = -1;
