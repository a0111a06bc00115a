import type { Clock, ClockTimer } from '../clock.js';
import { RelayKitError } from '../errors.js';

interface Pending {
  readonly seq: number;
  at: number;
  readonly every: number | undefined;
  readonly fn: () => void;
}

/** A bad `advance`: a negative or non-finite step, or a second advance while one runs. */
export class FakeClockError extends RelayKitError {
  constructor(message: string) {
    super('FAKE_CLOCK', message);
  }
}

/**
 * A clock that moves only when told: the testing kit's `time: 'fake'`. Timers fire in the
 * order of their due time (then of their creation) during `advance`, each with `now()` at
 * its due time, and the I/O a callback starts gets a turn of the event loop before the next
 * one fires, so a bot's post goes out as it would in real time.
 *
 * @example
 * const clock = new FakeClock()
 * clock.setInterval(() => ticks++, 1000)
 * await clock.advance(3000) // ticks === 3
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #advancing = false;
  readonly #timers = new Map<ClockTimer, Pending>();

  /** Starts at `start` (default: the real time now). */
  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** How many timers are waiting: 0 once a bot's cleanup cleared its own. */
  get pending(): number {
    return this.#timers.size;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.#add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    // Node runs a zero or negative interval every millisecond; so does this clock.
    return this.#add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    if (timer !== undefined) this.#timers.delete(timer);
  }

  clearInterval(timer: ClockTimer | undefined): void {
    if (timer !== undefined) this.#timers.delete(timer);
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way. A callback
   * that throws rejects the advance with its error, as it would have crashed a real run.
   */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new FakeClockError(`advance(${ms}): time moves forward by a finite number of ms`);
    }
    if (this.#advancing) {
      throw new FakeClockError(
        'advance() while another advance runs: await the first one before advancing again',
      );
    }
    this.#advancing = true;
    const until = this.#now + ms;
    try {
      for (let due = this.#nextDue(until); due; due = this.#nextDue(until)) {
        const [timer, p] = due;
        this.#now = Math.max(this.#now, p.at);
        if (p.every === undefined) this.#timers.delete(timer);
        else p.at += p.every;
        p.fn();
        // The callback's async work (a say, a send) gets the loop before the next timer.
        await new Promise((resolve) => setImmediate(resolve));
      }
      this.#now = until;
    } finally {
      this.#advancing = false;
    }
  }

  #add(fn: () => void, ms: number, every: number | undefined): ClockTimer {
    const timer: ClockTimer = {};
    const delay = Math.max(every === undefined ? 0 : 1, Number.isFinite(ms) ? ms : 0);
    this.#timers.set(timer, { seq: this.#seq++, at: this.#now + delay, every, fn });
    return timer;
  }

  #nextDue(until: number): [ClockTimer, Pending] | undefined {
    let best: [ClockTimer, Pending] | undefined;
    for (const entry of this.#timers) {
      const p = entry[1];
      if (p.at > until) continue;
      if (!best || p.at < best[1].at || (p.at === best[1].at && p.seq < best[1].seq)) best = entry;
    }
    return best;
  }
}
