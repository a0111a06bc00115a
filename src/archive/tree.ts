import { lstatSync, openSync, readdirSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** One day of one room: which of its two files exist. */
export interface ArchiveDay {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  jsonl: boolean;
  log: boolean;
}

/** A room directory of the archive. */
export interface ArchiveRoom {
  /** The directory name (percent-encoded, as the writer made it). */
  segment: string;
  /** The room's name, decoded. */
  name: string;
  /** Most recent first. */
  days: ArchiveDay[];
}

/** A server directory of the archive. */
export interface ArchiveServer {
  segment: string;
  /** `host:port` as the user typed it (`[::1]:17734` for IPv6). */
  name: string;
  /** Most recently active first. */
  rooms: ArchiveRoom[];
}

// What the writer's safeSegment can produce: no `/`, no leading `.`, so never `.` or `..`.
const SEGMENT = /^[A-Za-z0-9_\-%][A-Za-z0-9_\-.%]*$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.(jsonl|log)$/;
const POST = Buffer.from('"type":"post"');

/** True when `name` could be an archive path segment the writer made. */
export function isSegment(name: string): boolean {
  return SEGMENT.test(name);
}

/** True when `day` is `YYYY-MM-DD`. */
export function isDay(day: string): boolean {
  return DAY.test(day);
}

/** The readable form of a path segment (`%3A` → `:`); the segment itself if it is not encoded. */
export function segmentName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `127.0.0.1_17734` → `127.0.0.1:17734`, `%3A%3A1_17734` → `[::1]:17734`. */
export function serverName(segment: string): string {
  const name = segmentName(segment);
  const m = /^(.*)_(\d+)$/.exec(name);
  if (!m) return name;
  return m[1]!.includes(':') ? `[${m[1]}]:${m[2]}` : `${m[1]}:${m[2]}`;
}

/**
 * Read-only view of an archive tree (`<dir>/<server>/<room>/YYYY-MM-DD.{jsonl,log}`), the
 * layout `ArchiveWriter` writes. Every path it returns was found by listing a directory
 * under `dir`, never built from a caller's string, so no input reaches outside `dir`;
 * symbolic links are not followed.
 *
 * @example
 * const tree = new ArchiveTree('./irc-logs')
 * for (const server of tree.servers()) console.log(server.name, server.rooms.length)
 */
export class ArchiveTree {
  readonly dir: string;
  #counts = new Map<string, { size: number; mtimeMs: number; posts: number }>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Every server with its rooms and days, most recent first. */
  servers(): ArchiveServer[] {
    const servers = subdirectories(this.dir).map((segment) => ({
      segment,
      name: serverName(segment),
      rooms: this.rooms(segment),
    }));
    return servers
      .filter((s) => s.rooms.length > 0)
      .sort(
        (a, b) => latest(b.rooms[0]!).localeCompare(latest(a.rooms[0]!)) || cmp(a.name, b.name),
      );
  }

  /** The rooms of one server (by segment), most recently active first; `[]` if unknown. */
  rooms(server: string): ArchiveRoom[] {
    if (!this.#isDir(server)) return [];
    const rooms = subdirectories(join(this.dir, server)).map((segment) => ({
      segment,
      name: segmentName(segment),
      days: this.#days(join(this.dir, server, segment)),
    }));
    return rooms
      .filter((r) => r.days.length > 0)
      .sort((a, b) => latest(b).localeCompare(latest(a)) || cmp(a.name, b.name));
  }

  /** One room (by segments), or `undefined` when it does not exist. */
  room(server: string, room: string): ArchiveRoom | undefined {
    if (!isSegment(server) || !isSegment(room) || !this.#isDir(server, room)) return undefined;
    const days = this.#days(join(this.dir, server, room));
    return days.length === 0 ? undefined : { segment: room, name: segmentName(room), days };
  }

  /** The path of a day's file when it exists inside the tree, else `undefined`. */
  file(server: string, room: string, day: string, ext: 'jsonl' | 'log'): string | undefined {
    const found = this.room(server, room)?.days.find((d) => d.day === day);
    if (!found?.[ext]) return undefined;
    return join(this.dir, server, room, `${day}.${ext}`);
  }

  /** The room directory's path, when the room exists. */
  roomPath(server: string, room: string): string | undefined {
    return this.room(server, room) ? join(this.dir, server, room) : undefined;
  }

  /**
   * How many posts a day's `.jsonl` holds (joins and leaves not counted). Counted by scanning
   * the bytes for `"type":"post"` (which a text cannot contain unescaped); cached until the
   * file changes.
   */
  posts(server: string, room: string, day: string): number {
    const path = this.file(server, room, day, 'jsonl');
    if (!path) return 0;
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (!info?.isFile()) return 0;
    const cached = this.#counts.get(path);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.posts;
    const posts = countPosts(path);
    this.#counts.set(path, { size: info.size, mtimeMs: info.mtimeMs, posts });
    return posts;
  }

  #isDir(...segments: string[]): boolean {
    if (!segments.every(isSegment)) return false;
    return (
      lstatSync(join(this.dir, ...segments), { throwIfNoEntry: false })?.isDirectory() ?? false
    );
  }

  #days(roomDir: string): ArchiveDay[] {
    const days = new Map<string, ArchiveDay>();
    for (const entry of list(roomDir)) {
      const m = DAY_FILE.exec(entry.name);
      if (!m || !entry.isFile()) continue;
      const day = days.get(m[1]!) ?? { day: m[1]!, jsonl: false, log: false };
      day[m[2] as 'jsonl' | 'log'] = true;
      days.set(day.day, day);
    }
    return [...days.values()].sort((a, b) => b.day.localeCompare(a.day));
  }
}

function latest(room: ArchiveRoom): string {
  return room.days[0]?.day ?? '';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function list(dir: string): import('node:fs').Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function subdirectories(dir: string): string[] {
  // Dirent types come from lstat semantics: a symlink is not a directory here.
  return list(dir)
    .filter((e) => e.isDirectory() && isSegment(e.name))
    .map((e) => e.name);
}

function countPosts(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return 0;
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let count = 0;
    // Bytes of a possible match cut by the chunk end are carried into the next read.
    let keep = 0;
    for (;;) {
      const n = readSync(fd, buf, keep, buf.length - keep, null);
      if (n === 0) break;
      const end = keep + n;
      let at = buf.indexOf(POST, 0);
      while (at !== -1 && at + POST.length <= end) {
        count += 1;
        at = buf.indexOf(POST, at + POST.length);
      }
      keep = Math.min(POST.length - 1, end);
      buf.copy(buf, 0, end - keep, end);
    }
    return count;
  } finally {
    closeSync(fd);
  }
}
