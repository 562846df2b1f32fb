/** The two escaping functions and the script-JSON encoder, on every class of hostile string. */
import { describe, expect, it } from 'vitest';
import { attr, jsonForScript, text, visible } from '../../src/report/html/escape.js';

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
