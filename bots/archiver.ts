import { type ArchiveEvent, ArchiveWriter, type Client } from '../src/index.js';
import type { BotHandle } from './types.js';

// How long a presence check may take before the timing alone decides farewell vs leave.
const PRESENCE_TIMEOUT_MS = 2000;

/** Options of `archiveRooms`. */
export interface ArchiveRoomsOptions {
  /** Archive root directory (created if missing). */
  dir: string;
  /** Rooms to join and archive. */
  rooms: readonly string[];
  /** The server, for the `<server>` path segment: `host:port` or `{ host, port }`. */
  server: string | { host: string; port: number };
  /** The clock (tests). */
  now?: () => Date;
  /**
   * A leave this soon (default 1000 ms) after the user's own last post in the room, by a user
   * who is then offline, is written as a farewell.
   */
  farewellWindowMs?: number;
  /** Called when a write fails (disk full, permissions); default: the event is dropped. */
  onError?: (error: unknown) => void;
}

/** What `archiveRooms` resolves with. */
export interface ArchiveHandle extends BotHandle {
  /** Closes the files; the next event reopens them (call it on SIGHUP for logrotate). */
  reopen(): void;
  /** The underlying file writer. */
  readonly writer: ArchiveWriter;
}

/**
 * Joins `rooms` and appends everything that happens there to per-room, per-day files (see
 * `ArchiveWriter`): posts, joins and leaves (from the member listings), and farewells (a
 * leave right after the user's own post, best effort: see bots/README.md).
 *
 * @example
 * const archive = await archiveRooms(client, { dir: './logs', rooms: ['ops'], server: '127.0.0.1:17734' })
 * process.on('SIGHUP', () => archive.reopen())
 */
export async function archiveRooms(
  client: Client,
  options: ArchiveRoomsOptions,
): Promise<ArchiveHandle> {
  if (options.rooms.length === 0) throw new RangeError('archiveRooms needs at least one room');
  const now = options.now ?? (() => new Date());
  const windowMs = options.farewellWindowMs ?? 1000;
  const onError = options.onError ?? (() => {});
  const writer = new ArchiveWriter({ dir: options.dir, server: options.server, now });
  const rooms = new Set(options.rooms);
  // Members as last seen per room; the first listing after a join is the baseline, so people
  // already present are not logged as joining.
  const known = new Map<string, Set<string>>();
  // Each user's last post per room, to tell a farewell from a plain leave.
  const lastPost = new Map<string, { at: number; text: string }>();
  const key = (room: string, name: string): string => `${room}\u0000${name}`;

  // Writes go through one queue per room, so a leave that waits for a presence check is not
  // overtaken by later events of that room. Without a pending check a write runs one
  // microtask after its event.
  const queues = new Map<string, Promise<void>>();
  const enqueue = (room: string, task: () => unknown): void => {
    const next = (queues.get(room) ?? Promise.resolve()).then(task).then(
      () => {},
      (err: unknown) => onError(err),
    );
    queues.set(room, next);
  };
  const write = (event: ArchiveEvent): void => enqueue(event.room, () => writer.write(event));

  // A leave right after the user's own post is a farewell if the user has left the server
  // too (the server posts the farewell, then removes the user from every room and closes).
  // A user who is still online just left the room. If the check cannot be made, the timing
  // alone decides.
  const departed = async (name: string): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), PRESENCE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        client.isOnline(name).then(
          (online) => !online,
          () => true,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  const offs = [
    client.onPost({ room: [...rooms] }, (ctx) => {
      const at = now();
      lastPost.set(key(ctx.room, ctx.from), { at: at.getTime(), text: ctx.text });
      write({ room: ctx.room, type: 'post', from: ctx.from, text: ctx.text, at });
    }),
    client.on('members', (event) => {
      if (!rooms.has(event.room)) return;
      const room = event.room;
      const current = new Set(event.members);
      const before = known.get(room);
      known.set(room, current);
      if (before === undefined) return;
      const at = now();
      for (const name of current) {
        if (!before.has(name) && name !== client.name)
          write({ room, type: 'join', from: name, at });
      }
      for (const name of before) {
        if (current.has(name) || name === client.name) continue;
        const k = key(room, name);
        const post = lastPost.get(k);
        lastPost.delete(k);
        if (post === undefined || at.getTime() - post.at > windowMs) {
          write({ room, type: 'leave', from: name, at });
          continue;
        }
        const gone = departed(name);
        enqueue(room, async () => {
          const farewell = await gone;
          writer.write(
            farewell
              ? { room, type: 'farewell', from: name, text: post.text, at }
              : { room, type: 'leave', from: name, at },
          );
        });
      }
    }),
    client.on('disconnect', () => {
      // After a reconnection the first listing is a fresh baseline.
      known.clear();
    }),
  ];
  for (const room of rooms) {
    const members = await client.join(room);
    if (!known.has(room)) known.set(room, new Set(members));
  }
  return {
    writer,
    reopen: () => writer.reopen(),
    stop: async () => {
      for (const off of offs.splice(0)) off();
      await Promise.all(queues.values());
      writer.close();
    },
  };
}
