/**
 * The `apps` entries that the media report proves: 'rtp' for a flow carrying
 * a confirmed RTP stream (RtpStreams confirms over several packets), 'rtcp'
 * for a flow carrying RTCP reports. Evidence: the first frames of its
 * streams or reports. Built once per run from the media section.
 */
import type { MediaReport } from './media/media-report.js';
import { MAX_EVIDENCE_FRAMES } from './flow-state.js';
import type { AppRecord } from './stun-report.js';

/** Flow id -> media app entries ('rtcp' after 'rtp'). */
export function mediaApps(media: MediaReport): Map<number, AppRecord[]> {
  const rtp = new Map<number, { frames: number[]; streams: number; payloadTypes: Set<number> }>();
  for (const s of media.streams) {
    let e = rtp.get(s.flow);
    if (e === undefined) rtp.set(s.flow, (e = { frames: [], streams: 0, payloadTypes: new Set() }));
    e.streams++;
    e.frames.push(s.firstFrame);
    for (const pt of s.payloadTypes) e.payloadTypes.add(pt);
  }
  const rtcp = new Map<number, number[]>();
  for (const r of [...media.rtcp.receptionReports, ...media.rtcp.senderReports]) {
    const frames = rtcp.get(r.flow) ?? [];
    if ('firstFrame' in r) frames.push((r as { firstFrame: number }).firstFrame);
    rtcp.set(r.flow, frames);
  }
  const out = new Map<number, AppRecord[]>();
  const push = (flow: number, app: AppRecord) => {
    const list = out.get(flow);
    if (list === undefined) out.set(flow, [app]);
    else list.push(app);
  };
  for (const [flow, e] of rtp) {
    push(flow, { protocol: 'rtp', confidence: 'payload', evidenceFrames: firstFrames(e.frames), streams: e.streams, payloadTypes: [...e.payloadTypes].sort((a, b) => a - b) });
  }
  for (const [flow, frames] of rtcp) push(flow, { protocol: 'rtcp', confidence: 'payload', evidenceFrames: firstFrames(frames) });
  return out;
}

function firstFrames(frames: number[]): number[] {
  return [...new Set(frames)].sort((a, b) => a - b).slice(0, MAX_EVIDENCE_FRAMES);
}
