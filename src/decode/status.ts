/**
 * What a decoder says about the bytes it was given. Decoders never throw per
 * packet: they return one of these, and the caller counts the anomaly.
 */
export const Decode = {
  /** The header was decoded and the view filled. */
  Ok: 0,
  /** The bytes are not this protocol (wrong version, unknown ethertype...). */
  NotMine: 1,
  /** The captured bytes end before the header does. */
  Truncated: 2,
  /** The header is present but its fields contradict each other. */
  Malformed: 3,
} as const;
export type Decode = (typeof Decode)[keyof typeof Decode];
