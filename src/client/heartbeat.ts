/** Settings of `Heartbeat`. */
export interface HeartbeatOptions {
  intervalMs: number;
  timeoutMs: number;
  beat: () => void;
  lastReceivedAt: () => number;
  onSilence: () => void;
}

/**
 * Keeps one connection alive and watches the peer: `beat` runs every `intervalMs`, and
 * `onSilence` runs once when nothing has been received for `timeoutMs` (any frame counts,
 * as `lastReceivedAt()` reports).
 */
export class Heartbeat {
  readonly #interval: ReturnType<typeof setInterval>;
  #watch: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  readonly #opts: HeartbeatOptions;

  constructor(opts: HeartbeatOptions) {
    this.#opts = opts;
    this.#interval = setInterval(opts.beat, opts.intervalMs);
    this.#interval.unref?.();
    this.#arm(opts.timeoutMs);
  }

  /** Stops both timers; safe to call more than once. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#interval);
    if (this.#watch !== undefined) clearTimeout(this.#watch);
  }

  // One timer aimed at the exact deadline, re-aimed when traffic moved it, instead of polling.
  #arm(ms: number): void {
    this.#watch = setTimeout(() => {
      if (this.#stopped) return;
      const left = this.#opts.lastReceivedAt() + this.#opts.timeoutMs - Date.now();
      if (left > 0) this.#arm(left);
      else {
        this.stop();
        this.#opts.onSilence();
      }
    }, ms);
    this.#watch.unref?.();
  }
}
