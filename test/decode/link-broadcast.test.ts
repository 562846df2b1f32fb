import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/capture/link-types.js';
import { isLinkBroadcast } from '../../src/decode/link-broadcast.js';
import { cat, decodeFrame, hex } from './helpers/frames.js';
import { ETH_V4, V4_UDP } from './helpers/fixtures.js';

const ethTo = (dst: string) => hex`
  ${dst}              # destination MAC
  66 77 88 99 aa bb   # source MAC
  08 00               # EtherType IPv4
`;

/** LINKTYPE_LINUX_SLL header of packet type `type` (0 to us, 1 broadcast, 2 multicast, 4 outgoing), IPv4. */
const sll = (type: string) => hex`
  ${type}                   # packet type
  00 01                     # ARPHRD_ETHER
  00 06                     # address length 6
  66 77 88 99 aa bb 00 00   # source address, zero padded
  08 00                     # protocol IPv4
`;

/** LINKTYPE_LINUX_SLL2 header of packet type `type`, IPv4. */
const sll2 = (type: string) => hex`
  08 00                     # protocol IPv4
  00 00                     # reserved
  00 00 00 02               # interface index
  00 01                     # ARPHRD_ETHER
  ${type}                   # packet type
  06                        # address length
  66 77 88 99 aa bb 00 00   # source address
`;

const broadcast = (linkType: number, frame: Buffer) => isLinkBroadcast(decodeFrame(linkType, frame).pkt);

describe('isLinkBroadcast', () => {
  it('Ethernet: the all-ones destination only, tagged or not; not a multicast or unicast MAC', () => {
    expect(broadcast(LinkType.ETHERNET, cat(ethTo('ff ff ff ff ff ff'), V4_UDP))).toBe(true);
    expect(broadcast(LinkType.ETHERNET, cat(hex`ff ff ff ff ff ff 66 77 88 99 aa bb 81 00 00 64 08 00`, V4_UDP))).toBe(true);
    expect(broadcast(LinkType.ETHERNET, cat(ethTo('01 00 5e 00 00 fb'), V4_UDP))).toBe(false); // IPv4 multicast: judged by its IP scope
    expect(broadcast(LinkType.ETHERNET, cat(ethTo('ff ff ff ff ff fe'), V4_UDP))).toBe(false);
    expect(broadcast(LinkType.ETHERNET, cat(ETH_V4, V4_UDP))).toBe(false);
  });

  it('Linux cooked captures: packet type 1 (broadcast received), not the host\'s own sends or multicast', () => {
    expect(broadcast(LinkType.LINUX_SLL, cat(sll('00 01'), V4_UDP))).toBe(true);
    for (const t of ['00 00', '00 02', '00 04']) expect(broadcast(LinkType.LINUX_SLL, cat(sll(t), V4_UDP)), t).toBe(false);
    expect(broadcast(LinkType.LINUX_SLL2, cat(sll2('01'), V4_UDP))).toBe(true);
    for (const t of ['00', '02', '04']) expect(broadcast(LinkType.LINUX_SLL2, cat(sll2(t), V4_UDP)), t).toBe(false);
  });

  it('link types without a destination say no', () => {
    expect(broadcast(LinkType.RAW, V4_UDP)).toBe(false);
  });
});
