import { z } from 'zod';
import { SIZE_FORMS, SIZE_PATTERN } from '../size.js';
import { DURATION_PATTERN } from './duration.js';

// The recipe format, as zod schemas. Objects are strict so a typo is an error (with a
// suggestion) instead of a silently ignored key. Nothing here transforms values: the same
// schemas export to JSON Schema (`npm run schema`) for editor autocompletion, and the
// semantic checks (check.ts) interpret durations, sizes, regexes and templates afterwards.

const text = (description: string) => z.string({ error: 'expected text' }).meta({ description });

const oneOrMany = (description: string) =>
  z
    .union([z.string(), z.array(z.string()).min(1)], {
      error: 'expected a name or a list of names',
    })
    .meta({ description });

const pattern = z.string({ error: 'expected a regular expression' }).meta({
  description:
    'Regular expression (JavaScript syntax). Named groups become {match.name}. Write /re/flags for flags, e.g. /^hi/i.',
});

const duration = z
  .string({ error: 'expected a duration such as "30s" or "5m"' })
  .regex(DURATION_PATTERN, { error: 'expected a duration such as "30s", "5m" or "1h30m"' })
  .meta({ description: 'Interval: a number with ms, s, m or h, e.g. "30s", "5m", "1h30m".' });

const SIZE_ERROR = `expected a size: ${SIZE_FORMS}`;
const size = z
  .union(
    [
      z.number().int({ error: SIZE_ERROR }).nonnegative({ error: SIZE_ERROR }),
      z.string().regex(SIZE_PATTERN, { error: SIZE_ERROR }),
    ],
    { error: SIZE_ERROR },
  )
  .meta({
    description:
      'Bytes, or a size with a unit: kB, MB, GB are ×1000 ("10MB" = 10,000,000); KiB, MiB, GiB and the shorthand K, M, G are ×1024 ("10M" = 10,485,760).',
  });

/** Filters of the `post` trigger. */
const postTrigger = z
  .strictObject({
    room: oneOrMany('Only posts in this room (or these rooms).').optional(),
    from: oneOrMany('Only posts from this user (or these users).').optional(),
    match: pattern.optional(),
  })
  .nullable()
  .meta({ description: 'A message posted in one of the bot’s rooms.' });

const directTrigger = z
  .strictObject({
    from: oneOrMany('Only direct messages from this user (or these users).').optional(),
    match: pattern.optional(),
  })
  .nullable()
  .meta({ description: 'A direct message to the bot.' });

const offerTrigger = z
  .strictObject({
    from: oneOrMany('Only offers from this user (or these users).').optional(),
    match: pattern.optional().meta({ description: 'Regular expression on the file name.' }),
  })
  .nullable()
  .meta({ description: 'A file offered to the bot; answer it with `accept` or `reject`.' });

const presenceTrigger = (what: string) =>
  z
    .strictObject({
      room: oneOrMany('Only this room (or these rooms).').optional(),
      from: oneOrMany('Only this user (or these users).').optional(),
    })
    .nullable()
    .meta({ description: `A user ${what} one of the bot’s rooms (from the room’s listings).` });

const stdinTrigger = z
  .strictObject({ match: pattern.optional() })
  .nullable()
  .meta({ description: 'A line read from standard input.' });

const startTrigger = z
  .strictObject({})
  .nullable()
  .meta({ description: 'Once, when the bot has connected and joined its rooms.' });

/** Trigger keys a rule may have; each rule has exactly one. */
export const TRIGGER_KEYS = [
  'post',
  'direct',
  'offer',
  'join',
  'leave',
  'every',
  'start',
  'stdin',
] as const;
/** The name of a trigger. */
export type TriggerKind = (typeof TRIGGER_KEYS)[number];

const testObject = z
  .strictObject({
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    not: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).optional(),
    contains: z.string().optional(),
    matches: pattern.optional(),
    gt: z.number().optional(),
    lt: z.number().optional(),
  })
  .meta({ description: 'Tests on one field; all must hold.' });

const test = z
  .union([z.string(), z.number(), z.boolean(), testObject], {
    error: 'expected a value or a test such as { not: "bob" }',
  })
  .meta({ description: 'A value (the field must equal it) or an object of tests.' });

/** A rule's condition: every field's test must hold. */
const condition = z.record(z.string(), test).meta({
  description:
    'Conditions on the event, all of which must hold, e.g. { from: { not: "bob" }, "match.n": { gt: 3 } }.',
});

/** Operator keys a test object accepts. */
export const TEST_KEYS = ['equals', 'not', 'in', 'contains', 'matches', 'gt', 'lt'] as const;

const postAction = z
  .strictObject({
    room: oneOrMany('Room (or rooms) to post in; defaults to the event’s room.').optional(),
    text: text('Message template, e.g. "{from} said {text}".'),
  })
  .meta({ description: 'Post a message in a room.' });

const directAction = z
  .strictObject({
    to: text('Recipient (a template, e.g. "{from}").'),
    text: text('Message template.'),
  })
  .meta({ description: 'Send a direct message.' });

const archiveAction = z
  .strictObject({
    dir: text('Directory the archive files go to (created if needed).'),
  })
  .nullable()
  .meta({ description: 'Append the event to the archive (the archiver bot’s writer).' });

const acceptAction = z
  .strictObject({
    dir: text('Directory the file is saved in (created if needed).'),
    maxSize: size.optional(),
    name: text('File name template, e.g. "{from}-{fileName}"; default {fileName}.').optional(),
    conflict: z
      .enum(['rename', 'overwrite', 'fail'], {
        error: 'expected rename, overwrite or fail',
      })
      .optional()
      .meta({ description: 'When the file exists: rename (default), overwrite or fail.' }),
  })
  .meta({ description: 'Accept the offered file into a directory.' });

const relayAction = z
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
  });

/** Action keys; each action item has exactly one. */
export const ACTION_KEYS = [
  'reply',
  'post',
  'direct',
  'broadcast',
  'archive',
  'accept',
  'reject',
  'relay',
  'log',
] as const;
/** The name of an action. */
export type ActionKind = (typeof ACTION_KEYS)[number];

const exactlyOne =
  (keys: readonly string[], what: string) =>
  (value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>) => {
    const present = keys.filter((k) => value[k] !== undefined);
    if (present.length === 1) return;
    const list = keys.map((k) => `\`${k}\``).join(', ');
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? `needs one ${what}: ${list}`
          : `has ${present.length} ${what}s (${present.map((k) => `\`${k}\``).join(', ')}); give each its own item`,
      params: { recipe: present.length === 0 ? 'missing-one' : 'more-than-one' },
    });
  };

/** One step of a rule's `do` list. */
export const actionSchema = z
  .strictObject({
    reply: text(
      'Answer the event: in its room for posts and joins, directly otherwise.',
    ).optional(),
    post: postAction.optional(),
    direct: directAction.optional(),
    broadcast: text('Broadcast a message to every user (template).').optional(),
    archive: archiveAction.optional(),
    accept: acceptAction.optional(),
    reject: z
      .strictObject({})
      .nullable()
      .optional()
      .meta({ description: 'Reject the offered file.' }),
    relay: relayAction.optional(),
    log: text('Print a line on standard output (template).').optional(),
  })
  .superRefine(exactlyOne(ACTION_KEYS, 'action'));

/** A trigger, an optional condition and the actions it runs. */
export const ruleSchema = z
  .strictObject({
    post: postTrigger.optional(),
    direct: directTrigger.optional(),
    offer: offerTrigger.optional(),
    join: presenceTrigger('joined').optional(),
    leave: presenceTrigger('left').optional(),
    every: duration.optional(),
    start: startTrigger.optional(),
    stdin: stdinTrigger.optional(),
    if: condition.optional(),
    do: z.array(actionSchema).min(1, { error: 'needs at least one action' }).meta({
      description: 'Actions to run, in order.',
    }),
  })
  .superRefine(exactlyOne(TRIGGER_KEYS, 'trigger'));

const serverRef = text(
  'Server: "host:port", "bundled" (the in-process server) or "bundled:N" (another in-process server). Default: --server, else bundled.',
);

/** One bot: a name on a server, the rooms it joins and its rules. */
export const botSchema = z.strictObject({
  name: text('The bot’s user name (1 to 32 characters, no spaces).'),
  server: serverRef.optional(),
  rooms: z
    .array(z.string(), { error: 'expected a list of room names' })
    .optional()
    .meta({ description: 'Rooms to join on start.' }),
  farewell: text('Farewell sent when the bot departs.').optional(),
  on: z
    .array(ruleSchema, { error: 'expected a list of rules' })
    .min(1, { error: 'needs at least one rule' })
    .meta({ description: 'Rules: a trigger, an optional `if`, and `do` actions.' }),
});

/** A recipe file: one or more bots. */
export const recipeSchema = z
  .strictObject({
    version: z
      .literal(1, { error: 'the only recipe version is 1' })
      .optional()
      .meta({ description: 'Recipe format version (1).' }),
    server: serverRef.optional(),
    bots: z
      .array(botSchema, { error: 'expected a list of bots' })
      .min(1, { error: 'needs at least one bot' }),
  })
  .meta({
    title: 'relaykit recipe',
    description: 'Bots for `relaykit run`: each joins rooms and reacts to triggers with actions.',
  });

/** A recipe as written, after schema validation. */
export type Recipe = z.infer<typeof recipeSchema>;
/** One bot of a recipe. */
export type BotSpec = z.infer<typeof botSchema>;
/** One rule of a bot. */
export type RuleSpec = z.infer<typeof ruleSchema>;
/** One action of a rule. */
export type ActionSpec = z.infer<typeof actionSchema>;
/** A test in an `if` condition. */
export type TestSpec = z.infer<typeof test>;

/**
 * The recipe format as a JSON Schema (draft-07), for editors: put
 * `# yaml-language-server: $schema=<path>/schema/recipe.schema.json` atop a recipe.
 */
export function recipeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(recipeSchema, { target: 'draft-7', io: 'input' }) as Record<
    string,
    unknown
  >;
}
