/** What the registry needs to know about a connection: the rooms it is in. */
export interface Member {
  /** Names of the rooms this member is in; kept in step by the registry. */
  readonly rooms: Set<string>;
}

/** Outcome of `Registry.join`. */
export type JoinResult = 'joined' | 'already-member' | 'too-many-rooms';

/**
 * Orders names as their UTF-8 bytes compare (CLARIFICATIONS §3), which is code point order,
 * without encoding them: UTF-16 code units already sort that way, except that a surrogate
 * (U+D800–U+DFFF, the start of a code point above U+FFFF) must come after U+E000–U+FFFF.
 */
function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Where `name` is, or would go, in the sorted `names`. */
function sortedIndex(names: readonly string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(names[mid]!, name) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Users and rooms of one server. Every operation on the message path is O(1) (apart from
 * the fan-out it enables): name → member, room → members in join order, member → rooms.
 */
export class Registry<M extends Member> {
  readonly #users = new Map<string, M>();
  readonly #rooms = new Map<string, Set<M>>();
  readonly #maxRooms: number;
  /**
   * Room names, kept sorted as rooms come and go (a binary search each), so a LIST_ROOMS after
   * a change never sorts every room again.
   */
  readonly #sorted: string[] = [];
  #snapshot: readonly string[] | null = null;
  #roomsVersion = 0;

  constructor(options: { maxRooms?: number } = {}) {
    this.#maxRooms = options.maxRooms ?? Number.POSITIVE_INFINITY;
  }

  /** Number of registered users. */
  get userCount(): number {
    return this.#users.size;
  }

  /** Number of rooms (each has at least one member). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Changes whenever a room is created or deleted: lets callers cache listings. */
  get roomsVersion(): number {
    return this.#roomsVersion;
  }

  /** The member registered under `name`. */
  user(name: string): M | undefined {
    return this.#users.get(name);
  }

  /** Registers `member` as `name`; false if the name is taken. */
  addUser(name: string, member: M): boolean {
    if (this.#users.has(name)) return false;
    this.#users.set(name, member);
    return true;
  }

  /** Unregisters `name` if it belongs to `member`. */
  removeUser(name: string, member: M): void {
    if (this.#users.get(name) === member) this.#users.delete(name);
  }

  /** Every registered member (for the heartbeat sweep, never the message path). */
  users(): IterableIterator<M> {
    return this.#users.values();
  }

  /** Members of `room` in join order, or undefined when the room does not exist. */
  members(room: string): ReadonlySet<M> | undefined {
    return this.#rooms.get(room);
  }

  /** Names of every room, sorted by name (the same array until a room is created or deleted). */
  roomNames(): readonly string[] {
    if (this.#snapshot === null) this.#snapshot = [...this.#sorted];
    return this.#snapshot;
  }

  /** Adds `member` to `room`, creating the room unless that would pass the room limit. */
  join(member: M, room: string): JoinResult {
    let members = this.#rooms.get(room);
    if (members === undefined) {
      if (this.#rooms.size >= this.#maxRooms) return 'too-many-rooms';
      members = new Set();
      this.#rooms.set(room, members);
      this.#sorted.splice(sortedIndex(this.#sorted, room), 0, room);
      this.#roomsChanged();
    } else if (members.has(member)) {
      return 'already-member';
    }
    members.add(member);
    member.rooms.add(room);
    return 'joined';
  }

  /**
   * Removes `member` from `room` and deletes the room once empty. Returns the remaining
   * members (possibly none), or undefined when `member` was not in the room.
   */
  leave(member: M, room: string): ReadonlySet<M> | undefined {
    const members = this.#rooms.get(room);
    if (members === undefined || !members.delete(member)) return undefined;
    member.rooms.delete(room);
    if (members.size === 0) {
      this.#rooms.delete(room);
      this.#sorted.splice(sortedIndex(this.#sorted, room), 1);
      this.#roomsChanged();
    }
    return members;
  }

  #roomsChanged(): void {
    this.#snapshot = null;
    this.#roomsVersion++;
  }
}
