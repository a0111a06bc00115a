import { describe, expect, it } from 'vitest';
import { CoalescedWrites } from '../../../src/client/coalesced-writes.js';

/** A sink that records each write and finishes it only when told. */
function gatedSink() {
  const writes: Buffer[] = [];
  const gates: (() => void)[] = [];
  const sink = (buffers: Buffer[]): Promise<void> => {
    writes.push(Buffer.concat(buffers));
    return new Promise((resolve) => gates.push(resolve));
  };
  return { writes, gates, sink };
}

/** Pushes round `round`'s 700 chunks of 4,093 bytes (about 2.7 MiB) into `w` and `expected`. */
function pushChunks(w: CoalescedWrites, round: number, expected: Buffer[]): void {
  for (let i = 0; i < 700; i++) {
    const piece = Buffer.alloc(4093, (round * 700 + i) % 256);
    expected.push(piece);
    w.push(piece);
  }
}

describe('CoalescedWrites', () => {
  it('writes what arrives during a write together in the next one, in order', async () => {
    const { writes, gates, sink } = gatedSink();
    const w = new CoalescedWrites(sink);
    w.push(Buffer.from('a'));
    await new Promise((r) => setImmediate(r));
    expect(writes.map(String)).toEqual(['a']);
    for (const piece of ['b', 'c', 'd']) w.push(Buffer.from(piece));
    expect(w.pendingBytes).toBe(4);
    const idle = w.idle();
    gates.shift()!();
    await expect.poll(() => writes.length).toBe(2);
    expect(writes.map(String)).toEqual(['a', 'bcd']);
    gates.shift()!();
    await idle;
    expect(w.pendingBytes).toBe(0);
  });

  it('copies what it is given: the caller may reuse its buffer at once', async () => {
    const { writes, gates, sink } = gatedSink();
    const w = new CoalescedWrites(sink);
    const reused = Buffer.from('xy');
    w.push(reused);
    reused.fill(0);
    await new Promise((r) => setImmediate(r));
    gates.shift()!();
    await w.idle();
    expect(writes.map(String)).toEqual(['xy']);
  });

  it('keeps every byte across 1 MiB block boundaries, with blocks reused', async () => {
    const got: Buffer[] = [];
    const w = new CoalescedWrites(
      async (buffers) => {
        got.push(Buffer.concat(buffers));
      },
      { reuse: true },
    );
    const expected: Buffer[] = [];
    for (let round = 0; round < 3; round++) {
      pushChunks(w, round, expected);
      await w.idle();
    }
    expect(Buffer.concat(got).equals(Buffer.concat(expected))).toBe(true);
  });

  it('digests every byte once, in order, in large pieces, before writing it', async () => {
    const pieces: Buffer[] = [];
    let digestedAtWrite = 0;
    let digested = 0;
    const w = new CoalescedWrites(
      async (buffers) => {
        let bytes = 0;
        for (const b of buffers) bytes += b.length;
        digestedAtWrite += bytes;
        // Everything handed to the sink has been digested already.
        expect(digested).toBeGreaterThanOrEqual(digestedAtWrite);
      },
      {
        reuse: true,
        digest: (piece) => {
          pieces.push(Buffer.from(piece));
          digested += piece.length;
        },
      },
    );
    const expected: Buffer[] = [];
    for (let round = 0; round < 3; round++) {
      pushChunks(w, round, expected);
      w.push(Buffer.from('tail'));
      expected.push(Buffer.from('tail'));
      await w.idle();
    }
    expect(Buffer.concat(pieces).equals(Buffer.concat(expected))).toBe(true);
    // About 64 KiB a piece: not one per chunk.
    expect(pieces.length).toBeLessThan(expected.length / 10);
  });

  it('reports a failed write once, and idle() rejects with it', async () => {
    const errors: unknown[] = [];
    const w = new CoalescedWrites(() => Promise.reject(new Error('disk full')), {
      error: (err) => errors.push(err),
    });
    w.push(Buffer.from('a'));
    await expect(w.idle()).rejects.toThrow('disk full');
    w.push(Buffer.from('b'));
    await expect(w.idle()).rejects.toThrow('disk full');
    expect(errors).toHaveLength(1);
  });
});
