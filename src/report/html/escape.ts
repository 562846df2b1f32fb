/**
 * The only ways a string reaches the page. Every string from a capture or a
 * user (paths, addresses, SNI, SIP headers, STUN USERNAME/SOFTWARE, rule
 * notes, explanations) goes through `text()` or `attr()`; the page builders
 * never concatenate a string from the report into markup any other way.
 */

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * C0 controls (except tab, LF, CR), DEL, C1 controls, lone surrogates and the
 * noncharacters U+FFFE/U+FFFF: shown as a visible escape (`\x07`, `\u0085`),
 * because a browser would otherwise drop them silently or render them as
 * nothing, and a person reading a hostile SIP header should see that it
 * carried a control character.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visibleControl(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Anything text() would change; most strings (addresses, numbers, names) have none, and are returned as they are. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

/** Any character CONTROL could match (it takes only lone surrogates; this, any surrogate): the CONTROL pass, with its lookarounds and callback, runs only when this matches. */
// eslint-disable-next-line no-control-regex
const MAYBE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

/**
 * Escapes a value for HTML text content. Non-strings are converted with String() first.
 * The five characters are replaced one regex at a time with a fixed replacement:
 * V8 runs those natively, several times faster than one regex with a callback
 * per match (a flow's explanation has a few quotes in every table row).
 */
export function text(value: unknown): string {
  let s = typeof value === 'string' ? value : String(value);
  if (!NEEDS_ESCAPE.test(s)) return s;
  if (MAYBE_CONTROL.test(s)) s = s.replace(CONTROL, visibleControl);
  if (s.includes('&')) s = s.replace(/&/g, TEXT_ESCAPES['&']);
  if (s.includes('<')) s = s.replace(/</g, TEXT_ESCAPES['<']);
  if (s.includes('>')) s = s.replace(/>/g, TEXT_ESCAPES['>']);
  if (s.includes('"')) s = s.replace(/"/g, TEXT_ESCAPES['"']);
  if (s.includes("'")) s = s.replace(/'/g, TEXT_ESCAPES["'"]);
  return s;
}

/**
 * Escapes a value for a double-quoted attribute value. Also escapes
 * whitespace other than the space, so that a newline in a hostile string
 * cannot change how the attribute reads (and titles stay on one line).
 */
export function attr(value: unknown): string {
  const s = text(value);
  return WHITESPACE.test(s) ? s.replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`) : s;
}

const WHITESPACE = /[\t\n\r]/;

/**
 * JSON for embedding inside a <script> element: `<`, `>`, `&` and the line
 * separators U+2028/U+2029 are written as \u escapes, so no string in the data
 * can close the element, open a comment, or break the script's parsing.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}


/** Control characters and lone surrogates as visible escapes, nothing else changed (for chart labels, which d3 escapes). */
export function visible(value: string): string {
  return value.replace(CONTROL, visibleControl);
}
