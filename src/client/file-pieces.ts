import { open } from 'node:fs/promises';

/** Buffers the reader rotates through: a piece must outlive the next read (see below). */
const BUFFERS = 3;

/**
 * Reads a file in pieces of exactly `bytes` (the last may be shorter), into a few buffers
 * allocated once and reused, instead of a fresh buffer per read: on a 256 MiB file the fresh
 * buffers cost the sender more in garbage collection than the reads themselves.
 *
 * A piece stays valid until two more pieces have been read: the sender holds back a piece's
 * last chunk into the next step, and is done with both before asking for a third.
 */
export async function* readPieces(path: string, bytes: number): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffers: Buffer[] = [];
    let position = 0;
    for (let n = 0; ; n++) {
      const slot = n % BUFFERS;
      buffers[slot] ??= Buffer.allocUnsafeSlow(bytes);
      const buf = buffers[slot];
      // Fill the whole piece (a read may return less than asked) so every piece but the
      // last holds whole chunks.
      let filled = 0;
      while (filled < bytes) {
        const { bytesRead } = await handle.read(buf, filled, bytes - filled, position);
        if (bytesRead === 0) break;
        filled += bytesRead;
        position += bytesRead;
      }
      if (filled > 0) yield buf.subarray(0, filled);
      if (filled < bytes) return;
    }
  } finally {
    await handle.close();
  }
}
