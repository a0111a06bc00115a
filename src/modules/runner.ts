import type { Client } from '../client/index.js';
import { type Clock, systemClock } from '../clock.js';
import type { Bot, BotCleanup } from './define-bot.js';
import { BotCounters } from '../metrics/bot-counters.js';

/** How a running module bot talks to the outside. */
export interface ModuleBotOutputs {
  log(line: string): void;
  report(message: string): void;
  /** Where its handled events and failed handlers are counted (`relaykit run --metrics`). */
  counters?: BotCounters;
  /** The bot's timers (default: the real ones). */
  clock?: Clock;
}

/** Client events that are the bot's own work; the rest are the connection's life. */
const WORK_EVENTS: ReadonlySet<string> = new Set([
  'post',
  'direct',
  'offer',
  'members',
  'rooms',
  'presence',
]);

/** How long a bot's cleanup may take on stop: the whole stop must fit in 2 s. */
export const CLEANUP_MS = 1000;

/**
 * One module bot at run time: runs `setup` on its connected client (already in its rooms),
 * reports its handlers' failures, and on stop aborts its signal and runs its cleanup
 * (bounded). Departing is the runtime's job, after every bot's cleanup.
 */
export class ModuleBotRunner {
  readonly #bot: Bot;
  readonly #client: Client;
  readonly #out: ModuleBotOutputs;
  readonly #controller = new AbortController();
  #cleanup: BotCleanup | undefined;
  #offError: (() => void) | undefined;
  #offObserve: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  constructor(bot: Bot, client: Client, outputs: ModuleBotOutputs) {
    this.#bot = bot;
    this.#client = client;
    this.#out = outputs;
  }

  get name(): string {
    return this.#bot.name;
  }

  /** Runs `setup`; rejects with its error (the runtime then stops everything). */
  async start(): Promise<void> {
    const counters = this.#out.counters;
    const onError = ({ error }: { error: Error }) => {
      if (counters) BotCounters.add(counters.failures, 'handler');
      this.#out.report(`${this.name}: a handler failed: ${error.message}`);
    };
    this.#offError = this.#client.on('error', onError);
    if (counters) {
      // A module bot has no actions: each event its handlers take is counted as one
      // 'handler' action, and their failures (above) as failed ones.
      this.#offObserve = this.#client.observeHandled((event) => {
        if (!WORK_EVENTS.has(event)) return;
        BotCounters.add(counters.events, event);
        BotCounters.add(counters.actions, 'handler');
      });
    }
    const result = await this.#bot.setup(this.#client, {
      log: (line) => this.#out.log(`${this.name}: ${line}`),
      signal: this.#controller.signal,
      clock: this.#out.clock ?? systemClock,
    });
    if (typeof result === 'function') this.#cleanup = result;
  }

  /** Standard input lines are for recipes' `stdin` rules; a module bot reads what it wants. */
  line(): Promise<void> {
    return Promise.resolve();
  }

  /** SIGHUP: nothing to reopen (a bot that keeps files can watch for it itself). */
  reopen(): void {}

  /** Aborts the bot's signal, then runs its cleanup, waiting at most `CLEANUP_MS`. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#controller.abort(new Error(`${this.name} is stopping`));
    const cleanup = this.#cleanup;
    this.#cleanup = undefined;
    if (cleanup) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), CLEANUP_MS);
      });
      try {
        const outcome = await Promise.race([Promise.resolve().then(cleanup), late]);
        if (outcome === 'late') {
          this.#out.report(
            `${this.name}: cleanup did not finish within ${CLEANUP_MS} ms; departing anyway`,
          );
        }
      } catch (err) {
        this.#out.report(`${this.name}: cleanup failed: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    this.#offError?.();
    this.#offObserve?.();
  }
}
