/**
 * One bot's running counts for `relaykit run --metrics`, kept as plain numbers: a bot adds
 * to them as it works, and the metrics read them only when scraped.
 */
export class BotCounters {
  /** Events that fired a rule (or, for a module bot, reached a handler), by trigger. */
  readonly events = new Map<string, number>();
  /** Actions run, and those that failed, by action kind. */
  readonly actions = new Map<string, number>();
  readonly failures = new Map<string, number>();
  /** Times the bot registered again after losing its server. */
  reconnections = 0;

  /** Adds one to `key` of `map`. */
  static add(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}
