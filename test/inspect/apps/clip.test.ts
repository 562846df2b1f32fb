/** Strings copied from packets: bounded, UTF-8 kept, control characters and invalid bytes replaced. */
import { describe, expect, it } from 'vitest';
import { clip, MAX_APP_STRING } from '../../../src/inspect/apps/app-common.js';

describe('clip', () => {
  it('keeps UTF-8 text and replaces C0, DEL, C1 and invalid bytes by U+FFFD', () => {
    const b = Buffer.concat([Buffer.from('Müller ☎ '), Buffer.from([0x1b, 0x5b, 0x7f, 0xc2, 0x9b, 0x9b, 0x41])]);
    expect(clip(b, 0, b.length)).toBe('Müller ☎ \ufffd[\ufffd\ufffd\ufffdA');
  });

  it('takes at most MAX_APP_STRING bytes', () => {
    const b = Buffer.alloc(1000, 0x61);
    expect(clip(b, 10, 1000).length).toBe(MAX_APP_STRING);
    expect(clip(b, 5, 5)).toBe('');
  });
});
