import { describe, expect, test } from 'vitest';
import {
  type ClientFrame,
  DEFAULT_MAX_LISTING_BYTES,
  encode,
  ErrorCode,
  type Frame,
  FrameDecoder,
  frames,
  Kind,
  kindName,
  type Side,
} from '../../../src/protocol/index.js';
import {
  catchProtocolError,
  comparable,
  cstr,
  decodePieces,
  expectProtocolError,
  field,
  frameBytes,
  header,
  hex,
  receives,
  SENT_BY,
} from './helpers.js';
import { VECTORS } from './vectors.js';

const SIDES = ['server', 'client'] as const;

function vectorsFor(side: Side): { title: string; bytes: Buffer; expected: Frame }[] {
  return VECTORS.filter((v) => v.decodesOn.includes(side)).map((v) => ({
    title: v.title,
    bytes: hex(v.hex),
    expected: v.decoded?.[side] ?? v.frame,
  }));
}

const cases = SIDES.flatMap((side) => vectorsFor(side).map((v) => ({ ...v, side })));

describe('any split of the input', () => {
  test.each(cases)('$side: $title, cut at every byte boundary', ({ side, bytes, expected }) => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = decodePieces(side, [bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(got.map(comparable)).toEqual([comparable(expected)]);
    }
  });

  test.each(cases)('$side: $title, one byte at a time', ({ side, bytes, expected }) => {
    const pieces = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(decodePieces(side, pieces).map(comparable)).toEqual([comparable(expected)]);
  });

  test.each(SIDES)('%s: every vector in one stream, cut at every byte boundary', (side) => {
    const vectors = vectorsFor(side);
    const stream = Buffer.concat(vectors.map((v) => v.bytes));
    const expected = vectors.map((v) => comparable(v.expected));
    for (let cut = 0; cut <= stream.length; cut++) {
      const got = decodePieces(side, [stream.subarray(0, cut), stream.subarray(cut)]);
      expect(got.map(comparable)).toEqual(expected);
    }
    const bytewise = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
    expect(decodePieces(side, bytewise).map(comparable)).toEqual(expected);
  });

  test.each(SIDES)('%s: hundreds of frames batched in one chunk', (side) => {
    const vectors = vectorsFor(side);
    const picked = Array.from({ length: 600 }, (_, i) => vectors[(i * 7) % vectors.length]!);
    const decoder = new FrameDecoder({ side });
    const got = decoder.push(Buffer.concat(picked.map((v) => v.bytes)));
    expect(got.map(comparable)).toEqual(picked.map((v) => comparable(v.expected)));
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('plain Uint8Array chunks, including views at an offset, decode like Buffers', () => {
    const stream = new Uint8Array(hex('EE 03 00000000 0B 00000006 48656C6C6F00 EE'));
    const got = decodePieces('server', [
      stream.subarray(1, 4),
      stream.subarray(4, 13),
      stream.subarray(13, 17),
    ]);
    expect(got).toEqual([frames.heartbeat(), frames.broadcast('Hello', 'text')]);
  });

  test('an empty chunk decodes nothing and changes nothing', () => {
    const decoder = new FrameDecoder({ side: 'server' });
    expect(decoder.push(hex('03 0000'))).toEqual([]);
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(3);
    expect(decoder.push(hex('0000'))).toEqual([frames.heartbeat()]);
  });

  test('a decoded chunk keeps its data when later frames are buffered', () => {
    // Both frames are completed from the decoder's own buffer; reusing that buffer for the
    // next frame would overwrite the data of the first.
    const decoder = new FrameDecoder({ side: 'client' });
    const first = frameBytes(Kind.FILE_TRANSFER, hex('0001 00 AABBCC'));
    const second = frameBytes(Kind.FILE_TRANSFER, hex('0001 01 DDEEFF'));
    expect(decoder.push(first.subarray(0, 9))).toEqual([]);
    const [a] = decoder.push(first.subarray(9));
    expect(decoder.push(second.subarray(0, 9))).toEqual([]);
    const [b] = decoder.push(second.subarray(9));
    expect([a, b].map((f) => comparable(f!))).toEqual([
      frames.chunk(1, hex('AABBCC'), false),
      frames.chunk(1, hex('DDEEFF'), true),
    ]);
  });
});

describe('buffering is bounded', () => {
  test('a 12068-byte frame fed byte by byte holds at most its own bytes', () => {
    const bytes = frameBytes(
      Kind.SEND_MESSAGE,
      field(Buffer.from('ops')),
      cstr('m'.repeat(11_998)),
    );
    expect(bytes.length).toBe(5 + 12_063);
    const decoder = new FrameDecoder({ side: 'server' });
    expect(decoder.maxBufferedBytes).toBe(5 + 12_063);
    let peak = 0;
    for (let i = 0; i < bytes.length - 1; i++) {
      expect(decoder.push(bytes.subarray(i, i + 1))).toEqual([]);
      peak = Math.max(peak, decoder.bufferedBytes);
    }
    expect(peak).toBe(12_062);
    expect(decoder.push(bytes.subarray(bytes.length - 1))).toHaveLength(1);
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('maxBufferedBytes is the largest frame a side accepts', () => {
    expect(new FrameDecoder({ side: 'server' }).maxBufferedBytes).toBe(5 + 64 + 11_999);
    expect(new FrameDecoder({ side: 'client' }).maxBufferedBytes).toBe(
      5 + DEFAULT_MAX_LISTING_BYTES,
    );
    // With a small listing cap the largest frame is a full POST_MESSAGE.
    expect(new FrameDecoder({ side: 'client', maxListingBytes: 640 }).maxBufferedBytes).toBe(
      5 + 128 + 11_999,
    );
  });
});

// The largest valid payload of each kind, from the table of CLARIFICATIONS §2 (listings apart).
const MAX_LENGTH: Record<number, number> = {
  [Kind.ERR]: 1,
  [Kind.NEW_CLIENT]: 64,
  [Kind.HEARTBEAT]: 0,
  [Kind.ENTER_ROOM]: 64,
  [Kind.LEAVE_ROOM]: 64,
  [Kind.LIST_ROOMS]: 0,
  [Kind.QUERY_USER]: 65,
  [Kind.SEND_MESSAGE]: 12_063,
  [Kind.BROADCAST_MESSAGE]: 12_063,
  [Kind.POST_MESSAGE]: 12_127,
  [Kind.DIRECT_MESSAGE]: 12_063,
  [Kind.OFFER_FILE]: 1_157,
  [Kind.ACCEPT_FILE]: 1_157,
  [Kind.REJECT_FILE]: 1_157,
  [Kind.FILE_TRANSFER]: 4_099,
  [Kind.CLIENT_DEPARTS]: 11_999,
  [Kind.SERVER_DEPARTS]: 11_999,
};
// The smallest; BROADCAST_MESSAGE text alone can be 2 bytes (one character and its NUL).
const MIN_LENGTH: Record<number, number> = {
  ...MAX_LENGTH,
  [Kind.SEND_MESSAGE]: 66,
  [Kind.BROADCAST_MESSAGE]: 2,
  [Kind.POST_MESSAGE]: 130,
  [Kind.DIRECT_MESSAGE]: 66,
  [Kind.OFFER_FILE]: 135,
  [Kind.ACCEPT_FILE]: 135,
  [Kind.REJECT_FILE]: 135,
  [Kind.FILE_TRANSFER]: 4,
  [Kind.CLIENT_DEPARTS]: 0,
  [Kind.SERVER_DEPARTS]: 0,
};

const received = SIDES.flatMap((side) =>
  Object.keys(SENT_BY)
    .map(Number)
    .filter((kind) => receives(side, kind))
    .map((kind) => ({ side, kind, name: kindName(kind)! })),
);
const fixedRange = received.filter(({ kind }) => kind in MAX_LENGTH);

/** Pushes `chunk` into a fresh decoder; expects ILLEGAL_LENGTH with nothing left buffered. */
function expectLengthError(
  side: Side,
  chunks: Buffer[],
  options: { maxListingBytes?: number } = {},
) {
  const decoder = new FrameDecoder({ side, ...options });
  for (const chunk of chunks.slice(0, -1)) decoder.push(chunk);
  expectProtocolError(
    () => decoder.push(chunks.at(-1)!),
    'ILLEGAL_LENGTH',
    ErrorCode.ILLEGAL_LENGTH,
  );
  expect(decoder.bufferedBytes).toBe(0);
}

describe('lengths are checked from the header alone', () => {
  test.each(received)(
    '$side: $name claiming 4 GiB fails straight after the header',
    ({ side, kind }) => {
      expectLengthError(side, [header(kind, 0xffff_ffff)]);
      // With payload bytes following in the same chunk, none of them are kept.
      expectLengthError(side, [
        Buffer.concat([header(kind, 0xffff_ffff), Buffer.alloc(5_000, 0x41)]),
      ]);
      // With the header split, the error comes as its fifth byte arrives.
      const decoder = new FrameDecoder({ side });
      expect(decoder.push(header(kind, 0xffff_ffff).subarray(0, 3))).toEqual([]);
      expect(decoder.bufferedBytes).toBe(3);
      expectProtocolError(
        () => decoder.push(header(kind, 0xffff_ffff).subarray(3)),
        'ILLEGAL_LENGTH',
        ErrorCode.ILLEGAL_LENGTH,
      );
      expect(decoder.bufferedBytes).toBe(0);
    },
  );

  test.each(fixedRange)('$side: $name one byte over its maximum', ({ side, kind }) => {
    const max = MAX_LENGTH[kind]!;
    expectLengthError(side, [header(kind, max + 1)]);
    // The maximum itself passes the header check.
    const decoder = new FrameDecoder({ side });
    expect(() => decoder.push(header(kind, max))).not.toThrow();
    expect(decoder.error).toBeNull();
  });

  test.each(fixedRange.filter(({ kind }) => MIN_LENGTH[kind]! > 0))(
    '$side: $name one byte under its minimum',
    ({ side, kind }) => {
      expectLengthError(side, [header(kind, MIN_LENGTH[kind]! - 1)]);
    },
  );

  const listings = [Kind.ROOM_LISTING, Kind.USER_LISTING].map((kind) => ({
    kind,
    name: kindName(kind)!,
  }));
  test.each(listings)('client: $name must be 64 + 64n bytes', ({ kind }) => {
    for (const bad of [0, 1, 63, 65, 127, 129, 64 * 5 + 32])
      expectLengthError('client', [header(kind, bad)]);
    for (const good of [64, 128, 64 * 100]) {
      expect(new FrameDecoder({ side: 'client' }).push(header(kind, good))).toEqual([]);
    }
  });

  test.each(listings)('client: $name within maxListingBytes', ({ kind }) => {
    const names = ['a', 'b', 'c'].map((n) => field(Buffer.from(n)));
    const atCap = frameBytes(kind, field(Buffer.from('ops')), ...names);
    expect(decodePieces('client', [atCap], { maxListingBytes: 256 })).toHaveLength(1);
    expectLengthError('client', [header(kind, 320)], { maxListingBytes: 256 });
    expectLengthError('client', [header(kind, DEFAULT_MAX_LISTING_BYTES + 64)]);
  });
});

describe('kinds', () => {
  const unknown = SIDES.flatMap((side) => [0x00, 0x14, 0x80, 0xff].map((kind) => ({ side, kind })));
  test.each(unknown)('$side: kind byte $kind is ILLEGAL_KIND', ({ side, kind }) => {
    for (const length of [0, 1, 64, 0xffff_ffff]) {
      const decoder = new FrameDecoder({ side });
      expectProtocolError(
        () => decoder.push(header(kind, length)),
        'UNKNOWN_KIND',
        ErrorCode.ILLEGAL_KIND,
      );
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  const wrongSide = SIDES.flatMap((side) =>
    Object.keys(SENT_BY)
      .map(Number)
      .filter((kind) => !receives(side, kind))
      .map((kind) => ({ side, kind, name: kindName(kind)! })),
  );
  test('the sides refuse 4 and 7 kinds', () => {
    expect(wrongSide.filter((c) => c.side === 'server').map((c) => c.name)).toEqual([
      'ROOM_LISTING',
      'USER_LISTING',
      'POST_MESSAGE',
      'SERVER_DEPARTS',
    ]);
    expect(wrongSide.filter((c) => c.side === 'client').map((c) => c.name)).toEqual([
      'NEW_CLIENT',
      'ENTER_ROOM',
      'LEAVE_ROOM',
      'LIST_ROOMS',
      'SEND_MESSAGE',
      'BROADCAST_MESSAGE',
      'CLIENT_DEPARTS',
    ]);
  });
  test.each(wrongSide)('$side never receives $name: ILLEGAL_KIND', ({ side, kind }) => {
    for (const length of [0, 64, 130, 0xffff_ffff]) {
      const decoder = new FrameDecoder({ side });
      expectProtocolError(
        () => decoder.push(header(kind, length)),
        'UNEXPECTED_KIND',
        ErrorCode.ILLEGAL_KIND,
      );
      expect(decoder.bufferedBytes).toBe(0);
    }
  });
});

describe('FILE_TRANSFER finished flag', () => {
  const flags = SIDES.flatMap((side) => [2, 0x80, 0xff].map((flag) => ({ side, flag })));
  test.each(flags)('$side: flag $flag is ILLEGAL_TRANSFER', ({ side, flag }) => {
    const bytes = frameBytes(Kind.FILE_TRANSFER, hex('0005'), Buffer.from([flag]), hex('01'));
    const decoder = new FrameDecoder({ side });
    expectProtocolError(
      () => decoder.push(bytes),
      'ILLEGAL_FINISHED_FLAG',
      ErrorCode.ILLEGAL_TRANSFER,
    );
  });
});

describe('reuseBuffers', () => {
  test('a chunk split across pushes stays intact until the next push, in any split', () => {
    // Chunks of 4 KiB split at many points, so that one push both completes a split frame
    // and starts the next one: the frame it returns must not be the buffer it refills.
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(4096, i + 1));
    const stream = Buffer.concat(
      chunks.map((data, i) => encode(frames.chunk(7, data, i === chunks.length - 1))),
    );
    for (const step of [1000, 4099, 5000, 6003, 9000]) {
      const decoder = new FrameDecoder({ side: 'client', reuseBuffers: true });
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length; at += step) {
        for (const frame of decoder.push(stream.subarray(at, at + step))) {
          if (frame.kind !== Kind.FILE_TRANSFER) throw new Error('unexpected frame');
          got.push(Buffer.from(frame.data)); // copied at once, as the client does
        }
      }
      expect(Buffer.concat(got).equals(Buffer.concat(chunks))).toBe(true);
    }
  });
});

describe('after an error', () => {
  const heartbeat = hex('03 00000000');
  const badName = frameBytes(Kind.NEW_CLIENT, field(Buffer.from('a b')));

  test('the decoder stays failed: every push throws the same error', () => {
    const decoder = new FrameDecoder({ side: 'server' });
    const err = catchProtocolError(() => decoder.push(badName));
    expect(err.code).toBe('NAME_FORBIDDEN_CHARACTER');
    expect(decoder.error).toBe(err);
    expect(decoder.bufferedBytes).toBe(0);
    expect(() => decoder.push(heartbeat)).toThrow(err);
    expect(catchProtocolError(() => decoder.push(new Uint8Array(0)))).toBe(err);
    expect(catchProtocolError(() => decoder.push(heartbeat))).toBe(err);
  });

  test('frames completed before the error in the same chunk are on err.decoded', () => {
    const decoder = new FrameDecoder({ side: 'server' });
    const post = hex(`0A 00000043 ${field(Buffer.from('ops')).toString('hex')} 686900`);
    const chunk = Buffer.concat([
      heartbeat,
      post,
      heartbeat,
      header(Kind.POST_MESSAGE, 130),
      heartbeat,
    ]);
    const err = catchProtocolError(() => decoder.push(chunk));
    expect(err.wireCode).toBe(ErrorCode.ILLEGAL_KIND);
    expect(err.decoded).toEqual([frames.heartbeat(), frames.send('ops', 'hi'), frames.heartbeat()]);
  });

  test('pushInto fills a kept array from slot 0, and its error holds a copy of the frames before', () => {
    const decoder = new FrameDecoder({ side: 'server' });
    const post = hex(`0A 00000043 ${field(Buffer.from('ops')).toString('hex')} 686900`);
    const out: (ClientFrame | undefined)[] = [];
    expect(decoder.pushInto(Buffer.concat([heartbeat, post, post.subarray(0, 9)]), out)).toBe(2);
    expect(out).toEqual([frames.heartbeat(), frames.send('ops', 'hi')]);
    // The next read's frames start at slot 0 again; later slots are left alone.
    expect(decoder.pushInto(Buffer.concat([post.subarray(9)]), out)).toBe(1);
    expect(out).toEqual([frames.send('ops', 'hi'), frames.send('ops', 'hi')]);
    const err = catchProtocolError(() =>
      decoder.pushInto(Buffer.concat([heartbeat, header(Kind.POST_MESSAGE, 130)]), out),
    );
    expect(err.wireCode).toBe(ErrorCode.ILLEGAL_KIND);
    expect(err.decoded).toEqual([frames.heartbeat()]);
    expect(err.decoded).not.toBe(out);
    // A frame whose payload breaks a rule is not counted among those before it.
    const other = new FrameDecoder({ side: 'server' });
    const bad = catchProtocolError(() => other.pushInto(Buffer.concat([heartbeat, badName]), out));
    expect(bad.code).toBe('NAME_FORBIDDEN_CHARACTER');
    expect(bad.decoded).toEqual([frames.heartbeat()]);
  });

  test('err.decoded holds only the failing chunk’s frames', () => {
    const decoder = new FrameDecoder({ side: 'server' });
    expect(
      decoder.push(Buffer.concat([heartbeat, heartbeat, badName.subarray(0, 20)])),
    ).toHaveLength(2);
    const err = catchProtocolError(() =>
      decoder.push(Buffer.concat([badName.subarray(20), heartbeat])),
    );
    expect(err.code).toBe('NAME_FORBIDDEN_CHARACTER');
    expect(err.decoded).toEqual([]);
  });

  test('a payload error after complete frames in the same chunk', () => {
    const decoder = new FrameDecoder({ side: 'client' });
    const bad = frameBytes(Kind.FILE_TRANSFER, hex('0001 02 FF'));
    const err = catchProtocolError(() =>
      decoder.push(Buffer.concat([heartbeat, hex('01 00000001 08'), bad])),
    );
    expect(err.wireCode).toBe(ErrorCode.ILLEGAL_TRANSFER);
    expect(err.decoded).toEqual([frames.heartbeat(), frames.error(ErrorCode.TOO_MANY_USERS)]);
  });
});
