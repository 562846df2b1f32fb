/** The STUN parser on annotated fixtures of each dialect, truncation sweeps, and the named flaws. */
import { describe, expect, it } from 'vitest';
import { Decode } from '../../src/decode/status.js';
import { formatIp } from '../../src/flow/ip-format.js';
import { crc32 } from '../../src/inspect/crc32.js';
import { Addr, Flaw, parseStun, peerSlot, StunMessage, stunText, Txt } from '../../src/inspect/stun.js';
import { Dialect, StunClass } from '../../src/inspect/stun-constants.js';
import { ALLOCATE_401, CLASSIC_BINDING_REQUEST, MSTURN_ALLOCATE_REQUEST, MSTURN_ALLOCATE_RESPONSE, RFC5769_REQUEST, RFC5769_RESPONSE } from './fixtures.js';

const msg = new StunMessage();
function parse(b: Buffer, avail = b.length): number {
  return parseStun(b, 0, b.length, avail, msg);
}
function addr(slot: number): string {
  return `${formatIp(msg.addrFamily[slot], msg.addrWords, slot * 4)}:${msg.addrPort[slot]}`;
}

describe('RFC 5389', () => {
  it('RFC 5769 §2.1 request: attributes, ICE, fingerprint checked', () => {
    expect(parse(RFC5769_REQUEST)).toBe(Decode.Ok);
    expect(msg.dialect).toBe(Dialect.Rfc5389);
    expect(msg.kind).toBe(StunClass.Request);
    expect(msg.method).toBe(1);
    expect(msg.flaws).toBe(0);
    expect(stunText(RFC5769_REQUEST, msg, Txt.Software)).toBe('STUN test client');
    expect(stunText(RFC5769_REQUEST, msg, Txt.Username)).toBe('evtj:h6vY');
    expect(msg.priority).toBe(0x6e0001ff);
    expect(msg.iceRole).toBe(2);
    expect(msg.integrity).toBe(true);
    expect(msg.fingerprint).toBe(1);
    expect(msg.attributes).toBe(6);
  });

  it('RFC 5769 §2.2 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    expect(parse(RFC5769_RESPONSE)).toBe(Decode.Ok);
    expect(msg.kind).toBe(StunClass.Success);
    expect(addr(Addr.XorMapped)).toBe('192.0.2.1:32853');
    expect(msg.fingerprint).toBe(1);
  });

  it('a flipped bit breaks the fingerprint, named as a flaw', () => {
    const b = Buffer.from(RFC5769_REQUEST);
    b[30] ^= 1; // inside SOFTWARE
    expect(parse(b)).toBe(Decode.Ok);
    expect(msg.fingerprint).toBe(2);
    expect(msg.flaws & Flaw.FingerprintMismatch).toBeTruthy();
  });

  it('CRC-32 matches the check value of the ISO-HDLC polynomial', () => {
    expect(crc32(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
  });

  it('CreatePermission with two XOR-PEER-ADDRESS attributes keeps both (RFC 8656 §9.1)', () => {
    const peer = (a: number, port: number) => {
      const v = Buffer.alloc(12);
      v.writeUInt16BE(0x0012, 0);
      v.writeUInt16BE(8, 2);
      v[5] = 1;
      v.writeUInt16BE(port ^ 0x2112, 6);
      v.writeUInt32BE((a ^ 0x2112a442) >>> 0, 8);
      return v;
    };
    const attrs = Buffer.concat([peer(0xc6336401, 1111), peer(0xc6336402, 2222)]);
    const head = Buffer.alloc(20);
    head.writeUInt16BE(0x0008, 0); // CreatePermission request
    head.writeUInt16BE(attrs.length, 2);
    head.writeUInt32BE(0x2112a442, 4);
    const b = Buffer.concat([head, attrs]);
    expect(parse(b)).toBe(Decode.Ok);
    expect(msg.peers).toBe(2);
    expect([addr(peerSlot(0)), addr(peerSlot(1))]).toEqual(['198.51.100.1:1111', '198.51.100.2:2222']);
  });

  it('401 error: code, reason, realm and nonce in RFC order', () => {
    expect(parse(ALLOCATE_401)).toBe(Decode.Ok);
    expect(msg.kind).toBe(StunClass.Error);
    expect(msg.method).toBe(3);
    expect(msg.errorCode).toBe(401);
    expect(stunText(ALLOCATE_401, msg, Txt.Reason)).toBe('Unauthorized');
    expect(stunText(ALLOCATE_401, msg, Txt.Realm)).toBe('ex.com!');
    expect(stunText(ALLOCATE_401, msg, Txt.Nonce)).toBe('nonce');
  });
});

describe('MS-TURN', () => {
  it('is told by its MAGIC-COOKIE attribute although the transaction id begins with 0x2112A442', () => {
    expect(MSTURN_ALLOCATE_RESPONSE.readUInt32BE(4)).toBe(0x2112a442);
    expect(parse(MSTURN_ALLOCATE_RESPONSE)).toBe(Decode.Ok);
    expect(msg.dialect).toBe(Dialect.MsTurn);
    expect(msg.flaws).toBe(0);
    expect(msg.lifetime).toBe(60);
    expect(addr(Addr.Mapped)).toBe('52.114.250.141:3480');
    expect(addr(Addr.XorMapped)).toBe('80.181.206.72:57543');
    expect(msg.msVersion).toBe(6);
    expect(msg.msBandwidth).toBe(12000);
    expect(msg.msSequence).toBe(0);
    expect(stunText(MSTURN_ALLOCATE_RESPONSE, msg, Txt.Software)).toBe('2.0.1.211');
    expect(msg.integrity).toBe(true);
    expect(msg.unknown).toBe(0);
  });

  it('XOR addresses use the transaction id\'s first word, for the port too, when it is not the RFC cookie', () => {
    // The fixture's XOR-MAPPED-ADDRESS (0x8020) re-encoded for a transaction id beginning 0badf00d.
    const b = Buffer.from(MSTURN_ALLOCATE_RESPONSE);
    const at = b.indexOf(Buffer.from('80200008', 'hex'));
    b.writeUInt32BE(0x0badf00d, 4);
    b.writeUInt16BE(57543 ^ 0x0bad, at + 6);
    b.writeUInt32BE((((80 << 24) | (181 << 16) | (206 << 8) | 72) ^ 0x0badf00d) >>> 0, at + 8);
    expect(parse(b)).toBe(Decode.Ok);
    expect(msg.dialect).toBe(Dialect.MsTurn);
    expect(addr(Addr.XorMapped)).toBe('80.181.206.72:57543');
  });

  it('swaps REALM and NONCE, reads MS-SERVICE-QUALITY', () => {
    expect(parse(MSTURN_ALLOCATE_REQUEST)).toBe(Decode.Ok);
    expect(msg.dialect).toBe(Dialect.MsTurn);
    expect(stunText(MSTURN_ALLOCATE_REQUEST, msg, Txt.Realm)).toBe('ex.com!');
    expect(stunText(MSTURN_ALLOCATE_REQUEST, msg, Txt.Nonce)).toBe('nonce');
    expect(msg.msStreamType).toBe(1);
    expect(msg.msVersion).toBe(3);
  });

  it('a USERNAME that is not text (MS-TURN\'s binary token) is given in hex; one that is text, and other texts, as text', () => {
    const withAttribute = (type: number, value: Buffer) => {
      const padded = Buffer.concat([value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
      const head = Buffer.alloc(4);
      head.writeUInt16BE(type, 0);
      head.writeUInt16BE(value.length, 2);
      const b = Buffer.concat([MSTURN_ALLOCATE_REQUEST, head, padded]);
      b.writeUInt16BE(b.length - 20, 2);
      return b;
    };
    // The start of Teams' token (msturn_teams_ndpi.pcap frame 1250), and a string with a control character.
    const token = Buffer.from('0200002490a0dbdb01d6194d', 'hex');
    for (const [value, want] of [[token, '0x0200002490a0dbdb01d6194d'], [Buffer.from('ab\x01cd'), '0x6162016364'], [Buffer.from('alice:élan'), 'alice:élan']] as const) {
      const b = withAttribute(0x0006, value);
      expect(parse(b)).toBe(Decode.Ok);
      expect(stunText(b, msg, Txt.Username)).toBe(want);
    }
    const software = withAttribute(0x8022, Buffer.from('x\x01y'));
    expect(parse(software)).toBe(Decode.Ok);
    expect(stunText(software, msg, Txt.Software)).toBe('x\ufffdy');
    // Bounded like any text: at most 127 bytes, 256 characters with the 0x.
    const long = withAttribute(0x0006, Buffer.alloc(500, 0xff));
    expect(parse(long)).toBe(Decode.Ok);
    expect(stunText(long, msg, Txt.Username)).toBe(`0x${'ff'.repeat(127)}`);
  });

  it('fixed codes: 0x0004 Send request and 0x0115 Data indication expect no response', () => {
    for (const [type, method] of [[0x0004, 4], [0x0115, 5]]) {
      const b = Buffer.from(MSTURN_ALLOCATE_REQUEST);
      b.writeUInt16BE(type, 0);
      expect(parse(b)).toBe(Decode.Ok);
      expect(msg.kind).toBe(StunClass.Indication);
      expect(msg.method).toBe(method);
    }
  });
});

describe('RFC 3489', () => {
  it('a classic Binding request is accepted when it fills the datagram exactly', () => {
    expect(parse(CLASSIC_BINDING_REQUEST)).toBe(Decode.Ok);
    expect(msg.dialect).toBe(Dialect.Rfc3489);
    expect(msg.tid[0]).toBe(0x0a0b0c0d);
  });

  it('without a marker, anything but an exact classic message is not STUN', () => {
    expect(parse(CLASSIC_BINDING_REQUEST, CLASSIC_BINDING_REQUEST.length + 4)).toBe(Decode.NotMine);
    const b = Buffer.from(CLASSIC_BINDING_REQUEST);
    b.writeUInt16BE(0x0003, 0); // Allocate without cookie or MS-TURN marker
    expect(parse(b)).toBe(Decode.NotMine);
    const zeros = Buffer.alloc(28);
    expect(parse(zeros)).toBe(Decode.NotMine);
  });
});

describe('malformed and truncated messages: named flaws, never a throw', () => {
  it('a length that lies past the datagram: bad length', () => {
    const b = Buffer.from(RFC5769_REQUEST);
    b.writeUInt16BE(0x0100, 2);
    expect(parse(b)).toBe(Decode.Malformed);
    expect(msg.flaws).toBe(Flaw.BadLength);
  });

  it('an attribute length past the end of the message', () => {
    const b = Buffer.from(RFC5769_RESPONSE);
    b.writeUInt16BE(0x00ff, 22); // SOFTWARE claims 255 bytes
    expect(parse(b)).toBe(Decode.Ok);
    expect(msg.flaws & Flaw.AttributePastEnd).toBeTruthy();
  });

  it('a run of zero-length attributes ends, and a zero-length address is a bad value', () => {
    const b = Buffer.alloc(20 + 4 * 100);
    b.writeUInt16BE(0x0001, 0);
    b.writeUInt16BE(400, 2);
    b.writeUInt32BE(0x2112a442, 4);
    for (let i = 0; i < 100; i++) b.writeUInt16BE(0x0020, 20 + 4 * i); // XOR-MAPPED-ADDRESS, length 0
    expect(parse(b)).toBe(Decode.Ok);
    expect(msg.attributes).toBe(100);
    expect(msg.flaws).toBe(Flaw.AttributeBadValue);
  });

  it('every prefix of every fixture is Truncated or NotMine, never Ok, never a throw', () => {
    for (const f of [RFC5769_REQUEST, RFC5769_RESPONSE, MSTURN_ALLOCATE_RESPONSE, MSTURN_ALLOCATE_REQUEST, CLASSIC_BINDING_REQUEST, ALLOCATE_401]) {
      for (let n = 0; n < f.length; n++) {
        // the capture cut the datagram: the transport still says the full length
        const s = parseStun(f, 0, n, f.length, msg);
        expect([Decode.Truncated, Decode.NotMine]).toContain(s);
        if (s === Decode.Truncated) expect(msg.flaws & Flaw.Truncated).toBeTruthy();
      }
    }
  });
});
