import { frames, type RoomListingFrame, type UserListingFrame } from '../protocol/index.js';
import { ClientError } from './errors.js';
import type { MembersEvent } from './payloads.js';
import type { ClientSession } from './session.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/**
 * What the client knows about rooms: the rooms it wants to be in (kept across reconnections),
 * the rooms the server confirmed (a USER_LISTING that lists us), the latest member lists, and
 * the callers waiting for a join or a room listing.
 */
export class RoomState {
  /** Rooms confirmed in the current connection. */
  readonly joined = new Set<string>();
  /** Rooms asked for with `join` and not left: rejoined after a reconnection. */
  readonly wanted = new Set<string>();
  readonly #self: string;
  readonly #members = new Map<string, string[]>();
  readonly #joinWaiters = new Map<string, Waiter<string[]>[]>();
  #listWaiters: Waiter<string[]>[] = [];

  constructor(self: string) {
    this.#self = self;
  }

  /** The latest member list of `room` (empty when unknown). */
  members(room: string): string[] {
    return [...(this.#members.get(room) ?? [])];
  }

  /** Call once ENTER_ROOM is written: resolves with the members once they list us. */
  expectJoin(room: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const list = this.#joinWaiters.get(room) ?? [];
      list.push({ resolve, reject });
      this.#joinWaiters.set(room, list);
    });
  }

  /** Call once LIST_ROOMS is written: resolves with the next ROOM_LISTING. */
  expectList(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.#listWaiters.push({ resolve, reject });
    });
  }

  /**
   * Enters every wanted room on a fresh session (straight to the socket, ahead of anything
   * queued) and resolves once each listing names us. A server that stays silent for
   * `timeoutMs` has its session dropped, which sends the reconnection round again.
   */
  async rejoin(session: ClientSession, timeoutMs: number): Promise<void> {
    const joins = [...this.wanted].map((room) => {
      const joined = this.expectJoin(room);
      session.write(frames.enterRoom(room));
      return joined;
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ClientError(
          'TIMEOUT',
          `The server did not confirm the rejoined rooms within ${timeoutMs} ms`,
        );
        session.destroy({ reason: 'timeout', error });
        reject(error);
      }, timeoutMs);
    });
    try {
      await Promise.race([Promise.all(joins), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** We left `room` (LEAVE_ROOM sent): forget it. */
  left(room: string): void {
    this.wanted.delete(room);
    this.joined.delete(room);
    this.#members.delete(room);
  }

  /** Applies a USER_LISTING; returns the event to emit, with the difference to the last one. */
  onUserListing(frame: UserListingFrame): MembersEvent {
    const before = this.#members.get(frame.room) ?? [];
    const members = [...frame.users];
    const had = new Set(before);
    const has = new Set(members);
    if (has.has(this.#self)) {
      this.#members.set(frame.room, members);
      this.joined.add(frame.room);
      const waiters = this.#joinWaiters.get(frame.room);
      this.#joinWaiters.delete(frame.room);
      for (const w of waiters ?? []) w.resolve([...members]);
    } else {
      // A listing without us: we are not (or no longer) in that room.
      this.joined.delete(frame.room);
      this.#members.delete(frame.room);
    }
    return {
      room: frame.room,
      members,
      joined: members.filter((m) => !had.has(m)),
      left: before.filter((m) => !has.has(m)),
    };
  }

  /** Applies a ROOM_LISTING: every caller waiting for one gets it. */
  onRoomListing(frame: RoomListingFrame): string[] {
    const waiters = this.#listWaiters;
    this.#listWaiters = [];
    for (const w of waiters) w.resolve([...frame.rooms]);
    return [...frame.rooms];
  }

  /** The connection is gone: confirmed rooms and lists are void, waiters fail with `err`. */
  reset(err: Error): void {
    this.joined.clear();
    this.#members.clear();
    for (const list of this.#joinWaiters.values()) for (const w of list) w.reject(err);
    this.#joinWaiters.clear();
    for (const w of this.#listWaiters.splice(0)) w.reject(err);
  }
}
