/**
 * The reference relay server: `createServer()` and its logger.
 *
 * @example
 * import { createServer, createLogger } from 'relaykit'
 * const server = createServer({ logger: createLogger({ level: 'info' }) })
 * const { port } = await server.listen(0)
 */
export { ServerError } from './errors.js';
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './logger.js';
export type { ClusterHealth } from './metrics/health.js';
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_REGISTRATION_TIMEOUT_MS,
  type ServerOptions,
} from './options.js';
export {
  createServer,
  DEFAULT_SERVER_FAREWELL,
  type RelayServer,
  type ServerStats,
} from './server.js';
