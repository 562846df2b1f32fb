import { describe, expect, it } from 'vitest';
import { inetChecksum } from '../../samples/generator/bytes.js';
import { ipv4, udpDatagram } from '../../samples/generator/packets.js';
import { PayloadPool } from '../../samples/generator/bench/pool.js';
import { Rng } from '../../samples/generator/rng.js';
import {
  Attr, MS_TURN_MAGIC_COOKIE, MsAttr, StunType, attr, msTurnMessage, pseudoTlsClientHello, pseudoTlsServerHello, stunMessage, xorAddress,
} from '../../samples/generator/payloads/stun.js';
import { clientHello } from '../../samples/generator/payloads/tls.js';
import { pcapFileHeader, writePcap } from '../../samples/generator/writers/pcap.js';
import { epbTimestamp, writePcapng } from '../../samples/generator/writers/pcapng.js';
import { zeekTcp, zeekUdp, type ZeekPacket } from '../../samples/generator/zeek.js';
import { sum16 } from '../../samples/generator/bytes.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('IPv4 and UDP builders', () => {
  it('computes the IPv4 header checksum of a known header', () => {
    // 45 00 0073 0000 4000 40 11 [b861] c0a80001 c0a800c7: a widely published example header.
    const p = ipv4({ src: '192.168.0.1', dst: '192.168.0.199', ttl: 64, id: 0 }, 17, Buffer.alloc(0x73 - 20));
    expect(p.subarray(0, 20).toString('hex')).toBe('450000730000400040 11b861c0a80001c0a800c7'.replace(/ /g, ''));
    expect(inetChecksum(p, 0, 20)).toBe(0);
  });

  it('sends a computed UDP checksum of zero as 0xffff (RFC 768)', () => {
    // Pick a payload word that makes the one's complement sum 0xffff, i.e. a checksum of 0.
    const base = udpDatagram('10.0.0.1', '10.0.0.2', 1000, 2000, Buffer.from([0, 0]));
    const needed = base.readUInt16BE(6); // adding this word to the payload zeroes the checksum
    const d = udpDatagram('10.0.0.1', '10.0.0.2', 1000, 2000, Buffer.from([needed >> 8, needed & 0xff]));
    expect(d.readUInt16BE(6)).toBe(0xffff);
  });
});

describe('STUN builders', () => {
  it('reproduces the RFC 5769 §2.1 sample request byte for byte (MESSAGE-INTEGRITY and FINGERPRINT)', () => {
    const expected = hex(`000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74
      002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020
      000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf`);
    const msg = stunMessage(StunType.BindingRequest, hex('b7e7a701bc34d686fa87dfae'), [
      attr(Attr.Software, 'STUN test client'),
      attr(0x0024, 0x6e0001ff), // PRIORITY
      attr(0x8029, hex('932ff9b151263b36')), // ICE-CONTROLLED
      attr(Attr.Username, 'evtj:h6vY'),
    ], { integrity: { key: Buffer.from('VOkJxbRl1RmTxUk/WvJxBt') }, fingerprint: true, padByte: 0x20 });
    expect(msg.toString('hex')).toBe(expected.toString('hex'));
  });

  it('XORs IPv4 and IPv6 addresses as in the RFC 5769 §2.2 and §2.3 vectors', () => {
    const tx = hex('b7e7a701bc34d686fa87dfae');
    expect(xorAddress('192.0.2.1', 32853, tx).toString('hex')).toBe('0001a147e112a643');
    expect(xorAddress('2001:db8:1234:5678:11:2233:4455:6677', 32853, tx).toString('hex'))
      .toBe('0002a147' + '0113a9fa' + 'a5d3f179' + 'bc25f4b5' + 'bed2b9d9');
  });

  it('builds MS-TURN with a 16-byte transaction id, MAGIC-COOKIE first and unpadded attributes', () => {
    const tx = Buffer.alloc(16, 7);
    const m = msTurnMessage(StunType.AllocateError, tx, [attr(MsAttr.Realm, '"rtcmedia"'), attr(Attr.MsVersion, 3)]);
    expect(m.readUInt16BE(0)).toBe(0x0113);
    expect(m.readUInt16BE(2)).toBe(m.length - 20);
    expect(m.subarray(4, 20)).toEqual(tx);
    expect(m.readUInt16BE(20)).toBe(Attr.MsMagicCookie);
    expect(m.readUInt16BE(22)).toBe(4);
    expect(m.readUInt32BE(24)).toBe(MS_TURN_MAGIC_COOKIE);
    expect(m.readUInt16BE(28)).toBe(0x0015);
    expect(m.readUInt16BE(30)).toBe(10);
    // The next attribute starts right after the 10-byte realm: no padding.
    expect(m.readUInt16BE(32 + 10)).toBe(Attr.MsVersion);
    expect(m.length).toBe(20 + 8 + 14 + 8);
  });

  it('appends a 32-byte HMAC-SHA-256 MESSAGE-INTEGRITY for MS-TURN v3 and counts it in the length', () => {
    const m = msTurnMessage(StunType.AllocateRequest, Buffer.alloc(16), [attr(Attr.MsVersion, 3)], { key: Buffer.from('k'), sha256: true });
    expect(m.readUInt16BE(m.length - 36)).toBe(Attr.MessageIntegrity);
    expect(m.readUInt16BE(m.length - 34)).toBe(32);
    expect(m.readUInt16BE(2)).toBe(m.length - 20);
  });

  it('builds the 50-byte pseudo-TLS hello and the 83-byte answer of MS-TURN over TCP', () => {
    const ch = pseudoTlsClientHello(Buffer.alloc(32, 1));
    expect(ch.length).toBe(50);
    expect(ch.subarray(0, 11).toString('hex')).toBe('160301002d010000290301');
    expect(ch.subarray(43).toString('hex')).toBe('00000200180100');
    const sh = pseudoTlsServerHello(Buffer.alloc(32, 2), Buffer.alloc(32, 3));
    expect(sh.length).toBe(83);
    expect(sh.readUInt16BE(3)).toBe(78);
  });
});

describe('TLS ClientHello', () => {
  it('has consistent record and handshake lengths and carries the SNI and ALPN', () => {
    const ch = clientHello({ version: '1.3', sni: 'sip.contoso.com', alpn: ['sip/2'] }, new Rng(1));
    expect(ch[0]).toBe(22);
    expect(ch.readUInt16BE(3)).toBe(ch.length - 5);
    expect(ch[5]).toBe(1);
    expect(ch.readUIntBE(6, 3)).toBe(ch.length - 9);
    // server_name extension: type 0, then list length, name type 0, name length, name.
    const name = Buffer.from('sip.contoso.com');
    const at = ch.indexOf(name);
    expect(at).toBeGreaterThan(0);
    expect(ch.readUInt16BE(at - 2)).toBe(name.length);
    expect(ch[at - 3]).toBe(0);
    expect(ch.readUInt16BE(at - 9)).toBe(0); // extension type server_name
    expect(ch.indexOf(Buffer.from([5, ...Buffer.from('sip/2')]))).toBeGreaterThan(at);
  });

  it('omits the server_name extension when no SNI is given', () => {
    const ch = clientHello({ version: '1.2' }, new Rng(2));
    const extStart = 5 + 4 + 2 + 32 + 1 + 2 + 20 + 2; // 10 suites, empty session id
    expect(ch.readUInt16BE(extStart + 2)).not.toBe(0); // first extension is supported_groups, not server_name
    expect(ch.readUInt16BE(extStart + 2)).toBe(10);
  });
});

describe('capture writers', () => {
  const rec = { sec: 1710234000, nsec: 123456789, data: Buffer.alloc(60, 0xab), iface: 0 };

  it('writes pcap headers in both byte orders and resolutions', () => {
    expect(pcapFileHeader().subarray(0, 4).toString('hex')).toBe('d4c3b2a1');
    expect(pcapFileHeader({ byteOrder: 'be', resolution: 'ns' }).subarray(0, 4).toString('hex')).toBe('a1b23c4d');
    const us = writePcap([rec]);
    expect(us.readUInt32LE(24)).toBe(1710234000);
    expect(us.readUInt32LE(28)).toBe(123456); // truncated to µs
    const ns = writePcap([rec], { byteOrder: 'be', resolution: 'ns' });
    expect(ns.readUInt32BE(28)).toBe(123456789);
    expect(ns.readUInt32BE(32)).toBe(60);
  });

  it('splits pcapng timestamps in the interface resolution', () => {
    const units = 1710234000123456789n;
    const [hi, lo] = epbTimestamp(1710234000, 123456789, 9);
    expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(units);
    const [hi6, lo6] = epbTimestamp(1710234000, 123456789, 6);
    expect((BigInt(hi6) << 32n) | BigInt(lo6)).toBe(1710234000123456n);
  });

  it('writes if_tsresol only for non-microsecond interfaces and pads EPB data to 4 bytes', () => {
    const f = writePcapng([{ ...rec, data: Buffer.alloc(61, 1), iface: 1 }], {
      interfaces: [{ name: 'a' }, { name: 'b', tsresolDigits: 9 }],
    });
    expect(f.readUInt32LE(0)).toBe(0x0a0d0d0a);
    const shbLen = f.readUInt32LE(4);
    const idb0Len = f.readUInt32LE(shbLen + 4);
    const idb1 = shbLen + idb0Len;
    expect(f.subarray(shbLen, shbLen + idb0Len).includes(Buffer.from([9, 0, 1, 0]))).toBe(false);
    expect(f.subarray(idb1, idb1 + f.readUInt32LE(idb1 + 4)).includes(Buffer.from([9, 0, 1, 0, 9]))).toBe(true);
    const epb = idb1 + f.readUInt32LE(idb1 + 4);
    expect(f.readUInt32LE(epb)).toBe(6);
    expect(f.readUInt32LE(epb + 4)).toBe(32 + 64);
    expect(f.readUInt32LE(epb + 20)).toBe(61);
    expect(epb + 32 + 64).toBe(f.length);
  });
});

describe('Zeek conn_state and history', () => {
  const S = 0x02, A = 0x10, F = 0x01, R = 0x04, P = 0x08;
  const pk = (fromOrig: boolean, flags: number, seq: number, payloadLen = 0): ZeekPacket => ({ fromOrig, flags, seq, payloadLen });

  it('SF for a full handshake, data and FIN exchange', () => {
    expect(zeekTcp([
      pk(true, S, 100), pk(false, S | A, 500), pk(true, A, 101), pk(true, P | A, 101, 10), pk(false, A, 501),
      pk(false, P | A, 501, 20), pk(true, F | A, 111), pk(false, F | A, 521), pk(true, A, 112),
    ])).toEqual({ state: 'SF', history: 'ShADadFf' });
  });

  it('REJ for a SYN answered by RST', () => {
    expect(zeekTcp([pk(true, S, 7), pk(false, R | A, 0)])).toEqual({ state: 'REJ', history: 'Sr' });
  });

  it('S0 and a single S for a SYN retransmitted with the same sequence number', () => {
    expect(zeekTcp([pk(true, S, 7), pk(true, S, 7)])).toEqual({ state: 'S0', history: 'S' });
  });

  it('a second S when the repeated SYN has a new sequence number', () => {
    expect(zeekTcp([pk(true, S, 7), pk(true, S, 9)]).history).toBe('SS');
  });

  it('S1 for an established connection without close, RSTR for a server reset', () => {
    const open = [pk(true, S, 1), pk(false, S | A, 1), pk(true, A, 2), pk(true, P | A, 2, 5), pk(false, A, 2)];
    expect(zeekTcp(open)).toEqual({ state: 'S1', history: 'ShADa' });
    expect(zeekTcp([...open, pk(false, R | A, 2)])).toEqual({ state: 'RSTR', history: 'ShADar' });
    expect(zeekTcp([...open, pk(true, R | A, 7)])).toEqual({ state: 'RSTO', history: 'ShADaR' });
  });

  it('OTH for a connection seen mid-stream, SH for a FIN with no answer', () => {
    expect(zeekTcp([pk(true, P | A, 1000, 50), pk(false, P | A, 9000, 60)])).toEqual({ state: 'OTH', history: 'Dd' });
    expect(zeekTcp([pk(true, S, 1), pk(true, F, 2)])).toEqual({ state: 'SH', history: 'SF' });
  });

  it('UDP: SF with both directions, S0 with one', () => {
    expect(zeekUdp([{ fromOrig: true }, { fromOrig: false }, { fromOrig: true }])).toEqual({ state: 'SF', history: 'Dd' });
    expect(zeekUdp([{ fromOrig: true }])).toEqual({ state: 'S0', history: 'D' });
  });
});

describe('Rng', () => {
  it('is deterministic per seed, and forks do not depend on the parent stream position', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect([a.u32(), a.u32(), a.u32()]).toEqual([b.u32(), b.u32(), b.u32()]);
    const c = new Rng(42);
    const f1 = c.fork('x').u32();
    c.u32();
    expect(c.fork('x').u32()).toBe(f1);
    expect(c.fork('y').u32()).not.toBe(f1);
    expect(new Rng(43).u32()).not.toBe(new Rng(42).u32());
  });
});

describe('bench payload pool', () => {
  it('gives the same checksum sum as a direct pass, at both alignments and across the wrap', () => {
    const rng = new Rng(5);
    const pool = PayloadPool.random(rng, 1000);
    for (const [start, len] of [[0, 1000], [1, 999], [2, 7], [999, 1000], [500, 3], [0, 0], [777, 1]]) {
      expect(pool.sum(start, len)).toBe(sum16(pool.bytes, start, start + len));
    }
  });
});
