import type { Client } from '../client/index.js';
import type { Clock } from '../clock.js';
import { RelayKitError } from '../errors.js';
import { isValidName } from '../protocol/index.js';

/** What a bot's `setup` gets besides its connected client. */
export interface BotSetupContext {
  /** Prints a line on standard output, prefixed with the bot's name. */
  log(line: string): void;
  /** Aborted when the bot is stopping (Ctrl-C, SIGTERM, `kit.close()`), before its cleanup runs. */
  readonly signal: AbortSignal;
  /**
   * Timers for the bot's own behaviour (`clock.setInterval(tick, 60_000)`): the real ones
   * under `relaykit run`, and a clock the test advances under `startTestKit({ time: 'fake' })`.
   */
  readonly clock: Clock;
}

/** What `setup` may return: a cleanup run on stop, before the bot departs (sync or async). */
export type BotCleanup = () => void | Promise<void>;

/** A bot as its author writes it: a name, rooms, and the behaviour in `setup`. */
export interface BotDefinition {
  /** The bot's user name: 1 to 32 characters, no spaces. */
  name: string;
  /** Rooms joined before `setup` runs (and rejoined after a reconnection). */
  rooms?: readonly string[];
  /** Farewell when it departs (default: the runner's, "relaykit run stopping"). */
  farewell?: string;
  /**
   * Subscribes the bot's handlers on a connected client that is already in `rooms`. May
   * return a cleanup; a throw or rejection stops the run before it reports "running".
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: authors write `async setup() {}` (Promise<void>)
  setup(client: Client, context: BotSetupContext): void | BotCleanup | Promise<void | BotCleanup>;
}

// A registry symbol, so a bot made by another copy of relaykit (a project's own install, or
// source beside a build) is still recognised.
const BOT = Symbol.for('relaykit.bot');

/** A checked bot definition, as `defineBot` returns it and `relaykit run` accepts it. */
export type Bot = Readonly<Omit<BotDefinition, 'rooms'>> & {
  readonly rooms: readonly string[];
  readonly [BOT]: true;
};

/** A bot definition that cannot run: a bad name or room, or no `setup` function. */
export class BotDefinitionError extends RelayKitError {
  constructor(message: string) {
    super('BOT_BAD_DEFINITION', message);
  }
}

/**
 * Declares a bot for `relaykit run bot.ts` and the testing kit: the framework connects it,
 * joins its rooms, runs `setup`, reconnects and rejoins, and on stop runs the cleanup and then
 * departs. Throws `BotDefinitionError` for a bad name, room or setup.
 *
 * @example
 * export default defineBot({
 *   name: 'greeter',
 *   rooms: ['lobby'],
 *   setup(client, { log }) {
 *     client.onPost({ room: 'lobby', match: /^!hi$/ }, (ctx) => ctx.reply(`hi ${ctx.from}`))
 *     return () => log('bye')
 *   },
 * })
 */
export function defineBot(definition: BotDefinition): Bot {
  const what = `bot ${JSON.stringify(definition?.name)}`;
  if (typeof definition?.name !== 'string' || !isValidName(definition.name)) {
    throw new BotDefinitionError(
      `${what}: \`name\` must be a user name of 1 to 32 characters, no spaces (e.g. 'greeter')`,
    );
  }
  const rooms = definition.rooms ?? [];
  if (!Array.isArray(rooms)) {
    throw new BotDefinitionError(`${what}: \`rooms\` must be a list of room names, e.g. ['lobby']`);
  }
  for (const room of rooms) {
    if (typeof room !== 'string' || !isValidName(room)) {
      throw new BotDefinitionError(
        `${what}: room ${JSON.stringify(room)} is not a valid room name (1 to 32 characters, no spaces)`,
      );
    }
  }
  if (typeof definition.setup !== 'function') {
    throw new BotDefinitionError(`${what}: \`setup(client, { log, signal })\` must be a function`);
  }
  return Object.freeze({ ...definition, rooms: Object.freeze([...rooms]), [BOT]: true as const });
}

/** True for a value `defineBot` returned (by this or another copy of relaykit). */
export function isBot(value: unknown): value is Bot {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BOT] === true
  );
}
