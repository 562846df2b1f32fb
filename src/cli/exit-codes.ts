/**
 * Exit codes, a contract for scripts and CI gates (documented in the README and `--help`).
 */
export const ExitCode = {
  /** The analysis ran; partial reads of damaged captures are warnings, not failures. */
  Ok: 0,
  /** A finding at or above the --fail-on severity (off unless asked for). */
  Findings: 1,
  /** Usage error, a capture that cannot be opened or is not a capture at all, or an output that cannot be written. */
  UsageOrInput: 2,
  /** An internal error: a bug in flowaudit. */
  Internal: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  analysis done (a truncated or damaged capture is reported as a warning)
  1  a finding at or above --fail-on <level> (only when --fail-on is given)
  2  usage error, an unreadable or unrecognised capture, or an unwritable output
  3  internal error (a bug: please report it with the capture if you can)`;
