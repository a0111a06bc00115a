/**
 * Ready bots built on the public SDK, importable as `relaykit/bots`. Each takes a connected
 * `Client`, resolves once ready, and returns a handle with `stop()`. See bots/README.md.
 *
 * @example
 * import { connect } from 'relaykit'
 * import { echoBot } from 'relaykit/bots'
 * const bot = await echoBot(await connect({ name: 'echo' }), { rooms: ['lobby'] })
 */
// The archive format and the relay marker live in the SDK (shared with the recipes); they
// stay importable from here too.
export {
  type ArchiveEvent,
  type ArchiveEventType,
  type ArchiveRecord,
  ArchiveWriter,
  type ArchiveWriterOptions,
  isRelayed,
  logLine,
  safeSegment,
  serverSegment,
} from '../src/index.js';
export { type ArchiveHandle, type ArchiveRoomsOptions, archiveRooms } from './archiver.js';
export { type EchoBotOptions, echoBot } from './echo.js';
export {
  type FileInProgress,
  type FileSinkHandle,
  type FileSinkOptions,
  fileSink,
  type ReceivedFile,
  type RejectedOffer,
} from './file-sink.js';
export {
  type FileServerHandle,
  type FileServerOptions,
  fileServer,
} from './file-server.js';
export { type RelayEnd, type RelayOptions, relay } from './relay.js';
export type { BotHandle } from './types.js';
