import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveWriter } from '../../../src/archive/writer.js';

/** A temporary archive written by the real writer with a settable clock. */
export interface ArchiveFixture {
  dir: string;
  writer: ArchiveWriter;
  /** Sets the writer's clock. */
  at(iso: string): void;
  remove(): void;
}

/** Creates an empty archive for `server` (default `127.0.0.1:17734`). */
export function archiveFixture(server = '127.0.0.1:17734'): ArchiveFixture {
  const dir = mkdtempSync(join(tmpdir(), 'relaykit-archive-'));
  let now = new Date('2026-11-26T09:00:00.000Z');
  const writer = new ArchiveWriter({ dir, server, now: () => now });
  return {
    dir,
    writer,
    at: (iso) => {
      now = new Date(iso);
    },
    remove: () => {
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
