import type { ClusterLink } from './cluster/link.js';
import type { ServerSession } from './session.js';

/**
 * Room backpressure across nodes, on the server's side of `PostFlow`: which local posters
 * wait because another node holds their room (or is a window behind), and which local
 * members hold another node's posters because their sockets are backed up.
 */
export class CrossNodePosts {
  readonly #cluster: ClusterLink;
  /** Posters not read until the cluster lets these rooms flow. */
  readonly #waiting = new Map<ServerSession, Set<string>>();
  /** Per backed-up member, the holds it asked for (`node\nroom`). */
  readonly #holding = new Map<ServerSession, Set<string>>();
  /** How many members hold each `node\nroom`. */
  readonly #holders = new Map<string, number>();

  constructor(cluster: ClusterLink) {
    this.#cluster = cluster;
  }

  /** Local posters not read now because of another node. */
  get postersHeld(): number {
    return this.#waiting.size;
  }

  /** Local members holding other nodes' posters now. */
  get membersHolding(): number {
    return this.#holding.size;
  }

  /** `session` just posted to `room` and the cluster said to wait: stop reading it. */
  wait(session: ServerSession, room: string): void {
    let rooms = this.#waiting.get(session);
    if (rooms === undefined) {
      rooms = new Set();
      this.#waiting.set(session, rooms);
      // Counted with the file transfers' waits: the heartbeat sweep spares a paused client.
      session.remoteWaits++;
      session.conn.pause();
    }
    rooms.add(room);
  }

  /** A hold was released or a node caught up: posters whose rooms flow are read again. */
  retry(): void {
    for (const [session, rooms] of this.#waiting) {
      for (const room of rooms) if (this.#cluster.mayPost(room)) rooms.delete(room);
      if (rooms.size > 0) continue;
      this.#waiting.delete(session);
      session.remoteWaits--;
      // Its silence while paused was the server's doing.
      session.conn.lastReceivedAt = Date.now();
      session.resumeIfFree();
    }
  }

  /**
   * `member` (of `room`) is backed up with posts from `origin`: that node holds the room
   * until the member drains. It counts as holding a sender, so the heartbeat sweep's stall
   * check ends it if it reads nothing for the heartbeat timeout.
   */
  hold(member: ServerSession, room: string, origin: string): void {
    let keys = this.#holding.get(member);
    if (keys === undefined) {
      keys = new Set();
      this.#holding.set(member, keys);
      member.holdRemote();
    }
    const key = `${origin}\n${room}`;
    if (keys.has(key)) return;
    keys.add(key);
    const holders = this.#holders.get(key) ?? 0;
    this.#holders.set(key, holders + 1);
    if (holders === 0) this.#cluster.holdPosts(room, origin);
  }

  /** `member` drained: the holds only it kept are released. */
  release(member: ServerSession): void {
    const keys = this.#holding.get(member);
    if (keys === undefined) return;
    this.#holding.delete(member);
    for (const key of keys) {
      const left = this.#holders.get(key)! - 1;
      if (left > 0) {
        this.#holders.set(key, left);
        continue;
      }
      this.#holders.delete(key);
      const cut = key.indexOf('\n');
      this.#cluster.releasePosts(key.slice(cut + 1), key.slice(0, cut));
    }
  }

  /** `session` is gone: it waits for nothing and holds nothing. */
  forget(session: ServerSession): void {
    this.#waiting.delete(session);
    this.release(session);
  }
}
