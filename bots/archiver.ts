import { type ArchiveEvent, ArchiveWriter, type Client } from '../src/index.js';
import type { BotHandle } from './types.js';

// How long a presence check may take; without an answer the departure is written as a leave.
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
 * `ArchiveWriter`): posts, joins and leaves (from the member listings), and quits (a member
 * who is gone from the server too, IRC's `*** alice quit`). Each post is written once: a
 * farewell is the post before the quit, and the quit does not repeat it.
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
  const onError = options.onError ?? (() => {});
  const writer = new ArchiveWriter({ dir: options.dir, server: options.server, now });
  const rooms = new Set(options.rooms);
  // Members as last seen per room; the first listing after a join is the baseline, so people
  // already present are not logged as joining.
  const known = new Map<string, Set<string>>();

  // Writes go through one queue per room, so a departure that waits for a presence check is
  // not overtaken by later events of that room. Without a pending check a write runs one
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

  // Someone gone from a room has quit if they are gone from the server too (the server
  // removes a departing user from every room, then forgets the name). An unanswered check
  // (reconnecting, slow server) counts as still online: a plain leave.
  const quit = async (name: string): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PRESENCE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        client.isOnline(name).then(
          (online) => !online,
          () => false,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  const offs = [
    client.onPost({ room: [...rooms] }, (ctx) => {
      write({ room: ctx.room, type: 'post', from: ctx.from, text: ctx.text, at: now() });
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
        const gone = quit(name);
        enqueue(room, async () => {
          writer.write({ room, type: (await gone) ? 'quit' : 'leave', from: name, at });
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
