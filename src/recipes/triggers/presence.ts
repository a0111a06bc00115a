import { z } from 'zod';
import type { Client, MembersEvent } from '../../client/index.js';
import { defineTrigger, type TriggerEvent } from '../define.js';
import { oneOrMany } from '../schema-parts.js';
import { compileFilters, type Filters } from './filters.js';

const presenceSchema = (what: string) =>
  z
    .strictObject({
      room: oneOrMany('Only this room (or these rooms).').optional(),
      from: oneOrMany('Only this user (or these users).').optional(),
    })
    .nullable()
    .meta({ description: `A user ${what} one of the bot’s rooms (from the room’s listings).` });

/**
 * Calls `fn` for each user who joined (or left) one of the client's rooms, computed from the
 * member listings. The first listing of a room (when the bot itself arrives) is the baseline,
 * not a wave of joins; it is taken again after a reconnection. Never the bot itself.
 */
function onPresence(
  client: Client,
  which: 'joined' | 'left',
  plan: Filters,
  fn: (event: TriggerEvent) => void,
): () => void {
  const rooms = plan.rooms && new Set(plan.rooms);
  const from = plan.from && new Set(plan.from);
  // Rooms joined before subscribing already had their first listing.
  const baseline = new Set<string>(client.joined);
  const offs = [
    client.on('members', (m: MembersEvent) => {
      if (!baseline.has(m.room)) {
        if (m.members.includes(client.name)) baseline.add(m.room);
        return;
      }
      if (!m.members.includes(client.name)) {
        baseline.delete(m.room);
        return;
      }
      if (rooms && !rooms.has(m.room)) return;
      for (const name of m[which]) {
        if (name === client.name || (from && !from.has(name))) continue;
        fn({ fields: { room: m.room, from: name }, room: m.room, from: name });
      }
    }),
    client.on('disconnect', () => baseline.clear()),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** `join`: someone joined one of the bot's rooms. */
export const joinTrigger = defineTrigger({
  name: 'join',
  schema: presenceSchema('joined'),
  fields: ['room', 'from'],
  inRoom: true,
  compile: (spec, ctx) => compileFilters('join', spec, ctx, true),
  subscribe: (plan, fire, { client }) => onPresence(client, 'joined', plan, fire),
});

/** `leave`: someone left one of the bot's rooms. */
export const leaveTrigger = defineTrigger({
  name: 'leave',
  schema: presenceSchema('left'),
  fields: ['room', 'from'],
  inRoom: true,
  compile: (spec, ctx) => compileFilters('leave', spec, ctx, true),
  subscribe: (plan, fire, { client }) => onPresence(client, 'left', plan, fire),
});
