import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_PORT,
  HEARTBEAT_INTERVAL_MS,
} from '../protocol/index.js';
import type { ServerTlsOptions } from '../transport/index.js';
import { checkIntegerOption, ServerError } from './errors.js';
import { DEFAULT_LISTING_PACE, type ListingPace } from './listings.js';
import { type Logger, SILENT_LOGGER } from './logger.js';
import { hostname } from 'node:os';
import { type ClusterOptions, resolveClusterOptions } from './cluster/link.js';
import type { ClusterHealth } from './metrics/health.js';

/** Options of `createServer`. Every one has a default. */
export interface ServerOptions {
  /** Interface to listen on (default `'127.0.0.1'`). */
  host?: string;
  /** TCP port (default 17734; 0 picks a free port). */
  port?: number;
  /** Most registered users at once (default unlimited); more get TOO_MANY_USERS. */
  maxUsers?: number;
  /** Most rooms at once (default unlimited); creating one more gets TOO_MANY_ROOMS. */
  maxRooms?: number;
  /** How often the server sends every client a heartbeat (default 4000 ms, at most 5000). */
  heartbeatIntervalMs?: number;
  /** Silence after which a client is disconnected (default 30000 ms). */
  heartbeatTimeoutMs?: number;
  /** Time a new connection has to send NEW_CLIENT (default 10000 ms). */
  registrationTimeoutMs?: number;
  /** Deliver SEND_MESSAGE to a room the sender is not in (default false: dropped). */
  allowOutsidePosts?: boolean;
  /** Bytes queued for one client before it is cut off as too slow (default 4 MiB). */
  maxOutputBytes?: number;
  /**
   * How big rooms' USER_LISTINGs are coalesced (CLARIFICATIONS §5.11); the defaults suit
   * most servers: changes merged for at most 250 ms, 64 MiB/s of listings per room.
   */
  listingPace?: Partial<ListingPace>;
  /** Where events are logged (default: nowhere). */
  logger?: Logger;
  /**
   * Makes `port` a TLS listener with this certificate and key; with `ca`, client certificates
   * too (see `clientAuth`). `reloadTls()` swaps them without dropping anyone.
   */
  tls?: ServerTlsOptions;
  /**
   * A second, plaintext listener on this port beside the TLS one, for clients that cannot
   * speak TLS (0 picks a free port). Off by default; needs `tls`.
   */
  plainPort?: number;
  /**
   * Serves `GET /metrics` (Prometheus) and `GET /healthz` over HTTP on this address (port 0
   * picks a free one; `host` defaults to `'127.0.0.1'`). Off by default, and prom-client is
   * only loaded when it is on.
   */
  metrics?: { host?: string; port: number };
  /** Reads the cluster's state for `/healthz` and the cluster gauges (cluster mode only). */
  clusterHealth?: () => ClusterHealth;
  /**
   * Joins this server to others through Redis, as one relay: names, rooms and limits are
   * cluster-wide (see the README's "Scaling out"). ioredis is loaded only with this option.
   */
  cluster?: ClusterOptions;
}

/** `ServerOptions` with every default filled in. */
export interface ResolvedServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxUsers: number;
  readonly maxRooms: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly registrationTimeoutMs: number;
  readonly allowOutsidePosts: boolean;
  readonly maxOutputBytes: number;
  readonly listingPace: ListingPace;
  readonly logger: Logger;
  readonly tls: ServerTlsOptions | null;
  readonly plainPort: number | null;
  readonly metrics: { host: string; port: number } | null;
  readonly cluster: Required<ClusterOptions> | null;
}

/** Default per-connection output limit. */
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** Default time a connection has to register. */
export const DEFAULT_REGISTRATION_TIMEOUT_MS = 10_000;

/** Every key `ServerOptions` has, for refusing a misspelt one. */
const OPTION_KEYS: readonly (keyof ServerOptions)[] = [
  'host',
  'port',
  'maxUsers',
  'maxRooms',
  'heartbeatIntervalMs',
  'heartbeatTimeoutMs',
  'registrationTimeoutMs',
  'allowOutsidePosts',
  'maxOutputBytes',
  'listingPace',
  'logger',
  'tls',
  'plainPort',
  'metrics',
  'clusterHealth',
  'cluster',
];

/** Validates `options` and fills in the defaults. Throws `INVALID_SERVER_OPTION`. */
export function resolveOptions(options: ServerOptions = {}): ResolvedServerOptions {
  // A misspelt option (maxUser, heartbeatTimeout) would otherwise be ignored without a word.
  const unknown = Object.keys(options).filter(
    (k) => !(OPTION_KEYS as readonly string[]).includes(k),
  );
  if (unknown.length > 0) {
    throw new ServerError(
      'INVALID_SERVER_OPTION',
      `Unknown server option ${unknown.map((k) => `'${k}'`).join(', ')}; the options are ${OPTION_KEYS.join(', ')}`,
    );
  }
  checkIntegerOption('port', options.port, 0, 65_535);
  checkIntegerOption('maxUsers', options.maxUsers, 1);
  checkIntegerOption('maxRooms', options.maxRooms, 1);
  // The draft (§5.3) wants a heartbeat at least every 5 s.
  checkIntegerOption('heartbeatIntervalMs', options.heartbeatIntervalMs, 1, 5_000);
  // The library allows short timeouts so tests can run fast; the CLI enforces the draft's 20 s.
  checkIntegerOption('heartbeatTimeoutMs', options.heartbeatTimeoutMs, 1);
  checkIntegerOption('registrationTimeoutMs', options.registrationTimeoutMs, 1);
  checkIntegerOption('maxOutputBytes', options.maxOutputBytes, 1024);
  const pace = options.listingPace ?? {};
  checkIntegerOption('listingPace.maxWaitMs', pace.maxWaitMs, 0, DEFAULT_LISTING_PACE.maxWaitMs);
  checkIntegerOption('listingPace.bytesPerSecond', pace.bytesPerSecond, 1);
  checkIntegerOption('listingPace.sliceBytes', pace.sliceBytes, 1);
  checkIntegerOption('plainPort', options.plainPort, 0, 65_535);
  checkIntegerOption('metrics.port', options.metrics?.port, 0, 65_535);
  checkIntegerOption('cluster.leaseMs', options.cluster?.leaseMs, 100);
  checkIntegerOption('cluster.connectTimeoutMs', options.cluster?.connectTimeoutMs, 1);
  if (options.cluster !== undefined && !/^rediss?:\/\//.test(options.cluster.url)) {
    throw new ServerError(
      'INVALID_SERVER_OPTION',
      `cluster.url '${options.cluster.url}' is not a Redis URL: write redis://host:port[/db]`,
    );
  }
  if (options.plainPort !== undefined && options.tls === undefined) {
    throw new ServerError(
      'INVALID_SERVER_OPTION',
      'plainPort adds a plaintext listener beside a TLS one: give tls too, or use port alone',
    );
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_PORT,
    maxUsers: options.maxUsers ?? Number.POSITIVE_INFINITY,
    maxRooms: options.maxRooms ?? Number.POSITIVE_INFINITY,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    registrationTimeoutMs: options.registrationTimeoutMs ?? DEFAULT_REGISTRATION_TIMEOUT_MS,
    allowOutsidePosts: options.allowOutsidePosts === true,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    listingPace: { ...DEFAULT_LISTING_PACE, ...pace },
    logger: options.logger ?? SILENT_LOGGER,
    tls: options.tls ?? null,
    plainPort: options.plainPort ?? null,
    metrics:
      options.metrics === undefined
        ? null
        : { host: options.metrics.host ?? '127.0.0.1', port: options.metrics.port },
    cluster:
      options.cluster === undefined
        ? null
        : resolveClusterOptions(options.cluster, `${hostname()}-${process.pid}`),
  };
}
