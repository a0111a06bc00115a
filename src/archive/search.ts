import { open } from 'node:fs/promises';
import { type ReadRecord, parseRecord } from './record.js';
import type { ArchiveTree } from './tree.js';

/** What to look for in an archive. */
export interface SearchQuery {
  /** Found anywhere in a message's text, case-insensitively. */
  q: string;
  /** Only rooms with this decoded name or segment (any server). */
  room?: string;
  /** Only days on or after this `YYYY-MM-DD`. */
  since?: string;
  /** Only days on or before this `YYYY-MM-DD`. */
  until?: string;
  /** Lines of context before and after each hit (default 1). */
  context?: number;
  signal?: AbortSignal;
}

/** One message that matched, with the lines around it in its file. */
export interface SearchHit {
  server: string;
  room: string;
  roomName: string;
  day: string;
  record: ReadRecord;
  before: ReadRecord[];
  after: ReadRecord[];
}

const CHUNK = 4 << 20;

/** Escapes a string for use as a literal inside a RegExp. */
function literal(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * Searches every day file of the tree, most recent day first (a day's lines in order), and
 * yields hits as it finds them. It streams: each file is read in 4 MiB chunks and only lines
 * the pattern finds in the raw JSON are parsed. The pattern is the query as JSON escapes it,
 * so a quote or backslash in the query still matches; a parsed line counts only when its text
 * matches (not its name or keys). The caller stops it by ending iteration or with `signal`.
 *
 * @example
 * for await (const hit of searchArchive(tree, { q: 'deploy', room: 'ops' })) console.log(hit.day)
 */
export async function* searchArchive(
  tree: ArchiveTree,
  query: SearchQuery,
): AsyncGenerator<SearchHit> {
  if (query.q.length === 0) return;
  const context = Math.max(0, Math.min(query.context ?? 1, 5));
  const raw = new RegExp(literal(JSON.stringify(query.q).slice(1, -1)), 'gi');
  // The same case folding as the scan, on the decoded text.
  const text = new RegExp(literal(query.q), 'i');
  for (const file of files(tree, query)) {
    if (query.signal?.aborted) return;
    yield* searchFile(file, text, raw, context);
  }
}

interface DayFile {
  server: string;
  room: string;
  roomName: string;
  day: string;
  path: string;
}

function files(tree: ArchiveTree, query: SearchQuery): DayFile[] {
  const out: DayFile[] = [];
  for (const server of tree.servers()) {
    for (const room of server.rooms) {
      if (query.room && query.room !== room.name && query.room !== room.segment) continue;
      for (const day of room.days) {
        if (!day.jsonl) continue;
        if (query.since && day.day < query.since) continue;
        if (query.until && day.day > query.until) continue;
        const path = tree.file(server.segment, room.segment, day.day, 'jsonl');
        if (path) {
          out.push({
            server: server.segment,
            room: room.segment,
            roomName: room.name,
            day: day.day,
            path,
          });
        }
      }
    }
  }
  return out.sort(
    (a, b) =>
      b.day.localeCompare(a.day) ||
      a.server.localeCompare(b.server) ||
      a.room.localeCompare(b.room),
  );
}

async function* searchFile(
  file: DayFile,
  wanted: RegExp,
  raw: RegExp,
  context: number,
): AsyncGenerator<SearchHit> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file.path, 'r');
  } catch {
    return; // Rotated away since the listing: nothing to search.
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry = 0;
    // The last `context` lines of the previous chunk, for hits at the start of this one.
    let previous: string[] = [];
    // Hits waiting for lines after them from the next chunk.
    let waiting: { hit: SearchHit; need: number }[] = [];
    for (;;) {
      const { bytesRead } = await handle.read(buf, carry, buf.length - carry, null);
      const length = carry + bytesRead;
      const cut = bytesRead === 0 ? length : buf.lastIndexOf(10, length - 1) + 1;
      if (cut === 0 && bytesRead > 0 && length < buf.length) {
        carry = length;
        continue;
      }
      // A line longer than the whole buffer cannot be a record the writer made: drop it.
      const end = cut === 0 ? length : cut;
      const text = buf.toString('utf8', 0, end);
      const lines = (from: number, count: number, step: 1 | -1): string[] => {
        const got: string[] = [];
        let at = from;
        while (got.length < count) {
          if (step === 1) {
            if (at >= text.length) break;
            const nl = text.indexOf('\n', at);
            const stop = nl === -1 ? text.length : nl;
            got.push(text.slice(at, stop));
            at = stop + 1;
          } else {
            if (at <= 0) break;
            const start = text.lastIndexOf('\n', at - 2) + 1;
            got.unshift(text.slice(start, at - 1));
            at = start;
          }
        }
        return got;
      };
      for (const w of waiting) w.hit.after.push(...parsed(lines(0, w.need, 1)));
      for (const w of waiting) yield w.hit;
      waiting = [];
      raw.lastIndex = 0;
      for (let m = raw.exec(text); m !== null; m = raw.exec(text)) {
        const start = text.lastIndexOf('\n', m.index) + 1;
        let stop = text.indexOf('\n', m.index);
        if (stop === -1) stop = text.length;
        raw.lastIndex = stop + 1;
        const record = parseRecord(text.slice(start, stop));
        if (record?.text == null || !wanted.test(record.text)) continue;
        const beforeLines = lines(start, context, -1);
        if (beforeLines.length < context) {
          beforeLines.unshift(...previous.slice(previous.length - (context - beforeLines.length)));
        }
        const afterLines = lines(stop + 1, context, 1);
        const hit: SearchHit = {
          server: file.server,
          room: file.room,
          roomName: file.roomName,
          day: file.day,
          record,
          before: parsed(beforeLines),
          after: parsed(afterLines),
        };
        if (afterLines.length < context) waiting.push({ hit, need: context - afterLines.length });
        else yield hit;
      }
      if (context > 0) {
        const tail = lines(text.length, context, -1);
        previous = tail.length >= context ? tail : [...previous, ...tail].slice(-context);
      }
      if (bytesRead === 0) break;
      carry = length - end;
      buf.copy(buf, 0, end, length);
    }
    for (const w of waiting) yield w.hit;
  } finally {
    await handle.close();
  }
}

function parsed(lines: string[]): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (const line of lines) {
    const r = parseRecord(line);
    if (r) out.push(r);
  }
  return out;
}
