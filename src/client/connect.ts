import { Client } from './client.js';
import { type ConnectOptions, resolveOptions } from './options.js';
import { openFirst } from './open-first.js';

/**
 * Connects to a relay server and registers `name`. With `servers`, it tries each in turn
 * until one accepts (the error then names every server's failure). Resolves with a ready `Client`, or rejects
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
 *
 * // Nodes of one relay: fail over between them.
 * const bot = await connect({ name: 'bot', servers: ['a:17734', 'b:17734'], reconnect: true })
 * bot.on('reconnect', ({ server }) => console.log(`now on ${server.host}:${server.port}`))
 */
export async function connect(options: ConnectOptions): Promise<Client> {
  const opts = resolveOptions(options);
  const { session, index } = await openFirst(opts, options.signal);
  return new Client(session, opts, index);
}
