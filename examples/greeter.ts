import { defineBot } from 'relaykit';

/**
 * A bot module: `relaykit run examples/greeter.ts` connects it, joins lobby, runs `setup`,
 * and on Ctrl-C runs the cleanup it returned, then departs. test/e2e/bot-modules.test.ts runs
 * the same lifecycle through the CLI.
 */
export default defineBot({
  name: 'greeter',
  rooms: ['lobby'],
  setup(client, { log }) {
    client.onPost({ room: 'lobby', match: /^!hi$/ }, (ctx) => ctx.reply(`hi ${ctx.from}`));
    return () => log('bye');
  },
});
