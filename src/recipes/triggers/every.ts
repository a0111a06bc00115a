import { defineTrigger } from '../define.js';
import { MIN_INTERVAL_MS, parseDuration } from '../duration.js';
import { duration } from '../schema-parts.js';

/** `every: 30s`: fires once per interval, with `count` (1, 2, …). */
export const everyTrigger = defineTrigger({
  name: 'every',
  schema: duration,
  fields: ['count'],
  compile: (spec, ctx) => {
    const ms = parseDuration(spec);
    if (ms === undefined || ms < MIN_INTERVAL_MS) {
      ctx.problem('RECIPE_BAD_INTERVAL', `the interval must be at least ${MIN_INTERVAL_MS}ms`);
      return undefined;
    }
    return { plan: { intervalMs: ms }, summary: `every ${spec}` };
  },
  subscribe: (plan: { intervalMs: number }, fire, { clock }) => {
    let count = 0;
    const timer = clock.setInterval(() => {
      count++;
      fire({ fields: { count } });
    }, plan.intervalMs);
    return () => clock.clearInterval(timer);
  },
});
