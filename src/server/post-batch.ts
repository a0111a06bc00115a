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
  #room: ReadonlySet<ServerSession> | null = null;
  #except: ServerSession | undefined;
  #targets: ServerSession[] = [];
  #parts: Buffer[] = [];
  #bytes = 0;
  #scheduled = false;
  readonly #flushTick = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** Queues `bytes` (one encoded POST) for every member of `members` but `except`. */
  add(members: ReadonlySet<ServerSession>, bytes: Buffer, except?: ServerSession): void {
    if (this.#room !== members || this.#except !== except) {
      this.flush();
      this.#room = members;
      this.#except = except;
      for (const m of members) if (m !== except) this.#targets.push(m);
    }
    this.#parts.push(bytes);
    this.#bytes += bytes.length;
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
    this.#room = null;
    this.#except = undefined;
    this.#targets = [];
    this.#parts = [];
    this.#bytes = 0;
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
    for (const member of targets) member.sendRaw(all, parts.length);
  }
}
