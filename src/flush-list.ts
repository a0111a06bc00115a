/**
 * Items waiting for one shared flush, run by a single scheduled callback (a `process.nextTick`
 * or a `setImmediate`) however many there are: a fan-out queues on hundreds of connections
 * per tick, and a callback each was garbage per delivery (the young-generation GC's pauses
 * are what a light load's tail is made of). The array is kept from pass to pass.
 */
export class FlushList<T> {
  readonly #schedule: (run: () => void) => void;
  readonly #flush: (item: T) => void;
  readonly #items: (T | undefined)[] = [];
  #count = 0;

  constructor(schedule: (run: () => void) => void, flush: (item: T) => void) {
    this.#schedule = schedule;
    this.#flush = flush;
  }

  /** Queues `item` for the next pass (the caller adds each item once per pass). */
  add(item: T): void {
    if (this.#count === 0) this.#schedule(this.#run);
    this.#items[this.#count++] = item;
  }

  readonly #run = (): void => {
    const items = this.#items;
    let i = 0;
    try {
      // A flush may queue another item (a drain handler): it joins this same pass.
      for (; i < this.#count; i++) {
        const item = items[i] as T;
        items[i] = undefined;
        this.#flush(item);
      }
    } finally {
      const left = this.#count - i - 1;
      if (left > 0) {
        // One flush threw: the rest still go out, in a pass of their own.
        items.copyWithin(0, i + 1, this.#count);
        items.fill(undefined, left, this.#count);
        this.#count = left;
        this.#schedule(this.#run);
      } else {
        this.#count = 0;
      }
    }
  };
}
