import { isValidName, validateFarewell } from '../protocol/index.js';
import { compileCondition } from './conditions.js';
import { parseSize, SIZE_FORMS } from '../size.js';
import { MIN_INTERVAL_MS, parseDuration } from './duration.js';
import { availableFields, fieldProblem } from './fields.js';
import { type CompiledPattern, compilePattern } from './pattern.js';
import type {
  ActionPlan,
  BotPlan,
  PlannedAction,
  RecipePlan,
  RulePlan,
  TriggerPlan,
} from './plan.js';
import type { RecipePath } from './positions.js';
import type { ActionSpec, BotSpec, Recipe, RuleSpec, TriggerKind } from './schema.js';
import { ACTION_KEYS, TRIGGER_KEYS } from './schema.js';
import { parseServerRef, type ServerRef } from './server-ref.js';
import { suggest } from './suggest.js';
import { parseTemplate, type TemplatePart } from './template.js';

export type { RecipePlan } from './plan.js';

/** A semantic problem found after the schema passed. */
export interface RecipeIssue {
  code: string;
  message: string;
  path: RecipePath;
  at?: 'key' | 'value';
  suggestion?: string;
}

/** Options of `compileRecipe`. */
export interface CompileOptions {
  /** When given, `{env.X}` placeholders must name a variable set here. */
  env?: Readonly<Record<string, string | undefined>>;
}

// Which triggers each action can serve; `undefined` means any.
const ACTION_TRIGGERS: Partial<Record<ActionPlan['kind'], readonly TriggerKind[]>> = {
  reply: ['post', 'direct', 'offer', 'join', 'leave'],
  accept: ['offer'],
  reject: ['offer'],
  relay: ['post'],
  archive: ['post', 'join', 'leave'],
};

const ROOM_TRIGGERS: readonly TriggerKind[] = ['post', 'join', 'leave'];

const an = (word: string) => (/^[aeiou]/.test(word) ? `an \`${word}\`` : `a \`${word}\``);

const list = (v: string | string[] | undefined) =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

class Compiler {
  readonly issues: RecipeIssue[] = [];
  readonly #env: CompileOptions['env'];

  constructor(options: CompileOptions) {
    this.#env = options.env;
  }

  issue(code: string, message: string, path: RecipePath, suggestion?: string): void {
    this.issues.push(
      suggestion === undefined ? { code, message, path } : { code, message, path, suggestion },
    );
  }

  server(text: string, path: RecipePath): ServerRef | undefined {
    const ref = parseServerRef(text);
    if ('error' in ref) {
      this.issue('RECIPE_BAD_SERVER', `\`${text}\`: ${ref.error}`, path);
      return undefined;
    }
    return ref;
  }

  name(value: string, what: string, path: RecipePath): void {
    if (!isValidName(value)) {
      this.issue(
        'RECIPE_BAD_NAME',
        `\`${value}\` is not a valid ${what} name: 1 to 32 characters, no spaces or control characters`,
        path,
      );
    }
  }

  pattern(source: string | undefined, path: RecipePath): CompiledPattern | undefined {
    if (source === undefined) return undefined;
    try {
      return compilePattern(source);
    } catch (err) {
      this.issue(
        'RECIPE_BAD_REGEX',
        `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
        path,
      );
      return undefined;
    }
  }

  template(source: string, path: RecipePath, kind: TriggerKind, fields: string[]): TemplatePart[] {
    const { parts, problems } = parseTemplate(source);
    for (const p of problems) this.issue('RECIPE_BAD_TEMPLATE', p.message, path);
    for (const part of parts) {
      if (typeof part === 'string') continue;
      this.field(part.field, path, kind, fields, `\`{${part.field}}\`: `);
    }
    return parts;
  }

  field(field: string, path: RecipePath, kind: TriggerKind, fields: string[], prefix = ''): void {
    const problem = fieldProblem(field, kind, fields);
    if (problem !== undefined) {
      this.issue('RECIPE_UNKNOWN_FIELD', prefix + problem, path, suggest(field, fields));
      return;
    }
    if (field.startsWith('env.') && this.#env && this.#env[field.slice(4)] === undefined) {
      this.issue(
        'RECIPE_ENV_MISSING',
        `${prefix}environment variable ${field.slice(4)} is not set; set it before running`,
        path,
      );
    }
  }

  bot(spec: BotSpec, path: RecipePath, defaultServer: ServerRef | undefined): BotPlan {
    this.name(spec.name, 'bot', [...path, 'name']);
    const rooms = spec.rooms ?? [];
    rooms.forEach((room, i) => {
      this.name(room, 'room', [...path, 'rooms', i]);
    });
    const server =
      spec.server === undefined ? defaultServer : this.server(spec.server, [...path, 'server']);
    const bot: BotPlan = { name: spec.name, rooms, rules: [], extraServers: [] };
    if (server) bot.server = server;
    if (spec.farewell !== undefined) {
      try {
        if (spec.farewell === '') throw new Error('it is empty');
        validateFarewell(spec.farewell);
        bot.farewell = spec.farewell;
      } catch (err) {
        this.issue('RECIPE_BAD_FAREWELL', `not a valid farewell: ${(err as Error).message}`, [
          ...path,
          'farewell',
        ]);
      }
    }
    spec.on.forEach((rule, i) => {
      const plan = this.rule(rule, [...path, 'on', i], bot);
      if (plan) bot.rules.push(plan);
    });
    return bot;
  }

  rule(spec: RuleSpec, path: RecipePath, bot: BotPlan): RulePlan | undefined {
    const kind = TRIGGER_KEYS.find((k) => spec[k] !== undefined)!;
    const trigger = this.trigger(kind, spec, [...path, kind], bot);
    const fields = availableFields(kind, trigger.pattern);
    const plan: RulePlan = { trigger, actions: [], path };
    if (spec.if !== undefined) {
      for (const [field, test] of Object.entries(spec.if)) {
        const at = [...path, 'if', field];
        const before = this.issues.length;
        this.field(field, at, kind, fields);
        // An unknown field is a key problem: point at the key, not its test.
        for (const issue of this.issues.slice(before)) issue.at = 'key';
        if (typeof test === 'object' && test.matches !== undefined)
          this.pattern(test.matches, [...at, 'matches']);
        if (typeof test === 'object' && Object.keys(test).length === 0) {
          this.issue(
            'RECIPE_EMPTY_TEST',
            'an empty test; write one of equals, not, in, contains, matches, gt, lt',
            at,
          );
        }
      }
      try {
        plan.condition = compileCondition(spec.if);
        plan.conditionSummary = JSON.stringify(spec.if);
      } catch {
        // The bad regex was reported above.
      }
    }
    spec.do.forEach((action, i) => {
      const planned = this.action(action, [...path, 'do', i], kind, fields, bot);
      if (planned) plan.actions.push(planned);
    });
    return plan;
  }

  trigger(kind: TriggerKind, spec: RuleSpec, path: RecipePath, bot: BotPlan): TriggerPlan {
    const plan: TriggerPlan = { kind, summary: kind };
    if (kind === 'every') {
      const ms = parseDuration(spec.every!);
      if (ms === undefined || ms < MIN_INTERVAL_MS) {
        this.issue(
          'RECIPE_BAD_INTERVAL',
          `the interval must be at least ${MIN_INTERVAL_MS}ms`,
          path,
        );
      } else plan.intervalMs = ms;
      plan.summary = `every ${spec.every}`;
      return plan;
    }
    const filters = (spec[kind] ?? {}) as {
      room?: string | string[];
      from?: string | string[];
      match?: string;
    };
    const rooms = list(filters.room);
    const from = list(filters.from);
    if (rooms) {
      plan.rooms = rooms;
      rooms.forEach((room, i) => {
        if (!bot.rooms.includes(room)) {
          const at = Array.isArray(filters.room) ? [...path, 'room', i] : [...path, 'room'];
          this.issue(
            'RECIPE_ROOM_NOT_JOINED',
            `the bot never joins \`${room}\`; add it to \`rooms\``,
            at,
            suggest(room, bot.rooms),
          );
        }
      });
    } else if (ROOM_TRIGGERS.includes(kind) && bot.rooms.length === 0) {
      this.issue(
        'RECIPE_NO_ROOMS',
        `a \`${kind}\` trigger needs the bot to join rooms; add \`rooms\` to the bot`,
        path,
      );
    }
    if (from) plan.from = from;
    const pattern = this.pattern(filters.match, [...path, 'match']);
    if (pattern) plan.pattern = pattern;
    const parts: string[] = [kind];
    if (rooms) parts.push(`in ${rooms.join(', ')}`);
    if (from) parts.push(`from ${from.join(', ')}`);
    if (filters.match !== undefined) parts.push(`matching ${filters.match}`);
    plan.summary = parts.join(' ');
    return plan;
  }

  action(
    spec: ActionSpec,
    path: RecipePath,
    kind: TriggerKind,
    fields: string[],
    bot: BotPlan,
  ): PlannedAction | undefined {
    const key = ACTION_KEYS.find((k) => spec[k] !== undefined)!;
    const at = [...path, key];
    const allowed = ACTION_TRIGGERS[key];
    if (allowed && !allowed.includes(kind)) {
      this.issue(
        'RECIPE_ACTION_TRIGGER',
        `\`${key}\` cannot answer ${an(kind)} trigger; it works with ${allowed.map((k) => `\`${k}\``).join(', ')}`,
        at,
      );
      return undefined;
    }
    const t = (source: string, p: RecipePath) => this.template(source, p, kind, fields);
    const plan = this.actionPlan(spec, key, at, kind, t, bot);
    return plan && { ...plan, summary: `${key} ${JSON.stringify(spec[key] ?? null)}`, path };
  }

  actionPlan(
    spec: ActionSpec,
    key: ActionPlan['kind'],
    at: RecipePath,
    kind: TriggerKind,
    t: (source: string, p: RecipePath) => TemplatePart[],
    bot: BotPlan,
  ): ActionPlan | undefined {
    switch (key) {
      case 'reply':
      case 'broadcast':
      case 'log':
        return { kind: key, text: t(spec[key]!, at) };
      case 'post': {
        const post = spec.post!;
        const rooms = list(post.room);
        if (!rooms && !ROOM_TRIGGERS.includes(kind)) {
          this.issue(
            'RECIPE_MISSING_KEY',
            `missing required key \`room\`: ${an(kind)} event has no room`,
            at,
          );
        }
        return {
          kind: 'post',
          rooms: rooms
            ? rooms.map((r, i) =>
                t(r, Array.isArray(post.room) ? [...at, 'room', i] : [...at, 'room']),
              )
            : 'event',
          text: t(post.text, [...at, 'text']),
        };
      }
      case 'direct':
        return {
          kind: 'direct',
          to: t(spec.direct!.to, [...at, 'to']),
          text: t(spec.direct!.text, [...at, 'text']),
        };
      case 'archive':
        return { kind: 'archive', dir: spec.archive?.dir ?? 'archive' };
      case 'reject':
        return { kind: 'reject' };
      case 'accept': {
        const accept = spec.accept!;
        const plan: ActionPlan = {
          kind: 'accept',
          dir: accept.dir,
          conflict: accept.conflict ?? 'rename',
        };
        if (accept.maxSize !== undefined) {
          const bytes = parseSize(accept.maxSize);
          if (bytes === undefined)
            this.issue('RECIPE_BAD_SIZE', `expected a size: ${SIZE_FORMS}`, [...at, 'maxSize']);
          else plan.maxSize = bytes;
        }
        if (accept.name !== undefined) plan.name = t(accept.name, [...at, 'name']);
        return plan;
      }
      case 'relay': {
        const relay = spec.relay!;
        const plan: ActionPlan = { kind: 'relay' };
        if (relay.tag !== undefined) plan.tag = t(relay.tag, [...at, 'tag']);
        if (relay.room !== undefined) {
          this.name(relay.room, 'room', [...at, 'room']);
          plan.room = relay.room;
        }
        if (relay.server !== undefined) {
          const server = this.server(relay.server, [...at, 'server']);
          if (server) {
            plan.server = server;
            if (!bot.extraServers.some((s) => s.text === server.text))
              bot.extraServers.push(server);
          }
        }
        if (relay.room === undefined && relay.server === undefined) {
          this.issue(
            'RECIPE_RELAY_TARGET',
            'a relay needs a target `room` or `server` (or both)',
            at,
          );
        }
        return plan;
      }
    }
  }

  recipe(recipe: Recipe): RecipePlan {
    const defaultServer =
      recipe.server === undefined ? undefined : this.server(recipe.server, ['server']);
    const bots = recipe.bots.map((b, i) => this.bot(b, ['bots', i], defaultServer));
    const seen = new Map<string, number>();
    bots.forEach((bot, i) => {
      const id = `${bot.name}@${bot.server?.text ?? 'default'}`;
      const first = seen.get(id);
      if (first !== undefined) {
        this.issue(
          'RECIPE_DUPLICATE_BOT',
          `bots[${first}] already uses the name \`${bot.name}\` on this server`,
          ['bots', i, 'name'],
        );
      } else seen.set(id, i);
    });
    return { bots };
  }
}

/**
 * Checks what the schema cannot: names, server references, regexes, template fields,
 * intervals, sizes, and whether each action can answer its trigger. Returns the plan the
 * runtime executes and the problems found (the plan is only usable when there are none).
 */
export function compileRecipe(
  recipe: Recipe,
  options: CompileOptions = {},
): { plan: RecipePlan; issues: RecipeIssue[] } {
  const compiler = new Compiler(options);
  const plan = compiler.recipe(recipe);
  return { plan, issues: compiler.issues };
}
