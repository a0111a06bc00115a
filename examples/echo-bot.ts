import { type Client, connect } from '../src/index.js';

/**
 * The README's "Build a bot in 10 lines", as a function that a test runs against the real
 * server. Start it by hand with `npx tsx examples/echo-bot.ts [port]`.
 *
 * @example
 * const bot = await startEchoBot(17734)
 */
export async function startEchoBot(port = 17734, host = '127.0.0.1'): Promise<Client> {
  // --- README snippet begins ---
  const client = await connect({ name: 'echo-bot', host, port, reconnect: true });
  await client.join('lobby');
  client.onPost({ room: 'lobby', match: /^!echo (.+)/ }, (ctx) => ctx.reply(ctx.match[1]!));
  client.onDirect((ctx) => ctx.reply(`you said: ${ctx.text}`));
  client.on('error', ({ error }) => console.error('handler failed:', error.message));
  // --- README snippet ends ---
  return client;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1])) {
  const bot = await startEchoBot(Number(process.argv[2] ?? 17734));
  process.once('SIGINT', () => void bot.close('echo-bot out'));
}
