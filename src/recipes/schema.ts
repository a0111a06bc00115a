import { z } from 'zod';
import { BUILTIN_ACTIONS } from './actions/index.js';
import { conditionSchema, type TestSpec } from './conditions.js';
import { fileServerSchema } from './file-server.js';
import type { ActionDescriptor, TriggerDescriptor } from './define.js';
import { text } from './schema-parts.js';
import { BUILTIN_TRIGGERS } from './triggers/index.js';

// The recipe format, as zod schemas built from the lists of action and trigger definitions.
// Objects are strict so a typo is an error (with a suggestion) instead of a silently ignored
// key. Nothing here transforms values: the same schemas export to JSON Schema (`npm run
// schema`) for editors, and the compile step interprets the values afterwards.

/** The action and trigger kinds a recipe may use. */
export interface RecipeKinds {
  readonly actions: readonly ActionDescriptor[];
  readonly triggers: readonly TriggerDescriptor[];
}

/** The built-in kinds. */
export const BUILTIN_KINDS: RecipeKinds = { actions: BUILTIN_ACTIONS, triggers: BUILTIN_TRIGGERS };

/** Trigger keys a rule may have; each rule has exactly one. */
export const TRIGGER_KEYS: readonly string[] = BUILTIN_TRIGGERS.map((t) => t.name);
/** Action keys; each action item has exactly one. */
export const ACTION_KEYS: readonly string[] = BUILTIN_ACTIONS.map((a) => a.name);

/** The name of a trigger (`post`, `every`, …). */
export type TriggerKind = string;
/** The name of an action (`reply`, `accept`, …). */
export type ActionKind = string;

const exactlyOne =
  (keys: readonly string[], what: string) =>
  (value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>) => {
    const present = keys.filter((k) => value[k] !== undefined);
    if (present.length === 1) return;
    const names = keys.map((k) => `\`${k}\``).join(', ');
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? `needs one ${what}: ${names}`
          : `has ${present.length} ${what}s (${present.map((k) => `\`${k}\``).join(', ')}); give each its own item`,
      params: { recipe: present.length === 0 ? 'missing-one' : 'more-than-one' },
    });
  };

const optionalEach = (items: readonly { name: string; schema: z.ZodType }[]) =>
  Object.fromEntries(items.map((item) => [item.name, item.schema.optional()]));

const serverRef = z
  .union(
    [
      z.string(),
      z
        .array(z.string({ error: 'expected a server address, "host:port"' }))
        .min(1, { error: 'needs at least one server' }),
    ],
    { error: 'expected a server ("host:port") or a list of them' },
  )
  .meta({
    description:
      'Server: "host:port", "tls://host:port" (TLS), "bundled" (the in-process server) or "bundled:N" (another in-process server); or a list of "host:port" (nodes of one relay: the bot tries them in turn and fails over between them). Default: --server, else bundled.',
  });

/** TLS files for `tls://` servers; relative paths are from the recipe's folder. */
const tlsSchema = z
  .strictObject({
    ca: text('CA certificate (PEM) to trust for the server.').optional(),
    cert: text('Client certificate (PEM), for servers that ask for one; needs key.').optional(),
    key: text('Private key (PEM) of cert.').optional(),
  })
  .meta({
    description:
      'TLS files for tls:// servers (relative to the recipe’s folder); default: --tls-ca, --tls-cert, --tls-key.',
  });

/** The schemas of one set of kinds: an action item, a rule, a bot and a whole recipe. */
export function recipeSchemasFor(kinds: RecipeKinds) {
  const triggerKeys = kinds.triggers.map((t) => t.name);
  const actionKeys = kinds.actions.map((a) => a.name);
  const action = z
    .strictObject(optionalEach(kinds.actions))
    .superRefine(exactlyOne(actionKeys, 'action'));
  const rule = z
    .strictObject({
      ...optionalEach(kinds.triggers),
      if: conditionSchema.optional(),
      do: z.array(action).min(1, { error: 'needs at least one action' }).meta({
        description: 'Actions to run, in order.',
      }),
    })
    .superRefine(exactlyOne(triggerKeys, 'trigger'));
  const bot = z.strictObject({
    name: text('The bot’s user name (1 to 32 characters, no spaces).'),
    server: serverRef.optional(),
    tls: tlsSchema.optional(),
    rooms: z
      .array(z.string(), { error: 'expected a list of room names' })
      .optional()
      .meta({ description: 'Rooms to join on start.' }),
    farewell: text('Farewell sent when the bot departs.').optional(),
    file_server: fileServerSchema.optional(),
    // Optional here so a file server bot needs no rules; the compile step requires one of the two.
    on: z
      .array(rule, { error: 'expected a list of rules' })
      .min(1, { error: 'needs at least one rule' })
      .optional()
      .meta({ description: 'Rules: a trigger, an optional `if`, and `do` actions.' }),
  });
  const recipe = z
    .strictObject({
      version: z
        .literal(1, { error: 'the only recipe version is 1' })
        .optional()
        .meta({ description: 'Recipe format version (1).' }),
      plugins: z
        .array(z.string({ error: 'expected a module path' }), {
          error: 'expected a list of module paths, e.g. [./my-actions.ts]',
        })
        .optional()
        .meta({
          description:
            'Modules (.ts, .js, .mjs; relative to the recipe’s folder) whose defineAction/defineTrigger exports add actions and triggers to this recipe.',
        }),
      server: serverRef.optional(),
      tls: tlsSchema.optional(),
      files_root: text(
        'The folder `send_file` may send from; its paths may not leave it (`..`, absolute paths and symlinks out are refused).',
      ).optional(),
      bots: z
        .array(bot, { error: 'expected a list of bots' })
        .min(1, { error: 'needs at least one bot' }),
    })
    .meta({
      title: 'relaykit recipe',
      description: 'Bots for `relaykit run`: each joins rooms and reacts to triggers with actions.',
    });
  return { action, rule, bot, recipe };
}

const builtin = recipeSchemasFor(BUILTIN_KINDS);

/** The recipe format with the built-in kinds. */
export const recipeSchema = builtin.recipe;
/** One step of a rule's `do` list. */
export const actionSchema = builtin.action;
/** A trigger, an optional condition and the actions it runs. */
export const ruleSchema = builtin.rule;

/** One action of a rule, as written: one key, the action's name. */
export type ActionSpec = Readonly<Record<string, unknown>>;
/** One rule of a bot, as written: one trigger key, `if` and `do`. */
export type RuleSpec = Readonly<Record<string, unknown>> & {
  if?: Readonly<Record<string, TestSpec>>;
  do: readonly ActionSpec[];
};
/** One bot of a recipe, as written. */
export interface BotSpec {
  name: string;
  server?: string | string[];
  rooms?: string[];
  farewell?: string;
  file_server?: FileServerSpec;
  on?: RuleSpec[];
}
/** A bot's `file_server`, as written. */
export interface FileServerSpec {
  dir: string;
  upload?: boolean;
  max_upload?: string | number;
  quota?: string | number;
  from?: string | string[];
  announce?: string;
}
/** A recipe as written, after schema validation. */
export interface Recipe {
  version?: 1;
  plugins?: string[];
  server?: string | string[];
  files_root?: string;
  bots: BotSpec[];
}
export type { TestSpec };

/**
 * The recipe format as a JSON Schema (draft-07), for editors: put
 * `# yaml-language-server: $schema=<path>/schema/recipe.schema.json` atop a recipe.
 */
export function recipeJsonSchema(kinds: RecipeKinds = BUILTIN_KINDS): Record<string, unknown> {
  const schema = kinds === BUILTIN_KINDS ? recipeSchema : recipeSchemasFor(kinds).recipe;
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
}
