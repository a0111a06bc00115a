import {
  DEFAULT_PORT,
  MIN_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
} from '../../protocol/index.js';
import {
  createLogger,
  createServer,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_REGISTRATION_TIMEOUT_MS,
  type LogLevel,
  type ServerOptions,
} from '../../server/index.js';
import type { ArgumentsCamelCase } from 'yargs';
import { CLIENT_AUTH_MODES, type ClientAuth } from '../../transport/index.js';
import { hideDialOptions } from '../options.js';
import type { CliCommand, CommandContext, GlobalOptions } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { reopenOnHangup } from '../hangup.js';
import { readServerTls, type ServerTlsFiles } from '../tls/server-files.js';
import { waitForAbort } from '../wait-for-abort.js';
import { parseMetricsAddress } from '../../metrics/address.js';

const LOG_LEVELS = ['debug', 'info', 'warn'] as const;

/** The options of `relaykit serve` (yargs adds the camelCase aliases `run` reads). */
export interface ServeArgs extends GlobalOptions {
  host: string;
  port: number;
  'max-users': number | undefined;
  'max-rooms': number | undefined;
  'heartbeat-timeout': number;
  'registration-timeout': number;
  'max-output-bytes': number;
  'allow-outside-posts': boolean;
  'log-level': (typeof LOG_LEVELS)[number];
  'json-logs': boolean;
  'tls-cert': string | undefined;
  'tls-key': string | undefined;
  'tls-ca': string | undefined;
  'tls-client-auth': ClientAuth | undefined;
  'plain-port': number | undefined;
  metrics: string | undefined;
  cluster: string | undefined;
  'cluster-prefix': string;
  'node-id': string | undefined;
  'cluster-lease': number;
}

type Args = ArgumentsCamelCase<ServeArgs>;

/** The farewell `relaykit serve` sends every client when stopped with Ctrl-C or SIGTERM. */
export const SERVE_FAREWELL = 'Server shutting down, goodbye';

function checkArgs(argv: Args): string | null {
  const minTimeout = MIN_HEARTBEAT_TIMEOUT_MS / 1000;
  if (!(argv.heartbeatTimeout >= minTimeout)) {
    return `--heartbeat-timeout must be at least ${minTimeout} seconds (the protocol forbids shorter), got ${argv.heartbeatTimeout}`;
  }
  if (!(argv.registrationTimeout > 0)) {
    return `--registration-timeout must be a positive number of seconds, got ${argv.registrationTimeout}`;
  }
  if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65_535) {
    return `--port must be an integer from 0 to 65535, got ${argv.port}`;
  }
  for (const [flag, value] of [
    ['--max-users', argv.maxUsers],
    ['--max-rooms', argv.maxRooms],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      return `${flag} must be a whole number of at least 1, got ${value}`;
    }
  }
  const plain = argv.plainPort;
  if (plain !== undefined && !(Number.isInteger(plain) && plain >= 0 && plain <= 65_535)) {
    return `--plain-port must be an integer from 0 to 65535, got ${plain}`;
  }
  if (plain !== undefined && argv.tlsCert === undefined) {
    return '--plain-port adds a plaintext listener beside a TLS one: give --tls-cert and --tls-key too';
  }
  if (argv.metrics !== undefined) {
    const at = parseMetricsAddress(argv.metrics);
    if ('error' in at) return `--metrics wants host:port for its HTTP endpoint: ${at.error}`;
  }
  if (argv.cluster !== undefined && !/^rediss?:\/\/[^/]/.test(argv.cluster)) {
    return `--cluster wants a Redis URL such as redis://127.0.0.1:6379 (or redis://host:port/db), got '${argv.cluster}'`;
  }
  if (argv.cluster === undefined && argv.nodeId !== undefined) {
    return '--node-id names this node in a cluster: give --cluster redis://host:port too';
  }
  if (!(argv.clusterLease >= 0.1)) {
    return `--cluster-lease must be at least 0.1 seconds, got ${argv.clusterLease}`;
  }
  if (!(Number.isInteger(argv.maxOutputBytes) && argv.maxOutputBytes >= 1024)) {
    return `--max-output-bytes must be a whole number of at least 1024, got ${argv.maxOutputBytes}`;
  }
  return null;
}

/**
 * Runs the server until `ctx.signal` aborts (Ctrl-C / SIGTERM), then sends every client
 * SERVER_DEPARTS, waits (bounded) for the flush and resolves with exit code 0.
 */
export async function runServe(argv: Args, ctx: CommandContext): Promise<number> {
  const problem = checkArgs(argv);
  if (problem !== null) {
    ctx.output.error(problem);
    return ExitCode.USAGE;
  }
  const level: LogLevel = argv.logLevel;
  const logger = createLogger({ level, json: argv.jsonLogs, stream: ctx.output.stderr });
  const tlsFiles: ServerTlsFiles = {
    cert: argv.tlsCert,
    key: argv.tlsKey,
    ca: argv.tlsCa,
    clientAuth: argv.tlsClientAuth,
  };
  let tls: ServerOptions['tls'] | null;
  try {
    tls = readServerTls(tlsFiles);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    ctx.output.error(err.message);
    return err.exitCode;
  }
  const options: ServerOptions = {
    host: argv.host,
    port: argv.port,
    heartbeatTimeoutMs: Math.round(argv.heartbeatTimeout * 1000),
    registrationTimeoutMs: Math.round(argv.registrationTimeout * 1000),
    allowOutsidePosts: argv.allowOutsidePosts,
    maxOutputBytes: argv.maxOutputBytes,
    logger,
    ...(argv.maxUsers === undefined ? {} : { maxUsers: argv.maxUsers }),
    ...(argv.maxRooms === undefined ? {} : { maxRooms: argv.maxRooms }),
    ...(tls === null ? {} : { tls }),
    ...(argv.plainPort === undefined ? {} : { plainPort: argv.plainPort }),
    ...(argv.metrics === undefined
      ? {}
      : { metrics: parseMetricsAddress(argv.metrics) as { host: string; port: number } }),
    ...(argv.cluster === undefined
      ? {}
      : {
          cluster: {
            url: argv.cluster,
            prefix: argv.clusterPrefix,
            leaseMs: Math.round(argv.clusterLease * 1000),
            ...(argv.nodeId === undefined ? {} : { nodeId: argv.nodeId }),
          },
        }),
  };
  let server: ReturnType<typeof createServer>;
  try {
    server = createServer(options);
    await server.listen();
  } catch (err) {
    ctx.output.error(err instanceof Error ? err.message : String(err));
    return ExitCode.USAGE;
  }
  // SIGHUP re-reads the certificate files: renewals take effect for new connections, and
  // nobody connected is dropped. Bad files are logged and the old ones kept. Without TLS it
  // is still caught: its default action would end the server (systemctl reload sends it), and
  // systemd counts a SIGHUP death as clean, so Restart=on-failure would not bring it back.
  const stopReloading = reopenOnHangup(
    () => {
      if (tls === null) {
        logger.info('SIGHUP: no TLS certificate to re-read (no --tls-cert); still serving');
        return;
      }
      const next = readServerTls(tlsFiles);
      if (next !== null) server.reloadTls(next);
    },
    (err) =>
      logger.error('TLS reload failed; still serving the previous certificate', {
        reason: err instanceof Error ? err.message : String(err),
      }),
  );
  await waitForAbort(ctx.signal);
  stopReloading();
  logger.info('stopping', { signal: String(ctx.signal.reason ?? 'abort') });
  await server.close(SERVE_FAREWELL);
  return ExitCode.OK;
}

/**
 * `relaykit serve`: runs the reference relay server in the foreground, logging to stderr.
 */
export const serveCommand: CliCommand<ServeArgs> = {
  command: 'serve',
  describe: 'Run a relay server (logs to stderr; Ctrl-C stops it cleanly)',
  builder: (y0) => {
    const y = hideDialOptions(y0, { tls: false });
    return y
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'Interface to listen on (0.0.0.0 for every interface)',
        requiresArg: true,
      })
      .option('port', {
        type: 'number',
        default: DEFAULT_PORT,
        describe: 'TCP port (0 picks a free one; the log says which)',
        requiresArg: true,
      })
      .option('max-users', {
        type: 'number',
        describe: 'Most users at once; more get TOO_MANY_USERS (default: unlimited)',
        requiresArg: true,
      })
      .option('max-rooms', {
        type: 'number',
        describe: 'Most rooms at once; creating more gets TOO_MANY_ROOMS (default: unlimited)',
        requiresArg: true,
      })
      .option('heartbeat-timeout', {
        type: 'number',
        default: DEFAULT_HEARTBEAT_TIMEOUT_MS / 1000,
        describe: `Seconds of silence before a client is dropped (at least ${MIN_HEARTBEAT_TIMEOUT_MS / 1000})`,
        requiresArg: true,
      })
      .option('registration-timeout', {
        type: 'number',
        default: DEFAULT_REGISTRATION_TIMEOUT_MS / 1000,
        describe: 'Seconds a new connection has to send NEW_CLIENT',
        requiresArg: true,
      })
      .option('max-output-bytes', {
        type: 'number',
        default: DEFAULT_MAX_OUTPUT_BYTES,
        describe: 'Bytes queued for one client before it is dropped as too slow',
        requiresArg: true,
      })
      .option('allow-outside-posts', {
        type: 'boolean',
        default: false,
        describe: 'Deliver posts to a room from clients that are not in it',
      })
      .option('log-level', {
        choices: LOG_LEVELS,
        default: 'info' as (typeof LOG_LEVELS)[number],
        describe: 'Least severe log lines shown',
      })
      .option('json-logs', {
        type: 'boolean',
        default: false,
        describe: 'One JSON object per log line instead of readable text',
      })
      .option('tls-cert', {
        type: 'string',
        describe: 'Certificate (PEM) that makes the listener TLS; SIGHUP re-reads it',
        requiresArg: true,
      })
      .option('tls-key', {
        type: 'string',
        describe: 'Private key (PEM) of --tls-cert',
        requiresArg: true,
      })
      .option('tls-ca', {
        type: 'string',
        describe: 'CA (PEM) that signs client certificates; asks clients for one',
        requiresArg: true,
      })
      .option('tls-client-auth', {
        choices: CLIENT_AUTH_MODES,
        describe:
          'Client certificates: require, optional or none (default: require with --tls-ca). ' +
          'A client with one may register only as its CN or a SAN',
      })
      .option('plain-port', {
        type: 'number',
        describe: 'Also listen in plaintext on this port, beside TLS (off by default)',
        requiresArg: true,
      })
      .option('metrics', {
        type: 'string',
        describe:
          'Serve Prometheus GET /metrics and GET /healthz over HTTP on host:port (off by default)',
        requiresArg: true,
      })
      .option('cluster', {
        type: 'string',
        describe:
          'Join the nodes sharing this Redis (redis://host:port[/db]) as one relay; see "Scaling out" in the README',
        requiresArg: true,
      })
      .option('cluster-prefix', {
        type: 'string',
        default: 'relaykit',
        describe: 'Key prefix in Redis, so several clusters can share one',
        requiresArg: true,
      })
      .option('node-id', {
        type: 'string',
        describe: "This node's id in the cluster (default: hostname-pid)",
        requiresArg: true,
      })
      .option('cluster-lease', {
        type: 'number',
        default: 8,
        describe: "Seconds after which a silent node's users are removed by the others",
        requiresArg: true,
      })
      .example('$0 serve', 'listen on 127.0.0.1:17734')
      .example(
        '$0 serve --port 17735 --cluster redis://127.0.0.1:6379',
        'one node of a relay spread over every node on that Redis',
      )
      .example('$0 serve --metrics 127.0.0.1:9464', 'and Prometheus metrics on :9464')
      .example(
        '$0 serve --tls-cert certs/server.pem --tls-key certs/server-key.pem',
        'TLS on 17734 (make the files with `relaykit cert --out certs`)',
      )
      .example('$0 serve --host 0.0.0.0 --max-users 500', 'open to the network, 500 users at most')
      .example('$0 serve --port 0 --json-logs 2>server.log', 'any free port, JSON logs to a file')
      .example('$0 serve --log-level debug', 'also log dropped posts and ignored frames');
  },
  run: runServe,
};
