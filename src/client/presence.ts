import type { QueryUserFrame } from '../protocol/index.js';

// QUERY_USER answers carry no request id, so they are matched by order: the server handles
// frames in order and answers each QUERY_USER once. A direct message to someone offline is
// answered with QUERY_USER(recipient, 0) and nothing at all otherwise, so every direct is
// followed by a QUERY_USER about ourselves (always status 1): any "recipient offline" before
// that barrier's answer belongs to this direct. The FIFO holds both kinds, in sending order.

interface QueryItem {
  type: 'query';
  name: string;
  /** Asked by the SDK itself: the answer is no `presence` news. */
  quiet: boolean;
  resolve(online: boolean): void;
  reject(err: Error): void;
}

interface DirectItem {
  type: 'direct';
  to: string;
  dropped: boolean;
  resolve(delivered: boolean): void;
  reject(err: Error): void;
}

type Item = QueryItem | DirectItem;

/** What became of one QUERY_USER answer. */
export type PresenceMatch = 'query' | 'quiet-query' | 'direct-dropped' | 'barrier' | 'unsolicited';

/** Matches QUERY_USER answers to `isOnline` calls and to direct messages, in FIFO order. */
export class PresenceTracker {
  readonly #self: string;
  #items: Item[] = [];

  constructor(self: string) {
    this.#self = self;
  }

  /** Call right after QUERY_USER(name) was written; `quiet` for the SDK's own checks. */
  expectQuery(name: string, quiet = false): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#items.push({ type: 'query', name, quiet, resolve, reject });
    });
  }

  /** Call right after the DIRECT frames to `to` and the barrier QUERY_USER(self) were written. */
  expectDirect(to: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#items.push({ type: 'direct', to, dropped: false, resolve, reject });
    });
  }

  /** Feeds one QUERY_USER answer; says what it answered. */
  onAnswer(frame: QueryUserFrame): PresenceMatch {
    const head = this.#items[0];
    if (head === undefined) return 'unsolicited';
    if (head.type === 'query') {
      if (frame.name !== head.name) return 'unsolicited';
      this.#items.shift();
      head.resolve(frame.status === 1);
      return head.quiet ? 'quiet-query' : 'query';
    }
    if (frame.name === head.to && frame.status === 0 && head.to !== this.#self) {
      head.dropped = true;
      return 'direct-dropped';
    }
    if (frame.name === this.#self) {
      this.#items.shift();
      head.resolve(!head.dropped);
      return 'barrier';
    }
    return 'unsolicited';
  }

  /** Fails everything still waiting (the connection is gone). */
  failAll(err: Error): void {
    for (const item of this.#items.splice(0)) item.reject(err);
  }
}
