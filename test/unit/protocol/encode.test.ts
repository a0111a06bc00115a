import { describe, expect, test } from 'vitest';
import { ErrorCode, encode, type Frame, frames } from '../../../src/protocol/index.js';
import { expectProtocolError, fieldHex, hex, toHex } from './helpers.js';

describe('encode refuses frames that cannot go on the wire', () => {
  const negotiation = { target: 'Frank', source: 'Bob', id: 0, size: 1, fileName: 'f' };
  const cases: { title: string; frame: Frame; code: string; wireCode: number }[] = [
    {
      title: 'ERR code 256',
      frame: frames.error(256),
      code: 'ILLEGAL_FIELD',
      wireCode: ErrorCode.UNKNOWN,
    },
    {
      title: 'ERR code -1',
      frame: frames.error(-1),
      code: 'ILLEGAL_FIELD',
      wireCode: ErrorCode.UNKNOWN,
    },
    {
      title: 'QUERY_USER status 1.5',
      frame: frames.queryUser('bob', 1.5),
      code: 'ILLEGAL_FIELD',
      wireCode: ErrorCode.UNKNOWN,
    },
    {
      title: 'transfer id 65536',
      frame: frames.offer({ ...negotiation, id: 0x1_0000 }),
      code: 'ILLEGAL_FIELD',
      wireCode: ErrorCode.UNKNOWN,
    },
    {
      title: 'file size 2^32',
      frame: frames.accept({ ...negotiation, size: 2 ** 32 }),
      code: 'ILLEGAL_FIELD',
      wireCode: ErrorCode.UNKNOWN,
    },
    {
      title: 'chunk id 65536',
      frame: frames.chunk(0x1_0000, Buffer.from([1])),
      code: 'ILLEGAL_FIELD',
      wireCode: ErrorCode.UNKNOWN,
    },
    {
      title: 'an empty chunk',
      frame: frames.chunk(1, Buffer.alloc(0)),
      code: 'ILLEGAL_CHUNK_SIZE',
      wireCode: ErrorCode.ILLEGAL_LENGTH,
    },
    {
      title: 'a 4097-byte chunk',
      frame: frames.chunk(1, Buffer.alloc(4097)),
      code: 'ILLEGAL_CHUNK_SIZE',
      wireCode: ErrorCode.ILLEGAL_LENGTH,
    },
    {
      title: 'an unknown kind',
      frame: { kind: 0x14 } as unknown as Frame,
      code: 'ILLEGAL_KIND',
      wireCode: ErrorCode.ILLEGAL_KIND,
    },
    {
      title: 'an invalid room name',
      frame: frames.send('two words', 'hi'),
      code: 'NAME_FORBIDDEN_CHARACTER',
      wireCode: ErrorCode.ILLEGAL_NAME,
    },
    {
      title: 'an invalid sender name',
      frame: frames.post('ops', '', 'hi'),
      code: 'NAME_EMPTY',
      wireCode: ErrorCode.ILLEGAL_NAME,
    },
    {
      title: 'an invalid listed name',
      frame: frames.roomListing(['ok', 'a\tb']),
      code: 'NAME_FORBIDDEN_CHARACTER',
      wireCode: ErrorCode.ILLEGAL_NAME,
    },
    {
      title: 'a multi-line message',
      frame: frames.directTo('bob', 'a\nb'),
      code: 'MESSAGE_FORBIDDEN_CHARACTER',
      wireCode: ErrorCode.ILLEGAL_MESSAGE,
    },
    {
      title: 'a farewell with a bidi control',
      frame: frames.serverDeparts('bye\u202e'),
      code: 'MESSAGE_BIDI_CONTROL',
      wireCode: ErrorCode.ILLEGAL_MESSAGE,
    },
    {
      title: 'a file name with a slash',
      frame: frames.reject({ ...negotiation, fileName: 'a/b' }),
      code: 'FILE_NAME_FORBIDDEN_CHARACTER',
      wireCode: ErrorCode.ILLEGAL_NAME,
    },
  ];
  test.each(cases)('$title', ({ frame, code, wireCode }) => {
    expectProtocolError(() => encode(frame), code, wireCode);
  });

  test('trusted mode skips the text rules but still refuses what does not fit', () => {
    // Skipped text rule: a name with a space is taken as is.
    expect(toHex(encode(frames.newClient('a b'), { trusted: true }))).toBe(
      toHex(hex(`02 00000040 ${fieldHex('a b')}`)),
    );
    // Structural limits hold: a name must fit its 64-byte field...
    expectProtocolError(
      () => encode(frames.newClient('x'.repeat(65)), { trusted: true }),
      'NAME_TOO_LONG',
      ErrorCode.ILLEGAL_NAME,
    );
    // ...and a message or farewell must fit the kind's length range.
    for (const frame of [
      frames.post('ops', 'al', 'x'.repeat(11_999)),
      frames.send('ops', 'x'.repeat(11_999)),
      frames.broadcast('x'.repeat(11_999), 'text'),
      frames.directFrom('al', 'x'.repeat(11_999)),
      frames.serverDeparts('x'.repeat(11_999)),
    ]) {
      expectProtocolError(
        () => encode(frame, { trusted: true }),
        'MESSAGE_TOO_LONG',
        ErrorCode.ILLEGAL_MESSAGE,
      );
    }
    // An empty message would make a payload below the kind's minimum.
    expectProtocolError(
      () => encode(frames.send('ops', ''), { trusted: true }),
      'MESSAGE_EMPTY',
      ErrorCode.ILLEGAL_MESSAGE,
    );
    expect(encode(frames.post('ops', 'al', 'x'.repeat(11_998)), { trusted: true }).length).toBe(
      5 + 128 + 11_999,
    );
  });

  test("a trusted POST (the server's own path) has the checked POST's bytes", () => {
    const names = ['r', 'ops', 'é'.repeat(32), '日本'.repeat(10), '😀'.repeat(16), 'x'.repeat(32)];
    const texts = ['x', 'héllo 😀', 'y'.repeat(11_998), '日本語\t text'];
    for (const room of names) {
      for (const from of names) {
        for (const text of texts) {
          const frame = frames.post(room, from, text);
          expect(toHex(encode(frame, { trusted: true }))).toBe(toHex(encode(frame)));
        }
      }
    }
    // A name over its field, in few UTF-16 units, still fails as before.
    expectProtocolError(
      () => encode(frames.post('😀'.repeat(17), 'al', 'x'), { trusted: true }),
      'NAME_TOO_LONG',
      ErrorCode.ILLEGAL_NAME,
    );
    expectProtocolError(
      () => encode(frames.post('ops', 'al', 'a\ud800'), { trusted: true }),
      'INVALID_UTF8',
      ErrorCode.UNKNOWN,
    );
    expectProtocolError(
      () => encode(frames.post('ops', 'al', ''), { trusted: true }),
      'MESSAGE_EMPTY',
      ErrorCode.ILLEGAL_MESSAGE,
    );
  });

  test('a lone surrogate cannot be encoded', () => {
    expectProtocolError(
      () => encode(frames.newClient('a\ud800')),
      'INVALID_UTF8',
      ErrorCode.UNKNOWN,
    );
  });
});
