import { ConnectError } from './errors.js';
import type { ClientEvents } from './events.js';
import { openSession } from './open-session.js';
import type { ResolvedConnectOptions } from './options.js';
import { backoffDelay, cancellableSleep } from './reconnect.js';
import { publicAddress, type ServerEntry } from './servers.js';
import type { ClientSession } from './session.js';

/** What the reconnector needs from its client. */
export interface ReconnectorHooks {
  emit<E extends 'reconnecting' | 'reconnect' | 'error'>(event: E, payload: ClientEvents[E]): void;
  /** Takes over a fresh session (rejoining rooms); rejects if it dies meanwhile. */
  adopt(session: ClientSession, server: ServerEntry): Promise<void>;
  /** Out of attempts. */
  giveUp(err: Error): void;
}

// Names that can never work are not retried; NAME_IN_USE is, since after a crash the server may
// still hold the old session until its heartbeat timeout.
const FATAL = new Set(['ILLEGAL_NAME', 'INVALID_OPTIONS']);

/**
 * Reconnects with exponential backoff and jitter until it succeeds, gives up or is stopped.
 * Each attempt dials the next server of `opts.servers` after the one last connected to,
 * round-robin (with one server, always that one).
 */
export class Reconnector {
  readonly #opts: ResolvedConnectOptions;
  readonly #hooks: ReconnectorHooks;
  /** Index in `opts.servers` of the server of the last session adopted. */
  #at: number;
  #running = false;
  #generation = 0;
  #stopped = false;
  #abort: AbortController | null = null;
  #sleep: { cancel(): void } | null = null;

  /** `at`: the index in `opts.servers` of the first session's server. */
  constructor(opts: ResolvedConnectOptions, hooks: ReconnectorHooks, at = 0) {
    this.#opts = opts;
    this.#hooks = hooks;
    this.#at = at;
  }

  /** True when reconnection is turned on and not stopped. */
  get enabled(): boolean {
    return this.#opts.reconnect !== null && !this.#stopped;
  }

  /** Starts the loop (no-op when already running). */
  start(): void {
    if (this.#running || !this.enabled) return;
    this.#running = true;
    void this.#run(++this.#generation);
  }

  /** Stops for good: cancels the pending delay and any connect in progress. */
  stop(): void {
    this.#stopped = true;
    this.#sleep?.cancel();
    this.#abort?.abort();
  }

  async #run(generation: number): Promise<void> {
    try {
      await this.#loop();
    } catch (err) {
      this.#hooks.giveUp(err as Error);
    } finally {
      // A newer loop may have started (see the 'reconnect' emit); leave its flag alone.
      if (this.#generation === generation) this.#running = false;
    }
  }

  async #loop(): Promise<void> {
    const policy = this.#opts.reconnect!;
    const servers = this.#opts.servers;
    const lost = this.#at;
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      if (this.#stopped) return; // e.g. close() while the last attempt was rejoining
      const index = (lost + attempt) % servers.length;
      const server = servers[index]!;
      const delayMs = backoffDelay(attempt, policy);
      this.#hooks.emit('reconnecting', { attempt, delayMs, server: publicAddress(server) });
      const sleep = cancellableSleep(delayMs);
      this.#sleep = sleep;
      if (!(await sleep.done) || this.#stopped) return;
      this.#abort = new AbortController();
      let session: ClientSession;
      try {
        session = await openSession(this.#opts, server, this.#abort.signal);
      } catch (err) {
        lastError = err as Error;
        if (this.#stopped) return;
        if (err instanceof ConnectError && FATAL.has(err.code)) break;
        continue;
      }
      if (this.#stopped) {
        session.destroy({ reason: 'closed' });
        return;
      }
      try {
        await this.#hooks.adopt(session, server);
      } catch (err) {
        lastError = err as Error;
        continue;
      }
      this.#at = index;
      // Cleared before the event, so a session lost from here on starts a fresh loop.
      this.#running = false;
      this.#hooks.emit('reconnect', { attempt, server: publicAddress(server) });
      return;
    }
    if (this.#stopped) return;
    this.#hooks.giveUp(
      new ConnectError(
        lastError instanceof ConnectError ? lastError.code : 'CONNECTION_CLOSED',
        `Gave up reconnecting to ${servers.map((s) => s.label).join(', ')}: ${lastError?.message ?? 'no attempt left'}`,
        { cause: lastError },
      ),
    );
  }
}
