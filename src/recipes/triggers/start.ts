import { z } from 'zod';
import { defineTrigger } from '../define.js';

/** `start`: once, when every bot has connected and joined its rooms. */
export const startTrigger = defineTrigger({
  name: 'start',
  schema: z
    .strictObject({})
    .nullable()
    .meta({ description: 'Once, when the bot has connected and joined its rooms.' }),
  fields: [],
  compile: () => ({ plan: {}, summary: 'start' }),
  subscribe: (_plan, fire) => {
    fire({ fields: {} });
    return () => {};
  },
});
