import { z } from 'zod';
import { defineTrigger } from '../define.js';
import { oneOrMany, pattern } from '../schema-parts.js';
import { compileFilters, sdkFilter } from './filters.js';

/** `direct`: a direct message to the bot. */
export const directTrigger = defineTrigger({
  name: 'direct',
  schema: z
    .strictObject({
      from: oneOrMany('Only direct messages from this user (or these users).').optional(),
      match: pattern.optional(),
    })
    .nullable()
    .meta({ description: 'A direct message to the bot.' }),
  fields: ['from', 'text'],
  compile: (spec, ctx) => compileFilters('direct', spec, ctx),
  subscribe: (plan, fire, { client }) =>
    client.onDirect(sdkFilter(plan, ['from', 'match']), (d) =>
      fire({ fields: { from: d.from, text: d.text }, match: d.match, from: d.from, text: d.text }),
    ),
});
