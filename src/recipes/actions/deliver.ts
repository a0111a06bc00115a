import type { Client } from '../../client/index.js';
import type { ActionHost } from '../host.js';

/** Joins `room` first when the client is not in it: servers drop posts from outsiders. */
export async function sayIn(client: Client, room: string, text: string): Promise<void> {
  if (!client.joined.has(room)) await client.join(room);
  await client.say(room, text);
}

/** Sends a direct message; an offline recipient is reported, not thrown. */
export async function directTo(
  host: ActionHost,
  client: Client,
  to: string,
  text: string,
): Promise<void> {
  const { delivered } = await client.direct(to, text);
  if (!delivered) host.report(`${host.name}: ${to} is offline; the direct message was dropped`);
}
