/**
 * The A/V section and media charts on analyze()'s real `stun` and `media`
 * sections (samples/av-*.pcapng), the apps column of the flow table, the
 * media series merge, and the hostile-strings capture rendered escaped.
 */
import { describe, expect, it } from 'vitest';
import type { RtpStreamReport } from '../../src/inspect/media/media-report.js';
import { appText, mediaSeries } from '../../src/report/html/av-data.js';
import { chartModels, MAX_MEDIA_CHARTS, MAX_MEDIA_POINTS } from '../../src/report/html/charts/models.js';
import { renderHtml } from '../../src/report/html/index.js';
import { catalog, sampleReport } from '../helpers/html-reports.js';
import { CONTROLS, IMG_ONERROR, QUOTES, SCRIPT } from '../../samples/generator/scenarios/hostile-strings.js';

/** The markup of one table, by id. */
function table(html: string, id: string): string {
  const m = new RegExp(`<table id="${id}"[\\s\\S]*?</table>`).exec(html);
  expect(m, `table ${id}`).not.toBeNull();
  return m![0];
}

function rows(markup: string): string[] {
  return markup.split('<tbody>')[1].match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
}

function avMarkup(html: string): string {
  const i = html.indexOf('<section id="av">');
  return html.slice(i, html.indexOf('</section>', i));
}

describe('TURN with a 401 then a success (av-turn-auth)', async () => {
  const report = await sampleReport('av-turn-auth');
  const html = renderHtml(report, { catalog });
  const av = avMarkup(html);

  it('summarises the STUN messages, requests and error codes', () => {
    expect(report.stun!.messages).toBeGreaterThan(0);
    expect(av).toContain(`<dt>Messages</dt><dd>${report.stun!.messages}</dd>`);
    expect(av).toContain(`<dt>Requests</dt><dd>${report.stun!.requests}</dd>`);
    expect(av).toContain('<dt>Error responses</dt><dd>401 Unauthorized \u00d71</dd>');
    expect(av).toContain('rfc5389: 20');
  });

  it('lists every allocation with its outcome, addresses, lifetime, user, realm, relay flow and frames', () => {
    const t = table(av, 'turn-allocations');
    const r = rows(t);
    expect(r).toHaveLength(report.stun!.allocations.length);
    expect(r[0]).toContain('<span class="badge error">error</span> 401 Unauthorized');
    expect(r[0]).toContain('contoso.com');
    expect(r[1]).toContain('<span class="badge success">success</span>');
    for (const s of ['131.107.10.12:53030', '198.51.100.90:49900', '>600<', 'bob@contoso.com', 'flowaudit-sample 1.0', '<a href="#flow-2">#2</a>', '3 \u2192 4', '1 refresh, deleted']) expect(r[1]).toContain(s);
    expect(r[1]).toMatch(/^<tr><td class="n" data-v="1"><a href="#flow-1">#1<\/a><\/td>/);
  });

  it('lists the failed Allocate transaction among the errors, and draws the relayed media', () => {
    const t = table(av, 'stun-failures');
    expect(rows(t)).toHaveLength(1);
    expect(t).toContain('Allocate (0x003)');
    expect(t).toContain('401 Unauthorized \u00d71');
    const streams = report.media!.streams;
    expect(rows(table(av, 'media-table'))).toHaveLength(streams.length);
    expect(av.match(/<figure><svg class="chart"/g)).toHaveLength(Math.min(streams.length, MAX_MEDIA_CHARTS));
  });

  it('shows the apps of each flow in the flow table, with the STUN SOFTWARE', () => {
    const row = /<tr id="flow-1"[\s\S]*?<\/tr>/.exec(html)![0];
    expect(row).toContain('stun (rfc5389; SOFTWARE: flowaudit-sample 1.0)');
    expect(row).toContain('channeldata');
    expect(row).toContain('rtp (streams: 2; PT: 0)');
  });
});

describe('blocked UDP (av-udp-blocked)', async () => {
  const report = await sampleReport('av-udp-blocked');
  const av = avMarkup(renderHtml(report, { catalog }));
  it('shows the unanswered requests with their frames', () => {
    const unanswered = report.stun!.perFlow.flatMap((f) => f.transactions.filter((m) => m.unanswered > 0).map((m) => ({ flow: f.flow, m })));
    expect(unanswered.length).toBeGreaterThan(0);
    const t = table(av, 'stun-failures');
    for (const { flow, m } of unanswered) {
      const row = rows(t).find((r) => r.includes(`data-v="${flow}"`) && r.includes(`(${m.method})`));
      expect(row, `flow ${flow} ${m.name}`).toBeDefined();
      expect(row).toContain(`<td class="n">${m.unanswered}</td><td class="mono">${m.unansweredFrames.join(', ')}</td>`);
    }
    expect(av).toContain(`<dt>Unanswered requests</dt><dd>${report.stun!.unanswered}</dd>`);
  });
});

describe('ICE checks (av-ice-checks)', async () => {
  const report = await sampleReport('av-ice-checks');
  const av = avMarkup(renderHtml(report, { catalog }));
  it('has one row per flow with checks, with the USE-CANDIDATE and role counts', () => {
    const withIce = report.stun!.perFlow.filter((f) => f.ice !== undefined);
    expect(withIce.length).toBeGreaterThan(0);
    const r = rows(table(av, 'ice-checks'));
    expect(r).toHaveLength(withIce.length);
    withIce.forEach((f, i) => expect(r[i]).toContain(`<td class="n">${f.ice!.checks}</td><td class="n">${f.ice!.useCandidate}</td><td class="n">${f.ice!.controlling}</td><td class="n">${f.ice!.controlled}</td>`));
  });
});

describe('RTP quality (av-rtp-quality)', async () => {
  const report = await sampleReport('av-rtp-quality');
  const html = renderHtml(report, { catalog });
  const av = avMarkup(html);
  const streams = report.media!.streams;

  it('lists every stream with SSRC, payload type, clock rate, counts, loss and jitter', () => {
    const r = rows(table(av, 'media-table'));
    expect(r).toHaveLength(streams.length);
    const lossy = streams.findIndex((s) => s.lost > 0);
    expect(lossy).toBeGreaterThanOrEqual(0);
    const s = streams[lossy];
    for (const cell of [s.ssrcHex, `>${s.packets}<`, `>${s.expected}<`, `>${s.lost}<`, `data-v="${s.lossPct}">${s.lossPct.toFixed(2)}<`, `data-v="${s.jitterMs}"`, `data-v="${s.maxJitterMs}"`, `>${s.outOfOrder}<`]) expect(r[lossy]).toContain(cell);
    expect(r[lossy]).toContain(s.direction === 'fromClient' ? 'client \u2192 server' : 'server \u2192 client');
  });

  it('lists the RTCP reception and sender reports', () => {
    expect(rows(table(av, 'rtcp-reception'))).toHaveLength(report.media!.rtcp.receptionReports.length);
    expect(rows(table(av, 'rtcp-senders'))).toHaveLength(report.media!.rtcp.senderReports.length);
    expect(av).toContain('5.86'); // the largest fraction lost reported
  });

  it('draws one loss/jitter chart per stream, worst loss first, with a dot per bucket', () => {
    const charts = av.match(/<svg class="chart"[\s\S]*?<\/svg>/g)!;
    expect(charts).toHaveLength(streams.length);
    const worst = [...streams].sort((a, b) => b.lossPct - a.lossPct)[0];
    expect(charts[0]).toContain(`SSRC ${worst.ssrcHex}`);
    expect(charts[0].match(/<circle/g)!.length).toBe(worst.series.lossPct.length + worst.series.maxJitterMs.length);
    expect(charts[0]).toMatch(/<path d="M[\d.]+,[\d.]+L/);
  });

  it('counts the RTP and RTCP flows in the protocol mix', () => {
    const mix = chartModels(report, catalog).protocolMix.find((m) => m.title.includes('application protocol'))!;
    expect(mix.bars.map((b) => b.label).sort()).toEqual(['rtcp', 'rtp']);
  });
});

describe('sections without data', async () => {
  // A capture without STUN or RTP gives these empty sections (the samples all have some).
  const report = {
    ...(await sampleReport('edge-mini')),
    stun: { messages: 0, byDialect: { rfc5389: 0, 'ms-turn': 0, rfc3489: 0 }, flows: 0, requests: 0, unanswered: 0, errorCodes: [], perFlow: [], allocations: [] },
    media: { defaultDynamicClockRate: 8000, streams: [], rtcp: { packets: 0, unverified: 0, receptionReports: [], senderReports: [] }, streamsDropped: 0 },
  };
  const av = avMarkup(renderHtml(report, { catalog }));
  it('say so in one line each', () => {
    expect(av).toContain('No STUN, TURN or MS-TURN message in this capture.');
    expect(av).toContain('No RTP media stream in this capture.');
    expect(av).toContain('No RTCP packet in this capture.');
    expect(av).not.toContain('<table');
  });

  it('a capped A/V table states the cap', async () => {
    const html = renderHtml(await sampleReport('av-turn-auth'), { catalog, maxAvRows: 1 });
    expect(rows(table(html, 'turn-allocations'))).toHaveLength(1);
    expect(html).toContain('Showing 1 of 2 allocations; 1 left out');
  });
});

describe('media series', () => {
  function stream(n: number, bucketSeconds = 1): RtpStreamReport {
    const received = Array.from({ length: n }, (_, i) => 50 - (i % 5));
    return {
      series: { bucketSeconds, received, expected: received.map(() => 50), lossPct: received.map((r) => ((50 - r) / 50) * 100), maxJitterMs: received.map((_, i) => i % 7) },
    } as unknown as RtpStreamReport;
  }

  it('keeps short series as they are, one point per bucket at its start', () => {
    const s = stream(3, 2);
    expect(mediaSeries(s, MAX_MEDIA_POINTS)).toEqual([{ t: 0, lossPct: 0, jitterMs: 0 }, { t: 2, lossPct: 2, jitterMs: 1 }, { t: 4, lossPct: 4, jitterMs: 2 }]);
  });

  it('merges long series into at most max points: loss over the merged counts, jitter the largest', () => {
    const s = stream(1000);
    const points = mediaSeries(s, MAX_MEDIA_POINTS);
    expect(points.length).toBeLessThanOrEqual(MAX_MEDIA_POINTS);
    const per = Math.ceil(1000 / MAX_MEDIA_POINTS);
    expect(points[1].t).toBe(per);
    const recv = s.series.received.slice(per, 2 * per).reduce((a, b) => a + b, 0);
    expect(points[1].lossPct).toBeCloseTo(((per * 50 - recv) / (per * 50)) * 100, 9);
    expect(points[1].jitterMs).toBe(Math.max(...s.series.maxJitterMs.slice(per, 2 * per)));
  });

  it('is empty, without throwing, for a missing or malformed series', () => {
    expect(mediaSeries({} as RtpStreamReport, 10)).toEqual([]);
    expect(mediaSeries({ series: { bucketSeconds: 1, lossPct: 'x', maxJitterMs: null } } as unknown as RtpStreamReport, 10)).toEqual([]);
    expect(mediaSeries({ series: { bucketSeconds: 1, lossPct: [NaN, 5], maxJitterMs: [] } } as unknown as RtpStreamReport, 10)).toEqual([{ t: 1, lossPct: 5, jitterMs: undefined }]);
  });
});

describe('the hostile-strings capture', async () => {
  const report = await sampleReport('hostile-strings');
  const html = renderHtml(report, { catalog });
  const body = html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<script>[\s\S]*?<\/script>/, '');
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

  it('shows the SNI, SIP and STUN strings escaped, and no markup from them', () => {
    expect(body).not.toMatch(/<script|<img/i);
    expect(body).toContain(`SNI: ${esc(SCRIPT)}\ufffd\ufffd[31m`); // NUL and ESC replaced at the source (clip)
    expect(body).toContain(`User-Agent: ${esc(IMG_ONERROR)} ${esc(QUOTES)}`);
    expect(body).toContain(`From: ${esc(`"${IMG_ONERROR}"`)}`);
    expect(body).toContain(`Call-ID: ${esc(QUOTES)}@203.0.113.66`);
    expect(table(body, 'turn-allocations')).toContain(esc(SCRIPT));
    expect(table(body, 'stun-flows')).toContain(esc(IMG_ONERROR));
    expect(CONTROLS).toContain('\u0000');
  });

  it('says when TLS was seen only after its handshake, and when a ClientHello offers ECH', () => {
    expect(appText({ protocol: 'tls', confidence: 'payload', midSession: true, recordVersion: 'TLS 1.2' })).toBe('tls (after its handshake, records TLS 1.2)');
    expect(appText({ protocol: 'tls', confidence: 'payload', ech: true, sni: 'cloudflare-ech.com' })).toBe('tls (ECH offered: the SNI may be a public name only; SNI: cloudflare-ech.com)');
    expect(appText({ protocol: 'tls', confidence: 'payload', recordVersion: 'TLS 1.0', sni: 'a.example' })).toBe('tls (SNI: a.example)');
  });

  it("sums up a SIP flow's messages: requests by method, responses by code, calls", () => {
    const sip = {
      protocol: 'sip', confidence: 'payload' as const, method: 'INVITE', callId: 'a@b', messages: 6,
      requests: [{ method: 'INVITE', count: 2 }, { method: 'ACK', count: 1 }], responses: [{ code: 200, count: 1, firstFrame: 4 }, { code: 488, count: 2, firstFrame: 2 }],
      calls: 2, unreadSegments: 1,
    };
    expect(appText(sip)).toBe('sip (6 messages: INVITE 2, ACK 1; 200 \u00d71, 488 \u00d72; 2 calls; 1 TCP segment not read; INVITE; Call-ID: a@b)');
    expect(appText({ protocol: 'sip', confidence: 'payload', messages: 1, requests: [], responses: [{ code: 200, count: 1, firstFrame: 1 }], calls: 1, callsCapped: true, otherRequests: 3 }))
      .toBe('sip (1 message: other 3; 200 \u00d71; 1+ call)');
  });

  it('apps details are cut to a bounded length', () => {
    const long = appText({ protocol: 'tls', confidence: 'payload', sni: 'x'.repeat(5000) });
    expect(long.length).toBeLessThan(400);
  });
});
