import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  encode,
  ErrorCode,
  type Frame,
  FrameDecoder,
  Kind,
  kindName,
  LENGTHS,
  ProtocolError,
  receivedBy,
  type Side,
} from '../../../src/protocol/index.js';
import { cuts, framesFor } from './arbitraries.js';
import { comparable, decodePieces, frameBytes, receives, SENT_BY, splitAt } from './helpers.js';

const SIDES = ['server', 'client'] as const;

/** What a decoder gives back for `frame`: a broadcast without a layout is sent in the draft's. */
function expectedOf(frame: Frame): Frame {
  if (frame.kind === Kind.BROADCAST_MESSAGE)
    return comparable({ ...frame, layout: frame.layout ?? 'draft' });
  return comparable(frame);
}

describe('encode then decode gives the frame back', () => {
  test.each(SIDES)('%s: the arbitraries cover every kind the side receives', (side) => {
    const kinds = framesFor(side).map(([n]) => n);
    const expected = Object.keys(SENT_BY)
      .map(Number)
      .filter((k) => receives(side, k))
      .map((k) => kindName(k));
    expect(kinds.sort()).toEqual(expected.sort());
  });

  const perKind = SIDES.flatMap((side) =>
    framesFor(side).map(([kind, arb]) => ({ side, kind, arb })),
  );
  test.each(perKind)('$side: $kind, in random splits', ({ side, arb }) => {
    fc.assert(
      fc.property(arb, cuts(13_000), (frame, at) => {
        const got = decodePieces(side, splitAt(encode(frame), at));
        expect(got.map(comparable)).toEqual([expectedOf(frame)]);
      }),
      { numRuns: 40 },
    );
  });

  test.each(SIDES)('%s: a stream of mixed frames, in random splits', (side) => {
    const anyFrame = fc.oneof(...framesFor(side).map(([, arb]) => arb));
    fc.assert(
      fc.property(fc.array(anyFrame, { minLength: 1, maxLength: 12 }), cuts(40_000), (list, at) => {
        const stream = Buffer.concat(list.map((f) => encode(f)));
        const got = decodePieces(side, splitAt(stream, at));
        expect(got.map(comparable)).toEqual(list.map(expectedOf));
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * Pushes `pieces`; the decoder may only ever throw a ProtocolError of its own (not a wrapped
 * internal failure), with a wire code from §4, must hold no more than `maxBufferedBytes`, and
 * stays failed once it has failed. Returns the error, if any.
 */
function feed(decoder: FrameDecoder, pieces: readonly Uint8Array[]): ProtocolError | null {
  const accepted = receivedBy(decoder.side);
  for (const piece of pieces) {
    let frames: Frame[];
    try {
      frames = decoder.push(piece);
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      const error = err as ProtocolError;
      expect(error.code).not.toBe('DECODER_FAILURE');
      expect(WIRE_CODES).toContain(error.wireCode);
      expect(decoder.bufferedBytes).toBe(0);
      expect(() => decoder.push(new Uint8Array([Kind.HEARTBEAT, 0, 0, 0, 0]))).toThrow(error);
      return error;
    }
    for (const frame of frames) expect(accepted.has(frame.kind)).toBe(true);
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(decoder.maxBufferedBytes);
  }
  return null;
}
const WIRE_CODES = [
  ErrorCode.ILLEGAL_KIND,
  ErrorCode.ILLEGAL_LENGTH,
  ErrorCode.ILLEGAL_NAME,
  ErrorCode.ILLEGAL_MESSAGE,
  ErrorCode.ILLEGAL_TRANSFER,
];
const PAYLOAD_WIRE_CODES = [
  ErrorCode.ILLEGAL_NAME,
  ErrorCode.ILLEGAL_MESSAGE,
  ErrorCode.ILLEGAL_TRANSFER,
];

const options = fc.constantFrom<{ maxListingBytes?: number }>({}, { maxListingBytes: 64 * 8 });

describe('garbage never breaks the decoder', () => {
  test.each(SIDES)('%s: random bytes in random splits', (side) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), cuts(400), options, (bytes, at, opts) => {
        feed(new FrameDecoder({ side, ...opts }), splitAt(bytes, at));
      }),
      { numRuns: 300 },
    );
  });

  /** A header that passes every check for `side`, then that many random payload bytes. */
  const validHeaderThenGarbage = (side: Side) =>
    fc
      .constantFrom(...receivedBy(side))
      .chain((kind) => {
        const range = LENGTHS.get(kind)!;
        const max = Number.isFinite(range.max) ? range.max : 64 * 20;
        const steps = Math.floor((max - range.min) / range.step);
        const step = fc.oneof(
          fc.integer({ min: 0, max: Math.min(steps, 4) }),
          fc.integer({ min: Math.max(0, steps - 4), max: steps }),
        );
        return fc.tuple(
          fc.constant(kind),
          step.map((n) => range.min + n * range.step),
        );
      })
      .chain(([kind, length]) =>
        fc
          .uint8Array({ minLength: length, maxLength: length })
          .map((payload) => frameBytes(kind, payload)),
      );

  test.each(SIDES)('%s: a valid header and garbage payload fails only on the payload', (side) => {
    fc.assert(
      fc.property(validHeaderThenGarbage(side), cuts(13_000), (bytes, at) => {
        const decoder = new FrameDecoder({ side });
        const err = feed(decoder, splitAt(bytes, at));
        if (err) expect(PAYLOAD_WIRE_CODES).toContain(err.wireCode);
        else expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  test.each(SIDES)('%s: valid frames with bytes flipped, cut short or padded', (side) => {
    const anyFrame = fc.oneof(...framesFor(side).map(([, arb]) => arb));
    const mutation = fc.record({
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 0xff }),
      how: fc.constantFrom('flip', 'truncate', 'append'),
    });
    fc.assert(
      fc.property(
        anyFrame,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        cuts(13_000),
        (frame, muts, at) => {
          let bytes = Buffer.from(encode(frame));
          for (const m of muts) {
            const i = m.at % bytes.length;
            if (m.how === 'flip') bytes[i] = m.value;
            else if (m.how === 'truncate') bytes = bytes.subarray(0, i);
            else bytes = Buffer.concat([bytes, Buffer.from([m.value])]);
            if (bytes.length === 0) bytes = Buffer.from([m.value]);
          }
          feed(new FrameDecoder({ side }), splitAt(bytes, at));
        },
      ),
      { numRuns: 200 },
    );
  });
});
