import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/catalog/json-syntax.js';
import { defaultCatalogDir } from '../../src/catalog/paths.js';

describe('findJsonSyntaxError', () => {
  it('accepts valid JSON', () => {
    for (const t of ['{}', '[]', ' 0 ', '-1.5e+3', '"a\\u00e9\\n"', '{"a": [true, false, null, {"b": "c"}]}\n']) {
      expect(findJsonSyntaxError(t), t).toBeUndefined();
    }
  });

  it('names the first offending character with line and column', () => {
    const cases: [string, string, number, number][] = [
      ['{\n  "a": 1,\n}', 'unexpected "}", expected a property name in double quotes', 3, 1],
      ['{"a" 1}', 'unexpected "1", expected ":"', 1, 6],
      ['[1 2]', 'unexpected "2", expected "]"', 1, 4],
      ['{"a": "b', 'unexpected end of input', 1, 9],
      ['"\\x"', 'unexpected "x", expected an escape character', 1, 3],
      ['"\\u12g4"', 'unexpected "u", expected 4 hex digits after \\u', 1, 3],
      ['"a\tb"', 'unexpected "\\t", expected a character (control characters must be escaped)', 1, 3],
      ['01', 'unexpected "1", expected end of input', 1, 2],
      ["{'a': 1}", 'unexpected "\'", expected a property name in double quotes', 1, 2],
      ['', 'unexpected end of input', 1, 1],
    ];
    for (const [text, message, line, column] of cases) {
      expect(findJsonSyntaxError(text), JSON.stringify(text)).toEqual({ message, line, column });
    }
  });

  it('agrees with JSON.parse on damaged copies of a shipped pack', () => {
    const base = readFileSync(join(defaultCatalogDir(), 'lync2013-director.json'), 'utf8');
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const junk = ['', ',', '"', '}', ']', '{', ':', '\\', 'x', '0', '\n', ' '];
    for (let k = 0; k < 1500; k++) {
      const at = rnd(base.length);
      const text = base.slice(0, at) + junk[rnd(junk.length)] + base.slice(at + rnd(3));
      let ok = true;
      try {
        JSON.parse(text);
      } catch {
        ok = false;
      }
      expect(findJsonSyntaxError(text) === undefined, `mutation ${k} at ${at}`).toBe(ok);
    }
  });
});
