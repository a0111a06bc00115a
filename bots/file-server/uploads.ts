import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { safeSegment } from '../../src/index.js';
import { isHidden } from './paths.js';

/** Where uploads go, below the shared folder: `uploads/<user>/`. */
export const UPLOADS_DIR = 'uploads';

/** The folder (relative to the shared one) that holds `user`'s uploads. */
export function userFolder(user: string): string {
  // Names may hold `/`, `..` or a leading dot: one encoded segment is never a path.
  return `${UPLOADS_DIR}/${safeSegment(user)}`;
}

/**
 * Bytes of the visible files in `dir` and below (0 when it does not exist). Hidden ones are
 * left out: they are the SDK's part files of uploads still arriving (counted apart, by what
 * their offers announced) or left by a crash, which the owner could neither see nor remove.
 */
export async function usedBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (isHidden(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await usedBytes(path);
    else if (e.isFile())
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}
