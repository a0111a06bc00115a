import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encode,
  encodeChunks,
  encodedChunksBytes,
  FrameDecoder,
  frames,
} from '../../../src/protocol/index.js';

/** What encodeChunks must equal: each 4096-byte slice encoded as its own frame. */
function oneByOne(id: number, data: Uint8Array, finished: boolean): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += 4096) {
    const end = Math.min(data.length, at + 4096);
    out.push(encode(frames.chunk(id, data.subarray(at, end), finished && end === data.length)));
  }
  return Buffer.concat(out);
}

describe('encodeChunks', () => {
  it.each([1, 4095, 4096, 4097, 8192, 64 * 4096, 64 * 4096 + 17])(
    'encodes %i bytes exactly as encode() of each chunk',
    (size) => {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * 31) % 251;
      expect(encodeChunks(513, data, true).equals(oneByOne(513, data, true))).toBe(true);
      expect(encodeChunks(513, data, false).equals(oneByOne(513, data, false))).toBe(true);
    },
  );

  it('decodes back into the same chunks, only the last one finished', () => {
    const data = Buffer.alloc(3 * 4096 + 5, 7);
    const decoded = new FrameDecoder({ side: 'client' }).push(encodeChunks(9, data, true));
    expect(decoded.map((f) => [f.kind, 'data' in f ? f.data.length : 0])).toEqual([
      [0x11, 4096],
      [0x11, 4096],
      [0x11, 4096],
      [0x11, 5],
    ]);
    expect(decoded.map((f) => ('finished' in f ? f.finished : null))).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });

  it('matches the one-by-one encoding for any data and id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ minLength: 1, maxLength: 3 * 4096 + 100 }),
        fc.boolean(),
        (id, data, finished) =>
          encodeChunks(id, data, finished).equals(oneByOne(id, data, finished)),
      ),
      { numRuns: 60 },
    );
  });

  it('refuses an empty run and an id out of range, with the reason', () => {
    expect(() => encodeChunks(1, new Uint8Array(0), true)).toThrow(/1 to 4096 bytes/);
    expect(() => encodeChunks(70_000, new Uint8Array(1), true)).toThrow(/0 to 65535/);
  });
  it('writes into a given buffer when it is large enough, the same bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3 * 4096 + 100 }),
        fc.boolean(),
        (data, finished) => {
          const into = Buffer.alloc(encodedChunksBytes(data.length) + 9, 0xee);
          const out = encodeChunks(9, data, finished, into);
          return (
            out.buffer === into.buffer &&
            out.length === encodedChunksBytes(data.length) &&
            out.equals(oneByOne(9, data, finished))
          );
        },
      ),
      { numRuns: 40 },
    );
    // Too small: a buffer of its own, the given one untouched.
    const small = Buffer.alloc(10, 0xee);
    const out = encodeChunks(9, new Uint8Array(100), true, small);
    expect(out.buffer).not.toBe(small.buffer);
    expect(small.every((b) => b === 0xee)).toBe(true);
  });
});
