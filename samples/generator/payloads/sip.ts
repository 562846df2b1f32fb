/**
 * Plaintext SIP messages (RFC 3261 §7): start line, headers, CRLF, body.
 * Header values are written as given, byte for byte (UTF-8): the hostile
 * sample puts markup and control characters in User-Agent on purpose. CR and
 * LF are refused, since they would end the header (§7.3.1).
 */
const CRLF = '\r\n';

export interface SipRequestSpec {
  method: string;
  uri: string;
  via: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  contact?: string;
  userAgent?: string;
}

function checkValue(name: string, v: string): string {
  if (/[\r\n]/.test(v)) throw new Error(`SIP header ${name} must not contain CR or LF`);
  return v;
}

function message(startLine: string, headers: [string, string][]): Buffer {
  const lines = [startLine, ...headers.map(([n, v]) => `${n}: ${checkValue(n, v)}`), 'Content-Length: 0', '', ''];
  return Buffer.from(lines.join(CRLF), 'utf8');
}

export function sipRequest(s: SipRequestSpec): Buffer {
  const headers: [string, string][] = [
    ['Via', s.via], ['Max-Forwards', '70'], ['From', s.from], ['To', s.to], ['Call-ID', s.callId], ['CSeq', `${s.cseq} ${s.method}`],
  ];
  if (s.contact) headers.push(['Contact', s.contact]);
  if (s.userAgent !== undefined) headers.push(['User-Agent', s.userAgent]);
  return message(`${s.method} ${s.uri} SIP/2.0`, headers);
}

/** A response echoing the request's Via, From, To (with a tag), Call-ID and CSeq (§8.2.6.2). */
export function sipResponse(status: number, reason: string, req: SipRequestSpec, toTag: string, server?: string): Buffer {
  const headers: [string, string][] = [
    ['Via', req.via], ['From', req.from], ['To', `${req.to};tag=${toTag}`], ['Call-ID', req.callId], ['CSeq', `${req.cseq} ${req.method}`],
  ];
  if (server !== undefined) headers.push(['Server', server]);
  return message(`SIP/2.0 ${status} ${reason}`, headers);
}
