/** Backoff settings: see `ReconnectOptions`. */
export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before reconnection attempt `attempt` (1-based): exponential, capped at `maxDelayMs`,
 * with "equal jitter" (half fixed, half random) so that many clients dropped by one server
 * restart do not all come back in the same millisecond.
 *
 * @example
 * backoffDelay(3, { initialDelayMs: 500, maxDelayMs: 30_000 }) // between 1000 and 2000
 */
export function backoffDelay(
  attempt: number,
  b: Backoff,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(b.maxDelayMs, b.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A sleep that `cancel()` cuts short (resolving false). */
export function cancellableSleep(ms: number): { done: Promise<boolean>; cancel(): void } {
  let cancel!: () => void;
  const done = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    cancel = () => {
      clearTimeout(timer);
      resolve(false);
    };
  });
  return { done, cancel };
}
