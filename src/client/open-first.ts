import { ConnectError } from './errors.js';
import { openSession } from './open-session.js';
import type { ResolvedConnectOptions } from './options.js';
import type { ClientSession } from './session.js';

// Failures another server cannot fix: the caller gave up, the name or options are wrong, or
// the name is taken (the servers of one list are nodes of one relay, where names are unique
// across nodes).
const FINAL = new Set(['ABORTED', 'ILLEGAL_NAME', 'INVALID_OPTIONS', 'NAME_IN_USE']);

/**
 * Dials `opts.servers` in order until one registers the client; resolves with the session
 * and the index of its server. Each server gets `connectTimeoutMs`. When none accepts, the
 * `ConnectError` has the last server's code and a message naming every server's failure (the
 * errors themselves are its `cause`, an AggregateError); with one server it is that server's
 * error unchanged.
 */
export async function openFirst(
  opts: ResolvedConnectOptions,
  signal?: AbortSignal,
): Promise<{ session: ClientSession; index: number }> {
  const failures: ConnectError[] = [];
  for (const [index, server] of opts.servers.entries()) {
    try {
      return { session: await openSession(opts, server, signal), index };
    } catch (err) {
      if (!(err instanceof ConnectError) || FINAL.has(err.code)) throw err;
      failures.push(err);
    }
  }
  if (failures.length === 1) throw failures[0]!;
  const last = failures.at(-1)!;
  throw new ConnectError(
    last.code,
    `None of the ${failures.length} servers accepted the connection: ${failures
      .map((f, i) => `${i + 1}. ${f.message}`)
      .join('; ')}`,
    {
      cause: new AggregateError(failures, 'every server failed'),
      ...(last.wireCode === undefined ? {} : { wireCode: last.wireCode }),
    },
  );
}
