/**
 * Errors that end the reading of one input. They are not per-packet: the hot
 * loop never throws. `CaptureFormatError` means the input is not a capture we
 * can read at all (exit code 2); a damaged or cut capture is reported as a
 * `StopReason` on the input and everything before the damage is kept.
 */
export class CaptureFormatError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CaptureFormatError';
  }
}

/** Why reading an input stopped before its end. */
export interface StopReason {
  /** 'truncated': the file ends inside a record; 'corrupt': a record header is impossible. */
  readonly kind: 'truncated' | 'corrupt';
  /** Byte offset (in the decompressed stream) of the record that could not be read. */
  readonly atByte: number;
  /** Number of packets read before the stop. */
  readonly afterPackets: number;
  readonly message: string;
}
