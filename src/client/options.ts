import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  validateName,
} from '../protocol/index.js';
import type { ClientTlsOptions } from '../transport/index.js';
import { ConnectError } from './errors.js';
import { DEFAULT_POST_WINDOW } from './post-window.js';
import { resolveServers, type ServerEntry, type ServerSpec } from './servers.js';

/** Reconnection settings: exponential backoff with jitter, capped. */
export interface ReconnectOptions {
  /** First delay before retrying (default 500 ms). */
  initialDelayMs?: number;
  /** Longest delay between attempts (default 30 s). */
  maxDelayMs?: number;
  /** Give up after this many attempts in a row (default: never). */
  maxAttempts?: number;
}

/**
 * Options of `connect()`.
 *
 * @example
 * await connect({ name: 'bot', host: 'chat.example', reconnect: true, rateLimit: { perSecond: 5 } })
 */
export interface ConnectOptions {
  /** Your user name: 1–32 characters, no spaces. */
  name: string;
  /** Server host (default `'127.0.0.1'`). Use `servers` instead for several servers. */
  host?: string;
  /** Server port (default 17734). */
  port?: number;
  /**
   * Several servers (nodes of one relay) instead of `host`/`port`: `['a:17734', 'b:17734']`
   * (`'tls://host:port'` for TLS, or `{ host, port }` objects). The first connection tries
   * them in order until one accepts; each reconnection moves on to the next server after the
   * one that was lost, round-robin, and rejoins your rooms there. Not together with `host`
   * or `port`.
   */
  servers?: readonly ServerSpec[];
  /**
   * Dial with TLS: `true` trusts the system's CAs; an object can name the CA to trust, a
   * client certificate and key (for servers that ask), the expected server name, or turn the
   * certificate check off (`rejectUnauthorized: false`, not safe). Default: plaintext. With
   * `servers`, it applies to every server.
   */
  tls?: boolean | ClientTlsOptions;
  /** Reconnect after losing the connection (default off). `true` uses the default backoff. */
  reconnect?: boolean | ReconnectOptions;
  /**
   * What sends do while disconnected: `'queue'` waits for the reconnection, `'reject'` fails at
   * once with `NOT_CONNECTED`. Default: `'queue'` when `reconnect` is on, else `'reject'`.
   */
  whileDisconnected?: 'queue' | 'reject';
  /** How often to send a heartbeat (default 4000 ms; the protocol wants at most 5000). */
  heartbeatIntervalMs?: number;
  /** Silence after which the server counts as gone (default 30000 ms). */
  heartbeatTimeoutMs?: number;
  /** Limit on TCP connect plus registration, per server tried (default 10000 ms). */
  connectTimeoutMs?: number;
  /** BROADCAST wire form: `'draft'` (default), or `'text'` for the protocol author's server. */
  broadcastLayout?: 'draft' | 'text';
  /** Outgoing message rate limit (token bucket); file chunks and heartbeats are not counted. */
  rateLimit?: { perSecond: number; burst?: number };
  /** Aborts a connect in progress. */
  signal?: AbortSignal;
  /** Farewell sent by `close()` when none is given (default `'bye'`). */
  farewell?: string;
  /** Largest ROOM_LISTING or USER_LISTING accepted, in bytes (default 8 MiB). */
  maxListingBytes?: number;
  /**
   * Most posts per room written and not yet echoed back by the server (default 256); further
   * `say` calls wait. `Infinity` turns the pacing off (posts are still resent on reconnect).
   */
  postWindow?: number;
}

/** `ConnectOptions` with every default filled in. */
export interface ResolvedConnectOptions {
  name: string;
  /** Where to dial, in order (one entry for `host`/`port`), each with its TLS settings. */
  servers: readonly ServerEntry[];
  reconnect: Required<ReconnectOptions> | null;
  whileDisconnected: 'queue' | 'reject';
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  connectTimeoutMs: number;
  broadcastLayout: 'draft' | 'text';
  rateLimit: { perSecond: number; burst: number } | null;
  farewell: string;
  maxListingBytes: number | undefined;
  postWindow: number;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ConnectError('INVALID_OPTIONS', `${what} must be a positive number, got ${value}`);
  }
  return value;
}

function postWindow(value: number | undefined): number {
  if (value === undefined) return DEFAULT_POST_WINDOW;
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value > 0)) return value;
  throw new ConnectError(
    'INVALID_OPTIONS',
    `postWindow must be a positive integer (or Infinity), got ${String(value)}`,
  );
}

/** Checks `options` and fills in the defaults; throws `ConnectError('INVALID_OPTIONS')`. */
export function resolveOptions(options: ConnectOptions): ResolvedConnectOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConnectError('INVALID_OPTIONS', 'connect() needs an options object with a name');
  }
  try {
    validateName(options.name);
  } catch (err) {
    throw new ConnectError(
      'ILLEGAL_NAME',
      `Cannot connect as ${JSON.stringify(options.name)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const servers = resolveServers(options, resolveTls(options.tls));
  const r = options.reconnect;
  const reconnect =
    r === undefined || r === false
      ? null
      : {
          initialDelayMs: positive(
            r === true ? undefined : r.initialDelayMs,
            500,
            'initialDelayMs',
          ),
          maxDelayMs: positive(r === true ? undefined : r.maxDelayMs, 30_000, 'maxDelayMs'),
          maxAttempts: positive(
            r === true ? undefined : r.maxAttempts,
            Number.POSITIVE_INFINITY,
            'maxAttempts',
          ),
        };
  const whileDisconnected = options.whileDisconnected ?? (reconnect ? 'queue' : 'reject');
  if (whileDisconnected !== 'queue' && whileDisconnected !== 'reject') {
    throw new ConnectError(
      'INVALID_OPTIONS',
      `whileDisconnected must be 'queue' or 'reject', got ${JSON.stringify(whileDisconnected)}`,
    );
  }
  const layout = options.broadcastLayout ?? 'draft';
  if (layout !== 'draft' && layout !== 'text') {
    throw new ConnectError(
      'INVALID_OPTIONS',
      `broadcastLayout must be 'draft' or 'text', got ${JSON.stringify(layout)}`,
    );
  }
  const rate = options.rateLimit;
  return {
    name: options.name,
    servers,
    reconnect,
    whileDisconnected,
    heartbeatIntervalMs: positive(
      options.heartbeatIntervalMs,
      HEARTBEAT_INTERVAL_MS,
      'heartbeatIntervalMs',
    ),
    heartbeatTimeoutMs: positive(
      options.heartbeatTimeoutMs,
      DEFAULT_HEARTBEAT_TIMEOUT_MS,
      'heartbeatTimeoutMs',
    ),
    connectTimeoutMs: positive(options.connectTimeoutMs, 10_000, 'connectTimeoutMs'),
    broadcastLayout: layout,
    rateLimit:
      rate === undefined
        ? null
        : {
            perSecond: positive(rate.perSecond, 1, 'rateLimit.perSecond'),
            burst: positive(rate.burst, Math.max(1, rate.perSecond), 'rateLimit.burst'),
          },
    farewell: options.farewell ?? 'bye',
    maxListingBytes: options.maxListingBytes,
    postWindow: postWindow(options.postWindow),
  };
}

function resolveTls(tls: ConnectOptions['tls']): ClientTlsOptions | null {
  if (tls === undefined || tls === false) return null;
  if (tls === true) return {};
  if (tls === null || typeof tls !== 'object') {
    throw new ConnectError(
      'INVALID_OPTIONS',
      `tls must be true or an object like { ca }, got ${JSON.stringify(tls)}`,
    );
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ConnectError(
      'INVALID_OPTIONS',
      `tls.${tls.cert === undefined ? 'key' : 'cert'} needs tls.${tls.cert === undefined ? 'cert' : 'key'} too: a client certificate goes with its key`,
    );
  }
  return tls;
}
