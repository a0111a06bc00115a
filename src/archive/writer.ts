import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { ensureDirectory } from '../ensure-directory.js';
import { join } from 'node:path';
import { safeSegment, serverSegment, utcDay, utcTime } from './path.js';

/**
 * The kinds of event an archive records: a post, a user joining or leaving the room, and a
 * user quitting the server (a departure; its farewell, if any, is the `post` before it).
 */
export type ArchiveEventType = 'post' | 'join' | 'leave' | 'quit';

/** One event handed to `ArchiveWriter.write`. */
export interface ArchiveEvent {
  room: string;
  type: ArchiveEventType;
  /** The poster, or the user who joined or left. */
  from: string;
  /** The posted text; ignored for join, leave and quit (their `text` is null). */
  text?: string | null;
  /** When it happened; default: the writer's clock at write time. */
  at?: Date;
}

/**
 * The format version of the records this writer produces. 2: departures are `quit` events
 * with `text: null` (version 1 wrote `farewell` repeating the text of the post before it).
 */
export const ARCHIVE_FORMAT_VERSION = 2;

/** One JSON line of a `.jsonl` archive file (format version 2). */
export interface ArchiveRecord {
  v: typeof ARCHIVE_FORMAT_VERSION;
  ts: string;
  seq: number;
  room: string;
  type: ArchiveEventType;
  from: string;
  text: string | null;
}

/** Options of `ArchiveWriter`. */
export interface ArchiveWriterOptions {
  /** Archive root; created when the first event is written. */
  dir: string;
  /** `host:port`, `host_port` or `{ host, port }`: the server segment of every path. */
  server: string | { host: string; port: number };
  /** The clock, for tests. */
  now?: () => Date;
}

interface OpenDay {
  day: string;
  jsonl: number;
  log: number;
  seq: number;
}

// How much of an existing file's end is read to find its last seq after a restart; one JSON
// line is at most ~12 KB of text plus its escaping.
const TAIL_BYTES = 64 * 1024;

/**
 * Appends room events to per-room, per-UTC-day files: `<dir>/<server>/<room>/YYYY-MM-DD.jsonl`
 * (one JSON object per line) and `….log` (IRC-logger lines). Each event is one `writeSync` per
 * file on an fd opened in append mode, so an interrupted process loses nothing already
 * written. `reopen()` (for SIGHUP / logrotate) closes every fd; the next event reopens.
 *
 * @example
 * const w = new ArchiveWriter({ dir: './logs', server: '127.0.0.1:17734' })
 * w.write({ room: 'ops', type: 'post', from: 'alice', text: 'deploy done' })
 * w.close()
 */
export class ArchiveWriter {
  readonly dir: string;
  readonly serverDir: string;
  #now: () => Date;
  #open = new Map<string, OpenDay>();

  constructor(options: ArchiveWriterOptions) {
    this.dir = options.dir;
    this.serverDir = join(options.dir, serverSegment(options.server));
    this.#now = options.now ?? (() => new Date());
  }

  /** The directory holding one room's files. */
  roomDir(room: string): string {
    return join(this.serverDir, safeSegment(room));
  }

  /** The two files of `room` for the UTC day of `date`. */
  paths(room: string, date: Date): { jsonl: string; log: string } {
    const base = join(this.roomDir(room), utcDay(date));
    return { jsonl: `${base}.jsonl`, log: `${base}.log` };
  }

  /** Appends one event to its room's files for today (UTC); returns the record written. */
  write(event: ArchiveEvent): ArchiveRecord {
    const at = event.at ?? this.#now();
    const file = this.#fileFor(event.room, at);
    file.seq += 1;
    const record: ArchiveRecord = {
      v: ARCHIVE_FORMAT_VERSION,
      ts: at.toISOString(),
      seq: file.seq,
      room: event.room,
      type: event.type,
      from: event.from,
      text: event.type === 'post' ? (event.text ?? '') : null,
    };
    writeSync(file.jsonl, `${JSON.stringify(record)}\n`);
    writeSync(file.log, `[${utcTime(at)}] ${logLine(record)}\n`);
    return record;
  }

  /** Closes every open file; the next `write` opens them again (after logrotate moved them). */
  reopen(): void {
    this.close();
  }

  /** Closes every open file. Writing afterwards reopens. */
  close(): void {
    for (const file of this.#open.values()) closeDay(file);
    this.#open.clear();
  }

  #fileFor(room: string, at: Date): OpenDay {
    const day = utcDay(at);
    const current = this.#open.get(room);
    if (current && current.day === day) return current;
    if (current) closeDay(current);
    const paths = this.paths(room, at);
    ensureDirectory(this.roomDir(room));
    const jsonl = openSync(paths.jsonl, 'a');
    let log: number;
    try {
      log = openSync(paths.log, 'a');
    } catch (err) {
      closeSync(jsonl);
      throw err;
    }
    const tail = readTail(paths.jsonl);
    // A crash mid-write leaves a torn last line; end it so the next record starts clean.
    if (tail.torn) writeSync(jsonl, '\n');
    const file: OpenDay = { day, jsonl, log, seq: tail.seq };
    this.#open.set(room, file);
    return file;
  }
}

function closeDay(file: OpenDay): void {
  closeSync(file.jsonl);
  closeSync(file.log);
}

// The protocol allows C1 controls (U+0080–U+009F); `cat` of a log must not hand a terminal
// an 8-bit CSI, so the readable log shows them as U+FFFD. The .jsonl keeps the exact text.
const C1 = /[\u0080-\u009f]/g;

/** The `.log` form of a record, after its `[HH:MM:SS] ` stamp. */
export function logLine(raw: Pick<ArchiveRecord, 'type' | 'from' | 'text'>): string {
  const record = {
    type: raw.type,
    from: raw.from.replace(C1, '\uFFFD'),
    text: raw.text?.replace(C1, '\uFFFD') ?? null,
  };
  switch (record.type) {
    case 'post':
      return `<${record.from}> ${record.text ?? ''}`;
    case 'join':
      return `*** ${record.from} joined`;
    case 'leave':
      return `*** ${record.from} left`;
    case 'quit':
      return `*** ${record.from} quit`;
  }
}

/** The seq of the last complete line of an existing `.jsonl` file (or 0), and whether it ends torn. */
function readTail(path: string): { seq: number; torn: boolean } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { seq: 0, torn: false };
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const text = buf.toString('utf8');
    const torn = length > 0 && !text.endsWith('\n');
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const seq = (JSON.parse(lines[i]!) as { seq?: unknown }).seq;
        if (typeof seq === 'number' && Number.isSafeInteger(seq)) return { seq, torn };
      } catch {
        // A torn last line (crash mid-write) or the cut start of the tail: look further up.
      }
    }
    return { seq: 0, torn };
  } finally {
    closeSync(fd);
  }
}
