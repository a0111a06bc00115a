/**
 * The archive format shared by the archiver bot, recipe `archive` actions and the CLI:
 * per-room, per-UTC-day `.jsonl` and `.log` files under `<dir>/<host>_<port>/<room>/`.
 *
 * @example
 * import { ArchiveWriter } from 'relaykit'
 * const w = new ArchiveWriter({ dir: './logs', server: '127.0.0.1:17734' })
 * w.write({ room: 'ops', type: 'post', from: 'alice', text: 'hi' })
 */
export { safeSegment, serverSegment, utcDay, utcTime } from './path.js';
export {
  ARCHIVE_FORMAT_VERSION,
  type ArchiveEvent,
  type ArchiveEventType,
  type ArchiveRecord,
  ArchiveWriter,
  type ArchiveWriterOptions,
  logLine,
} from './writer.js';
export { type RecordAt, readRecords } from './lines.js';
export { type ReadRecord, parseRecord, recordTime } from './record.js';
export { type SearchHit, type SearchQuery, searchArchive } from './search.js';
export { type FollowOptions, followRoom, type TailEvent } from './tail.js';
export {
  type ArchiveDay,
  type ArchiveRoom,
  type ArchiveServer,
  ArchiveTree,
  isDay,
  isSegment,
  segmentName,
  serverName,
} from './tree.js';
