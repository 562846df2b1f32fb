/**
 * Counting every SIP message of a flow (apps/sip-stream.ts): datagrams, and
 * TCP segments holding several messages, bodies running into later
 * segments, lost and repeated segments, snaplen cuts, split header
 * sections, implausible lengths; bounded counts; and seeded mutations that
 * must never throw or count a message where none starts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CALL_IDS, MAX_HOLDS, MAX_METHODS, newSipTally, sipCounts, sipDatagram, sipFlowEnded, sipSegment, type SipTally } from '../../../src/inspect/apps/sip-stream.js';
import { prng } from '../../helpers/prng.js';

/** A SIP message: `start` line, a Call-ID, Content-Length (or `length` given as text) and a body of `body` bytes. */
function message(start: string, callId: string, body = 0, length: string = String(body), compact = false): Buffer {
  const headers = compact ? `i: ${callId}\r\nl: ${length}\r\n` : `Call-ID: ${callId}\r\nCSeq: 1 X\r\nContent-Length: ${length}\r\n`;
  return Buffer.concat([Buffer.from(`${start}\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n${headers}\r\n`), Buffer.alloc(body, 0x61)]);
}

const INVITE = (id = 'a@x', body = 0) => message('INVITE sip:bob@contoso.com SIP/2.0', id, body);
const OK = (id = 'a@x', body = 0) => message('SIP/2.0 200 OK', id, body);

/** Feeds `stream` to direction `dir` of `t` cut at `cuts` (offsets), as segments from sequence number `isn`. */
function feedStream(t: SipTally, dir: number, stream: Buffer, cuts: number[], isn = 1000, frame = 1): void {
  const bounds = [0, ...cuts, stream.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const seg = stream.subarray(bounds[i], bounds[i + 1]);
    sipSegment(t, dir, (isn + bounds[i]) >>> 0, seg.length, seg, 0, seg.length, frame + i);
  }
}

describe('SIP message counts', () => {
  it('tells a re-INVITE refused in a call already answered (CSeq INVITE, Call-ID with a 2xx before) from a call refused', () => {
    const t = newSipTally();
    const response = (start: string, id: string, cseq: string): Buffer =>
      Buffer.from(`${start}\r\nCall-ID: ${id}\r\nCSeq: ${cseq}\r\nContent-Length: 0\r\n\r\n`);
    const feed = (b: Buffer, frame: number) => sipDatagram(t, b, 0, b.length, frame);
    feed(response('SIP/2.0 488 Not Acceptable Here', 'fax', '1 INVITE'), 1); // before any answer: the call was refused
    feed(response('SIP/2.0 200 OK', 'fax', '2 INVITE'), 2);
    feed(response('SIP/2.0 488 Not Acceptable Here', 'fax', '3  INVITE'), 3); // the T.38 offer refused, the call goes on
    feed(response('SIP/2.0 488 Not Acceptable Here', 'fax', '4 UPDATE'), 4); // not an INVITE
    feed(response('SIP/2.0 488 Not Acceptable Here', 'other', '1 INVITE'), 5); // another call, never answered
    feed(response('SIP/2.0 200 OK', 'other', '5 INVITEX'), 6); // not INVITE either: "other" stays unanswered
    feed(response('SIP/2.0 503 Service Unavailable', 'other', '2 INVITE'), 7);
    feed(response('SIP/2.0 481 Call/Transaction Does Not Exist', 'fax', '6 INVITE'), 8); // ends the dialog (RFC 3261 §14.1): the call did not go on
    feed(response('SIP/2.0 408 Request Timeout', 'fax', '7 INVITE'), 9);
    expect(sipCounts(t).responses.map((r) => [r.code, r.count, r.inCall])).toEqual([[200, 2, undefined], [408, 1, undefined], [481, 1, undefined], [488, 4, 1], [503, 1, undefined]]);
  });

  it('counts datagrams by method and status code, with the first frame of each code and distinct Call-IDs', () => {
    const t = newSipTally();
    sipDatagram(t, INVITE('1'), 0, INVITE('1').length, 10);
    sipDatagram(t, message('SIP/2.0 486 Busy Here', '1'), 0, message('SIP/2.0 486 Busy Here', '1').length, 11);
    sipDatagram(t, INVITE('2'), 0, INVITE('2').length, 12);
    sipDatagram(t, OK('2'), 0, OK('2').length, 13);
    sipDatagram(t, message('SIP/2.0 486 Busy Here', '3'), 0, message('SIP/2.0 486 Busy Here', '3').length, 14);
    const junk = Buffer.from('\r\n\r\n'); // a keep-alive (RFC 5626 §3.5.1) is no message
    sipDatagram(t, junk, 0, junk.length, 15);
    expect(sipCounts(t)).toEqual({
      messages: 5,
      requests: [{ method: 'INVITE', count: 2 }],
      responses: [{ code: 200, count: 1, firstFrame: 13, reason: 'OK' }, { code: 486, count: 2, firstFrame: 11, reason: 'Busy Here' }],
      calls: 3,
    });
  });

  it('reads several messages in one segment, and a body that runs into the next segments', () => {
    const t = newSipTally();
    const a = INVITE('1', 300);
    const b = OK('1', 10);
    const c = message('ACK sip:bob@contoso.com SIP/2.0', '1', 0, '0', true);
    const stream = Buffer.concat([a, b, c, INVITE('2')]);
    // The first body is cut twice; b and c share a segment with the end of a's body.
    feedStream(t, 0, stream, [a.length - 250, a.length - 100]);
    const counts = sipCounts(t);
    expect(counts.messages).toBe(4);
    expect(counts.requests).toEqual([{ method: 'INVITE', count: 2 }, { method: 'ACK', count: 1 }]);
    expect(counts.responses).toEqual([{ code: 200, count: 1, firstFrame: 3, reason: 'OK' }]);
    expect(counts.calls).toBe(2);
    expect(counts.unreadSegments).toBeUndefined();
  });

  it('keeps each direction apart', () => {
    const t = newSipTally();
    const fromClient = Buffer.concat([INVITE('1', 40), INVITE('2', 40)]);
    const fromServer = Buffer.concat([OK('1', 40), OK('2', 40)]);
    sipSegment(t, 0, 1000, 60, fromClient, 0, 60, 1); // inside the first header section: held
    sipSegment(t, 1, 5000, fromServer.length, fromServer, 0, fromServer.length, 2);
    const rest = fromClient.subarray(60);
    sipSegment(t, 0, 1060, rest.length, rest, 0, rest.length, 3);
    expect(sipCounts(t)).toMatchObject({ messages: 4, requests: [{ method: 'INVITE', count: 2 }], responses: [{ code: 200, count: 2, firstFrame: 2 }], calls: 2 });
  });

  it('counts a message sent again once, and reads what an overlapping segment adds', () => {
    const t = newSipTally();
    const stream = Buffer.concat([INVITE('1', 20), OK('1'), INVITE('2')]);
    const cut = INVITE('1', 20).length - 5; // the first segment ends inside the INVITE's body
    const first = stream.subarray(0, cut);
    sipSegment(t, 0, 1000, first.length, first, 0, first.length, 1);
    sipSegment(t, 0, 1000, first.length, first, 0, first.length, 2); // sent again
    const rest = stream.subarray(cut - 10); // overlapping the first by 10 bytes
    sipSegment(t, 0, 1000 + cut - 10, rest.length, rest, 0, rest.length, 3);
    sipSegment(t, 0, 1000 + cut - 10, rest.length, rest, 0, rest.length, 4); // sent again
    expect(sipCounts(t)).toMatchObject({ messages: 3, requests: [{ method: 'INVITE', count: 2 }], responses: [{ code: 200, count: 1, firstFrame: 3 }] });
  });

  it('does not count again a message sent again after the position was lost', () => {
    const t = newSipTally();
    const a = INVITE('1', 20);
    const split = a.subarray(0, 40); // its header section ends in the next segment: the position is lost
    sipSegment(t, 0, 1000, split.length, split, 0, split.length, 1);
    sipSegment(t, 0, 1000, a.length, a, 0, a.length, 2); // the whole message again, in one segment
    expect(sipCounts(t).messages).toBe(1);
  });

  it('after a lost segment, reads again only from a segment that starts with a message', () => {
    const t = newSipTally();
    const a = INVITE('1', 500);
    const stream = Buffer.concat([a, OK('1'), INVITE('2'), OK('2')]);
    const lostFrom = 100;
    const lostTo = a.length + 20; // the loss takes the end of a's body and the start of the 200
    const resumeAt = a.length + OK('1').length; // a segment that starts with INVITE 2
    const segs: [number, number][] = [[0, lostFrom], [lostTo, resumeAt], [resumeAt, stream.length]];
    for (const [i, [s, e]] of segs.entries()) sipSegment(t, 0, 1000 + s, e - s, stream.subarray(s, e), 0, e - s, i + 1);
    const counts = sipCounts(t);
    expect(counts.messages).toBe(3); // INVITE 1, INVITE 2, 200 (2); the 200 of call 1 was lost
    expect(counts.unreadSegments).toBe(1);
  });

  it('holds a start line or header section split across segments until its rest comes', () => {
    const t = newSipTally();
    const a = INVITE('call-a', 30);
    const b = message('SIP/2.0 486 Busy Here', 'call-b');
    const stream = Buffer.concat([a, b, OK('call-c')]);
    // The INVITE's headers end in the second segment; the 486's start line is cut in the middle.
    feedStream(t, 0, stream, [40, a.length + 12]);
    expect(sipCounts(t)).toEqual({
      messages: 3, requests: [{ method: 'INVITE', count: 1 }],
      responses: [{ code: 200, count: 1, firstFrame: 3, reason: 'OK' }, { code: 486, count: 1, firstFrame: 3, reason: 'Busy Here' }], calls: 3,
    });
  });

  it('counts a held message by its start line when its rest is lost, or the flow ends', () => {
    const lost = newSipTally();
    const a = INVITE('1', 30);
    sipSegment(lost, 0, 1000, 40, a, 0, 40, 1);
    const later = OK('2');
    sipSegment(lost, 0, 1000 + a.length + 500, later.length, later, 0, later.length, 2); // after a gap
    expect(sipCounts(lost)).toMatchObject({ messages: 2, requests: [{ method: 'INVITE', count: 1 }], responses: [{ code: 200, count: 1 }], calls: 1 });

    const ended = newSipTally();
    sipSegment(ended, 1, 7, 40, a, 0, 40, 9);
    expect(sipCounts(ended).messages).toBe(0);
    sipFlowEnded(ended);
    sipFlowEnded(ended); // once only
    expect(sipCounts(ended)).toMatchObject({ messages: 1, requests: [{ method: 'INVITE', count: 1 }] });

    const partial = newSipTally();
    sipSegment(partial, 0, 1, 5, a, 0, 5, 1); // "INVIT": not even a start line
    sipFlowEnded(partial);
    expect(sipCounts(partial)).toMatchObject({ messages: 0, unreadSegments: 1 });
  });

  it('holds a request line split after its method, as a split status line', () => {
    const t = newSipTally();
    const stream = Buffer.concat([INVITE('1'), INVITE('2'), OK('2')]);
    const at = INVITE('1').length + 'INVITE sip:bob@con'.length;
    feedStream(t, 0, stream, [at]);
    expect(sipCounts(t)).toMatchObject({ messages: 3, requests: [{ method: 'INVITE', count: 2 }], calls: 2 });
    expect(sipCounts(t).unreadSegments).toBeUndefined();
  });

  it('skips CRLF keep-alives between messages, alone in a segment or not (RFC 5626 §3.5.1)', () => {
    const t = newSipTally();
    const ping = Buffer.from('\r\n\r\n');
    feedStream(t, 0, Buffer.concat([INVITE('1'), ping, INVITE('2'), ping, ping, INVITE('3')]), [INVITE('1').length, INVITE('1').length + 4]);
    expect(sipCounts(t)).toMatchObject({ messages: 3, calls: 3 });
    expect(sipCounts(t).unreadSegments).toBeUndefined();
    // A pong first, then a message, on a direction not read before.
    const pong = newSipTally();
    feedStream(pong, 1, Buffer.from('\r\n'), []);
    feedStream(pong, 1, OK('9'), [], 1002, 2);
    expect(sipCounts(pong)).toMatchObject({ messages: 1, responses: [{ code: 200, firstFrame: 2 }] });
    expect(sipCounts(pong).unreadSegments).toBeUndefined();
  });

  it('reads a held message on from a segment sent again that carries its rest', () => {
    const t = newSipTally();
    const stream = Buffer.concat([INVITE('1'), OK('1')]);
    sipSegment(t, 0, 1000, 30, stream, 0, 30, 1); // held
    const rest = stream.subarray(20); // overlapping the held bytes by 10
    sipSegment(t, 0, 1020, rest.length, rest, 0, rest.length, 2);
    expect(sipCounts(t)).toMatchObject({ messages: 2, calls: 1 });
  });

  it('gives a held message whose rest is lost the frame it came in', () => {
    const t = newSipTally();
    const busy = message('SIP/2.0 486 Busy Here', '1');
    sipSegment(t, 0, 1000, 30, busy, 0, 30, 5);
    const next = INVITE('2');
    sipSegment(t, 0, 1000 + busy.length + 100, next.length, next, 0, next.length, 9);
    expect(sipCounts(t).responses).toEqual([{ code: 486, count: 1, firstFrame: 5, reason: 'Busy Here' }]);
  });

  it('carries a message over at most MAX_HOLDS segments: a header section sent a byte or two at a time costs no more', () => {
    const t = newSipTally();
    const big = Buffer.concat([Buffer.from('OPTIONS sip:x SIP/2.0\r\n'), Buffer.from('X-Pad: y\r\n'.repeat(1000)), Buffer.from('Call-ID: 1\r\n\r\n'), OK('1')]);
    const cuts = Array.from({ length: 4000 }, (_, i) => 2 * (i + 1)).filter((c) => c < big.length);
    feedStream(t, 0, big, cuts);
    const counts = sipCounts(t);
    expect(counts.requests).toEqual([{ method: 'OPTIONS', count: 1 }]); // counted by its start line once held too long
    expect(counts.unreadSegments).toBeGreaterThan(MAX_HOLDS); // the rest of its header section, read nowhere
    expect(t.held[0]).toBeNull();
  });

  it('does not believe what the snaplen cut off, nor an implausible or broken Content-Length', () => {
    const cutTally = newSipTally();
    const stream = Buffer.concat([INVITE('1', 100), OK('1')]);
    const first = INVITE('1', 100).length + 20;
    // Captured only the first 60 bytes of a segment whose headers say `first` bytes.
    sipSegment(cutTally, 0, 1000, first, stream, 0, 60, 1);
    const second = stream.subarray(first);
    sipSegment(cutTally, 0, 1000 + first, second.length, second, 0, second.length, 2);
    expect(sipCounts(cutTally).messages).toBe(1);
    expect(sipCounts(cutTally).unreadSegments).toBe(1);

    for (const length of ['99999999', '12x', '', '-1']) {
      const t = newSipTally();
      feedStream(t, 0, Buffer.concat([message('OPTIONS sip:x SIP/2.0', '1', 0, length), OK('1')]), []);
      expect(sipCounts(t).messages, `Content-Length "${length}"`).toBe(1);
    }
  });

  it('bounds methods and Call-IDs, saying so', () => {
    const t = newSipTally();
    for (let i = 0; i < MAX_METHODS + 3; i++) {
      const m = message(`M${String.fromCharCode(65 + i)} sip:x SIP/2.0`, 'same');
      sipDatagram(t, m, 0, m.length, i + 1);
    }
    for (let i = 0; i < MAX_CALL_IDS + 10; i++) {
      const m = OK(`call-${i}`);
      sipDatagram(t, m, 0, m.length, 100 + i);
    }
    const counts = sipCounts(t);
    expect(counts.requests).toHaveLength(MAX_METHODS);
    expect(counts.otherRequests).toBe(3);
    expect(counts.calls).toBe(MAX_CALL_IDS);
    expect(counts.callsCapped).toBe(true);
  });

  it('never throws or counts a message where none starts, under 20,000 seeded mutations of segmented streams', () => {
    const rnd = prng(0x51b_57e4);
    const base = Buffer.concat([INVITE('1', 120), OK('1', 40), message('BYE sip:b SIP/2.0', '1', 0, '0', true), OK('1')]);
    let counted = 0;
    for (let round = 0; round < 20_000; round++) {
      const b = Buffer.from(base);
      for (let i = 0, n = 1 + Math.floor(rnd() * 6); i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cuts = [...new Set(Array.from({ length: Math.floor(rnd() * 5) }, () => 1 + Math.floor(rnd() * (b.length - 1))))].sort((x, y) => x - y);
      const t = newSipTally();
      feedStream(t, round & 1, b, cuts, Math.floor(rnd() * 2 ** 32));
      // Every message counted starts with a start line somewhere in the stream: at most one per CRLF-ended line.
      const lines = b.toString('latin1').split('\n').length;
      expect(t.messages).toBeLessThanOrEqual(lines);
      counted += t.messages;
      const counts = sipCounts(t);
      expect(counts.messages).toBe(counts.requests.reduce((a, r) => a + r.count, 0) + (counts.otherRequests ?? 0) + counts.responses.reduce((a, r) => a + r.count, 0));
      for (const r of counts.responses) expect(r.code >= 100 && r.code <= 699).toBe(true);
    }
    expect(counted).toBeGreaterThan(20_000); // most mutated streams still show most of their messages
  });
});
