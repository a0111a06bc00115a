import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ReadRecord, parseRecord } from './record.js';

/** What `followRoom` yields: a record of `day`, or the news that the room moved on to `day`. */
export type TailEvent =
  | { type: 'record'; day: string; record: ReadRecord; end: number }
  | { type: 'day'; day: string };

/** Options of `followRoom`. */
export interface FollowOptions {
  /** The room directory (`<dir>/<server>/<room>`). */
  roomDir: string;
  /** The day to start with (`YYYY-MM-DD`). */
  day: string;
  /** Byte offset in that day's `.jsonl` to start from (what a page already showed). */
  offset: number;
  signal: AbortSignal;
  /** How often the files are checked when no change is signalled (default 500 ms). */
  pollMs?: number;
}

const CHUNK = 256 * 1024;

/**
 * Follows a room's `.jsonl` files like `tail -F`, yielding each complete record as it is
 * written. It keeps reading the file it has open until that file's end, so lines written
 * just before a rotation are not lost; then, when the path names a new file (SIGHUP after
 * logrotate moved the old one) it starts that one from byte 0, and when a later day's file
 * appears (UTC midnight) it announces the new day and follows that. A file truncated in
 * place (copytruncate) is read again from 0. Ends when `signal` aborts.
 *
 * @example
 * for await (const e of followRoom({ roomDir, day: '2026-11-26', offset: 0, signal }))
 *   if (e.type === 'record') console.log(e.record.text)
 */
export async function* followRoom(options: FollowOptions): AsyncGenerator<TailEvent> {
  const { roomDir, signal } = options;
  const pollMs = options.pollMs ?? 500;
  let day = options.day;
  let position = options.offset;
  let handle: FileHandle | undefined;
  let ino = -1;
  let carry = Buffer.alloc(0);
  const wake = new Waker(roomDir, signal);
  const path = (): string => join(roomDir, `${day}.jsonl`);
  try {
    while (!signal.aborted) {
      if (!handle) {
        try {
          handle = await open(path(), 'r');
          ino = (await handle.stat()).ino;
        } catch {
          handle = undefined;
        }
      }
      let progressed = false;
      if (handle) {
        const size = (await handle.stat()).size;
        if (size < position) {
          // Truncated in place: what is there now is new.
          position = 0;
          carry = Buffer.alloc(0);
        }
        while (position < size) {
          const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
          const { bytesRead } = await handle.read(buf, 0, buf.length, position);
          if (bytesRead === 0) break;
          const data =
            carry.length > 0
              ? Buffer.concat([carry, buf.subarray(0, bytesRead)])
              : buf.subarray(0, bytesRead);
          const base = position - carry.length;
          position += bytesRead;
          let from = 0;
          for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, from)) {
            const record = parseRecord(data.toString('utf8', from, nl));
            from = nl + 1;
            if (record) yield { type: 'record', day, record, end: base + from };
          }
          carry = Buffer.from(data.subarray(from));
          progressed = true;
        }
        if (!progressed) {
          // Drained: has the path been given to a new file (rotation)?
          const now = await stat(path()).catch(() => undefined);
          if (now && now.ino !== ino) {
            await handle.close();
            handle = undefined;
            position = 0;
            carry = Buffer.alloc(0);
            continue;
          }
        }
      }
      if (!progressed) {
        const next = await laterDay(roomDir, day);
        if (next) {
          await handle?.close();
          handle = undefined;
          day = next;
          position = 0;
          carry = Buffer.alloc(0);
          yield { type: 'day', day };
          continue;
        }
        await wake.next(pollMs);
      }
    }
  } finally {
    wake.close();
    await handle?.close();
  }
}

async function laterDay(roomDir: string, day: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(roomDir);
  } catch {
    return undefined;
  }
  let best: string | undefined;
  for (const name of names) {
    const m = /^(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name);
    if (m && m[1]! > day && (best === undefined || m[1]! < best)) best = m[1];
  }
  return best;
}

/** Resolves on a change in the room directory (inotify) or after a poll interval. */
class Waker {
  #watcher: FSWatcher | undefined;
  #pending: (() => void) | undefined;
  #signal: AbortSignal;
  #changed = false;

  constructor(dir: string, signal: AbortSignal) {
    this.#signal = signal;
    try {
      this.#watcher = watch(dir, { persistent: false }, () => {
        this.#changed = true;
        this.#pending?.();
      });
      this.#watcher.on('error', () => this.close());
    } catch {
      // No watching here (the directory is gone, or the platform cannot): polling alone.
    }
  }

  async next(ms: number): Promise<void> {
    if (this.#changed) {
      this.#changed = false;
      return;
    }
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    this.#signal.addEventListener('abort', stop, { once: true });
    this.#pending = stop;
    try {
      await sleep(ms, undefined, { signal: controller.signal });
    } catch {
      // Woken early.
    } finally {
      this.#pending = undefined;
      this.#changed = false;
      this.#signal.removeEventListener('abort', stop);
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
