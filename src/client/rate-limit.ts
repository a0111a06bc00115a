/**
 * A token bucket: `perSecond` tokens drip in continuously, up to `burst`. `take(n)` waits until
 * it may go ahead. A cost larger than the burst is allowed once the bucket is full, and then
 * paid off as debt, so one long message split into many lines never blocks forever.
 */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #last = Date.now();

  constructor(perSecond: number, burst = Math.max(1, perSecond)) {
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
  }

  /** Milliseconds to wait before `n` tokens may be taken (0: now). */
  delayFor(n: number): number {
    this.#refill();
    const need = Math.min(n, this.#burst) - this.#tokens;
    return need <= 0 ? 0 : Math.ceil(need / this.#perMs);
  }

  /** Takes `n` tokens without waiting (the balance may go negative). */
  takeNow(n: number): void {
    this.#refill();
    this.#tokens -= n;
  }

  /** Waits until `n` tokens may be taken, then takes them. */
  async take(n: number): Promise<void> {
    for (let wait = this.delayFor(n); wait > 0; wait = this.delayFor(n)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.takeNow(n);
  }

  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
  }
}
