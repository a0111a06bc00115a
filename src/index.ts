/**
 * relaykit: a headless bot SDK, reference server and automation CLI for the relay chat
 * protocol. The package root re-exports the public API.
 */
export {
  ARCHIVE_FORMAT_VERSION,
  type ArchiveEvent,
  type ArchiveEventType,
  type ArchiveRecord,
  ArchiveWriter,
  type ArchiveWriterOptions,
  ArchiveTree,
  followRoom,
  logLine,
  parseRecord,
  type ReadRecord,
  readRecords,
  safeSegment,
  type SearchHit,
  type SearchQuery,
  searchArchive,
  serverSegment,
} from './archive/index.js';
export {
  type ArchiveViewer,
  ArchiveViewerError,
  type ArchiveViewerOptions,
  exportSite,
  startArchiveViewer,
} from './archive/web/index.js';
export * from './client/index.js';
export { ensureDirectory } from './ensure-directory.js';
export { RelayKitError } from './errors.js';
export {
  type Bot,
  type BotCleanup,
  type BotDefinition,
  BotDefinitionError,
  type BotSetupContext,
  defineBot,
  isBot,
  ModuleLoadError,
} from './modules/index.js';
export * from './protocol/index.js';
// A bot's and a trigger's timers: `systemClock` under `relaykit run`, a fake one in kit tests.
export { type Clock, type ClockTimer, systemClock } from './clock.js';
// Recipe plugins import these from the package root, like bot modules import defineBot; `z`
// is relaykit's own zod, so a plugin in a folder without zod installed has one too.
export {
  type ActionCompileContext,
  type ActionDefinition,
  type ActionRunContext,
  type ActionTarget,
  type CompileContext,
  type CompiledTrigger,
  defineAction,
  defineTrigger,
  type TriggerCompileContext,
  type TriggerDefinition,
  type TriggerEvent,
  type TriggerHost,
} from './recipes/define.js';
export type { ActionHost, RecipeEvent } from './recipes/host.js';
export { z } from 'zod';
export { isRelayed, relayTagProblem, relayText } from './relay-marker.js';
export {
  createServer,
  createLogger,
  type ClusterHealth,
  type ServerOptions,
  type RelayServer,
  ServerError,
} from './server/index.js';
