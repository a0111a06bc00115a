import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPieces } from '../../../src/client/file-pieces.js';
import { scratchDir } from './fake-setup.js';

describe('readPieces', () => {
  it('yields whole pieces and a short last one, each intact until two more were read', async () => {
    const dir = await scratchDir('relaykit-pieces-');
    for (const size of [0, 1, 4096, 3 * 8192, 3 * 8192 + 5, 10 * 8192 + 4095]) {
      const bytes = randomBytes(size);
      const path = join(dir, `f-${size}`);
      await writeFile(path, bytes);
      const pieces: Uint8Array[] = [];
      let at = 0;
      for await (const piece of readPieces(path, 8192)) {
        // The previous piece is still what was read: the sender holds its last chunk over.
        const previous = pieces.at(-1);
        if (previous !== undefined) {
          expect(Buffer.from(previous).equals(bytes.subarray(at - 8192, at))).toBe(true);
        }
        expect(Buffer.from(piece).equals(bytes.subarray(at, at + piece.length))).toBe(true);
        pieces.push(piece);
        at += piece.length;
      }
      expect(at).toBe(size);
      expect(pieces.slice(0, -1).every((p) => p.length === 8192)).toBe(true);
    }
  });

  it('fails with the system error for a missing file', async () => {
    const dir = await scratchDir('relaykit-pieces-');
    const read = async (): Promise<void> => {
      for await (const _ of readPieces(join(dir, 'missing'), 8192)) break;
    };
    await expect(read()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
