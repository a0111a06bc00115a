import { describe, expect, test } from 'vitest';
import {
  decode,
  ErrorCode,
  encode,
  type Frame,
  frames,
  Kind,
  type Side,
} from '../../../src/protocol/index.js';
import {
  catchProtocolError,
  comparable,
  cstr,
  expectProtocolError,
  field,
  fieldHex,
  frameBytes,
  hex,
  receives,
  toHex,
  uint,
} from './helpers.js';
import { ALL_KINDS, KIND_VALUES, VECTORS } from './vectors.js';

describe('wire vectors', () => {
  test('the kind table has the 19 kinds 0x01–0x13 and every one has a vector', () => {
    expect([...KIND_VALUES].sort((a, b) => a - b)).toEqual(ALL_KINDS);
    const covered = new Set(VECTORS.map((v) => v.frame.kind));
    expect([...covered].sort((a, b) => a - b)).toEqual(ALL_KINDS);
  });

  test.each(VECTORS)('encode: $title', ({ frame, hex: expected }) => {
    expect(toHex(encode(frame))).toBe(toHex(hex(expected)));
  });

  const decodeCases = VECTORS.flatMap((v) =>
    v.decodesOn.map((side) => ({ ...v, side, expected: v.decoded?.[side] ?? v.frame })),
  );
  test.each(decodeCases)('decode on the $side: $title', ({ hex: bytes, side, expected }) => {
    expect(comparable(decode(hex(bytes), side))).toEqual(comparable(expected));
  });

  test('a client-side decoder refuses what only servers receive, and vice versa', () => {
    let refused = 0;
    for (const v of VECTORS) {
      for (const side of ['server', 'client'] as const) {
        if (receives(side, v.frame.kind)) {
          expect(v.decodesOn.includes(side) || v.decoded === undefined).toBe(true);
          continue;
        }
        expect(v.decodesOn).not.toContain(side);
        expectProtocolError(
          () => decode(hex(v.hex), side),
          'UNEXPECTED_KIND',
          ErrorCode.ILLEGAL_KIND,
        );
        refused++;
      }
    }
    // 4 kinds only servers send + 7 only clients send, some with two vectors.
    expect(refused).toBeGreaterThanOrEqual(11);
  });
});

interface DecodeOnly {
  title: string;
  side: Side;
  bytes: Buffer;
  expected: Frame;
}

const junk = hex('FF FE 80 C0 01 20 41');
const e32 = 'é'.repeat(32); // 64 bytes of UTF-8, 32 code points: fills a field with no NUL

const DECODE_ONLY: DecodeOnly[] = [
  {
    title: 'CLIENT_DEPARTS with no payload at all',
    side: 'server',
    bytes: hex('12 00000000'),
    expected: frames.clientDeparts(''),
  },
  {
    title: 'SERVER_DEPARTS with no payload at all',
    side: 'client',
    bytes: hex('13 00000000'),
    expected: frames.serverDeparts(''),
  },
  {
    title: 'SERVER_DEPARTS with an empty farewell',
    side: 'client',
    bytes: hex('13 00000001 00'),
    expected: frames.serverDeparts(''),
  },
  {
    title: 'a name ends at its first NUL; junk after it is ignored',
    side: 'server',
    bytes: frameBytes(Kind.NEW_CLIENT, field(Buffer.concat([cstr('bob'), junk]))),
    expected: frames.newClient('bob'),
  },
  {
    title: 'junk after the NUL of every field of a POST_MESSAGE',
    side: 'client',
    bytes: frameBytes(
      Kind.POST_MESSAGE,
      field(Buffer.concat([cstr('ops'), junk])),
      field(Buffer.concat([cstr('al'), junk, junk])),
      cstr('hi'),
    ),
    expected: frames.post('ops', 'al', 'hi'),
  },
  {
    title: 'a 64-byte field without a NUL is a 64-byte name',
    side: 'server',
    bytes: frameBytes(Kind.ENTER_ROOM, Buffer.from(e32)),
    expected: frames.enterRoom(e32),
  },
  {
    title: 'listing entries without a NUL sit next to each other',
    side: 'client',
    bytes: frameBytes(Kind.USER_LISTING, Buffer.from(e32), Buffer.from(e32), field(cstr('x'))),
    expected: frames.userListing(e32, [e32, 'x']),
  },
  {
    title: 'the identifier of a ROOM_LISTING is ignored whatever it holds',
    side: 'client',
    bytes: frameBytes(Kind.ROOM_LISTING, field(junk), field(Buffer.from('ops'))),
    expected: frames.roomListing(['ops']),
  },
  {
    title: 'draft BROADCAST_MESSAGE: whatever the target field holds is unused',
    side: 'server',
    bytes: frameBytes(Kind.BROADCAST_MESSAGE, field(cstr('someone')), cstr('hey')),
    expected: frames.broadcast('hey', 'draft'),
  },
  {
    title: 'text-alone BROADCAST_MESSAGE longer than a name field',
    side: 'server',
    bytes: frameBytes(Kind.BROADCAST_MESSAGE, cstr('t'.repeat(100))),
    expected: frames.broadcast('t'.repeat(100), 'text'),
  },
  {
    title: 'BROADCAST_MESSAGE whose only NUL is the last byte is text alone (§5.3)',
    side: 'server',
    bytes: frameBytes(Kind.BROADCAST_MESSAGE, Buffer.from('x'.repeat(64)), cstr('hi')),
    expected: frames.broadcast(`${'x'.repeat(64)}hi`, 'text'),
  },
  {
    title: 'a file name with a single trailing NUL is tolerated',
    side: 'server',
    bytes: frameBytes(
      Kind.OFFER_FILE,
      field(Buffer.from('Frank')),
      field(Buffer.from('Bob')),
      uint(0, 2),
      uint(3, 4),
      cstr('a.txt'),
    ),
    expected: frames.offer({ target: 'Frank', source: 'Bob', id: 0, size: 3, fileName: 'a.txt' }),
  },
  {
    title: 'ERR with a code outside the table keeps the code',
    side: 'client',
    bytes: hex('01 00000001 FF'),
    expected: frames.error(0xff),
  },
  {
    title: 'QUERY_USER answer with status 1 (online)',
    side: 'client',
    bytes: hex(`09 00000041 ${fieldHex('bob')} 01`),
    expected: frames.queryUser('bob', 1),
  },
];

describe('decode-only vectors', () => {
  test.each(DECODE_ONLY)('$side decodes $title', ({ side, bytes, expected }) => {
    expect(comparable(decode(bytes, side))).toEqual(comparable(expected));
  });

  const badUtf8 = [
    { title: 'a byte that starts nothing (FF)', bytes: hex('61 FF') },
    { title: 'a lone continuation byte (80)', bytes: hex('80 61') },
    { title: 'an overlong "/" (C0 AF)', bytes: hex('C0 AF') },
    { title: 'an overlong 3-byte form (E0 80 AF)', bytes: hex('E0 80 AF') },
    { title: 'a UTF-16 surrogate (ED A0 80)', bytes: hex('ED A0 80') },
    { title: 'a code point past U+10FFFF (F4 90 80 80)', bytes: hex('F4 90 80 80') },
    { title: 'a sequence cut short by the NUL (E2 82 00)', bytes: hex('E2 82') },
    {
      title: 'a sequence cut short by the field end',
      bytes: Buffer.concat([Buffer.from('€'.repeat(21)), hex('E2')]),
    },
  ];
  test.each(badUtf8)('invalid UTF-8 in a name is refused: $title', ({ bytes }) => {
    expectProtocolError(
      () => decode(frameBytes(Kind.NEW_CLIENT, field(bytes)), 'server'),
      'INVALID_UTF8',
      ErrorCode.ILLEGAL_NAME,
    );
    expectProtocolError(
      () =>
        decode(frameBytes(Kind.USER_LISTING, field(Buffer.from('ops')), field(bytes)), 'client'),
      'INVALID_UTF8',
      ErrorCode.ILLEGAL_NAME,
    );
  });
  test.each(badUtf8)('invalid UTF-8 in a message is refused: $title', ({ bytes }) => {
    expectProtocolError(
      () => decode(frameBytes(Kind.SEND_MESSAGE, field(Buffer.from('ops')), cstr(bytes)), 'server'),
      'INVALID_UTF8',
      ErrorCode.ILLEGAL_MESSAGE,
    );
  });
  test.each(badUtf8)('invalid UTF-8 in a file name is refused: $title', ({ bytes }) => {
    const offer = frameBytes(
      Kind.OFFER_FILE,
      field(Buffer.from('Frank')),
      field(Buffer.from('Bob')),
      uint(0, 2),
      uint(1, 4),
      bytes,
    );
    expectProtocolError(() => decode(offer, 'client'), 'INVALID_UTF8', ErrorCode.ILLEGAL_NAME);
  });

  test('a message without its NUL terminator is refused', () => {
    const bytes = frameBytes(Kind.SEND_MESSAGE, field(Buffer.from('ops')), Buffer.from('hi!'));
    expectProtocolError(
      () => decode(bytes, 'server'),
      'MESSAGE_NOT_TERMINATED',
      ErrorCode.ILLEGAL_MESSAGE,
    );
  });

  test('a draft BROADCAST_MESSAGE with no text after the target field is refused', () => {
    const bytes = frameBytes(Kind.BROADCAST_MESSAGE, field(Buffer.alloc(0)), hex('00'));
    expect(catchProtocolError(() => decode(bytes, 'server')).wireCode).toBe(
      ErrorCode.ILLEGAL_MESSAGE,
    );
  });

  test('an empty name field is refused', () => {
    expectProtocolError(
      () => decode(frameBytes(Kind.NEW_CLIENT, field(Buffer.alloc(0))), 'server'),
      'NAME_EMPTY',
      ErrorCode.ILLEGAL_NAME,
    );
    expectProtocolError(
      () =>
        decode(
          frameBytes(Kind.ROOM_LISTING, field(Buffer.alloc(0)), field(Buffer.alloc(0))),
          'client',
        ),
      'NAME_EMPTY',
      ErrorCode.ILLEGAL_NAME,
    );
  });

  test('a file name of a lone NUL is empty, and two trailing NULs are refused', () => {
    const offer = (name: Buffer) =>
      frameBytes(
        Kind.OFFER_FILE,
        field(Buffer.from('Frank')),
        field(Buffer.from('Bob')),
        uint(0, 2),
        uint(1, 4),
        name,
      );
    expectProtocolError(
      () => decode(offer(hex('00')), 'server'),
      'FILE_NAME_EMPTY',
      ErrorCode.ILLEGAL_NAME,
    );
    expectProtocolError(
      () => decode(offer(hex('61 00 00')), 'server'),
      'FILE_NAME_FORBIDDEN_CHARACTER',
      ErrorCode.ILLEGAL_NAME,
    );
  });

  test('decode wants exactly one whole frame', () => {
    expectProtocolError(
      () => decode(hex('03 00000000 03 00000000'), 'server'),
      'NOT_ONE_FRAME',
      ErrorCode.ILLEGAL_LENGTH,
    );
    expectProtocolError(
      () => decode(hex('01 00000001'), 'server'),
      'NOT_ONE_FRAME',
      ErrorCode.ILLEGAL_LENGTH,
    );
    expectProtocolError(() => decode(hex(''), 'client'), 'NOT_ONE_FRAME', ErrorCode.ILLEGAL_LENGTH);
  });

  test('decode takes a plain Uint8Array, including a view into a larger buffer', () => {
    const backing = new Uint8Array(hex('AA BB 0B 00000006 48656C6C6F00 CC'));
    const view = backing.subarray(2, backing.length - 1);
    expect(decode(view, 'server')).toEqual(frames.broadcast('Hello', 'text'));
  });
});
