import { defineAction, defineTrigger, z } from 'relaykit';

/**
 * A recipe plugin: examples/dice.yaml lists it under `plugins:`, and `relaykit run` (and
 * `relaykit validate`) load it before checking the recipe, so `mention:` and `roll:` are
 * validated at line:col like the built-in keys, typos included.
 * test/integration/recipes/plugins.test.ts runs the recipe against a server.
 */

/** Dice notation: 1 to 100 dice of 1 to 1000 sides, e.g. `2d6`. */
function parseDice(text: string): { count: number; sides: number } | undefined {
  const m = /^(\d{1,3})d(\d{1,4})$/.exec(text.trim());
  if (!m) return undefined;
  const count = Number(m[1]);
  const sides = Number(m[2]);
  return count >= 1 && count <= 100 && sides >= 1 && sides <= 1000 ? { count, sides } : undefined;
}

const DICE_HELP = 'expected dice such as "2d6": 1 to 100 dice of 1 to 1000 sides';

/**
 * `mention: { room?, match? }`: a post in one of the bot's rooms that starts with `@<bot>`.
 * Its `text` is what follows the mention; `match` is a regex on that text.
 */
export const mention = defineTrigger({
  name: 'mention',
  schema: z
    .strictObject({
      room: z.string().optional().meta({ description: 'Only mentions in this room.' }),
      match: z.string().optional().meta({ description: 'Regex on the text after the mention.' }),
    })
    .nullable()
    .meta({ description: 'A post that starts with @<bot name>.' }),
  fields: ['room', 'from', 'text'],
  inRoom: true,
  compile: (spec, ctx) => {
    const room = spec?.room;
    if (room !== undefined && ctx.botRooms !== undefined && !ctx.botRooms.includes(room)) {
      ctx.problem(
        'RECIPE_ROOM_NOT_JOINED',
        `the bot never joins \`${room}\`; add it to \`rooms\``,
        [...ctx.path, 'room'],
      );
    }
    const pattern = ctx.pattern(spec?.match);
    return {
      plan: { room, regex: pattern?.regex },
      summary: `mention${room ? ` in ${room}` : ''}${spec?.match ? ` matching ${spec.match}` : ''}`,
      ...(pattern ? { pattern } : {}),
      ...(room ? { rooms: [room] } : {}),
    };
  },
  subscribe: (plan, fire, { client, name }) =>
    client.onPost({ self: false, ...(plan.room ? { room: plan.room } : {}) }, (post) => {
      const prefix = `@${name}`;
      if (post.text !== prefix && !post.text.startsWith(`${prefix} `)) return;
      const text = post.text.slice(prefix.length).trim();
      const match = plan.regex ? text.match(plan.regex) : null;
      if (plan.regex && !match) return;
      fire({
        fields: { room: post.room, from: post.from, text },
        match,
        room: post.room,
        from: post.from,
        text,
      });
    }),
});

/**
 * `roll: { dice, say? }`: rolls `dice` (a template, e.g. `"{match.dice}"`) and answers with
 * the rolls and their sum, in the event's room, or directly to the sender.
 */
export const roll = defineAction({
  name: 'roll',
  schema: z
    .strictObject({
      dice: z.string().meta({ description: 'Dice such as "2d6"; a template.' }),
      say: z.string().optional().meta({ description: 'Text before the result (template).' }),
    })
    .meta({ description: 'Roll dice and post the result.' }),
  triggers: ['post', 'direct', 'mention'],
  compile: (spec, ctx) => {
    // Written-out dice are checked now, at the recipe's line:col; templated ones at run time.
    if (!spec.dice.includes('{') && parseDice(spec.dice) === undefined) {
      ctx.problem('RECIPE_BAD_DICE', DICE_HELP, [...ctx.path, 'dice']);
      return undefined;
    }
    return {
      dice: ctx.template(spec.dice, [...ctx.path, 'dice']),
      say: ctx.template(spec.say ?? '{from} rolled', [...ctx.path, 'say']),
    };
  },
  run: async (plan, { event, render }) => {
    const notation = render(plan.dice);
    const dice = parseDice(notation);
    if (!dice) throw new Error(`${JSON.stringify(notation)}: ${DICE_HELP}`);
    const rolls = Array.from(
      { length: dice.count },
      () => 1 + Math.floor(Math.random() * dice.sides),
    );
    const sum = rolls.reduce((a, b) => a + b, 0);
    const line = `${render(plan.say)} ${notation.trim()}: ${rolls.join(' + ')} = ${sum}`;
    if (event.room !== undefined) await event.client.say(event.room, line);
    else await event.client.direct(event.from!, line);
  },
});
