import { z } from 'zod';
import { defineTrigger } from '../define.js';
import { oneOrMany, pattern } from '../schema-parts.js';
import { compileFilters, sdkFilter } from './filters.js';

/** `post`: a message posted in one of the bot's rooms (never the bot's own). */
export const postTrigger = defineTrigger({
  name: 'post',
  schema: z
    .strictObject({
      room: oneOrMany('Only posts in this room (or these rooms).').optional(),
      from: oneOrMany('Only posts from this user (or these users).').optional(),
      match: pattern.optional(),
    })
    .nullable()
    .meta({ description: 'A message posted in one of the bot’s rooms.' }),
  fields: ['room', 'from', 'text'],
  inRoom: true,
  compile: (spec, ctx) => compileFilters('post', spec, ctx, true),
  subscribe: (plan, fire, { client }) =>
    client.onPost({ ...sdkFilter(plan, ['room', 'from', 'match']), self: false }, (p) =>
      fire({
        fields: { room: p.room, from: p.from, text: p.text },
        match: p.match,
        room: p.room,
        from: p.from,
        text: p.text,
      }),
    ),
});
