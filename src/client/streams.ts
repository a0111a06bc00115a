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

/**
 * An async iterable over `event` payloads that pass `keep`. Payloads are buffered while the
 * consumer is busy; iteration ends when the signal aborts or the client finishes.
 */
export function eventStream<E extends keyof ClientEvents>(
  source: EventSource,
  event: E,
  keep: (payload: ClientEvents[E]) => boolean,
  signal?: AbortSignal,
): AsyncIterableIterator<ClientEvents[E]> {
  const buffer: ClientEvents[E][] = [];
  let wake: (() => void) | null = null;
  let ended = source.finished || signal?.aborted === true;
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
    buffer.push(payload);
    notify();
  });
  const offClose = source.on('close', end);
  signal?.addEventListener('abort', end, { once: true });
  if (ended) end();

  const iterator: AsyncIterableIterator<ClientEvents[E]> = {
    async next() {
      while (buffer.length === 0 && !ended) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (buffer.length > 0) return { value: buffer.shift()!, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      end();
      buffer.length = 0;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
