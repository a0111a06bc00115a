import { type Client, isRelayed, relayTagProblem, relayText } from '../src/index.js';
import type { BotHandle } from './types.js';

/** One end of a relay: a connected client and a room on its server. */
export interface RelayEnd {
  client: Client;
  room: string;
}

/** Options of `relay`. */
export interface RelayOptions {
  /** Where posts come from. */
  from: RelayEnd;
  /** Where they are posted, as `[tag] sender: text`. */
  to: RelayEnd;
  /** The marker put in front (default: the source room's name). */
  tag?: string;
  /** Called when forwarding fails; default: the failure is dropped. */
  onError?: (error: unknown) => void;
}

/**
 * Copies every post in `from.room` to `to.room` as `[tag] sender: text`. One direction per
 * call: call it twice, swapping the ends, to bridge both ways. Loop guard: it never forwards
 * posts by either end's own client, nor text that already carries a relay marker.
 *
 * @example
 * const a = await connect({ name: 'bridge', host: 'a.example' })
 * const b = await connect({ name: 'bridge', host: 'b.example' })
 * const r = await relay({ from: { client: a, room: 'ops' }, to: { client: b, room: 'ops' }, tag: 'ops@a' })
 * await r.stop()
 */
export async function relay(options: RelayOptions): Promise<BotHandle> {
  const { from, to } = options;
  const tag = options.tag ?? from.room;
  const problem = relayTagProblem(tag);
  if (problem !== undefined) throw new RangeError(problem);
  const onError = options.onError ?? (() => {});
  await from.client.join(from.room);
  await to.client.join(to.room);
  const own = new Set([from.client.name, to.client.name]);
  const off = from.client.onPost({ room: from.room }, (ctx) => {
    if (own.has(ctx.from) || isRelayed(ctx.text)) return;
    to.client.say(to.room, relayText(tag, ctx.from, ctx.text)).catch(onError);
  });
  return {
    stop: async () => {
      off();
    },
  };
}
