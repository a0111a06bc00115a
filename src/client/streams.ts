import { ClientError } from './errors.js';
import type { ClientEvents } from './events.js';

/** The part of a client that streams need: subscribe, and know whether it is finished. */
export interface EventSource {
  on<E extends keyof ClientEvents>(event: E, fn: (payload: ClientEvents[E]) => unknown): () => void;
  readonly finished: boolean;
}

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Reject with `ClientError('TIMEOUT')` after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Resolves with the next `event` whose payload passes `predicate`. Rejects with
 * `ClientError` TIMEOUT, ABORTED (the signal fired) or CLOSED (the client finished).
 */
export function waitFor<E extends keyof ClientEvents>(
  source: EventSource,
  event: E,
  predicate: ((payload: ClientEvents[E]) => boolean) | undefined,
  opts: WaitForOptions = {},
): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(
        new ClientError('ABORTED', `waitFor('${event}') was aborted`, {
          cause: opts.signal.reason,
        }),
      );
      return;
    }
    if (source.finished && event !== 'close') {
      reject(new ClientError('CLOSED', `waitFor('${event}'): the client is closed`));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = (): void => {
      off();
      offClose();
      if (timer !== undefined) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onAbort = (): void =>
      fail(
        new ClientError('ABORTED', `waitFor('${event}') was aborted`, {
          cause: opts.signal?.reason,
        }),
      );
    const off = source.on(event, (payload) => {
      let ok: boolean;
      try {
        ok = predicate === undefined || predicate(payload);
      } catch (err) {
        fail(err as Error);
        return;
      }
      if (!ok) return;
      cleanup();
      resolve(payload);
    });
    const offClose =
      event === 'close'
        ? () => {}
        : source.on('close', () =>
            fail(new ClientError('CLOSED', `waitFor('${event}'): the client closed first`)),
          );
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          fail(
            new ClientError(
              'TIMEOUT',
              `waitFor('${event}') saw no match within ${opts.timeoutMs} ms`,
            ),
          ),
        opts.timeoutMs,
      );
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How many events a stream holds for a busy consumer by default. */
export const DEFAULT_STREAM_BUFFER = 10_000;

/** Bounds of an event stream's buffer: see `StreamOptions`. */
export interface StreamBound {
  /** Most events held while the consumer is busy (default 10,000). */
  maxBuffered?: number;
  /**
   * When a further event comes with the buffer full: `'error'` (default) ends the stream:
   * the events held are still yielded, then `next()` rejects with `ClientError('OVERFLOW')`,
   * so a consumer that fell behind learns it lost events. `'drop-oldest'` discards the
   * oldest held event and goes on (a live tail that only wants the latest); the stream's
   * `dropped` counts them.
   */
  overflow?: 'error' | 'drop-oldest';
}

/** An event stream: an async iterator that also counts the events it dropped. */
export interface EventStream<T> extends AsyncIterableIterator<T> {
  /** Events discarded under `overflow: 'drop-oldest'`. */
  readonly dropped: number;
}

/**
 * An async iterable over `event` payloads that pass `keep`. Payloads are buffered while the
 * consumer is busy, up to `bound.maxBuffered` (see `StreamBound` for what happens beyond);
 * iteration ends when the signal aborts or the client finishes.
 */
export function eventStream<E extends keyof ClientEvents>(
  source: EventSource,
  event: E,
  keep: (payload: ClientEvents[E]) => boolean,
  signal?: AbortSignal,
  bound: StreamBound = {},
): EventStream<ClientEvents[E]> {
  const max = bound.maxBuffered ?? DEFAULT_STREAM_BUFFER;
  const overflow = bound.overflow ?? 'error';
  if (!(Number.isInteger(max) && max >= 1)) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `maxBuffered must be a whole number of at least 1, got ${max}`,
    );
  }
  if (overflow !== 'error' && overflow !== 'drop-oldest') {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `overflow must be 'error' or 'drop-oldest', got ${JSON.stringify(overflow)}`,
    );
  }
  // A ring would avoid shift()'s copying; at 10,000 entries the copy is cheaper than the
  // consumer that let them pile up.
  const buffer: ClientEvents[E][] = [];
  let wake: (() => void) | null = null;
  let ended = source.finished || signal?.aborted === true;
  let failure: ClientError | null = null;
  let dropped = 0;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const end = (): void => {
    ended = true;
    off();
    offClose();
    signal?.removeEventListener('abort', end);
    notify();
  };
  const off = source.on(event, (payload) => {
    if (!keep(payload)) return;
    if (buffer.length >= max) {
      if (overflow === 'drop-oldest') {
        buffer.shift();
        dropped += 1;
      } else {
        failure = new ClientError(
          'OVERFLOW',
          `The consumer of this '${event}' stream fell ${max} events behind and the stream ended; consume faster, raise maxBuffered, or pass overflow: 'drop-oldest'`,
        );
        end();
        return;
      }
    }
    buffer.push(payload);
    notify();
  });
  const offClose = source.on('close', end);
  signal?.addEventListener('abort', end, { once: true });
  if (ended) end();

  const iterator: EventStream<ClientEvents[E]> = {
    get dropped() {
      return dropped;
    },
    async next() {
      while (buffer.length === 0 && !ended) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (buffer.length > 0) return { value: buffer.shift()!, done: false };
      if (failure !== null) {
        const err = failure;
        failure = null; // reported once; the stream is done after it
        throw err;
      }
      return { value: undefined, done: true };
    },
    async return() {
      end();
      buffer.length = 0;
      failure = null;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
