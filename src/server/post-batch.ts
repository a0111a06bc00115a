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
  #targets: ServerSession[] = [];
  #parts: Buffer[] = [];
  #bytes = 0;
  #scheduled = false;
  readonly #flushTick = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /**
   * `backlog` hears of each member whose socket reported backpressure on a batch, with the
   * batch's senders, so the server can stop reading from them until that member catches up.
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
      this.#room = members;
      this.#except = except;
      for (const m of members) if (m !== except) this.#targets.push(m);
    }
    this.#parts.push(bytes);
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
    const bytes = this.#bytes;
    const senders = this.#senders;
    this.#senders = new Set();
    this.#room = null;
    this.#except = undefined;
    this.#targets = [];
    this.#parts = [];
    this.#bytes = 0;
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
    for (const member of targets) {
      if (!member.sendRaw(all, parts.length) && senders.size > 0) this.#backlog(member, senders);
    }
  }
}
