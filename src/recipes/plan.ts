import type { Condition } from './conditions.js';
import type { CompiledPattern } from './pattern.js';
import type { RecipePath } from './positions.js';
import type { ActionKind, TriggerKind } from './schema.js';
import type { ServerRef } from './server-ref.js';
import type { TemplatePart } from './template.js';

/** A checked trigger, ready to subscribe. */
export interface TriggerPlan {
  kind: TriggerKind;
  /** Room filter (post, join, leave). */
  rooms?: string[];
  /** Sender filter (post, direct, offer, join, leave). */
  from?: string[];
  /** Regex on the text (post, direct, stdin) or file name (offer). */
  pattern?: CompiledPattern;
  /** Interval of `every`. */
  intervalMs?: number;
  /** One line for `--dry-run`. */
  summary: string;
}

/** A checked action with its templates parsed. */
export type ActionPlan =
  | { kind: 'reply'; text: TemplatePart[] }
  | { kind: 'post'; rooms: TemplatePart[][] | 'event'; text: TemplatePart[] }
  | { kind: 'direct'; to: TemplatePart[]; text: TemplatePart[] }
  | { kind: 'broadcast'; text: TemplatePart[] }
  | { kind: 'log'; text: TemplatePart[] }
  | { kind: 'archive'; dir: string }
  | {
      kind: 'accept';
      dir: string;
      maxSize?: number;
      name?: TemplatePart[];
      conflict: 'rename' | 'overwrite' | 'fail';
    }
  | { kind: 'reject' }
  | { kind: 'relay'; room?: string; server?: ServerRef; tag?: TemplatePart[] };

/** Every action plan carries its kind, its source text for `--dry-run` and its path. */
export type PlannedAction = ActionPlan & { summary: string; path: RecipePath };

/** A rule: trigger, optional condition, actions. */
export interface RulePlan {
  trigger: TriggerPlan;
  condition?: Condition;
  conditionSummary?: string;
  actions: PlannedAction[];
  path: RecipePath;
}

/** A bot ready to run. `server` is undefined when the recipe leaves it to `--server`. */
export interface BotPlan {
  name: string;
  server?: ServerRef;
  rooms: string[];
  farewell?: string;
  rules: RulePlan[];
  /** Servers the bot also needs (relay targets), besides its own. */
  extraServers: ServerRef[];
}

/** A validated recipe, compiled into bots. */
export interface RecipePlan {
  bots: BotPlan[];
}

/** Names of action kinds, re-exported for runtime tables. */
export type { ActionKind, TriggerKind };
