import { describe, expect, test } from 'vitest';
import {
  decode,
  ErrorCode,
  type Frame,
  isValidName,
  Kind,
  type Side,
  validateFarewell,
  validateFileName,
  validateMessage,
  validateName,
} from '../../../src/protocol/index.js';
import { cstr, expectProtocolError, field, frameBytes, uint } from './helpers.js';

// Every text rule of CLARIFICATIONS §3, checked twice: through the validateX function and
// through a decoder fed the bytes in a frame that carries that kind of text.

type Rule = 'name' | 'message' | 'farewell' | 'fileName';
interface Outcome {
  code: string;
  wireCode: number;
}
interface TextCase {
  title: string;
  value: string;
  /** Undefined: the value is accepted. */
  reject?: Outcome;
  /** What a decoder makes of the value's bytes, when it differs; null: not testable on the wire. */
  wire?: Outcome | { accept: string } | null;
}

/** A frame that carries one text of a rule, as a decoder on `side` receives it. */
interface Carrier {
  kind: string;
  side: Side;
  build(text: Buffer): Buffer;
  read(frame: Frame): string;
}

const BIDI = [
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];
const cp = (n: number) => String.fromCodePoint(n);
const hexCp = (n: number) => `U+${n.toString(16).toUpperCase().padStart(4, '0')}`;

const name = (code: string): Outcome => ({ code, wireCode: ErrorCode.ILLEGAL_NAME });
const message = (code: string): Outcome => ({ code, wireCode: ErrorCode.ILLEGAL_MESSAGE });
/** The text makes the frame's payload length out of range for its kind (checked first). */
const outOfRange: Outcome = { code: 'ILLEGAL_LENGTH', wireCode: ErrorCode.ILLEGAL_LENGTH };

const NAME_CASES: TextCase[] = [
  { title: 'one character', value: 'a' },
  { title: '32 code points', value: 'n'.repeat(32) },
  { title: '33 code points', value: 'n'.repeat(33), reject: name('NAME_TOO_LONG') },
  { title: '64 bytes: 32 two-byte characters', value: 'é'.repeat(32) },
  { title: '64 bytes: 16 four-byte emoji', value: '😀'.repeat(16) },
  {
    title: '65 bytes in 17 code points (cannot fit the 64-byte field)',
    value: `${'😀'.repeat(16)}a`,
    reject: name('NAME_TOO_LONG'),
    wire: outOfRange,
  },
  {
    title: '65 bytes in 22 code points (cannot fit the 64-byte field)',
    value: `${'€'.repeat(21)}é`,
    reject: name('NAME_TOO_LONG'),
    wire: outOfRange,
  },
  { title: 'empty', value: '', reject: name('NAME_EMPTY') },
  { title: 'U+0021, the lowest allowed', value: '!' },
  { title: 'a zero-width joiner (not a bidi control)', value: 'a\u200db' },
  { title: 'an inner space', value: 'a b', reject: name('NAME_FORBIDDEN_CHARACTER') },
  { title: 'a leading space', value: ' a', reject: name('NAME_FORBIDDEN_CHARACTER') },
  { title: 'a tab', value: 'a\tb', reject: name('NAME_FORBIDDEN_CHARACTER') },
  { title: 'a newline', value: 'a\nb', reject: name('NAME_FORBIDDEN_CHARACTER') },
  { title: 'a control character', value: '\u0001', reject: name('NAME_FORBIDDEN_CHARACTER') },
  // Control characters above U+0020 too, as in file names (CLARIFICATIONS §3).
  { title: 'DEL', value: 'a\u007f', reject: name('NAME_FORBIDDEN_CHARACTER') },
  { title: 'a C1 control (NEL)', value: 'a\u0085', reject: name('NAME_FORBIDDEN_CHARACTER') },
  { title: 'the C1 CSI', value: '\u009b31m', reject: name('NAME_FORBIDDEN_CHARACTER') },
  { title: 'U+00A0, the first code point after C1', value: 'a\u00a0' },
  {
    title: 'a NUL in the middle (on the wire the name ends there)',
    value: 'a\u0000b',
    reject: name('NAME_FORBIDDEN_CHARACTER'),
    wire: { accept: 'a' },
  },
  ...BIDI.map((c) => ({
    title: `bidi control ${hexCp(c)}`,
    value: `a${cp(c)}b`,
    reject: name('NAME_BIDI_CONTROL'),
  })),
  { title: 'a lone surrogate', value: 'a\ud800', reject: name('INVALID_UTF8'), wire: null },
];

const MESSAGE_CASES: TextCase[] = [
  { title: 'one character', value: 'x' },
  { title: 'a single space', value: ' ' },
  { title: '11998 bytes + NUL = 11999', value: 'x'.repeat(11_998) },
  {
    title: '11999 bytes + NUL = 12000',
    value: 'x'.repeat(11_999),
    reject: message('MESSAGE_TOO_LONG'),
    wire: outOfRange,
  },
  { title: '11998 bytes of two-byte characters', value: 'é'.repeat(5_999) },
  {
    title: '11999 bytes ending in ASCII after two-byte characters',
    value: `${'é'.repeat(5_999)}x`,
    reject: message('MESSAGE_TOO_LONG'),
    wire: outOfRange,
  },
  { title: '11998 bytes with four-byte emoji', value: `${'😀'.repeat(2_999)}ab` },
  {
    title: '11999 bytes with four-byte emoji',
    value: `${'😀'.repeat(2_999)}abc`,
    reject: message('MESSAGE_TOO_LONG'),
    wire: outOfRange,
  },
  { title: 'empty', value: '', reject: message('MESSAGE_EMPTY'), wire: outOfRange },
  { title: 'a tab', value: 'a\tb' },
  { title: 'a lone tab', value: '\t' },
  { title: 'DEL and C1 characters (from U+0020 up)', value: 'a\u007f\u0085b' },
  { title: 'bidi neighbours', value: '\u061b\u200d\u2010\u2029\u202f\u2065\u206a' },
  { title: 'a newline', value: 'a\nb', reject: message('MESSAGE_FORBIDDEN_CHARACTER') },
  { title: 'a carriage return', value: 'a\r', reject: message('MESSAGE_FORBIDDEN_CHARACTER') },
  { title: 'an escape', value: '\u001b[31m', reject: message('MESSAGE_FORBIDDEN_CHARACTER') },
  { title: 'a NUL in the middle', value: 'a\u0000b', reject: message('MESSAGE_EMBEDDED_NUL') },
  ...BIDI.map((c) => ({
    title: `bidi control ${hexCp(c)}`,
    value: `a${cp(c)}b`,
    reject: message('MESSAGE_BIDI_CONTROL'),
  })),
  { title: 'a lone surrogate', value: 'a\udc00', reject: message('INVALID_UTF8'), wire: null },
];

const FAREWELL_CASES: TextCase[] = [
  { title: 'empty', value: '' },
  { title: 'one character', value: 'x' },
  { title: '11998 bytes + NUL = 11999', value: 'x'.repeat(11_998) },
  {
    title: '11999 bytes + NUL = 12000',
    value: 'x'.repeat(11_999),
    reject: message('MESSAGE_TOO_LONG'),
    wire: outOfRange,
  },
  { title: 'a tab', value: 'see\tyou' },
  { title: 'a newline', value: 'bye\n', reject: message('MESSAGE_FORBIDDEN_CHARACTER') },
  { title: 'a NUL in the middle', value: 'by\u0000e', reject: message('MESSAGE_EMBEDDED_NUL') },
  ...BIDI.map((c) => ({
    title: `bidi control ${hexCp(c)}`,
    value: `bye${cp(c)}`,
    reject: message('MESSAGE_BIDI_CONTROL'),
  })),
];

const FILE_NAME_CASES: TextCase[] = [
  { title: 'one character', value: 'a' },
  { title: 'an inner space', value: 'my file.txt' },
  { title: '"."', value: '.' },
  { title: '".."', value: '..' },
  { title: '1023 bytes', value: 'f'.repeat(1_023) },
  {
    title: '1024 bytes',
    value: 'f'.repeat(1_024),
    reject: name('FILE_NAME_TOO_LONG'),
    wire: outOfRange,
  },
  { title: '1023 bytes of three-byte characters', value: '€'.repeat(341) },
  {
    title: '1024 bytes of three-byte characters and ASCII',
    value: `${'€'.repeat(341)}x`,
    reject: name('FILE_NAME_TOO_LONG'),
    wire: outOfRange,
  },
  { title: 'empty', value: '', reject: name('FILE_NAME_EMPTY'), wire: outOfRange },
  { title: 'a slash', value: 'a/b', reject: name('FILE_NAME_FORBIDDEN_CHARACTER') },
  { title: 'only a slash', value: '/', reject: name('FILE_NAME_FORBIDDEN_CHARACTER') },
  { title: 'a colon', value: 'c:x', reject: name('FILE_NAME_FORBIDDEN_CHARACTER') },
  { title: 'a backslash is fine', value: 'a\\b' },
  { title: 'a leading space', value: ' a.txt', reject: name('FILE_NAME_EDGE_SPACE') },
  { title: 'a trailing space', value: 'a.txt ', reject: name('FILE_NAME_EDGE_SPACE') },
  { title: 'only a space', value: ' ', reject: name('FILE_NAME_EDGE_SPACE') },
  { title: 'a tab', value: 'a\tb', reject: name('FILE_NAME_FORBIDDEN_CHARACTER') },
  { title: 'a newline', value: 'a\nb', reject: name('FILE_NAME_FORBIDDEN_CHARACTER') },
  { title: 'DEL', value: 'a\u007f', reject: name('FILE_NAME_FORBIDDEN_CHARACTER') },
  { title: 'a C1 control', value: 'a\u0085', reject: name('FILE_NAME_FORBIDDEN_CHARACTER') },
  {
    title: 'a NUL in the middle',
    value: 'a\u0000b',
    reject: name('FILE_NAME_FORBIDDEN_CHARACTER'),
  },
  ...BIDI.map((c) => ({
    title: `bidi control ${hexCp(c)}`,
    value: `a${cp(c)}.txt`,
    reject: name('FILE_NAME_BIDI_CONTROL'),
  })),
  { title: 'a lone surrogate', value: '\ud83d.txt', reject: name('INVALID_UTF8'), wire: null },
];

const ops = field(Buffer.from('ops'));
const CARRIERS: Record<Rule, Carrier[]> = {
  name: [
    {
      kind: 'NEW_CLIENT',
      side: 'server',
      build: (t) => frameBytes(Kind.NEW_CLIENT, field(t)),
      read: (f) => (f as { name: string }).name,
    },
    {
      kind: 'QUERY_USER',
      side: 'client',
      build: (t) => frameBytes(Kind.QUERY_USER, field(t), uint(1, 1)),
      read: (f) => (f as { name: string }).name,
    },
  ],
  message: [
    {
      kind: 'SEND_MESSAGE',
      side: 'server',
      build: (t) => frameBytes(Kind.SEND_MESSAGE, ops, cstr(t)),
      read: (f) => (f as { text: string }).text,
    },
    {
      kind: 'DIRECT_MESSAGE',
      side: 'client',
      build: (t) => frameBytes(Kind.DIRECT_MESSAGE, field(Buffer.from('bob')), cstr(t)),
      read: (f) => (f as { text: string }).text,
    },
    {
      kind: 'POST_MESSAGE',
      side: 'client',
      build: (t) => frameBytes(Kind.POST_MESSAGE, ops, field(Buffer.from('al')), cstr(t)),
      read: (f) => (f as { text: string }).text,
    },
  ],
  farewell: [
    {
      kind: 'CLIENT_DEPARTS',
      side: 'server',
      build: (t) => frameBytes(Kind.CLIENT_DEPARTS, cstr(t)),
      read: (f) => (f as { farewell: string }).farewell,
    },
    {
      kind: 'SERVER_DEPARTS',
      side: 'client',
      build: (t) => frameBytes(Kind.SERVER_DEPARTS, cstr(t)),
      read: (f) => (f as { farewell: string }).farewell,
    },
  ],
  fileName: [
    {
      kind: 'OFFER_FILE',
      side: 'server',
      build: (t) => negotiation(Kind.OFFER_FILE, 0, t),
      read: (f) => (f as { fileName: string }).fileName,
    },
    {
      kind: 'ACCEPT_FILE',
      side: 'client',
      build: (t) => negotiation(Kind.ACCEPT_FILE, 9, t),
      read: (f) => (f as { fileName: string }).fileName,
    },
  ],
};

function negotiation(kind: number, id: number, fileName: Buffer): Buffer {
  return frameBytes(
    kind,
    field(Buffer.from('Frank')),
    field(Buffer.from('Bob')),
    uint(id, 2),
    uint(10, 4),
    fileName,
  );
}

const VALIDATE: Record<Rule, (value: string) => void> = {
  name: validateName,
  message: validateMessage,
  farewell: validateFarewell,
  fileName: validateFileName,
};

const RULES: [Rule, TextCase[]][] = [
  ['name', NAME_CASES],
  ['message', MESSAGE_CASES],
  ['farewell', FAREWELL_CASES],
  ['fileName', FILE_NAME_CASES],
];

describe.each(RULES)('%s rules', (rule, cases) => {
  test.each(cases)('validate: $title', ({ value, reject }) => {
    const validate = VALIDATE[rule];
    if (reject === undefined) {
      expect(() => validate(value)).not.toThrow();
    } else {
      expectProtocolError(() => validate(value), reject.code, reject.wireCode);
    }
    if (rule === 'name') expect(isValidName(value)).toBe(reject === undefined);
  });

  const wireCases = cases.flatMap((c) =>
    c.wire === null ? [] : CARRIERS[rule].map((carrier) => ({ ...c, carrier, via: carrier.kind })),
  );
  test.each(wireCases)('decode via $via: $title', ({ value, reject, wire, carrier }) => {
    const bytes = carrier.build(Buffer.from(value, 'utf8'));
    const outcome = wire ?? reject ?? { accept: value };
    if ('accept' in outcome) {
      expect(carrier.read(decode(bytes, carrier.side))).toBe(outcome.accept);
    } else {
      expectProtocolError(() => decode(bytes, carrier.side), outcome.code, outcome.wireCode);
    }
  });
});

describe('message length on the text-alone BROADCAST_MESSAGE', () => {
  // Text alone can be up to 64 bytes longer than any valid message before its length is out
  // of range, so here an over-long message is a message error, not a length error.
  test('11998 bytes + NUL is accepted', () => {
    const bytes = frameBytes(Kind.BROADCAST_MESSAGE, cstr('b'.repeat(11_998)));
    expect(decode(bytes, 'server')).toEqual({
      kind: Kind.BROADCAST_MESSAGE,
      text: 'b'.repeat(11_998),
      layout: 'text',
    });
  });
  test('11999 bytes + NUL is ILLEGAL_MESSAGE', () => {
    const bytes = frameBytes(Kind.BROADCAST_MESSAGE, cstr('b'.repeat(11_999)));
    expectProtocolError(
      () => decode(bytes, 'server'),
      'MESSAGE_TOO_LONG',
      ErrorCode.ILLEGAL_MESSAGE,
    );
  });
  test('the draft layout with 11999 bytes + NUL is out of range: ILLEGAL_LENGTH', () => {
    const bytes = frameBytes(
      Kind.BROADCAST_MESSAGE,
      field(Buffer.alloc(0)),
      cstr('b'.repeat(11_999)),
    );
    expectProtocolError(() => decode(bytes, 'server'), 'ILLEGAL_LENGTH', ErrorCode.ILLEGAL_LENGTH);
  });
  test.each(BIDI.map((c) => [hexCp(c), c]))(
    '%s in a text-alone broadcast is ILLEGAL_MESSAGE',
    (_, c) => {
      const bytes = frameBytes(Kind.BROADCAST_MESSAGE, cstr(`hi${cp(c)}`));
      expectProtocolError(
        () => decode(bytes, 'server'),
        'MESSAGE_BIDI_CONTROL',
        ErrorCode.ILLEGAL_MESSAGE,
      );
    },
  );
});

test('names compare byte for byte: no case folding, no normalisation', () => {
  const composed = 'é';
  const decomposed = 'e\u0301';
  for (const value of ['Bob', 'bob', composed, decomposed]) {
    const frame = decode(frameBytes(Kind.NEW_CLIENT, field(Buffer.from(value))), 'server');
    expect(frame).toEqual({ kind: Kind.NEW_CLIENT, name: value });
  }
});
