/**
 * Colours for the console summary: on a terminal only, never in a pipe or a
 * file, and never when NO_COLOR is set to anything but the empty string
 * (https://no-color.org). FORCE_COLOR (any value but "", "0" or "false")
 * turns them on off a terminal, for CI logs that render ANSI; NO_COLOR wins
 * over it. TERM=dumb means a terminal without escapes.
 */
import { PLAIN_STYLE, type TextStyle } from '../report/text.js';

/** Whether to colour a stream, from the environment and whether the stream is a terminal. Pure. */
export function colourEnabled(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

// SGR codes, ECMA-48 §8.3.117.
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const MAGENTA = '\x1b[35m';
const CYAN = '\x1b[36m';

const SEVERITY_COLOURS: Record<string, string> = { high: `${BOLD}${RED}`, medium: YELLOW, low: CYAN, info: '' };
const VERDICT_COLOURS: Record<string, string> = { documented: GREEN, misdirected: MAGENTA, undocumented: RED, unclassified: '' };

function paint(code: string | undefined, text: string): string {
  return code ? `${code}${text}${RESET}` : text;
}

export const ANSI_STYLE: TextStyle = {
  severity: (severity, text) => paint(SEVERITY_COLOURS[severity], text),
  verdict: (verdict, text) => paint(VERDICT_COLOURS[verdict], text),
  strong: (text) => paint(BOLD, text),
  warn: (text) => paint(YELLOW, text),
};

/** The style for a stream. */
export function styleFor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): TextStyle {
  return colourEnabled(env, isTTY) ? ANSI_STYLE : PLAIN_STYLE;
}
