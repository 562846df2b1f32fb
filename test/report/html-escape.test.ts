/** The two escaping functions and the script-JSON encoder, on every class of hostile string. */
import { describe, expect, it } from 'vitest';
import { attr, jsonForScript, text, visible } from '../../src/report/html/escape.js';
import { prng } from '../helpers/prng.js';

describe('text()', () => {
  it.each([
    ['<script>window.__pwned=1</script>', '&lt;script&gt;window.__pwned=1&lt;/script&gt;'],
    ['</script><img src=x onerror=window.__pwned=1>', '&lt;/script&gt;&lt;img src=x onerror=window.__pwned=1&gt;'],
    ['a & b', 'a &amp; b'],
    ['"double" \'single\'', '&quot;double&quot; &#39;single&#39;'],
    ['&lt;already escaped', '&amp;lt;already escaped'],
    ['NUL\u0000BEL\u0007ESC\u001b[31mDEL\u007fNEL\u0085', 'NUL\\x00BEL\\x07ESC\\x1b[31mDEL\\x7fNEL\\x85'],
    ['lone \ud800 surrogate', 'lone \\ud800 surrogate'],
    ['lone \udc00 low', 'lone \\udc00 low'],
    ['pair \ud83d\ude00 kept', 'pair \ud83d\ude00 kept'],
    ['tab\tand\nnewline', 'tab\tand\nnewline'],
    ['noncharacter \uffff', 'noncharacter \\uffff'],
    ['10.0.0.1', '10.0.0.1'],
  ])('%j', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it('converts non-strings', () => {
    expect(text(42)).toBe('42');
    expect(text(null)).toBe('null');
  });
});

describe('attr()', () => {
  it('escapes quotes, markup and line breaks, so the value cannot leave its attribute', () => {
    expect(attr('x" onmouseover="alert(1)')).toBe('x&quot; onmouseover=&quot;alert(1)');
    expect(attr("x' y")).toBe('x&#39; y');
    expect(attr('a\nb\rc\td')).toBe('a&#10;b&#13;c&#9;d');
    expect(attr('<b>')).toBe('&lt;b&gt;');
  });
});

describe('jsonForScript()', () => {
  it('writes <, >, & and U+2028/2029 as \\u escapes and stays parseable JSON', () => {
    const value = { s: '</script><!-- & \u2028\u2029 -->' };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe('visible()', () => {
  it('shows control characters and leaves markup to the serialiser', () => {
    expect(visible('a\u0000<b>')).toBe('a\\x00<b>');
  });
});

describe('text() and attr() against their one-regex definitions', () => {
  // The definitions before text() replaced the five characters one at a time (faster): same result on any string.
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const reference = (s: string): string => s
    .replace(CONTROL, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
    .replace(/[&<>"']/g, (c) => ESCAPES[c]);
  const ALPHABET = ['a', ' ', '&', '<', '>', '"', "'", '\t', '\n', '\r', '\u0000', '\u0085', '\u00a0', '\u2192', '\ud83d', '\ude00', '\ufffe', '&amp;', '\\x00'];

  it('on random strings of markup characters, controls and surrogates', () => {
    const rand = prng(11);
    for (let i = 0; i < 5000; i++) {
      let s = '';
      for (let n = Math.floor(rand() * 12); n > 0; n--) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      expect(text(s)).toBe(reference(s));
      expect(attr(s)).toBe(reference(s).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`));
    }
  });
});
