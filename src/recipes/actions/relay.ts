import { z } from 'zod';
import { isRelayed, relayTagProblem, relayText } from '../../relay-marker.js';
import { defineAction } from '../define.js';
import type { ServerRef } from '../server-ref.js';
import { text } from '../schema-parts.js';
import type { TemplatePart } from '../template.js';
import { sayIn } from './deliver.js';
import { roomName } from '../../room-notation.js';

interface RelayPlan {
  room?: string;
  server?: ServerRef;
  tag?: TemplatePart[];
}

/**
 * `relay: { room?, server?, tag? }` relays a post as the relay bot does: `[tag] sender: text`
 * (tag: the source room unless given) into the target room on the target server. Loop guard,
 * also the relay bot's: never the bot's own posts and never text that already carries a
 * relay marker, so relays pointing at each other cannot ping-pong.
 */
export const relayAction = defineAction({
  name: 'relay',
  schema: z
    .strictObject({
      room: text('Target room; defaults to the event’s room (useful across servers).').optional(),
      server: text('Target server: host:port, bundled or bundled:N; default the bot’s.').optional(),
      tag: text(
        'Marker put before relayed text, "[tag] sender: text"; default the source room.',
      ).optional(),
    })
    .meta({
      description:
        'Relay the post to another room and/or server (the relay bot’s format). Never relays the bot’s own posts or text that already carries a relay marker.',
    }),
  triggers: ['post'],
  compile: (spec, ctx): RelayPlan => {
    const plan: RelayPlan = {};
    if (spec.tag !== undefined) plan.tag = ctx.template(spec.tag, [...ctx.path, 'tag']);
    if (spec.room !== undefined) {
      plan.room = roomName(spec.room);
      ctx.name(plan.room, 'room', [...ctx.path, 'room']);
    }
    if (spec.server !== undefined) {
      const server = ctx.server(spec.server, [...ctx.path, 'server']);
      if (server) plan.server = server;
    }
    if (spec.room === undefined && spec.server === undefined) {
      ctx.problem('RECIPE_RELAY_TARGET', 'a relay needs a target `room` or `server` (or both)');
    }
    return plan;
  },
  target: (plan) => ({
    ...(plan.server ? { server: plan.server } : {}),
    ...(plan.room ? { room: plan.room } : {}),
  }),
  run: async (plan, { event, host, render }) => {
    const message = event.text ?? '';
    if (event.from === host.name || isRelayed(message)) return;
    const tag = plan.tag ? render(plan.tag) : event.room!;
    const problem = relayTagProblem(tag);
    if (problem !== undefined) {
      host.report(`${host.name}: ${problem}; not relayed`);
      return;
    }
    const target = host.clientFor(plan.server);
    await sayIn(target, plan.room ?? event.room!, relayText(tag, event.from!, message));
  },
});
