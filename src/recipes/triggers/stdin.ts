import { z } from 'zod';
import { defineTrigger } from '../define.js';
import { pattern } from '../schema-parts.js';
import { compileFilters } from './filters.js';

/**
 * `stdin`: a line of standard input, cleaned as `relaykit say` cleans it; blank lines never
 * arrive. When input ends and every rule is a `stdin` or `start` rule, the run ends.
 */
export const stdinTrigger = defineTrigger({
  name: 'stdin',
  schema: z
    .strictObject({ match: pattern.optional() })
    .nullable()
    .meta({ description: 'A line read from standard input.' }),
  fields: ['text'],
  compile: (spec, ctx) => compileFilters('stdin', spec, ctx),
  subscribe: (plan, fire, host) =>
    host.lines((line) => {
      let match: RegExpExecArray | null = null;
      if (plan.match) {
        match = plan.match.exec(line);
        if (!match) return;
      }
      fire({ fields: { text: line }, match, text: line });
    }),
});

/** Rules of these triggers run out when input does: the run then ends. */
export const INPUT_TRIGGERS: readonly string[] = ['stdin', 'start'];
