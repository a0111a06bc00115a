import { z } from 'zod';
import { defineAction } from '../define.js';
import { an, list, oneOrMany, text } from '../schema-parts.js';
import type { TemplatePart } from '../template.js';
import { sayIn } from './deliver.js';
import { roomName } from '../../room-notation.js';

/** `post: { room?, text }`: posts in a room or rooms (default: the event's), joining first. */
export const postAction = defineAction({
  name: 'post',
  schema: z
    .strictObject({
      room: oneOrMany('Room (or rooms) to post in; defaults to the event’s room.').optional(),
      text: text('Message template, e.g. "{from} said {text}".'),
    })
    .meta({ description: 'Post a message in a room.' }),
  compile: (spec, ctx) => {
    const rooms = list(spec.room);
    if (!rooms && ctx.trigger && !ctx.trigger.inRoom) {
      ctx.problem(
        'RECIPE_MISSING_KEY',
        `missing required key \`room\`: ${an(ctx.trigger.name)} event has no room`,
      );
    }
    const roomPath = (i: number) =>
      Array.isArray(spec.room) ? [...ctx.path, 'room', i] : [...ctx.path, 'room'];
    return {
      rooms: rooms
        ? rooms.map((r, i) => ctx.template(roomName(r), roomPath(i)))
        : ('event' as const),
      text: ctx.template(spec.text, [...ctx.path, 'text']),
    };
  },
  run: async (plan: { rooms: TemplatePart[][] | 'event'; text: TemplatePart[] }, ctx) => {
    const message = ctx.render(plan.text);
    const rooms = plan.rooms === 'event' ? [ctx.event.room!] : plan.rooms.map(ctx.render);
    for (const room of rooms) await sayIn(ctx.event.client, room, message);
  },
});
