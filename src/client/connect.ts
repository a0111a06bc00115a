import { Client } from './client.js';
import { type ConnectOptions, resolveOptions } from './options.js';
import { openSession } from './open-session.js';

/**
 * Connects to a relay server and registers `name`. Resolves with a ready `Client`, or rejects
 * with a `ConnectError` whose `code` says why: `NAME_IN_USE`, `CONNECTION_REFUSED`, `TIMEOUT`,
 * `TOO_MANY_USERS`, ... The first connection is not retried; `reconnect` covers the
 * connections lost afterwards.
 *
 * @example
 * import { connect } from 'relaykit'
 *
 * const client = await connect({ name: 'deploy-bot', port: 17734, reconnect: true })
 * await client.join('ops')
 * await client.say('ops', 'deploy started')
 */
export async function connect(options: ConnectOptions): Promise<Client> {
  const opts = resolveOptions(options);
  const session = await openSession(opts, options.signal);
  return new Client(session, opts);
}
