/** A listener of one event; it may be async, and a rejection is reported like a throw. */
export type Listener<T> = (payload: T) => unknown;

/**
 * A small typed event emitter: one interface maps each event to its payload, `on` returns the
 * function that unsubscribes, and a listener that throws or rejects never breaks the emitter
 * or the other listeners: its error goes to `onListenerError`.
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #known: ReadonlySet<string>;
  readonly #onListenerError: (error: unknown, event: keyof Events, payload: unknown) => void;
  /** Told each event that had at least one listener (for metrics; null: nobody asked). */
  onHandled: ((event: keyof Events) => void) | null = null;

  constructor(
    known: readonly (keyof Events & string)[],
    onListenerError: (error: unknown, event: keyof Events, payload: unknown) => void,
  ) {
    this.#known = new Set(known);
    this.#onListenerError = onListenerError;
  }

  /** Subscribes `fn` to `event`; returns the function that unsubscribes it. */
  on<E extends keyof Events>(event: E, fn: Listener<Events[E]>): () => void {
    this.#check(event, fn);
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    // Wrapping lets the same function be subscribed twice and unsubscribed one at a time.
    const entry: Listener<Events[E]> = (payload) => fn(payload);
    set.add(entry as Listener<never>);
    return () => {
      set.delete(entry as Listener<never>);
    };
  }

  /** Like `on`, but the listener runs at most once. */
  once<E extends keyof Events>(event: E, fn: Listener<Events[E]>): () => void {
    this.#check(event, fn);
    const off = this.on(event, (payload) => {
      off();
      return fn(payload);
    });
    return off;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener of `event` in order; returns whether there was any. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): boolean {
    const set = this.#listeners.get(event);
    if (set === undefined || set.size === 0) return false;
    this.onHandled?.(event);
    for (const fn of [...set]) {
      try {
        const result = (fn as Listener<Events[E]>)(payload);
        if (isThenable(result)) {
          result.then(undefined, (err: unknown) => this.#onListenerError(err, event, payload));
        }
      } catch (err) {
        this.#onListenerError(err, event, payload);
      }
    }
    return true;
  }

  /** Drops every listener. */
  clear(): void {
    this.#listeners.clear();
  }

  #check(event: PropertyKey, fn: unknown): void {
    if (typeof event !== 'string' || !this.#known.has(event)) {
      throw new TypeError(
        `Unknown event ${String(event)}; use one of: ${[...this.#known].join(', ')}`,
      );
    }
    if (typeof fn !== 'function') {
      throw new TypeError(`The listener of '${event}' must be a function, got ${typeof fn}`);
    }
  }
}

/** True for promises and anything else with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
