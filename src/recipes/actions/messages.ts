import type { Client } from '../../index.js';
import type { ActionHost, RecipeEvent } from '../host.js';
import type { ActionPlan } from '../plan.js';
import { renderTemplate, type TemplatePart } from '../template.js';

/** Joins `room` first when the client is not in it: servers drop posts from outsiders. */
export async function sayIn(client: Client, room: string, text: string): Promise<void> {
  if (!client.joined.has(room)) await client.join(room);
  await client.say(room, text);
}

async function direct(host: ActionHost, client: Client, to: string, text: string): Promise<void> {
  const { delivered } = await client.direct(to, text);
  if (!delivered) host.report(`${host.botName}: ${to} is offline; the direct message was dropped`);
}

type MessageAction = Extract<
  ActionPlan,
  { kind: 'reply' | 'post' | 'direct' | 'broadcast' | 'log' }
>;

/**
 * Runs the message actions. `reply` answers where the event came from: in its room for
 * posts, joins and leaves; directly to the sender for direct messages and offers.
 */
export async function runMessageAction(
  action: MessageAction,
  event: RecipeEvent,
  host: ActionHost,
): Promise<void> {
  const render = (parts: TemplatePart[]) => renderTemplate(parts, event.vars, host.env);
  const client = event.client;
  switch (action.kind) {
    case 'reply': {
      const text = render(action.text);
      if (event.room !== undefined) return sayIn(client, event.room, text);
      return direct(host, client, event.from!, text);
    }
    case 'post': {
      const text = render(action.text);
      const rooms = action.rooms === 'event' ? [event.room!] : action.rooms.map(render);
      for (const room of rooms) await sayIn(client, room, text);
      return;
    }
    case 'direct':
      return direct(host, client, render(action.to), render(action.text));
    case 'broadcast':
      return client.broadcast(render(action.text));
    case 'log':
      host.log(render(action.text));
      return;
  }
}
