import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ErrorCode,
  MAX_TEXT_BYTES,
  splitMessage,
  validateMessage,
} from '../../../src/protocol/index.js';
import { expectProtocolError } from './helpers.js';
import { messageText } from './arbitraries.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Every piece is a valid message that fits, and the pieces join back to `line`. */
function expectPiecesOf(line: string, pieces: string[]): void {
  for (const piece of pieces) {
    expect(() => validateMessage(piece)).not.toThrow();
    expect(bytes(piece)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
  }
  expect(pieces.join('')).toBe(line);
}

describe('splitMessage: lines', () => {
  const cases: { title: string; text: string; expected: string[] }[] = [
    { title: 'one line', text: 'hello', expected: ['hello'] },
    { title: 'LF', text: 'first\nsecond', expected: ['first', 'second'] },
    { title: 'CRLF', text: 'first\r\nsecond\r\n', expected: ['first', 'second'] },
    { title: 'lone CR', text: 'first\rsecond', expected: ['first', 'second'] },
    { title: 'mixed endings', text: 'a\r\nb\nc\rd', expected: ['a', 'b', 'c', 'd'] },
    {
      title: 'blank lines skipped',
      text: '\n\nfirst\n\n\nsecond\n\n',
      expected: ['first', 'second'],
    },
    { title: 'CRLF blank lines skipped', text: 'a\r\n\r\n\r\nb', expected: ['a', 'b'] },
    { title: 'whitespace-only lines skipped', text: 'a\n   \n\t\nb', expected: ['a', 'b'] },
    {
      title: 'tabs and inner spaces kept',
      text: '\tindented  line ',
      expected: ['\tindented  line '],
    },
    { title: 'nothing at all', text: '', expected: [] },
    { title: 'only newlines', text: '\n\r\n\r', expected: [] },
  ];
  test.each(cases)('$title', ({ text, expected }) => {
    expect(splitMessage(text)).toEqual(expected);
  });

  test('a line with a character no message may carry is refused', () => {
    expectProtocolError(
      () => splitMessage('ok\nbad\u202e'),
      'MESSAGE_BIDI_CONTROL',
      ErrorCode.ILLEGAL_MESSAGE,
    );
    expectProtocolError(
      () => splitMessage('bell\u0007'),
      'MESSAGE_FORBIDDEN_CHARACTER',
      ErrorCode.ILLEGAL_MESSAGE,
    );
  });
});

describe('splitMessage: long lines', () => {
  test('MAX_TEXT_BYTES leaves room for the NUL under the 12000-byte limit', () => {
    expect(MAX_TEXT_BYTES).toBe(11_998);
  });

  const cases: { title: string; line: string; sizes: number[] }[] = [
    { title: 'exactly the limit stays whole', line: 'a'.repeat(11_998), sizes: [11_998] },
    { title: 'one byte over splits off one byte', line: 'a'.repeat(11_999), sizes: [11_998, 1] },
    { title: 'three messages worth', line: 'a'.repeat(30_000), sizes: [11_998, 11_998, 6_004] },
    {
      title: 'two-byte characters split between them',
      line: 'é'.repeat(6_000),
      sizes: [11_998, 2],
    },
    {
      title: 'three-byte characters: the piece stops short of the limit',
      line: '€'.repeat(4_000),
      sizes: [11_997, 3],
    },
    {
      title: 'a 4-byte emoji ending exactly at the limit stays',
      line: `${'a'.repeat(11_994)}😀`,
      sizes: [11_998],
    },
    {
      title: 'a 4-byte emoji straddling the limit by one byte moves whole',
      line: `${'a'.repeat(11_995)}😀b`,
      sizes: [11_995, 5],
    },
    {
      title: 'a 4-byte emoji straddling the limit by three bytes moves whole',
      line: `${'a'.repeat(11_997)}😀`,
      sizes: [11_997, 4],
    },
    { title: 'emoji only', line: '😀'.repeat(3_000), sizes: [11_996, 4] },
  ];
  test.each(cases)('$title', ({ line, sizes }) => {
    const pieces = splitMessage(line);
    expect(pieces.map(bytes)).toEqual(sizes);
    expectPiecesOf(line, pieces);
  });

  test('a long line among short ones keeps the order', () => {
    const long = `${'x'.repeat(11_997)}😀`;
    expect(splitMessage(`before\n${long}\r\nafter`)).toEqual([
      'before',
      'x'.repeat(11_997),
      '😀',
      'after',
    ]);
  });

  test('a smaller limit can be given', () => {
    expect(splitMessage('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    expect(splitMessage('aé😀', 4)).toEqual(['aé', '😀']);
  });
});

describe('splitMessage: properties', () => {
  // Lines of any valid message characters (long runs included), joined by any line ending.
  const eol = fc.constantFrom('\n', '\r\n', '\r');
  const line = fc.oneof(
    { weight: 3, arbitrary: messageText({ maxCodePoints: 40 }) },
    { weight: 1, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 11_990, max: 12_010 }), fc.constantFrom('😀', '€', 'é', 'z'))
        .map(([n, tail]) => `${'q'.repeat(n - bytes(tail))}${tail}${tail}`),
    },
  );
  const text = fc
    .tuple(fc.array(fc.tuple(line, eol), { maxLength: 5 }), line)
    .map(([pairs, last]) => ({
      lines: [...pairs.map(([l]) => l), last],
      text: pairs.map(([l, e]) => l + e).join('') + last,
    }));

  test('every piece is a valid message and each line joins back from its pieces', () => {
    fc.assert(
      fc.property(text, ({ lines, text: input }) => {
        const pieces = splitMessage(input);
        const nonBlank = lines.filter((l) => l.trim() !== '');
        let at = 0;
        for (const l of nonBlank) {
          let joined = '';
          while (joined.length < l.length) joined += pieces[at++];
          expectPiecesOf(l, splitMessage(l));
          expect(joined).toBe(l);
        }
        expect(at).toBe(pieces.length);
      }),
      { numRuns: 60 },
    );
  });
});
