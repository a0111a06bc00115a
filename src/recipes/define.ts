import type { z } from 'zod';
import type { Client, OfferContext } from '../client/index.js';
import type { Clock } from '../clock.js';
import { RecipeDefinitionError } from './errors.js';
import type { ActionHost, RecipeEvent } from './host.js';
import type { CompiledPattern } from './pattern.js';
import type { RecipePath } from './positions.js';
import type { ServerRef } from './server-ref.js';
import type { TemplatePart } from './template.js';

// The shapes every recipe action and trigger is written in, built-in or plugin. The schema,
// the validation messages, the JSON Schema and the runtime are all derived from lists of
// these, so a new kind is one file.

/** Checks an action's or trigger's compile step may run; each reports at a recipe path. */
export interface CompileContext {
  /** Where the item's value sits in the recipe, e.g. `bots[0].on[1].do[0].post`. */
  readonly path: RecipePath;
  /**
   * Reports a problem: a `RECIPE_*` code, a message saying how to fix it, and the closest
   * valid value when the mistake looks like a typo.
   */
  problem(code: string, message: string, path?: RecipePath, suggestion?: string): void;
  /** Refuses a room or user name the protocol would refuse. */
  name(value: string, what: 'room' | 'user', path?: RecipePath): void;
}

/** What an action's compile step gets besides the checks. */
export interface ActionCompileContext extends CompileContext {
  /** The rule's trigger; undefined when the trigger itself is invalid (already reported). */
  readonly trigger: TriggerDescriptor | undefined;
  /** The recipe's `files_root` (the folder file actions are confined to), if declared. */
  readonly filesRoot: string | undefined;
  /**
   * Parses a template such as `"{from}: {text}"` and checks its fields against the trigger's
   * events, reporting typos with the closest field.
   */
  template(source: string, path?: RecipePath): TemplatePart[];
  /** Parses a server reference (`host:port`, `bundled:N`); the bot connects there too. */
  server(text: string, path?: RecipePath): ServerRef | undefined;
}

/** What an action's run step gets for one event. */
export interface ActionRunContext {
  readonly event: RecipeEvent;
  readonly host: ActionHost;
  /** The name of the trigger that fired (`post`, `offer`, …). */
  readonly trigger: string;
  /** Fills a template (parsed at compile time, or a string parsed now) with the event. */
  render(template: readonly TemplatePart[] | string): string;
}

/** Where an action posts, so the bot joins the room before the first event. */
export interface ActionTarget {
  /** The server (undefined: the bot's own). */
  server?: ServerRef;
  /** The room (undefined: the rooms of the rule's trigger, else the bot's rooms). */
  room?: string;
}

/**
 * One action kind: the YAML key (`name`), the zod schema of its value, the triggers it can
 * serve, how it compiles (checks and parsed templates) and how it runs.
 */
export interface ActionDefinition<Spec = unknown, Plan = Spec> {
  /** The key in a rule's `do` list, e.g. `post`. Lower case letters, digits and `_`. */
  readonly name: string;
  /** The schema of the value under the key; its `.meta({ description })` feeds the JSON Schema. */
  readonly schema: z.ZodType<Spec>;
  /** The triggers it works with; absent: any. */
  readonly triggers?: readonly string[];
  /** Checks the value and prepares it (parse templates once); absent: the value as is. */
  readonly compile?: (spec: Spec, ctx: ActionCompileContext) => Plan | undefined;
  /** Runs it for one event; a throw or rejection is reported and the rule goes on. */
  readonly run: (plan: Plan, ctx: ActionRunContext) => Promise<void> | void;
  /** Where it posts (joined up front, so the first event is not lost). */
  readonly target?: (plan: Plan) => ActionTarget | undefined;
}

/** An action definition of any spec and plan, as lists hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a list holds actions of every spec and plan type
export type ActionDescriptor = ActionDefinition<any, any>;

/** One event a trigger saw, before the bot adds `bot`, `time` and `match.*`. */
export interface TriggerEvent {
  /** Fields for templates and conditions, e.g. `{ room, from, text }`. */
  fields: Record<string, string | number | undefined>;
  /** The trigger's regex match, for `match.*`. */
  match?: RegExpMatchArray | null;
  room?: string;
  from?: string;
  text?: string;
  offer?: OfferContext;
}

/** What a trigger subscribes with. */
export interface TriggerHost {
  /** The bot's own connection. */
  readonly client: Client;
  /** The bot's name. */
  readonly name: string;
  /** Lines of standard input (cleaned, never blank); returns the unsubscribe function. */
  lines(fn: (line: string) => void): () => void;
  /** Timers for the trigger (`every:` uses it): real under `relaykit run`, fake in a kit test. */
  readonly clock: Clock;
}

/** What a trigger's compile step returns. */
export interface CompiledTrigger<Plan> {
  plan: Plan;
  /** One line for `--dry-run`, e.g. `post in lobby matching ^!roll`. */
  summary: string;
  /** The regex, whose groups become `match.*` fields. */
  pattern?: CompiledPattern;
  /** Rooms it is limited to (a relay posts there when it names no room). */
  rooms?: string[];
  /** Senders it is limited to. */
  from?: string[];
}

/** What a trigger's compile step gets besides the checks. */
export interface TriggerCompileContext extends CompileContext {
  /**
   * The rooms the bot joins; undefined when the bot's own keys have problems (a misspelt
   * `rooms`), so checks against them would only repeat that mistake.
   */
  readonly botRooms: readonly string[] | undefined;
  /** Compiles a regex (`src` or `/src/flags`), reporting a bad one. */
  pattern(source: string | undefined, path?: RecipePath): CompiledPattern | undefined;
}

/**
 * One trigger kind: the YAML key, the zod schema of its value, the fields its events offer,
 * how it compiles and how it subscribes on the bot's connection.
 */
export interface TriggerDefinition<Spec = unknown, Plan = Spec> {
  /** The key of a rule, e.g. `post`. Lower case letters, digits and `_`. */
  readonly name: string;
  /** The schema of the value under the key. */
  readonly schema: z.ZodType<Spec>;
  /** Fields its events offer (besides `bot`, `time`, `match.*` and `env.*`). */
  readonly fields: readonly string[];
  /** True when its events happen in a room (`reply` answers there; `post` may omit `room`). */
  readonly inRoom?: boolean;
  /** Checks the value and prepares it; absent: the value as is. */
  readonly compile?: (spec: Spec, ctx: TriggerCompileContext) => CompiledTrigger<Plan> | undefined;
  /** Starts firing `fire` for its events; returns the function that stops it. */
  readonly subscribe: (
    plan: Plan,
    fire: (event: TriggerEvent) => void,
    host: TriggerHost,
  ) => () => void;
}

/** A trigger definition of any spec and plan, as lists hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a list holds triggers of every spec and plan type
export type TriggerDescriptor = TriggerDefinition<any, any>;

const KIND_NAME = /^[a-z][a-z0-9_]*$/;

// Registry symbols, so a definition made by another copy of relaykit (a plugin's project with
// its own install, or source beside a build) is still recognised.
const ACTION = Symbol.for('relaykit.recipe-action');
const TRIGGER = Symbol.for('relaykit.recipe-trigger');

function checkName(what: string, name: unknown): void {
  if (typeof name !== 'string' || !KIND_NAME.test(name)) {
    throw new RecipeDefinitionError(
      `${what} name ${JSON.stringify(name)}: use lower case letters, digits and _ (e.g. send_file)`,
    );
  }
}

// Zod 4 schemas (any copy) carry `_zod`; the recipe schema is built of zod 4 objects, so a
// zod 3 schema or a hand-made validator cannot be composed into it.
function checkSchema(what: string, schema: unknown): void {
  const s = schema as { safeParse?: unknown; _zod?: unknown } | null | undefined;
  if (typeof s?.safeParse !== 'function' || typeof s._zod !== 'object') {
    throw new RecipeDefinitionError(
      `${what}: \`schema\` must be a zod 4 schema, e.g. z.string() with \`import { z } from 'relaykit'\``,
    );
  }
}

/**
 * Declares a recipe action: the same shape the built-in actions use and plugins export.
 * Throws `RecipeDefinitionError` for a malformed definition.
 *
 * @example
 * import { defineAction, z } from 'relaykit'
 *
 * export const shout = defineAction({
 *   name: 'shout',
 *   schema: z.string().meta({ description: 'Post the text in capitals.' }),
 *   triggers: ['post'],
 *   compile: (text, ctx) => ctx.template(text),
 *   run: (text, { event, render }) => event.client.say(event.room!, render(text).toUpperCase()),
 * })
 */
export function defineAction<Spec, Plan = Spec>(
  definition: ActionDefinition<Spec, Plan>,
): ActionDefinition<Spec, Plan> {
  checkName('action', definition?.name);
  checkSchema(`action ${definition.name}`, definition.schema);
  if (typeof definition.run !== 'function') {
    throw new RecipeDefinitionError(`action ${definition.name}: \`run\` must be a function`);
  }
  return Object.freeze({ ...definition, [ACTION]: true });
}

/**
 * Declares a recipe trigger: the same shape the built-in triggers use and plugins export.
 * Throws `RecipeDefinitionError` for a malformed definition.
 *
 * @example
 * import { defineTrigger, z } from 'relaykit'
 *
 * export const tick = defineTrigger({
 *   name: 'tick',
 *   schema: z.null(),
 *   fields: ['count'],
 *   // `clock`, not the global timers, so a kit test with time: 'fake' can advance it
 *   subscribe: (_plan, fire, { clock }) => {
 *     let count = 0
 *     const t = clock.setInterval(() => fire({ fields: { count: ++count } }), 1000)
 *     return () => clock.clearInterval(t)
 *   },
 * })
 */
export function defineTrigger<Spec, Plan = Spec>(
  definition: TriggerDefinition<Spec, Plan>,
): TriggerDefinition<Spec, Plan> {
  checkName('trigger', definition?.name);
  checkSchema(`trigger ${definition.name}`, definition.schema);
  if (!Array.isArray(definition.fields) || definition.fields.some((f) => typeof f !== 'string')) {
    throw new RecipeDefinitionError(
      `trigger ${definition.name}: \`fields\` must list the fields its events offer, e.g. ['room', 'from', 'text']`,
    );
  }
  if (typeof definition.subscribe !== 'function') {
    throw new RecipeDefinitionError(`trigger ${definition.name}: \`subscribe\` must be a function`);
  }
  return Object.freeze({ ...definition, fields: [...definition.fields], [TRIGGER]: true });
}

/** True for a value `defineAction` returned (by this or another copy of relaykit). */
export function isActionDefinition(value: unknown): value is ActionDescriptor {
  return typeof value === 'object' && value !== null && ACTION in value;
}

/** True for a value `defineTrigger` returned (by this or another copy of relaykit). */
export function isTriggerDefinition(value: unknown): value is TriggerDescriptor {
  return typeof value === 'object' && value !== null && TRIGGER in value;
}
