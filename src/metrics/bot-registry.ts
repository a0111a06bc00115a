import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { BotCounters } from './bot-counters.js';

/** What the metrics read of one running bot, when scraped. */
export interface BotMetricsSource {
  readonly name: string;
  readonly counters: BotCounters;
  /** Whether it is registered on its server now. */
  connected(): boolean;
  /** Offers it accepted and rejected. */
  offersAnswered(): Readonly<{ accepted: number; rejected: number }>;
}

/**
 * A prom-client registry with the `relaykit_bot_*` metrics of every bot (labelled `bot`) and
 * prom-client's default process and Node.js metrics. Each scrape rewrites the counters from
 * the bots' own counts, which only grow, so Prometheus sees proper counters.
 */
export function botRegistry(bots: readonly BotMetricsSource[]): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const fromMaps = (
    name: string,
    help: string,
    label: string,
    pick: (c: BotCounters) => ReadonlyMap<string, number>,
  ): void => {
    new Counter({
      name,
      help,
      labelNames: ['bot', label],
      registers: [register],
      collect() {
        this.reset();
        for (const bot of bots) {
          for (const [key, n] of pick(bot.counters)) this.inc({ bot: bot.name, [label]: key }, n);
        }
      },
    });
  };
  fromMaps(
    'relaykit_bot_events_total',
    'Events that fired a rule or reached a handler, by trigger.',
    'trigger',
    (c) => c.events,
  );
  fromMaps('relaykit_bot_actions_total', 'Actions run, by action.', 'action', (c) => c.actions);
  // Every action that has run has a failure series, at 0 until it fails: a series that
  // appeared at 1 would make increase() and rate() miss the first failure.
  fromMaps(
    'relaykit_bot_action_failures_total',
    'Actions that failed, by action.',
    'action',
    (c) =>
      new Map([...c.actions.keys(), ...c.failures.keys()].map((k) => [k, c.failures.get(k) ?? 0])),
  );
  new Counter({
    name: 'relaykit_bot_reconnections_total',
    help: 'Times a bot registered again after losing its server.',
    labelNames: ['bot'],
    registers: [register],
    collect() {
      this.reset();
      for (const bot of bots) this.inc({ bot: bot.name }, bot.counters.reconnections);
    },
  });
  new Counter({
    name: 'relaykit_bot_transfers_total',
    help: 'File offers a bot answered, by outcome (accepted, rejected).',
    labelNames: ['bot', 'outcome'],
    registers: [register],
    collect() {
      this.reset();
      for (const bot of bots) {
        const { accepted, rejected } = bot.offersAnswered();
        this.inc({ bot: bot.name, outcome: 'accepted' }, accepted);
        this.inc({ bot: bot.name, outcome: 'rejected' }, rejected);
      }
    },
  });
  new Gauge({
    name: 'relaykit_bot_connected',
    help: '1 while a bot is registered on its server, else 0.',
    labelNames: ['bot'],
    registers: [register],
    collect() {
      for (const bot of bots) this.set({ bot: bot.name }, bot.connected() ? 1 : 0);
    },
  });
  return register;
}
