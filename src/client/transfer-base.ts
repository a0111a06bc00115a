import type { TransferError } from './errors.js';
import type { TransferEvent } from './payloads.js';

/** A progress report of one transfer. */
export interface TransferProgress {
  bytes: number;
  size: number;
  /** Average bytes per second since the transfer started. */
  rate: number;
}

/** Events of a transfer object. */
export interface TransferObjectEvents {
  progress: TransferProgress;
}

const PROGRESS_EVERY_MS = 50;

/**
 * What outgoing and incoming transfers share: identity, byte count, throttled progress
 * reports (to the transfer's own listeners and to the client's `transfer` event), and a `done`
 * promise settled exactly once.
 */
export abstract class TransferBase<R> {
  /** The server's transfer id (0 until the offer is accepted, for outgoing transfers). */
  id = 0;
  /** Bytes sent or received so far. */
  bytes = 0;
  /** Resolves when the transfer completes; rejects with a `TransferError`. */
  readonly done: Promise<R>;
  /** @internal Where a failing progress listener is reported (the client's `error` event). */
  reportListenerError: (error: unknown, context: unknown) => void = (error) =>
    process.emitWarning(error instanceof Error ? error : String(error));
  readonly #direction: 'in' | 'out';
  readonly #emit: (event: TransferEvent) => void;
  readonly #listeners = new Set<(p: TransferProgress) => void>();
  #startedAt = Date.now();
  #lastReport = 0;
  #settled = false;
  #resolve!: (result: R) => void;
  #reject!: (err: TransferError) => void;

  protected constructor(
    direction: 'in' | 'out',
    readonly peer: string,
    public fileName: string,
    public size: number,
    emit: (event: TransferEvent) => void,
  ) {
    this.#direction = direction;
    this.#emit = emit;
    this.done = new Promise<R>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Callers who never await `done` must not crash the process with an unhandled rejection;
    // those who do still see the error.
    this.done.catch(() => undefined);
  }

  /** True once `done` has settled. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Average bytes per second since the transfer started. */
  get rate(): number {
    const seconds = (Date.now() - this.#startedAt) / 1000;
    return seconds > 0 ? Math.round(this.bytes / seconds) : 0;
  }

  /** Subscribes to progress reports; returns the function that unsubscribes. */
  on(event: 'progress', fn: (p: TransferProgress) => void): () => void {
    if (event !== 'progress')
      throw new TypeError(`Unknown transfer event ${String(event)}; use 'progress'`);
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }

  /** Restarts the rate clock (when bytes start to flow). */
  protected startClock(): void {
    this.#startedAt = Date.now();
  }

  /** Reports progress, at most every 50 ms unless `force`. */
  protected progress(force = false): void {
    const now = Date.now();
    if (!force && now - this.#lastReport < PROGRESS_EVERY_MS) return;
    this.#lastReport = now;
    const p = { bytes: this.bytes, size: this.size, rate: this.rate };
    for (const fn of [...this.#listeners]) {
      try {
        fn(p);
      } catch (err) {
        // The listener's bug is reported; the transfer goes on.
        this.reportListenerError(err, { transfer: this, event: 'progress', payload: p });
      }
    }
    this.#event('progress');
  }

  protected succeed(result: R, path?: string): void {
    if (this.#settled) return;
    this.#settled = true;
    this.progress(true);
    this.#event('done', path);
    this.#resolve(result);
  }

  protected fail(err: TransferError, path?: string): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#event('failed', path, err);
    this.#reject(err);
  }

  #event(state: TransferEvent['state'], path?: string, error?: Error): void {
    this.#emit({
      id: this.id,
      direction: this.#direction,
      peer: this.peer,
      fileName: this.fileName,
      size: this.size,
      bytes: this.bytes,
      rate: this.rate,
      state,
      ...(path === undefined ? {} : { path }),
      ...(error === undefined ? {} : { error }),
    });
  }
}
