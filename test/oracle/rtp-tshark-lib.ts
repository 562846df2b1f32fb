/** Runs tshark's RTP stream table and flowaudit's RtpStreams over one capture, side by side. */
import { join } from 'node:path';
import { RtpStreams } from '../../src/inspect/media/rtp-streams.js';
import type { RtpStreamReport } from '../../src/inspect/media/media-report.js';
import { SHARED_CAPTURES, tsharkOutput } from '../helpers/environment.js';
import { forEachPayload, UDP } from '../inspect/media/feed-capture.js';

export interface TsharkRtpStream {
  /** "src:port>dst:port ssrc" */
  key: string;
  payload: string;
  packets: number;
  lost: number;
  maxJitterMs: number;
  meanJitterMs: number;
  problem: boolean;
}

const ROW = new RegExp(
  String.raw`^\s*\S+\s+\S+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-F]+)\s+(.+?)\s+(\d+)\s+(-?\d+) \(-?[\d.]+%\)` +
  String.raw`\s+-?[\d.]+\s+-?[\d.]+\s+-?[\d.]+\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*(X?)\s*$`,
);

export function tsharkRtpStreams(file: string, extra: string[] = []): TsharkRtpStream[] {
  const out = tsharkOutput(['-r', join(SHARED_CAPTURES, file), '-o', 'rtp.heuristic_rtp:TRUE', ...extra, '-q', '-z', 'rtp,streams']);
  const rows: TsharkRtpStream[] = [];
  for (const line of out.split('\n')) {
    const m = ROW.exec(line);
    if (!m) continue;
    rows.push({
      key: `${m[1]}:${m[2]}>${m[3]}:${m[4]} ${m[5]}`,
      payload: m[6],
      packets: Number(m[7]),
      lost: Number(m[8]),
      meanJitterMs: Number(m[10]),
      maxJitterMs: Number(m[11]),
      problem: m[12] === 'X',
    });
  }
  return rows;
}

export interface OurRtpStream extends RtpStreamReport {
  key: string;
}

/** Every UDP payload of the capture through RtpStreams; streams keyed like tshark's rows. */
export async function ourRtpStreams(file: string): Promise<OurRtpStream[]> {
  const media = new RtpStreams();
  const endpoints = new Map<string, string>();
  await forEachPayload(join(SHARED_CAPTURES, file), UDP, (e) => {
    const k = `${e.flow}:${e.dir}`;
    if (!endpoints.has(k)) endpoints.set(k, e.endpoints());
    media.onPayload(e.flow, e.dir, e.pkt.ts, e.pkt.frameNo, e.pkt.buf, e.pkt.payloadOff, e.pkt.payloadEnd);
  });
  return media.report().streams.map((s) => ({
    ...s,
    key: `${endpoints.get(`${s.flow - 1}:${s.direction === 'fromClient' ? 0 : 1}`)} ${s.ssrcHex}`,
  }));
}
