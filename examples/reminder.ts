import { defineBot } from 'relaykit';

/**
 * A bot with timers: `!remind 10m stretch` in lobby answers "ann: stretch" ten minutes later,
 * and it says how many reminders wait every hour. Its timers come from `clock`, so
 * test/integration/testing/examples.test.ts runs hours of it in milliseconds with
 * `startTestKit({ time: 'fake' })`; its cleanup clears them all.
 */
const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

export default defineBot({
  name: 'reminder',
  rooms: ['lobby'],
  setup(client, { clock }) {
    const waiting = new Set<object>();
    client.onPost({ room: 'lobby', match: /^!remind (\d{1,4})([smh]) (.+)$/ }, (ctx) => {
      const ms = Number(ctx.match[1]) * UNITS[ctx.match[2]!]!;
      const timer = clock.setTimeout(() => {
        waiting.delete(timer);
        void client.say('lobby', `${ctx.from}: ${ctx.match[3]}`);
      }, ms);
      waiting.add(timer);
      return ctx.reply(`ok ${ctx.from}, in ${ctx.match[1]}${ctx.match[2]}`);
    });
    const hourly = clock.setInterval(() => {
      void client.say('lobby', `${waiting.size} reminder(s) waiting`);
    }, UNITS.h!);
    return () => {
      clock.clearInterval(hourly);
      for (const t of waiting) clock.clearTimeout(t);
    };
  },
});
