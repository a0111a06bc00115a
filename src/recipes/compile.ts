import { z } from 'zod';
import { isValidName, validateFarewell } from '../protocol/index.js';
import { compileCondition, OPERATOR_NAMES, testSchema } from './conditions.js';
import type {
  ActionCompileContext,
  ActionDescriptor,
  CompileContext,
  TriggerDescriptor,
} from './define.js';
import { availableFields, fieldProblem } from './fields.js';
import { botFileServer } from './file-server.js';
import { type CompiledPattern, compilePattern } from './pattern.js';
import type {
  BotPlan,
  PlannedAction,
  RecipePlan,
  RulePlan,
  TlsFiles,
  TriggerPlan,
} from './plan.js';
import type { RecipePath } from './positions.js';
import { BUILTIN_KINDS, type RecipeKinds } from './schema.js';
import { an } from './schema-parts.js';
import { parseServerRef, type ServerRef } from './server-ref.js';
import { suggest } from './suggest.js';
import { parseTemplate, type TemplatePart } from './template.js';
import { checkTlsFiles } from './tls-files.js';
import { roomName } from '../room-notation.js';

export type { RecipePlan } from './plan.js';

/** A semantic problem found besides the schema's. */
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
  /** The action and trigger kinds (default: the built-in ones). */
  kinds?: RecipeKinds;
  /** The recipe's folder: relative `tls` paths start there (default: the working directory). */
  baseDir?: string;
}

type Obj = Readonly<Record<string, unknown>>;

// A bot's own keys, for telling whether its `rooms` can be trusted by the checks of its rules.
const botHeader = z.strictObject({
  name: z.string(),
  server: z.union([z.string(), z.array(z.string())]).optional(),
  tls: z.unknown().optional(),
  rooms: z.array(z.string()).optional(),
  farewell: z.string().optional(),
  file_server: z.unknown().optional(),
  on: z.unknown(),
});
/** A `server` the schema accepts (a string, or a list of strings); the schema reports others. */
const isServerValue = (v: unknown): v is string | string[] =>
  typeof v === 'string' ||
  (Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === 'string'));
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a rule's actions and conditions may refer to; undefined when its trigger is invalid. */
interface RuleScope {
  trigger: TriggerDescriptor;
  fields: string[];
}

// The compiler walks the recipe as parsed YAML, whether or not the whole passed the schema:
// each piece (a trigger, a test, an action) is checked against its own schema and compiled
// when it passes, so a bad regex or a template typo is reported in the same pass as a type
// error elsewhere. The plan is only usable when neither step found a problem.
class Compiler {
  readonly issues: RecipeIssue[] = [];
  readonly #env: CompileOptions['env'];
  readonly #baseDir: string;
  readonly #kinds: RecipeKinds;
  /** The recipe's `files_root`: the one folder `send_file` may read from. */
  #filesRoot: string | undefined;

  constructor(options: CompileOptions) {
    this.#env = options.env;
    this.#baseDir = options.baseDir ?? process.cwd();
    this.#kinds = options.kinds ?? BUILTIN_KINDS;
  }

  issue(code: string, message: string, path: RecipePath, suggestion?: string): void {
    this.issues.push(
      suggestion === undefined ? { code, message, path } : { code, message, path, suggestion },
    );
  }

  context(path: RecipePath): CompileContext {
    return {
      path,
      problem: (code, message, at = path, suggestion) => this.issue(code, message, at, suggestion),
      name: (value, what, at = path) => this.name(value, what, at),
    };
  }

  server(value: string | readonly string[], path: RecipePath): ServerRef | undefined {
    const ref = parseServerRef(value);
    if ('error' in ref) {
      if (ref.entry !== undefined) {
        const item = (value as readonly string[])[ref.entry];
        this.issue('RECIPE_BAD_SERVER', `\`${item}\`: ${ref.error}`, [...path, ref.entry]);
      } else {
        const shown = typeof value === 'string' ? value : value.join(', ');
        this.issue('RECIPE_BAD_SERVER', `\`${shown}\`: ${ref.error}`, path);
      }
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

  template(source: string, path: RecipePath, scope: RuleScope | undefined): TemplatePart[] {
    const { parts, problems } = parseTemplate(source);
    for (const p of problems) this.issue('RECIPE_BAD_TEMPLATE', p.message, path);
    for (const part of parts) {
      if (typeof part === 'string') continue;
      this.field(part.field, path, scope, `\`{${part.field}}\`: `);
    }
    return parts;
  }

  field(field: string, path: RecipePath, scope: RuleScope | undefined, prefix = ''): void {
    if (scope) {
      const problem = fieldProblem(field, scope.trigger.name, scope.fields);
      if (problem !== undefined) {
        this.issue('RECIPE_UNKNOWN_FIELD', prefix + problem, path, suggest(field, scope.fields));
        return;
      }
    }
    if (field.startsWith('env.') && this.#env && this.#env[field.slice(4)] === undefined) {
      this.issue(
        'RECIPE_ENV_MISSING',
        `${prefix}environment variable ${field.slice(4)} is not set; set it before running`,
        path,
      );
    }
  }

  recipe(data: unknown): RecipePlan {
    if (!isObject(data)) return { bots: [] };
    if (typeof data.files_root === 'string') this.#filesRoot = data.files_root;
    const defaultServer = isServerValue(data.server)
      ? this.server(data.server, ['server'])
      : undefined;
    const defaultTls = this.tls(data.tls, ['tls']);
    const bots: BotPlan[] = [];
    const seen = new Map<string, number>();
    (Array.isArray(data.bots) ? data.bots : []).forEach((spec: unknown, i) => {
      if (!isObject(spec)) return;
      const bot = this.bot(spec, ['bots', i], defaultServer, defaultTls);
      bots.push(bot);
      if (typeof spec.name !== 'string') return;
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

  /** The `tls` files, checked against the recipe's folder (see tls-files.ts). */
  tls(spec: unknown, path: RecipePath): TlsFiles | undefined {
    if (!isObject(spec)) return undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const files = { ca: text(spec.ca), cert: text(spec.cert), key: text(spec.key) };
    return checkTlsFiles(files, this.#baseDir, path, (code, message, at) =>
      this.issue(code, message, at),
    );
  }

  bot(
    spec: Obj,
    path: RecipePath,
    defaultServer: ServerRef | undefined,
    defaultTls: TlsFiles | undefined,
  ): BotPlan {
    const name = typeof spec.name === 'string' ? spec.name : '';
    if (typeof spec.name === 'string') this.name(name, 'bot', [...path, 'name']);
    const rooms: string[] = [];
    if (Array.isArray(spec.rooms)) {
      spec.rooms.forEach((room: unknown, i) => {
        if (typeof room !== 'string') return;
        const name = roomName(room);
        this.name(name, 'room', [...path, 'rooms', i]);
        rooms.push(name);
      });
    }
    const server = isServerValue(spec.server)
      ? this.server(spec.server, [...path, 'server'])
      : defaultServer;
    const bot: BotPlan = { name, rooms, rules: [], extraServers: [] };
    if (server) bot.server = server;
    const tls = spec.tls === undefined ? defaultTls : this.tls(spec.tls, [...path, 'tls']);
    if (tls) bot.tls = tls;
    if (typeof spec.farewell === 'string') {
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
    const files = botFileServer(spec, path, this.context(path));
    if (files) bot.fileServer = files;
    const roomsKnown = botHeader.safeParse(spec).success;
    (Array.isArray(spec.on) ? spec.on : []).forEach((rule: unknown, i) => {
      if (!isObject(rule)) return;
      const plan = this.rule(rule, [...path, 'on', i], bot, roomsKnown);
      if (plan) bot.rules.push(plan);
    });
    return bot;
  }

  rule(spec: Obj, path: RecipePath, bot: BotPlan, roomsKnown: boolean): RulePlan | undefined {
    const present = this.#kinds.triggers.filter((t) => spec[t.name] !== undefined);
    const descriptor = present.length === 1 ? present[0] : undefined;
    const trigger =
      descriptor &&
      this.trigger(descriptor, spec[descriptor.name], path, roomsKnown ? bot.rooms : undefined);
    const scope: RuleScope | undefined =
      descriptor && trigger
        ? { trigger: descriptor, fields: availableFields(descriptor, trigger.pattern) }
        : undefined;
    const actions: PlannedAction[] = [];
    (Array.isArray(spec.do) ? spec.do : []).forEach((action: unknown, i) => {
      if (!isObject(action)) return;
      const planned = this.action(action, [...path, 'do', i], descriptor, scope, bot);
      if (planned) actions.push(planned);
    });
    const condition = isObject(spec.if) ? this.condition(spec.if, [...path, 'if'], scope) : {};
    if (!trigger) return undefined;
    return { trigger, actions, path, ...condition };
  }

  trigger(
    descriptor: TriggerDescriptor,
    value: unknown,
    rulePath: RecipePath,
    botRooms: readonly string[] | undefined,
  ): TriggerPlan | undefined {
    const parsed = descriptor.schema.safeParse(value);
    if (!parsed.success) return undefined; // the schema step reports it
    const path = [...rulePath, descriptor.name];
    const before = this.issues.length;
    const compiled = descriptor.compile
      ? descriptor.compile(parsed.data, {
          ...this.context(path),
          botRooms,
          pattern: (source, at = [...path, 'match']) => this.pattern(source, at),
        })
      : { plan: parsed.data, summary: descriptor.name };
    // A trigger with a problem (a bad regex) cannot say which fields its events have.
    if (!compiled || this.issues.length > before) return undefined;
    const plan: TriggerPlan = {
      kind: descriptor.name,
      trigger: descriptor,
      plan: compiled.plan,
      summary: compiled.summary,
    };
    if (compiled.rooms) plan.rooms = compiled.rooms;
    if (compiled.from) plan.from = compiled.from;
    if (compiled.pattern) plan.pattern = compiled.pattern;
    return plan;
  }

  condition(
    spec: Obj,
    path: RecipePath,
    scope: RuleScope | undefined,
  ): Pick<RulePlan, 'condition' | 'conditionSummary'> {
    let usable = true;
    for (const [field, test] of Object.entries(spec)) {
      const at = [...path, field];
      const before = this.issues.length;
      this.field(field, at, scope);
      // An unknown field is a key problem: point at the key, not its test.
      for (const issue of this.issues.slice(before)) issue.at = 'key';
      const parsed = testSchema.safeParse(test);
      if (!parsed.success) {
        usable = false; // the schema step reports it
        continue;
      }
      const value = parsed.data;
      if (typeof value !== 'object') continue;
      if (Object.keys(value).length === 0) {
        usable = false;
        this.issue(
          'RECIPE_EMPTY_TEST',
          `an empty test; write one of ${OPERATOR_NAMES.join(', ')}`,
          at,
        );
      }
      if (value.matches !== undefined && !this.pattern(value.matches, [...at, 'matches'])) {
        usable = false;
      }
    }
    if (!usable) return {};
    const tests = spec as Parameters<typeof compileCondition>[0];
    return { condition: compileCondition(tests), conditionSummary: JSON.stringify(spec) };
  }

  action(
    spec: Obj,
    path: RecipePath,
    trigger: TriggerDescriptor | undefined,
    scope: RuleScope | undefined,
    bot: BotPlan,
  ): PlannedAction | undefined {
    const present = this.#kinds.actions.filter((a) => spec[a.name] !== undefined);
    if (present.length !== 1) return undefined; // the schema step reports it
    const descriptor: ActionDescriptor = present[0]!;
    const at = [...path, descriptor.name];
    const allowed = descriptor.triggers;
    if (trigger && allowed && !allowed.includes(trigger.name)) {
      this.issue(
        'RECIPE_ACTION_TRIGGER',
        `\`${descriptor.name}\` cannot answer ${an(trigger.name)} trigger; it works with ${allowed.map((k) => `\`${k}\``).join(', ')}`,
        at,
      );
      return undefined;
    }
    const parsed = descriptor.schema.safeParse(spec[descriptor.name]);
    if (!parsed.success) return undefined; // the schema step reports it
    const ctx: ActionCompileContext = {
      ...this.context(at),
      trigger,
      filesRoot: this.#filesRoot,
      template: (source, p = at) => this.template(source, p, scope),
      server: (text, p = at) => {
        const ref = this.server(text, p);
        if (ref && !bot.extraServers.some((s) => s.text === ref.text)) bot.extraServers.push(ref);
        return ref;
      },
    };
    const plan = descriptor.compile ? descriptor.compile(parsed.data, ctx) : parsed.data;
    if (plan === undefined) return undefined;
    return {
      kind: descriptor.name,
      action: descriptor,
      plan,
      summary: `${descriptor.name} ${JSON.stringify(spec[descriptor.name] ?? null)}`,
      path,
    };
  }
}

/**
 * Checks what the schema cannot: names, server references, regexes, template fields,
 * intervals, sizes, and whether each action can answer its trigger. Works on the recipe as
 * parsed, valid or not, checking each piece that passes its own schema, so every problem is
 * found in one pass. Returns the plan the runtime executes and the problems found (the plan
 * is only usable when there are none and the schema passed).
 */
export function compileRecipe(
  recipe: unknown,
  options: CompileOptions = {},
): { plan: RecipePlan; issues: RecipeIssue[] } {
  const compiler = new Compiler(options);
  const plan = compiler.recipe(recipe);
  return { plan, issues: compiler.issues };
}
