import type { Condition } from './conditions.js';
import type { ActionDescriptor, TriggerDescriptor } from './define.js';
import type { FileServerPlan } from './file-server.js';
import type { CompiledPattern } from './pattern.js';
import type { RecipePath } from './positions.js';
import type { ActionKind, TriggerKind } from './schema.js';
import type { ServerRef } from './server-ref.js';

/** A checked trigger, ready to subscribe. */
export interface TriggerPlan {
  kind: TriggerKind;
  /** Its definition, which subscribes it. */
  trigger: TriggerDescriptor;
  /** What its compile step prepared. */
  plan: unknown;
  /** Room filter (post, join, leave). */
  rooms?: string[];
  /** Sender filter (post, direct, offer, join, leave). */
  from?: string[];
  /** Regex on the text (post, direct, stdin) or file name (offer). */
  pattern?: CompiledPattern;
  /** One line for `--dry-run`. */
  summary: string;
}

/** A checked action: its definition and what its compile step prepared. */
export interface PlannedAction {
  kind: ActionKind;
  action: ActionDescriptor;
  plan: unknown;
  /** Its source text, for `--dry-run`. */
  summary: string;
  path: RecipePath;
}

/** A rule: trigger, optional condition, actions. */
export interface RulePlan {
  trigger: TriggerPlan;
  condition?: Condition;
  conditionSummary?: string;
  actions: PlannedAction[];
  path: RecipePath;
}

/** TLS files of a bot (absolute paths), for its `tls://` servers. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** A bot ready to run. `server` is undefined when the recipe leaves it to `--server`. */
export interface BotPlan {
  name: string;
  server?: ServerRef;
  /** TLS files from the recipe (the bot's `tls`, else the recipe's); unset: the CLI's. */
  tls?: TlsFiles;
  rooms: string[];
  farewell?: string;
  rules: RulePlan[];
  /** Runs the bundled file server bot as this bot, beside its rules. */
  fileServer?: FileServerPlan;
  /** Servers the bot also needs (relay targets), besides its own. */
  extraServers: ServerRef[];
}

/** A validated recipe, compiled into bots. */
export interface RecipePlan {
  bots: BotPlan[];
}

export type { ActionKind, FileServerPlan, TriggerKind };
