import { formatAddress, parseAddress, parseAddressList, type ServerAddress } from '../address.js';
import { ConnectError, connect } from '../index.js';
import { DEFAULT_PORT } from '../protocol/index.js';
import { createServer, type RelayServer } from '../server/index.js';
import type { ClientTlsOptions } from '../transport/index.js';
import { CliError, ExitCode } from './exit-codes.js';
import { type CliTlsSettings, clientTlsOptions, INSECURE_WARNING } from './tls/client-files.js';

export { formatAddress, type ServerAddress };

/**
 * The server a command talks to: the one (or the list) given with --server, or the bundled
 * one it started. `host` and `port` are the first of `servers`.
 */
export interface ServerTarget extends ServerAddress {
  /** Every server to dial, in order (one, unless --server gave a list to fail over between). */
  readonly servers: readonly ServerAddress[];
  /** `host:port` (`tls://host:port`; `a:1,b:2` for a list), for messages. */
  readonly label: string;
  /** What to pass as `connect({ tls })`: set for a `tls://` server, else undefined. */
  readonly tlsOptions: ClientTlsOptions | undefined;
  /** The in-process server when none was given; undefined for --server. */
  readonly bundled: RelayServer | undefined;
  /** Stops the bundled server (with a farewell to its clients); a no-op for --server. */
  close(): Promise<void>;
  /**
   * True when no --server was given and a one-shot command dials the default address
   * without starting a server there (`startBundled: false`), so "refused" means none runs.
   */
  readonly implicit?: boolean;
}

/**
 * Where `connect()` dials a target: `host`/`port` for one server, `servers` for a list (the
 * client then tries them in turn and fails over between them).
 */
export function dialOptions(
  target: Pick<ServerTarget, 'host' | 'port' | 'servers'>,
): { host: string; port: number } | { servers: { host: string; port: number }[] } {
  if (target.servers.length <= 1) return { host: target.host, port: target.port };
  return { servers: target.servers.map(({ host, port }) => ({ host, port })) };
}

/** Says that no server answers where a one-shot command looked, and how to start one. */
export function noServerError(label: string, cause?: unknown): CliError {
  return new CliError(
    'NO_SERVER',
    ExitCode.CONNECTION,
    `no relay server on ${label}; start one with \`relaykit serve\` or \`relaykit run …\``,
    cause === undefined ? {} : { cause },
  );
}

/** Schemes people paste from a browser or another tool; the relay protocol is plain TCP. */
const URL_SCHEME = /^(https?|wss?|ftp):\/\/([^/?#]*)/i;

/** One entry of --server, or the reason it is not an address. */
function parseEntry(text: string): ServerAddress | { error: string } {
  const url = URL_SCHEME.exec(text.trim());
  if (url) {
    const hostPort = url[2] === '' ? `127.0.0.1:${DEFAULT_PORT}` : url[2]!;
    return {
      error:
        `is a ${url[1]!.toLowerCase()}:// URL, but a relay server speaks its own protocol over TCP: ` +
        `write host:port (--server ${hostPort}), or tls://host:port for TLS`,
    };
  }
  const address = parseAddress(text, { host: '127.0.0.1', port: DEFAULT_PORT });
  if ('error' in address) {
    return { error: `${address.error}. Use host:port, e.g. --server 127.0.0.1:${DEFAULT_PORT}` };
  }
  return address;
}

/**
 * Parses `--server`: one address or a comma-separated list of them (`a:17734,b:17734`, nodes
 * of one relay: the client tries them in turn and fails over between them). Each is
 * `host:port`, `host` (port 17734), `:port` (127.0.0.1) or `[v6]:port`, optionally behind
 * `tls://` (on every entry or on none). Throws a `CliError` (exit 1) that names the entry that
 * is wrong and shows the accepted forms.
 *
 * @example
 * parseServerList('a.example:17734,b.example:17734') // [{ host: 'a.example', … }, { host: 'b.example', … }]
 */
export function parseServerList(value: string): ServerAddress[] {
  const list = parseAddressList(value, parseEntry);
  if ('error' in list) {
    // A single entry's reason starts with "is a … URL" or a phrase; both read after the value.
    const joiner = list.error.startsWith('is a ') ? ' ' : ': ';
    throw new CliError(
      'INVALID_SERVER',
      ExitCode.USAGE,
      `--server ${JSON.stringify(value)}${joiner}${list.error}`,
    );
  }
  return list.addresses;
}

/**
 * Parses one `--server` address (see `parseServerList`); a list is refused.
 *
 * @example
 * parseServerAddress('chat.example.org:17734') // { host: 'chat.example.org', port: 17734 }
 * parseServerAddress('[::1]:4000')             // { host: '::1', port: 4000 }
 */
export function parseServerAddress(value: string): ServerAddress {
  const [first, ...more] = parseServerList(value);
  if (more.length > 0) {
    throw new CliError(
      'INVALID_SERVER',
      ExitCode.USAGE,
      `${JSON.stringify(value)} is a list, but one address is wanted here: write host:port`,
    );
  }
  return first!;
}

/** `a:1,b:2`: a list of addresses as --server takes it. */
export function formatServerList(addresses: readonly ServerAddress[]): string {
  return addresses.map(formatAddress).join(',');
}

/** Options of `resolveServer`. */
export interface ResolveServerOptions {
  /** The raw --server value; absent means "the local server on 17734, or the bundled one". */
  server?: string | undefined;
  /** Where the notice about the bundled server goes (stderr). */
  notice: (text: string) => void;
  /** The port the bundled server tries first (default 17734); tests pass 0. */
  preferredPort?: number;
  /**
   * Use a relay server that already answers on the preferred port instead of starting a
   * second one (default true), so `relaykit run` in one terminal and `relaykit say` in another
   * meet on the same server. The demo turns it off to keep its world to itself.
   */
  reuseRunning?: boolean;
  /** The --tls-* flags (or RELAYKIT_TLS_*), used when the server is `tls://`. */
  tls?: CliTlsSettings;
  /**
   * Start the bundled server when no --server is given (default true, for long-running
   * commands). One-shot commands pass false: they dial 127.0.0.1:17734 and, when nothing
   * answers there, fail with `noServerError` instead of posting into a throwaway server.
   */
  startBundled?: boolean;
}

/** How long the check "is that a relay server on the preferred port?" may take. */
const PROBE_TIMEOUT_MS = 750;

/**
 * Returns the server a command should dial. With --server it only parses the address. Without
 * it, it starts the bundled server in this process on 127.0.0.1:17734. When 17734 is taken by
 * a relay server it uses that one; when something else holds the port it starts the bundled
 * server on a free port. Either way it says on stderr which server it is.
 */
export async function resolveServer(options: ResolveServerOptions): Promise<ServerTarget> {
  if (options.server !== undefined) {
    const servers = parseServerList(options.server);
    return {
      ...servers[0]!,
      servers,
      label: formatServerList(servers),
      tlsOptions: dialTls(servers[0]!.tls === true, options),
      bundled: undefined,
      close: async () => {},
    };
  }
  dialTls(false, options);
  const host = '127.0.0.1';
  const preferred = options.preferredPort ?? DEFAULT_PORT;
  if (options.startBundled === false) {
    const address = { host, port: preferred };
    return {
      ...address,
      servers: [address],
      label: formatAddress(address),
      tlsOptions: undefined,
      bundled: undefined,
      implicit: true,
      close: async () => {},
    };
  }
  let server = createServer({ host, port: preferred });
  let address: ServerAddress;
  try {
    address = await server.listen(preferred, host);
    options.notice(`started the bundled server on ${formatAddress(address)}`);
  } catch (err) {
    if (!isAddressInUse(err)) {
      throw new CliError(
        'BUNDLED_SERVER_FAILED',
        ExitCode.CONNECTION,
        `Could not start the bundled server: ${(err as Error).message}. Pass --server host:port to use a running one`,
        { cause: err },
      );
    }
    if (options.reuseRunning !== false && (await answersAsRelay(host, preferred))) {
      const address = { host, port: preferred };
      options.notice(`using the relay server already running on ${formatAddress(address)}`);
      return {
        ...address,
        servers: [address],
        label: formatAddress(address),
        tlsOptions: undefined,
        bundled: undefined,
        close: async () => {},
      };
    }
    server = createServer({ host, port: 0 });
    address = await server.listen(0, host);
    options.notice(
      `port ${preferred} is taken, so the bundled server started on ${formatAddress(address)}; ` +
        `to use the server already on ${preferred}, pass --server ${host}:${preferred}`,
    );
  }
  const bundled = server;
  return {
    ...address,
    servers: [address],
    label: formatAddress(address),
    tlsOptions: undefined,
    bundled,
    close: () => bundled.close('relaykit CLI finished'),
  };
}

/**
 * The TLS options for a `tls://` target (files read now, so a bad path fails before any
 * connection), with the --insecure warning; for a plaintext one, a notice that TLS flags
 * given on the command line do nothing (variables from the environment stay quiet).
 */
function dialTls(tls: boolean, options: ResolveServerOptions): ClientTlsOptions | undefined {
  const settings = options.tls;
  if (settings === undefined) return tls ? {} : undefined;
  if (!tls) {
    if (settings.explicit.length > 0) {
      options.notice(
        `${settings.explicit.join(', ')} ignored: the server is plaintext; write --server tls://host:port for TLS`,
      );
    }
    return undefined;
  }
  if (settings.insecure) options.notice(INSECURE_WARNING);
  return clientTlsOptions(settings);
}

/** True when a relay server answers a registration at host:port (a taken name counts). */
async function answersAsRelay(host: string, port: number): Promise<boolean> {
  try {
    const probe = await connect({
      name: `relaykit-probe-${process.pid}`,
      host,
      port,
      connectTimeoutMs: PROBE_TIMEOUT_MS,
    });
    await probe.close('probe');
    return true;
  } catch (err) {
    return err instanceof ConnectError && err.code === 'NAME_IN_USE';
  }
}

function isAddressInUse(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ADDRESS_IN_USE' || code === 'EADDRINUSE') return true;
  }
  return false;
}
