/** One `get` waiting for a free slot. */
export interface Waiting {
  /** The path as the user typed it (resolved again when its turn comes). */
  typed: string;
}

/**
 * Each user's running transfers and waiting `get`s: at most `limit` run at once per user; the
 * rest wait in order. `start` is called for each job when its turn comes and resolves once
 * that transfer is over (whatever its outcome), which frees the slot.
 */
export class UserQueues {
  readonly #limit: number;
  readonly #start: (user: string, job: Waiting) => Promise<void>;
  readonly #running = new Map<string, Map<object, string>>();
  readonly #waiting = new Map<string, Waiting[]>();
  #stopped = false;

  constructor(limit: number, start: (user: string, job: Waiting) => Promise<void>) {
    this.#limit = limit;
    this.#start = start;
  }

  /** Runs `job` now if the user has a free slot; else queues it. Returns its queue position (0: running). */
  add(user: string, job: Waiting): number {
    if (this.running(user).length < this.#limit) {
      this.#run(user, job);
      return 0;
    }
    const list = this.#waiting.get(user) ?? [];
    list.push(job);
    this.#waiting.set(user, list);
    return list.length;
  }

  /** What runs for `user` now. */
  running(user: string): string[] {
    return [...(this.#running.get(user)?.values() ?? [])];
  }

  /** What waits for `user`, in order. */
  waiting(user: string): Waiting[] {
    return [...(this.#waiting.get(user) ?? [])];
  }

  /** Empties `user`'s queue; returns how many were waiting. */
  clear(user: string): number {
    const n = this.#waiting.get(user)?.length ?? 0;
    this.#waiting.delete(user);
    return n;
  }

  /** Nothing more starts. */
  stop(): void {
    this.#stopped = true;
    this.#waiting.clear();
  }

  #run(user: string, job: Waiting): void {
    const set = this.#running.get(user) ?? new Map<object, string>();
    this.#running.set(user, set);
    // The same name twice at once is two jobs: each gets a key of its own.
    const key = {};
    set.set(key, job.typed);
    void this.#start(user, job)
      .catch(() => undefined)
      .finally(() => {
        set.delete(key);
        if (set.size === 0) this.#running.delete(user);
        const next = this.#waiting.get(user)?.shift();
        if (this.#waiting.get(user)?.length === 0) this.#waiting.delete(user);
        if (next !== undefined && !this.#stopped) this.#run(user, next);
      });
  }
}
