/** One change of a room's membership, numbered by the cluster (see scripts.ts). */
export interface RoomDelta {
  kind: 'join' | 'leave';
  room: string;
  name: string;
  /** The node the user is on. */
  node: string;
  /** The room's version before this change, and after it. */
  prev: number;
  version: number;
}

/** Most changes held while waiting for an earlier one; past it the room is re-read. */
const MAX_PENDING = 10_000;

/** How long a gap in a room's numbered changes may stay open before the room is re-read. */
export const GAP_MS = 1_000;

class RoomMirror {
  version: number;
  /** Member name → its node, in join order. */
  readonly members = new Map<string, string>();
  /** Changes that arrived before the one they follow, by the version they follow. */
  readonly pending = new Map<number, RoomDelta>();

  constructor(version: number) {
    this.version = version;
  }

  add(name: string, node: string): boolean {
    if (this.members.has(name)) return false;
    this.members.set(name, node);
    return true;
  }

  /**
   * Removes `name` if `node` holds it: a node giving up a name that another node took while
   * Redis was away leaves the other node's member listed.
   */
  remove(name: string, node: string): boolean {
    const holder = this.members.get(name);
    // '' is a snapshot's member whose name Redis had no holder for.
    if (holder !== node && holder !== '') return false;
    return this.members.delete(name);
  }
}

/**
 * This node's copy of the membership of every room it has local members in, kept current
 * from the changes Redis publishes. Every change carries the version it follows and is
 * applied in that order; a snapshot (a script's reply) and the change stream (pub/sub) come
 * on two connections, so changes that overtake the snapshot wait for it. A change this node
 * made itself is applied at once, and its numbered copy later finds nothing left to do.
 */
export class Mirrors {
  readonly #rooms = new Map<string, RoomMirror>();
  readonly #resync: (room: string, force: boolean) => void;
  /** Rooms with a gap in their changes, each with the timer that re-reads it if it stays. */
  readonly #gaps = new Map<string, NodeJS.Timeout>();

  /**
   * `resync` is asked to re-read a room whose changes cannot be put in order (`force`: take
   * Redis's copy whatever its version, which a gap left open makes the only way forward).
   */
  constructor(resync: (room: string, force: boolean) => void) {
    this.#resync = resync;
  }

  /** Whether this node keeps a copy of `room`. */
  has(room: string): boolean {
    return this.#rooms.has(room);
  }

  /** Rooms this node keeps a copy of. */
  rooms(): IterableIterator<string> {
    return this.#rooms.keys();
  }

  /** Member names of `room` in join order (none when no copy is kept). */
  *names(room: string): Generator<string> {
    const r = this.#rooms.get(room);
    if (r !== undefined) yield* r.members.keys();
  }

  /** The node holding member `name` of `room`, if it is one. */
  nodeOf(room: string, name: string): string | undefined {
    return this.#rooms.get(room)?.members.get(name);
  }

  /**
   * Replaces the copy of `room` with what Redis holds at `version` (entries in join order),
   * unless the copy is already newer; `force` replaces it whatever its version (after Redis
   * restarted and numbering began again). Returns whether anything changed.
   */
  snapshot(
    room: string,
    version: number,
    entries: Iterable<[name: string, node: string]>,
    force = false,
  ): boolean {
    const old = this.#rooms.get(room);
    if (old !== undefined && !force && old.version >= version) return false;
    const r = new RoomMirror(version);
    for (const [name, node] of entries) r.add(name, node);
    if (old !== undefined) {
      for (const [prev, d] of old.pending) if (d.version > version) r.pending.set(prev, d);
    }
    this.#rooms.set(room, r);
    this.#drain(r);
    if (r.pending.size > 0) this.#watchGap(room);
    return true;
  }

  /** Applies a numbered change; returns whether the member list changed. */
  apply(delta: RoomDelta): boolean {
    const r = this.#rooms.get(delta.room);
    if (r === undefined || delta.version <= r.version) return false;
    if (delta.prev !== r.version) {
      r.pending.set(delta.prev, delta);
      if (r.pending.size > MAX_PENDING) {
        r.pending.clear();
        this.#resync(delta.room, false);
      } else this.#watchGap(delta.room);
      return false;
    }
    const changed = this.#step(r, delta);
    return this.#drain(r) || changed;
  }

  /** Records a change this node made before its number is known (it is applied again later). */
  local(room: string, kind: 'join' | 'leave', name: string, node: string): void {
    const r = this.#rooms.get(room);
    if (r === undefined) {
      if (kind === 'join') this.#rooms.set(room, new RoomMirror(-1)).get(room)!.add(name, node);
      return;
    }
    if (kind === 'join') r.add(name, node);
    else r.remove(name, node);
  }

  /**
   * A local member is joining `room`, of which no copy is kept yet: changes that arrive
   * before the snapshot are held, and those newer than it applied after it.
   */
  expect(room: string): void {
    if (!this.#rooms.has(room)) this.#rooms.set(room, new RoomMirror(-1));
  }

  /** Whether `room`'s copy still waits for its first snapshot. */
  awaiting(room: string): boolean {
    return this.#rooms.get(room)?.version === -1;
  }

  /** Forgets `room` (its last local member left). */
  drop(room: string): void {
    this.#rooms.delete(room);
    clearTimeout(this.#gaps.get(room));
    this.#gaps.delete(room);
  }

  /** Forgets every room (Redis restarted: versions begin again). */
  clear(): void {
    this.#rooms.clear();
    for (const t of this.#gaps.values()) clearTimeout(t);
    this.#gaps.clear();
  }

  /**
   * A change arrived ahead of one this node has not seen. It is usually a moment behind (the
   * two connections race); one that never comes (published while this node's subscription was
   * reconnecting, or before its members were back in Redis after a restart) would leave the
   * copy stuck, every later change held, so a gap still open after `GAP_MS` re-reads the room.
   */
  #watchGap(room: string): void {
    if (this.#gaps.has(room)) return;
    const timer = setTimeout(() => {
      this.#gaps.delete(room);
      if ((this.#rooms.get(room)?.pending.size ?? 0) > 0) this.#resync(room, true);
    }, GAP_MS);
    timer.unref();
    this.#gaps.set(room, timer);
  }

  #step(r: RoomMirror, d: RoomDelta): boolean {
    r.version = d.version;
    return d.kind === 'join' ? r.add(d.name, d.node) : r.remove(d.name, d.node);
  }

  #drain(r: RoomMirror): boolean {
    let changed = false;
    for (;;) {
      const next = r.pending.get(r.version);
      if (next === undefined) break;
      r.pending.delete(r.version);
      if (this.#step(r, next)) changed = true;
    }
    return changed;
  }
}
