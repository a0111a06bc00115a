import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and any missing parents, like `mkdir -p`, one level at a time. Node 20's
 * `mkdirSync(dir, { recursive: true })` spins forever when the kernel answers ENOENT under an
 * existing parent (e.g. `/proc/nope`); this fails with that error instead.
 *
 * @example
 * ensureDirectory('./incoming/today')
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const found = statSync(at, { throwIfNoEntry: false });
    if (found !== undefined) {
      if (!found.isDirectory()) {
        throw Object.assign(new Error(`${at} exists and is not a directory`), { code: 'ENOTDIR' });
      }
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (err) {
      // Someone else may have made it meanwhile; any other failure is the caller's to report.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
