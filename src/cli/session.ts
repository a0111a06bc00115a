import { type Client, ConnectError, connect } from '../index.js';
import type { CommandContext } from './command.js';
import { describeFailure } from './failure.js';
import { dialOptions, noServerError, resolveServer, type ServerTarget } from './server-target.js';

/** What `withClient` hands the command body. */
export interface CommandSession {
  readonly client: Client;
  readonly target: ServerTarget;
}

/** Options of `withClient`. */
export interface CommandSessionOptions {
  /** --server; absent starts the bundled server. */
  server: string | undefined;
  /** The name to register (--as). */
  name: string;
  /** Reconnect after a dropped connection (long-running commands). */
  reconnect?: boolean;
  /**
   * A farewell to post in the client's rooms on the way out. Without one the client leaves
   * its rooms before departing, so one-shot commands leave no "bye" behind them.
   */
  farewell?: string;
  /** What the spinner says while connecting (default: "Connecting to … as …"). */
  connecting?: string;
  /**
   * A one-shot command (`say`, `send`, `rooms`, `who`, `online`): without --server it never
   * starts the bundled server, and exits 2 when nothing answers on 127.0.0.1:17734.
   */
  oneShot?: boolean;
}

/**
 * Resolves the server (bundled or --server), connects with a spinner on an interactive stderr,
 * runs `body`, then closes the client and any bundled server, whatever happened. Failures
 * become a one-line message on stderr and an exit code; the result is `body`'s exit code.
 *
 * @example
 * return withClient(ctx, { server: argv.server, name: argv.as }, async ({ client }) => {
 *   console.log(await client.rooms()); return ExitCode.OK
 * })
 */
export async function withClient(
  ctx: CommandContext,
  options: CommandSessionOptions,
  body: (session: CommandSession) => Promise<number>,
): Promise<number> {
  const { output } = ctx;
  let target: ServerTarget | undefined;
  let client: Client | undefined;
  const spinner = output.spinner('Starting…').start();
  try {
    target = await resolveServer({
      server: options.server,
      tls: ctx.tls,
      startBundled: options.oneShot !== true,
      notice: (text) => {
        spinner.stop();
        output.notice(text);
        spinner.start();
      },
    });
    spinner.text = options.connecting ?? `Connecting to ${target.label} as ${options.name}…`;
    client = await dial(target, options, ctx.signal);
    spinner.stop();
    return await body({ client, target });
  } catch (err) {
    spinner.stop();
    const failure = describeFailure(err, {
      name: options.name,
      ...(target ? { server: target.label } : {}),
    });
    output.error(failure.message);
    return failure.exitCode;
  } finally {
    spinner.stop();
    if (client !== undefined && options.farewell === undefined) {
      // The server posts a departing client's farewell to its rooms, and the protocol wants it
      // non-empty; leaving first means the farewell reaches no room.
      for (const room of [...client.joined]) await client.leave(room).catch(() => {});
    }
    await client?.close().catch(() => {});
    await target?.close().catch(() => {});
  }
}

/** Connects to `target`; refused at the implicit default address means no server runs there. */
async function dial(
  target: ServerTarget,
  options: CommandSessionOptions,
  signal: AbortSignal,
): Promise<Client> {
  try {
    return await connect({
      name: options.name,
      ...dialOptions(target),
      ...(target.tlsOptions === undefined ? {} : { tls: target.tlsOptions }),
      reconnect: options.reconnect ?? false,
      signal,
      ...(options.farewell === undefined ? {} : { farewell: options.farewell }),
    });
  } catch (err) {
    if (
      target.implicit === true &&
      err instanceof ConnectError &&
      err.code === 'CONNECTION_REFUSED'
    ) {
      throw noServerError(target.label, err);
    }
    throw err;
  }
}
