import type { Client } from '../src/index.js';
import { type BotHandle, nameFilter } from './types.js';

/** Options of `echoBot`. */
export interface EchoBotOptions {
  /** Rooms to join and echo in; default: whatever rooms the client is in. */
  rooms?: readonly string[];
  /** Put before every echoed text (default `'echo: '`). */
  prefix?: string;
  /** Also answer direct messages (default true). */
  direct?: boolean;
  /** Called when a reply fails; default: the failure is dropped. */
  onError?: (error: unknown) => void;
}

/**
 * Echoes every post in its rooms (and every direct message) back with a prefix. It never
 * answers itself, nor text that already starts with the prefix, so two echo bots in one room
 * do not loop.
 *
 * @example
 * const client = await connect({ name: 'echo' })
 * const bot = await echoBot(client, { rooms: ['lobby'] })   // "hi" → "echo: hi"
 * await bot.stop()
 */
export async function echoBot(client: Client, options: EchoBotOptions = {}): Promise<BotHandle> {
  const prefix = options.prefix ?? 'echo: ';
  const onError = options.onError ?? (() => {});
  const inRoom = options.rooms === undefined ? () => true : nameFilter(options.rooms);
  for (const room of options.rooms ?? []) await client.join(room);
  const echoes = (from: string, text: string): boolean =>
    from !== client.name && !(prefix !== '' && text.startsWith(prefix));
  const offs = [
    client.onPost((ctx) => {
      if (!inRoom(ctx.room) || !echoes(ctx.from, ctx.text)) return;
      ctx.reply(`${prefix}${ctx.text}`).catch(onError);
    }),
  ];
  if (options.direct ?? true) {
    offs.push(
      client.onDirect((ctx) => {
        if (!echoes(ctx.from, ctx.text)) return;
        ctx.reply(`${prefix}${ctx.text}`).catch(onError);
      }),
    );
  }
  return {
    stop: async () => {
      for (const off of offs.splice(0)) off();
    },
  };
}
