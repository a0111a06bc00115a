import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

// A file being received is written to `.relaykit-<pid>-<transfer id>-<random>.part` beside its
// final name and renamed when complete. The pid says whose it is, so a receiver starting on a
// folder can remove the leftovers of receivers that died without touching those of receivers
// still running there.
const PART = /^\.relaykit-(?:(\d+)-)?\d+-[0-9a-f]+\.part$/;

/** Files in the old form (no pid) count as abandoned once untouched this long. */
const UNOWNED_STALE_MS = 60 * 60 * 1000;

/** The temporary name for incoming transfer `id` of this process. */
export function partFileName(id: number): string {
  return `.relaykit-${process.pid}-${id}-${randomBytes(6).toString('hex')}.part`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/**
 * Removes the partial files that receivers which died (a crash, a SIGKILL) left in `dir`, and
 * returns their names. A part file whose process still runs is kept; one without a pid (an
 * older relaykit) is removed only when untouched for an hour.
 *
 * @example
 * const swept = await sweepPartFiles('./incoming') // ['.relaykit-4242-4-9f1c2a.part']
 */
export async function sweepPartFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const swept: string[] = [];
  for (const name of names) {
    const m = PART.exec(name);
    if (m === null) continue;
    const path = join(dir, name);
    if (m[1] !== undefined) {
      const pid = Number(m[1]);
      if (pid === process.pid || processAlive(pid)) continue;
    } else {
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || Date.now() - info.mtimeMs < UNOWNED_STALE_MS) continue;
    }
    await unlink(path).then(
      () => swept.push(name),
      () => undefined,
    );
  }
  return swept;
}
