/**
 * The timers a bot or a recipe trigger uses for its own behaviour (`every:`, a reminder, a
 * timeout of its own), passed to it rather than taken from the globals so that the testing
 * kit can hand it a clock the test advances. Connections, heartbeats and the server keep the
 * real timers: faking those would stall the sockets the test talks through.
 */

/** A timer a `Clock` started; give it back to the same clock's `clearTimeout`/`clearInterval`. */
export type ClockTimer = object;

/** Timers and the time, as a bot's `setup` and a trigger's `subscribe` get them. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Calls `fn` every `ms` until cleared. */
  setInterval(fn: () => void, ms: number): ClockTimer;
  /** Cancels a `setTimeout` timer (nothing for one that fired or another clock's). */
  clearTimeout(timer: ClockTimer | undefined): void;
  /** Cancels a `setInterval` timer. */
  clearInterval(timer: ClockTimer | undefined): void;
}

/**
 * The real clock: Node's timers and `Date.now()`. What `relaykit run` gives every bot.
 *
 * @example
 * const t = systemClock.setInterval(() => console.log('tick'), 1000)
 * systemClock.clearInterval(t)
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
  clearTimeout: (timer: ClockTimer | undefined) =>
    clearTimeout(timer as ReturnType<typeof setTimeout> | undefined),
  clearInterval: (timer: ClockTimer | undefined) =>
    clearInterval(timer as ReturnType<typeof setInterval> | undefined),
});
