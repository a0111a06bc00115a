import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  sanitizeLine,
  sanitizeText,
  splitMessage,
  stripAnsi,
  validateMessage,
} from '../../../src/protocol/index.js';

describe('stripAnsi', () => {
  it.each([
    ['\x1b[31merror\x1b[0m', 'error'],
    ['\x1b[1;32mOK\x1b[m done', 'OK done'],
    ['\x1b[2K\x1b[1Gprogress', 'progress'],
    ['\x1b[?25lhidden cursor\x1b[?25h', 'hidden cursor'],
    ['\x1b]0;window title\x07text', 'text'],
    ['\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['\x1bP1$r0m\x1b\\after', 'after'],
    ['\x9b31mC1 CSI\x9b0m', 'C1 CSI'],
    ['\x1b(Bcharset', 'charset'],
    ['\x1b7saved\x1b8', 'saved'],
    ['trailing escape\x1b', 'trailing escape'],
    ['no escapes at all', 'no escapes at all'],
  ])('strips %j', (input, expected) => {
    expect(stripAnsi(input)).toBe(expected);
  });
});

describe('sanitizeLine', () => {
  it('keeps tabs and shows other C0 controls as control pictures', () => {
    expect(sanitizeLine('a\tb\x07c\x00d\x08e\rf')).toBe('a\tb␇c␀d␈e␍f');
  });

  it('replaces bidi controls and lone surrogates with U+FFFD', () => {
    expect(sanitizeLine('abc\u202edef\u2066x')).toBe('abc\uFFFDdef\uFFFDx');
    expect(sanitizeLine('x\ud800y')).toBe('x\uFFFDy');
  });

  it('turns a colourful log line into a valid message', () => {
    const line = '\x1b[36m2026-11-26T13:00:00Z\x1b[0m \x1b[33mWARN\x1b[0m disk 91%\x07';
    const clean = sanitizeLine(line);
    expect(clean).toBe('2026-11-26T13:00:00Z WARN disk 91%␇');
    expect(() => validateMessage(clean)).not.toThrow();
  });

  it('makes any string postable: splitMessage never throws on the result', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const pieces = splitMessage(sanitizeLine(s));
        expect(pieces.length).toBeLessThanOrEqual(1);
        for (const p of pieces) validateMessage(p);
      }),
    );
  });
});

describe('sanitizeText', () => {
  it('keeps line breaks so the text splits into one message per line', () => {
    expect(splitMessage(sanitizeText('\x1b[1mone\x1b[0m\r\ntwo\n\n\x1b[0m\nthree\x0c'))).toEqual([
      'one',
      'two',
      'three␌',
    ]);
  });
});
