import { formatAddress } from '../address.js';
import type { Client } from '../index.js';
import type { CommandContext } from './command.js';
import { ExitCode } from './exit-codes.js';

/**
 * Waits until Ctrl-C/SIGTERM (then resolves `OK`: stopping a long-running command is
 * success) or until the client is finished for good (lost connection, reconnection given up,
 * server gone: resolves `CONNECTION` after saying so on stderr). While it waits, reconnection
 * attempts are reported on stderr, naming the server lost and the one reached (with a
 * --server list they differ). `server` names what was dialled, for the final failure.
 */
export function untilStopped(ctx: CommandContext, client: Client, server: string): Promise<number> {
  const { output, signal } = ctx;
  return new Promise<number>((resolve) => {
    const offs: (() => void)[] = [];
    const done = (code: number): void => {
      for (const off of offs.splice(0)) off();
      signal.removeEventListener('abort', onAbort);
      resolve(code);
    };
    const onAbort = (): void => done(ExitCode.OK);
    if (signal.aborted) return done(ExitCode.OK);
    signal.addEventListener('abort', onAbort, { once: true });
    offs.push(
      reportReconnects(ctx, client),
      client.on('close', ({ reason, error }) => {
        if (reason === 'closed') return done(ExitCode.OK);
        output.error(
          `Lost the connection to ${server}${error ? `: ${error.message}` : ''}. Run the command again once the server is back.`,
        );
        done(ExitCode.CONNECTION);
      }),
    );
  });
}

/**
 * Says on stderr when the client loses its server and when it reaches one again (with a
 * --server list they may differ), so a command that seems stuck says why. Returns the
 * function that stops reporting.
 *
 * @example
 * const off = reportReconnects(ctx, client) // lost 127.0.0.1:17734 (…); reconnecting…
 */
export function reportReconnects(ctx: CommandContext, client: Client): () => void {
  const offs = [
    client.on('disconnect', ({ reason, farewell, willReconnect }) => {
      const why = farewell ? `${reason}: "${farewell}"` : reason;
      if (willReconnect) {
        ctx.output.notice(`lost ${formatAddress(client.server)} (${why}); reconnecting…`);
      }
    }),
    client.on('reconnect', ({ attempt, server: now }) => {
      ctx.output.notice(`reconnected to ${formatAddress(now)} after ${attempt} attempt(s)`);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
