/**
 * Small plaintext or binary openings of the non-TLS protocols in the samples,
 * valid enough that Wireshark dissects them without "malformed" warnings.
 */
import type { Rng } from '../rng.js';

/** SSH identification string (RFC 4253 §4.2). */
export function sshBanner(software: string): Buffer {
  return Buffer.from(`SSH-2.0-${software}\r\n`, 'ascii');
}

/**
 * SSH_MSG_KEXINIT in a binary packet (RFC 4253 §6 and §7.1):
 * packet_length(4) padding_length(1) payload random-padding, payload =
 * type 20, cookie(16), ten name-lists, first_kex_packet_follows, reserved(4).
 */
export function sshKexInit(rng: Rng, kex: string[]): Buffer {
  const nameList = (names: string[]) => {
    const s = Buffer.from(names.join(','), 'ascii');
    const b = Buffer.alloc(4 + s.length);
    b.writeUInt32BE(s.length);
    s.copy(b, 4);
    return b;
  };
  const hostKey = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519'];
  const ciphers = ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr'];
  const macs = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'];
  const payload = Buffer.concat([
    Buffer.from([20]), // SSH_MSG_KEXINIT (RFC 4253 §12)
    rng.bytes(16),
    nameList(kex), nameList(hostKey), nameList(ciphers), nameList(ciphers), nameList(macs), nameList(macs),
    nameList(['none']), nameList(['none']), nameList([]), nameList([]),
    Buffer.from([0, 0, 0, 0, 0]),
  ]);
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8; // at least 4 bytes, total a multiple of 8 (RFC 4253 §6)
  const b = Buffer.alloc(5 + payload.length + padding);
  b.writeUInt32BE(1 + payload.length + padding, 0);
  b[4] = padding;
  payload.copy(b, 5);
  rng.fill(b, 5 + payload.length, b.length);
  return b;
}

/**
 * RDP Connection Request: TPKT (RFC 1006 §6) + X.224 CR TPDU + RDP_NEG_REQ
 * ([MS-RDPBCGR] 2.2.1.1) asking for TLS and CredSSP.
 */
export function rdpConnectionRequest(cookieUser: string): Buffer {
  const cookie = Buffer.from(`Cookie: mstshash=${cookieUser}\r\n`, 'ascii');
  const neg = Buffer.from([0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]); // TYPE_RDP_NEG_REQ, PROTOCOL_SSL|PROTOCOL_HYBRID
  const x224 = Buffer.concat([Buffer.from([6 + cookie.length + neg.length, 0xe0, 0, 0, 0, 0, 0]), cookie, neg]);
  const tpkt = Buffer.from([3, 0, 0, 0]);
  tpkt.writeUInt16BE(4 + x224.length, 2);
  return Buffer.concat([tpkt, x224]);
}

/** RDP Connection Confirm selecting TLS ([MS-RDPBCGR] 2.2.1.2). */
export function rdpConnectionConfirm(): Buffer {
  return Buffer.from('030000130ed000001234000201080001000000', 'hex');
}

/**
 * TDS PRELOGIN ([MS-TDS] 2.2.6.5): packet header type 0x12, then the option
 * table (VERSION, ENCRYPTION, INSTOPT, THREADID, MARS) and its data.
 */
export function tdsPrelogin(): Buffer {
  const data = Buffer.from([
    0x0f, 0x00, 0x10, 0xa1, 0x00, 0x00, // VERSION 15.0.4257, subbuild 0
    0x00, // ENCRYPTION: ENCRYPT_OFF
    0x00, // INSTOPT: default instance
    0x00, 0x00, 0x12, 0x34, // THREADID
    0x00, // MARS off
  ]);
  const options = [
    [0x00, 6], [0x01, 1], [0x02, 1], [0x03, 4], [0x04, 1],
  ] as const;
  const table = Buffer.alloc(options.length * 5 + 1);
  let dataOff = table.length;
  options.forEach(([token, len], i) => {
    table[i * 5] = token;
    table.writeUInt16BE(dataOff, i * 5 + 1);
    table.writeUInt16BE(len, i * 5 + 3);
    dataOff += len;
  });
  table[table.length - 1] = 0xff; // TERMINATOR
  const body = Buffer.concat([table, data]);
  const header = Buffer.from([0x12, 0x01, 0, 0, 0, 0, 0x01, 0x00]); // PRELOGIN, EOM, length, SPID 0, packet 1, window 0
  header.writeUInt16BE(8 + body.length, 2);
  return Buffer.concat([header, body]);
}

/** An HTTP/1.1 request (RFC 9112 §3). */
export function httpRequest(method: string, target: string, host: string, extra: string[] = []): Buffer {
  return Buffer.from([`${method} ${target} HTTP/1.1`, `Host: ${host}`, ...extra, '', ''].join('\r\n'), 'ascii');
}

/** An HTTP/1.1 response with a body of `bodyLen` filler characters. */
export function httpResponse(status: string, contentType: string, bodyLen: number): Buffer {
  const body = 'x'.repeat(bodyLen);
  return Buffer.from([`HTTP/1.1 ${status}`, `Content-Type: ${contentType}`, `Content-Length: ${bodyLen}`, 'Server: Microsoft-IIS/8.5', '', body].join('\r\n'), 'ascii');
}

/** A BER TLV (X.690 §8.1) with a short or long definite length. */
function tlv(tag: number, value: Buffer): Buffer {
  const len = value.length < 0x80 ? Buffer.from([value.length]) : Buffer.from([0x81, value.length]);
  return Buffer.concat([Buffer.from([tag]), len, value]);
}

/** SNMPv2c GetRequest for sysDescr.0 (RFC 3416 §3), community "public". */
export function snmpGetRequest(requestId: number): Buffer {
  const int = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return tlv(0x02, b);
  };
  const oid = tlv(0x06, Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0])); // 1.3.6.1.2.1.1.1.0
  const varbind = tlv(0x30, Buffer.concat([oid, Buffer.from([0x05, 0x00])])); // value NULL
  const pdu = tlv(0xa0, Buffer.concat([int(requestId), tlv(0x02, Buffer.from([0])), tlv(0x02, Buffer.from([0])), tlv(0x30, varbind)]));
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x04, Buffer.from('public', 'ascii')), pdu])); // version 1 = v2c
}

/** An NTPv4 client request (RFC 5905 §7.3): LI 0, VN 4, mode 3, transmit timestamp set. */
export function ntpClientRequest(rng: Rng): Buffer {
  const b = Buffer.alloc(48);
  b[0] = (4 << 3) | 3;
  rng.fill(b, 40, 48);
  return b;
}

/** XMPP server-to-server stream header (RFC 6120 §4.2, §4.7), as the initiating or the receiving entity sends it. */
export function xmppStreamHeader(from: string, to: string, id?: string): Buffer {
  const idAttr = id ? ` id='${id}'` : '';
  return Buffer.from(
    `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' ` +
    `from='${from}' to='${to}'${idAttr} version='1.0'>`, 'utf8');
}

/** Stream features offering mandatory STARTTLS (RFC 6120 §5.4.1). */
export function xmppStartTlsFeatures(): Buffer {
  return Buffer.from("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>", 'utf8');
}

/** The STARTTLS command and the proceed answer (RFC 6120 §5.4.2). */
export const xmppStartTls = (): Buffer => Buffer.from("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 'utf8');
export const xmppProceed = (): Buffer => Buffer.from("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 'utf8');

/** A SQL Server Resolution Protocol CLNT_UCAST_INST request for an instance ([MC-SQLR] 2.2.4). */
export function sqlrInstanceRequest(instance: string): Buffer {
  return Buffer.concat([Buffer.from([0x04]), Buffer.from(instance, 'ascii'), Buffer.from([0])]);
}

/** The SVR_RESP answer ([MC-SQLR] 2.2.5): 0x05, RESP_SIZE (LE), RESP_DATA. */
export function sqlrResponse(data: string): Buffer {
  const b = Buffer.from(data, 'ascii');
  const h = Buffer.from([0x05, 0, 0]);
  h.writeUInt16LE(b.length, 1);
  return Buffer.concat([h, b]);
}
