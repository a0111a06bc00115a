import { formatAddress, parseAddress, type ServerAddress } from '../address.js';
import { DEFAULT_PORT } from '../protocol/index.js';
import type { ClientTlsOptions } from '../transport/index.js';
import { ConnectError } from './errors.js';

/**
 * One entry of `connect({ servers })`: `'host:port'` (`'[v6]:port'`, `'host'` for port 17734,
 * `'tls://host:port'` for TLS), or the same as an object.
 */
export type ServerSpec = string | { host: string; port?: number; tls?: boolean };

/** A server the client may dial, with the TLS settings to dial it with (null: plaintext). */
export interface ServerEntry {
  readonly host: string;
  readonly port: number;
  readonly tls: ClientTlsOptions | null;
  /** `host:port` (`tls://host:port`), for messages. */
  readonly label: string;
}

/** What `resolveServers` reads from `ConnectOptions`. */
export interface ServerChoice {
  servers?: readonly ServerSpec[] | undefined;
  host?: string | undefined;
  port?: number | undefined;
}

/**
 * The servers a client dials, in order: `servers`, or the one of `host`/`port` (default
 * 127.0.0.1:17734). `tls` (the resolved `tls` option) applies to every server; a `tls://`
 * entry dials with TLS even without it. Throws `ConnectError('INVALID_OPTIONS')` naming the
 * entry that is wrong, or when both `servers` and `host`/`port` are given.
 *
 * @example
 * resolveServers({ servers: ['a:17734', 'b:17734'] }, null).map((s) => s.label) // ['a:17734', 'b:17734']
 */
export function resolveServers(choice: ServerChoice, tls: ClientTlsOptions | null): ServerEntry[] {
  const entry = (host: string, port: number, wantsTls: boolean): ServerEntry => {
    const dialTls = tls ?? (wantsTls ? {} : null);
    return {
      host,
      port,
      tls: dialTls,
      label: formatAddress({ host, port, tls: dialTls !== null }),
    };
  };
  if (choice.servers === undefined) {
    const port = choice.port ?? DEFAULT_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConnectError('INVALID_OPTIONS', `port must be an integer 0–65535, got ${port}`);
    }
    return [entry(choice.host ?? '127.0.0.1', port, false)];
  }
  if (choice.host !== undefined || choice.port !== undefined) {
    const given = [
      choice.host === undefined ? null : `host ${JSON.stringify(choice.host)}`,
      choice.port === undefined ? null : `port ${choice.port}`,
    ]
      .filter((g) => g !== null)
      .join(' and ');
    throw new ConnectError(
      'INVALID_OPTIONS',
      `connect() got both servers and ${given}: give one or the other. Put every address in servers (servers: ['host:port', …]) and drop host and port`,
    );
  }
  if (!Array.isArray(choice.servers)) {
    throw new ConnectError(
      'INVALID_OPTIONS',
      `servers must be a list like ['a:17734', 'b:17734'], got ${JSON.stringify(choice.servers)}`,
    );
  }
  if (choice.servers.length === 0) {
    throw new ConnectError(
      'INVALID_OPTIONS',
      "servers is empty: list at least one address, e.g. servers: ['127.0.0.1:17734']",
    );
  }
  return choice.servers.map((spec, i) => {
    const address = parseSpec(spec);
    if ('error' in address) {
      throw new ConnectError(
        'INVALID_OPTIONS',
        `servers[${i}] ${JSON.stringify(spec)}: ${address.error}. Write 'host:port' ('tls://host:port' for TLS, '[v6]:port' for IPv6)`,
      );
    }
    return entry(address.host, address.port, address.tls === true);
  });
}

function parseSpec(spec: ServerSpec): ServerAddress | { error: string } {
  if (typeof spec === 'string') return parseAddress(spec, { port: DEFAULT_PORT });
  if (spec === null || typeof spec !== 'object') return { error: "expected 'host:port'" };
  if (typeof spec.host !== 'string' || spec.host === '') return { error: 'the host is missing' };
  const port = spec.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { error: `the port ${String(port)} is not an integer 1–65535` };
  }
  return { host: spec.host, port, ...(spec.tls === true ? { tls: true } : {}) };
}

/** The address of an entry as `client.server` and the reconnect events show it. */
export function publicAddress(entry: ServerEntry): ServerAddress {
  return entry.tls === null
    ? { host: entry.host, port: entry.port }
    : { host: entry.host, port: entry.port, tls: true };
}
