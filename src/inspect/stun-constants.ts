/**
 * STUN / TURN / MS-TURN protocol constants and their names. Sources per line;
 * "(2nd)" marks values known from open-source decoders (Wireshark
 * packet-stun.c, libnice) rather than the specification text, as in
 * ../shared/reference/stun-turn-dialects.md.
 */

export const STUN_HEADER = 20; // RFC 8489 §5: type(2) length(2) cookie(4) transaction id(12)
export const STUN_MAGIC_COOKIE = 0x2112a442; // RFC 8489 §5
export const MS_TURN_MAGIC_COOKIE = 0x72c64bc6; // [MS-TURN] §2.2.2.6 MAGIC-COOKIE value
export const FINGERPRINT_XOR = 0x5354554e; // RFC 8489 §14.7

/** How a message was recognised (one per message, see stun.ts). */
export const Dialect = {
  /** RFC 5389/8489: the magic cookie at offset 4, attributes padded to 4 bytes. */
  Rfc5389: 1,
  /** [MS-TURN]: first attribute MAGIC-COOKIE 0x000F = 0x72C64BC6, 16-byte transaction id, REALM/NONCE swapped. */
  MsTurn: 2,
  /** RFC 3489 classic STUN: no cookie, 16-byte transaction id. */
  Rfc3489: 3,
} as const;
export const DIALECT_NAMES = ['', 'rfc5389', 'ms-turn', 'rfc3489'] as const;
export type DialectName = 'rfc5389' | 'ms-turn' | 'rfc3489';

/** Message classes: RFC 8489 §5, C1 = 0x0100 and C0 = 0x0010 of the type. */
export const StunClass = { Request: 0, Indication: 1, Success: 2, Error: 3 } as const;

export function stunClass(type: number): number {
  return ((type >> 7) & 0x2) | ((type >> 4) & 0x1);
}

/** The 12-bit method (RFC 8489 §5): M11..M7 M6..M4 M3..M0 with the class bits removed. */
export function stunMethod(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

export const Method = {
  Binding: 0x001, // RFC 8489 §18.2
  SharedSecret: 0x002, // RFC 3489 §11.1 (MS-TURN: must not be used)
  Allocate: 0x003, // RFC 8656 §18
  Refresh: 0x004, // RFC 8656 §18 (MS-TURN 0x0004: Send request)
  Send: 0x006, // RFC 8656 §18 (indication 0x0016; MS-TURN 0x0006: Set Active Destination)
  Data: 0x007, // RFC 8656 §18 (indication 0x0017)
  CreatePermission: 0x008, // RFC 8656 §18
  ChannelBind: 0x009, // RFC 8656 §18
  Connect: 0x00a, // RFC 6062 §6.1
  ConnectionBind: 0x00b, // RFC 6062 §6.1
  ConnectionAttempt: 0x00c, // RFC 6062 §6.1
} as const;

/** [MS-TURN] §2.2.1 fixed message type codes that differ from the RFC reading. */
export const MsType = {
  AllocateRequest: 0x0003,
  AllocateResponse: 0x0103,
  AllocateError: 0x0113,
  SendRequest: 0x0004, // no response: data towards the peer
  DataIndication: 0x0115,
  SetActiveDestinationRequest: 0x0006,
  SetActiveDestinationResponse: 0x0106,
  SetActiveDestinationError: 0x0116,
} as const;

export const Attr = {
  MappedAddress: 0x0001, // RFC 8489 §14.1
  ChangeRequest: 0x0003, // RFC 5780 §7.2
  Username: 0x0006, // RFC 8489 §14.3
  MessageIntegrity: 0x0008, // RFC 8489 §14.5
  ErrorCode: 0x0009, // RFC 8489 §14.8
  UnknownAttributes: 0x000a, // RFC 8489 §14.9
  ChannelNumber: 0x000c, // RFC 8656 §18.1
  Lifetime: 0x000d, // RFC 8656 §18.2
  MsAlternateServer: 0x000e, // [MS-TURN] §2.2.2.5
  MsMagicCookie: 0x000f, // [MS-TURN] §2.2.2.6
  MsBandwidth: 0x0010, // [MS-TURN] §2.2.2.7
  MsDestinationAddress: 0x0011, // [MS-TURN] §2.2.2.8
  XorPeerAddress: 0x0012, // RFC 8656 §18.3 ([MS-TURN] §2.2.2.9 REMOTE-ADDRESS, plain (2nd))
  Data: 0x0013, // RFC 8656 §18.4
  Realm: 0x0014, // RFC 8489 §14.9 ([MS-TURN] §2.2.2.11: NONCE)
  Nonce: 0x0015, // RFC 8489 §14.10 ([MS-TURN] §2.2.2.12: REALM)
  XorRelayedAddress: 0x0016, // RFC 8656 §18.5
  RequestedAddressFamily: 0x0017, // RFC 8656 §18.6
  EvenPort: 0x0018, // RFC 8656 §18.7
  RequestedTransport: 0x0019, // RFC 8656 §18.8
  DontFragment: 0x001a, // RFC 8656 §18.9
  MessageIntegritySha256: 0x001c, // RFC 8489 §14.6
  PasswordAlgorithm: 0x001d, // RFC 8489 §14.12
  Userhash: 0x001e, // RFC 8489 §14.4
  XorMappedAddress: 0x0020, // RFC 8489 §14.2
  ReservationToken: 0x0022, // RFC 8656 §18.10
  Priority: 0x0024, // RFC 8445 §16.1
  UseCandidate: 0x0025, // RFC 8445 §16.1
  Padding: 0x0026, // RFC 5780 §7.6
  ResponsePort: 0x0027, // RFC 5780 §7.5
  ConnectionId: 0x002a, // RFC 6062 §6.2.1
  MsVersion: 0x8008, // [MS-TURN] §2.2.2.14
  MsXorMappedAddress: 0x8020, // [MS-TURN] §2.2.2.15 (the old draft code)
  Software: 0x8022, // RFC 8489 §14.14
  AlternateServer: 0x8023, // RFC 8489 §14.15
  Fingerprint: 0x8028, // RFC 8489 §14.7
  IceControlled: 0x8029, // RFC 8445 §16.1
  IceControlling: 0x802a, // RFC 8445 §16.1
  ResponseOrigin: 0x802b, // RFC 5780 §7.3
  OtherAddress: 0x802c, // RFC 5780 §7.4
  MobilityTicket: 0x8030, // RFC 8016 §3.1
  MsSequenceNumber: 0x8050, // [MS-TURN] §2.2.2.17
  MsCandidateIdentifier: 0x8054, // [MS-ICE2] §2.2.2.3
  MsServiceQuality: 0x8055, // [MS-TURN] §2.2.2.18
  MsBwAdmissionControl: 0x8056, // [MS-TURNBWM] §2.2.1 (2nd)
  MsBwReservationId: 0x8057, // [MS-TURNBWM] §2.2.2 (2nd)
  MsBwReservationAmount: 0x8058, // [MS-TURNBWM] §2.2.3 (2nd)
  MsSipCallId: 0x8062, // [MS-TURNBWM] (2nd)
  MsImplementationVersion: 0x8070, // [MS-ICE2] §2.2.2.4
  MsMultiplexedSessionId: 0x8095, // [MS-TURN] §2.2.2.20
} as const;

/** ERROR-CODE classes whose meaning the report names (RFC 8489 §14.8, RFC 8656 §19, RFC 8016 §3.4, [MS-TURN] §2.2.2.10). */
export const ERROR_REASONS: Readonly<Record<number, string>> = {
  300: 'Try Alternate',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Mobility Forbidden',
  420: 'Unknown Attribute',
  434: 'Missing Realm (MS-TURN)',
  435: 'Missing Nonce (MS-TURN)',
  436: 'Unknown User (MS-TURN)',
  437: 'Allocation Mismatch',
  438: 'Stale Nonce',
  440: 'Address Family not Supported',
  441: 'Wrong Credentials',
  442: 'Unsupported Transport Protocol',
  443: 'Peer Address Family Mismatch',
  446: 'Connection Already Exists',
  447: 'Connection Timeout or Failure',
  486: 'Allocation Quota Reached',
  487: 'Role Conflict',
  500: 'Server Error',
  508: 'Insufficient Capacity',
};

const RFC_METHOD_NAMES: Readonly<Record<number, string>> = {
  0x001: 'Binding',
  0x002: 'SharedSecret',
  0x003: 'Allocate',
  0x004: 'Refresh',
  0x006: 'Send',
  0x007: 'Data',
  0x008: 'CreatePermission',
  0x009: 'ChannelBind',
  0x00a: 'Connect',
  0x00b: 'ConnectionBind',
  0x00c: 'ConnectionAttempt',
};
const CLASS_SUFFIX = [' Request', ' Indication', ' Success Response', ' Error Response'];

const MS_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x0001: 'Binding Request',
  0x0101: 'Binding Success Response',
  0x0111: 'Binding Error Response',
  0x0002: 'Shared Secret Request',
  0x0102: 'Shared Secret Response',
  0x0112: 'Shared Secret Error Response',
  0x0003: 'Allocate Request',
  0x0103: 'Allocate Response',
  0x0113: 'Allocate Error Response',
  0x0004: 'Send Request',
  0x0115: 'Data Indication',
  0x0006: 'Set Active Destination Request',
  0x0106: 'Set Active Destination Response',
  0x0116: 'Set Active Destination Error Response',
};

/** Human name of a message type in its dialect (report only, not per packet). */
export function messageTypeName(dialect: number, type: number): string {
  if (dialect === Dialect.MsTurn) return MS_TYPE_NAMES[type] ?? `Unknown MS-TURN 0x${hex4(type)}`;
  const method = RFC_METHOD_NAMES[stunMethod(type)];
  return method === undefined ? `Unknown 0x${hex4(type)}` : method + CLASS_SUFFIX[stunClass(type)];
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/**
 * True for the types a classic (RFC 3489) message may have: Binding and
 * Shared Secret requests and responses (RFC 3489 §11.1). A message without
 * cookie or MS-TURN marker is accepted as classic STUN only with one of them.
 */
export function isClassicType(type: number): boolean {
  return type === 0x0001 || type === 0x0101 || type === 0x0111 || type === 0x0002 || type === 0x0102 || type === 0x0112;
}
