/**
 * Locates a JSON syntax error (RFC 8259) for a one-line message. JSON.parse
 * does not always give a position (V8 often says only "Unexpected token"),
 * so after it fails this scanner walks the text to the first offending byte.
 * Only used on the error path; speed does not matter.
 */

export interface JsonSyntaxError {
  readonly message: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

class Stop {
  constructor(readonly at: number, readonly message: string) {}
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (what?: string): never => {
    throw new Stop(i, i >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[i])}${what ? `, expected ${what}` : ''}`);
  };
  const expectChar = (c: string): void => {
    if (text[i] !== c) fail(JSON.stringify(c));
    i++;
  };
  const string = (): void => {
    expectChar('"');
    for (;;) {
      if (i >= text.length) fail();
      const c = text[i];
      if (c === '"') return void i++;
      if (c < ' ') fail('a character (control characters must be escaped)');
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('4 hex digits after \\u');
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else fail('an escape character');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        ws();
        expectChar(':');
        value();
        ws();
        if (text[i] === ',') i++;
        else return expectChar('}');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else return expectChar(']');
      }
    }
    if (c === '"') return string();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (lit === null) fail('a value');
    i += lit![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('end of input');
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, e.at).split('\n');
    return { message: e.message, line: before.length, column: before[before.length - 1].length + 1 };
  }
}
