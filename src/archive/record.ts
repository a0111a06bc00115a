/**
 * One archived event as a reader sees it, whatever format version wrote it.
 *
 * - `post`: a message (`text` is the message).
 * - `join`, `leave`: presence (`text` is `null`).
 * - `quit`: the user left the server (`text` is `null`: a farewell is the post before it).
 * - anything else a later writer adds is kept as `other`, with its `type` in `rawType`, so an
 *   old viewer shows a muted line instead of dropping it.
 */
export interface ReadRecord {
  seq: number;
  /** ISO timestamp as written; `''` when the line had none. */
  ts: string;
  kind: 'post' | 'join' | 'leave' | 'quit' | 'other';
  /** The `type` field as written (`farewell`, `quit`, `depart`, …). */
  rawType: string;
  from: string;
  text: string | null;
  /** The format version the line declares (`v`), 1 when absent. */
  v: number;
}

// Departure types: format 1 wrote `farewell` repeating the text of the post before it;
// format 2 writes `quit` without text. Any of these names reads as a quit.
const QUIT_TYPES = new Set(['farewell', 'quit', 'depart', 'departure', 'disconnect']);

/**
 * Reads one `.jsonl` line into a `ReadRecord`, or `undefined` when the line is not an archive
 * record (a torn last line after a crash, a blank line, foreign JSON). Never throws.
 *
 * @example
 * parseRecord('{"v":1,"ts":"…","seq":2,"room":"ops","type":"post","from":"alice","text":"hi"}')
 * // { seq: 2, kind: 'post', from: 'alice', text: 'hi', … }
 */
export function parseRecord(line: string): ReadRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.type !== 'string' || typeof r.from !== 'string') return undefined;
  const text = typeof r.text === 'string' ? r.text : null;
  return {
    seq: typeof r.seq === 'number' && Number.isSafeInteger(r.seq) ? r.seq : 0,
    ts: typeof r.ts === 'string' ? r.ts : '',
    kind: kindOf(r.type),
    rawType: r.type,
    from: r.from,
    // Presence has no text, whatever a writer put there; a v1 `farewell` repeated the post
    // before it, and showing it again would show that message twice.
    text: r.type === 'join' || r.type === 'leave' || QUIT_TYPES.has(r.type) ? null : text,
    v: typeof r.v === 'number' ? r.v : 1,
  };
}

function kindOf(type: string): ReadRecord['kind'] {
  if (type === 'post' || type === 'join' || type === 'leave') return type;
  if (QUIT_TYPES.has(type)) return 'quit';
  return 'other';
}

/** `HH:MM:SS` of a record's timestamp, or `--:--:--` when it has none. */
export function recordTime(record: Pick<ReadRecord, 'ts'>): string {
  const m = /T(\d\d:\d\d:\d\d)/.exec(record.ts);
  return m ? m[1]! : '--:--:--';
}
