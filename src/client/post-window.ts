import { ClientError } from './errors.js';

/** Default for `ConnectOptions.postWindow`. */
export const DEFAULT_POST_WINDOW = 256;

/** A post written to the server whose echo has not come back yet. */
export interface UnackedPost {
  room: string;
  text: string;
}

interface Entry extends UnackedPost {
  /** Global write order, so posts to several rooms are resent in the order they left. */
  seq: number;
}

interface Waiter {
  /** 'idle' waiters outlive a reconnection: the posts they wait for are resent. */
  kind: 'space' | 'idle';
  ready(): boolean;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * End-to-end flow control for room posts. The server sends every post to all members of the
 * room, its sender included (draft §6.5.1), so that echo is the protocol's only
 * acknowledgement: a post counts as unacknowledged from the moment it is written until its
 * echo is read. The outbox writes no further post to a room that has `size` unacknowledged,
 * which bounds what the server must queue for us even if we stopped reading (256 posts of at
 * most ~12 KB stay under the server's default 4 MiB output limit), and keeps a fast writer
 * reading its own echoes. The unacknowledged posts are what a reconnection resends.
 */
export class PostWindow {
  readonly size: number;
  readonly #rooms = new Map<string, Entry[]>();
  #waiters: Waiter[] = [];
  #seq = 0;
  #count = 0;

  constructor(size: number = DEFAULT_POST_WINDOW) {
    this.size = size;
  }

  /** Posts written and not yet echoed, in every room. */
  get unacked(): number {
    return this.#count;
  }

  /** True when `n` more posts to `room` may be written now (a bigger batch goes alone). */
  fits(room: string, n: number): boolean {
    const waiting = this.#rooms.get(room)?.length ?? 0;
    return waiting === 0 || waiting + n <= this.size;
  }

  /** Resolves once `fits(room, n)`, or at `release()`. */
  space(room: string, n: number): Promise<void> {
    return this.#wait('space', () => this.fits(room, n));
  }

  /** Resolves once every post written so far has been echoed; rejects at `fail()`. */
  idle(): Promise<void> {
    return this.#wait('idle', () => this.#count === 0);
  }

  /** `texts` were just written to `room`, in this order. */
  sent(room: string, texts: readonly string[]): void {
    let list = this.#rooms.get(room);
    if (list === undefined) {
      list = [];
      this.#rooms.set(room, list);
    }
    for (const text of texts) list.push({ room, text, seq: this.#seq++ });
    this.#count += texts.length;
  }

  /**
   * A post of ours came back. It acknowledges the oldest matching post in that room; any
   * older ones were dropped by the server (it drops posts to a room we are not in), so they
   * are released too. An echo that matches nothing (a broadcast, a farewell) is ignored.
   */
  echo(room: string, text: string): void {
    const list = this.#rooms.get(room);
    if (list === undefined) return;
    const at = list.findIndex((e) => e.text === text);
    if (at === -1) return;
    list.splice(0, at + 1);
    this.#count -= at + 1;
    if (list.length === 0) this.#rooms.delete(room);
    this.#wake();
  }

  /**
   * The connection is gone: hands back the unacknowledged posts that `keep` selects (oldest
   * first, across rooms) for resending, and forgets them all. Waiters for space wake up to
   * see the new state; `idle()` waiters wait on for the resent posts, if there are any.
   */
  release(keep: (post: UnackedPost) => boolean): UnackedPost[] {
    const all = [...this.#rooms.values()]
      .flat()
      .sort((a, b) => a.seq - b.seq)
      .map(({ room, text }) => ({ room, text }))
      .filter(keep);
    this.#rooms.clear();
    this.#count = 0;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      if (w.kind === 'space' || all.length === 0) w.resolve();
      else this.#waiters.push(w);
    }
    return all;
  }

  /** Nothing will be resent: fails every waiter with `err` and forgets what is pending. */
  fail(err: Error): void {
    this.#rooms.clear();
    this.#count = 0;
    // Space waiters (the outbox) just wake up and find the outbox closed.
    for (const w of this.#waiters.splice(0)) w.kind === 'space' ? w.resolve() : w.reject(err);
  }

  #wait(kind: Waiter['kind'], ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ kind, ready, resolve, reject }));
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      if (w.ready()) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }
}

/** The error `idle()` waiters get when the client finishes with posts unacknowledged. */
export function unackedError(count: number, why: string): ClientError {
  return new ClientError(
    'DISCONNECTED',
    `${count} post(s) were written but the server never echoed them (${why}); they may not have arrived`,
  );
}
