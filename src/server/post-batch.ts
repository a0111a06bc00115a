import { joinSlots } from '../join-slots.js';
import type { ServerSession } from './session.js';

/**
 * Posts to one room in a row, within one tick, sent to every member as one buffer.
 *
 * Queuing each post for each member costs a stream write and a gather-list entry per
 * delivery, which a bench profile shows to be most of a fan-out's CPU; one concatenation per
 * room per tick, written as the same buffer to every member, costs a fraction of it. Any
 * other frame the server sends flushes the batch first (`ServerSession.sendRaw` and `relay` call
 * `flush`), so every client still gets frames in exactly the order the server produced them;
 * the members are the room's as of the first post of the batch, and since the rooms handler
 * flushes the batch before every change of membership, they cannot change during a batch.
 */
export class PostBatch {
  readonly #backlog: (member: ServerSession, senders: ReadonlySet<ServerSession>) => void;
  #room: ReadonlySet<ServerSession> | null = null;
  /** Who posted the batch's posts: held back if a member falls behind (see `backlog`). */
  #senders = new Set<ServerSession>();
  #except: ServerSession | undefined;
  // The batch's members and posts are the first `#targetCount` and `#partCount` slots of
  // arrays kept from batch to batch: a batch is often one post, and fresh arrays and a fresh
  // Set for each were most of the garbage a post made here.
  #targets: (ServerSession | undefined)[] = [];
  #targetCount = 0;
  readonly #parts: (Buffer | undefined)[] = [];
  #partCount = 0;
  #bytes = 0;
  /** Flushes in progress (a send inside one could start and flush another batch). */
  #flushing = 0;
  #scheduled = false;
  readonly #flushTick = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /**
   * `backlog` hears of each member whose socket reported backpressure on a batch, with the
   * batch's senders, so the server can stop reading from them until that member catches up.
   * It must not keep the set: the batch reuses it.
   */
  constructor(
    backlog: (member: ServerSession, senders: ReadonlySet<ServerSession>) => void = () => {},
  ) {
    this.#backlog = backlog;
  }

  /**
   * Queues `bytes` (one encoded POST) for every member of `members` but `except`; `sender`
   * is the client that posted it (none for a farewell).
   */
  add(
    members: ReadonlySet<ServerSession>,
    bytes: Buffer,
    except?: ServerSession,
    sender?: ServerSession,
  ): void {
    if (this.#room !== members || this.#except !== except) {
      this.flush();
      if (this.#flushing > 0) {
        // The batch being sent still walks the kept array and set: this one gets its own.
        this.#targets = [];
        this.#senders = new Set();
      }
      this.#room = members;
      this.#except = except;
      const targets = this.#targets;
      let n = 0;
      for (const m of members) if (m !== except) targets[n++] = m;
      this.#targetCount = n;
    }
    this.#parts[this.#partCount++] = bytes;
    this.#bytes += bytes.length;
    if (sender !== undefined) this.#senders.add(sender);
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flushTick);
    }
  }

  /** Sends what is queued now. */
  flush(): void {
    if (this.#room === null) return;
    const targets = this.#targets;
    const parts = this.#parts;
    const n = this.#targetCount;
    const count = this.#partCount;
    const senders = this.#senders;
    this.#room = null;
    this.#except = undefined;
    this.#targetCount = 0;
    this.#partCount = 0;
    const all = count === 1 ? parts[0]! : joinSlots(parts, count, this.#bytes);
    this.#bytes = 0;
    parts.fill(undefined, 0, count);
    this.#flushing++;
    try {
      for (let i = 0; i < n; i++) {
        const member = targets[i]!;
        if (!member.sendRaw(all, count) && senders.size > 0) this.#backlog(member, senders);
      }
    } finally {
      this.#flushing--;
      targets.fill(undefined, 0, n);
      senders.clear();
    }
  }
}
