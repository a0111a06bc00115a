import { encode, frames } from '../protocol/index.js';

/** What the listings need of a local member: its name and a way to queue a listing. */
export interface ListingMember {
  readonly name: string;
  /**
   * Queues an encoded USER_LISTING after everything already queued for this member;
   * `flushed` runs once the bytes have left the process (or the connection is gone).
   */
  sendListing(bytes: Buffer, flushed: () => void): void;
}

/** How listings are paced; every field has a default (see `DEFAULT_LISTING_PACE`). */
export interface ListingPace {
  /** Longest a member waits for a listing after a change (CLARIFICATIONS §5.11). */
  maxWaitMs: number;
  /**
   * Listing bytes a room may send per second before its changes are merged: the wait after
   * a change is the time one listing to every member costs at this rate, at most `maxWaitMs`.
   * A room whose listing round costs under a millisecond lists every change at once.
   */
  bytesPerSecond: number;
  /** Listing bytes one room hands to sockets per turn of the event loop, before yielding. */
  sliceBytes: number;
}

/** relaykit's pacing: 250 ms at most, 64 MiB/s per room, 1 MiB per turn. */
export const DEFAULT_LISTING_PACE: ListingPace = {
  maxWaitMs: 250,
  bytesPerSecond: 64 * 1024 * 1024,
  sliceBytes: 1024 * 1024,
};

/** One member's place in one room's listings. */
class Seat<M> {
  /** Room version of the last listing queued for this member (-1: none yet). */
  sent = -1;
  /** Listings of this room queued to the member and not yet flushed. */
  inFlight = 0;
  /** Passed over by a round while a listing was in flight: it gets the latest once that left. */
  behind = false;
  gone = false;
  constructor(
    readonly member: M,
    /** Room version right after this member joined: any listing from it on includes it. */
    readonly joinedAt: number,
  ) {}
}

/** An encoded listing and the room version it shows. */
interface Encoded {
  version: number;
  bytes: Buffer;
}

/** One room's listing state. */
class RoomListings<M> {
  /** Bumped on every change of membership. */
  version = 0;
  /** Local members in join order. */
  readonly seats = new Map<M, Seat<M>>();
  /** The latest encoding (re-entries and forced sends reuse it while the room is unchanged). */
  cache: Encoded | null = null;
  /** The listing of the round in progress or last finished; members behind catch up to it. */
  round: Encoded | null = null;
  /** The seats of the round still to serve, when it spans turns of the event loop. */
  cursor: Iterator<Seat<M>> | null = null;
  /** A new round began while the cursor was mid-way: go round once more from the start. */
  wrap = false;
  /**
   * A lower bound of every seat's `sent`: a post from a member who joined at or before it
   * needs no check. Lowered on every join, made exact again by every full pass.
   */
  floor = 0;
  /** Members who entered and have not yet been sent a listing. */
  readonly entrants = new Set<Seat<M>>();
  timer: ReturnType<typeof setTimeout> | null = null;
  lastRoundAt = Number.NEGATIVE_INFINITY;
  constructor(readonly name: string) {}
}

/**
 * USER_LISTINGs of every room, coalesced as CLARIFICATIONS §5.11 allows. A room whose full
 * listing round is cheap lists every change at once, as the draft does. In a bigger room the
 * changes within a short wait (its round's cost at `bytesPerSecond`, at most 250 ms) are
 * merged into one listing per member; an entering member gets its first listing at the end
 * of the event loop's turn, so joins are confirmed at once whatever the room's size.
 *
 * A member has one listing of a room queued at a time: until it has left the process (at
 * once for a client that reads; never while a slow reader's socket is backed up), the next is
 * held here and replaced by any newer one. What a slow reader has queued stays one listing
 * per room, counted once by the output limit, and its last listing is current.
 * Listings never fall behind posts: `beforePost` hands the current listing to any member not
 * yet told of the sender's entry, ahead of the post.
 *
 * It works on this process's members only; `names` gives the room's member names in join
 * order from wherever the room's membership is kept.
 */
export class Listings<M extends ListingMember> {
  readonly #rooms = new Map<string, RoomListings<M>>();
  readonly #names: (room: string) => Iterable<string>;
  readonly #pace: ListingPace;
  /** Bytes of listings handed out, for the bench and stats. */
  bytesSent = 0;
  /** Listings handed out. */
  sent = 0;

  constructor(names: (room: string) => Iterable<string>, pace: Partial<ListingPace> = {}) {
    this.#names = names;
    this.#pace = { ...DEFAULT_LISTING_PACE, ...pace };
  }

  /** `member` entered `room` (after the registry added it). */
  entered(room: string, member: M): void {
    let r = this.#rooms.get(room);
    if (r === undefined) {
      r = new RoomListings<M>(room);
      this.#rooms.set(room, r);
    }
    r.version++;
    const seat = new Seat(member, r.version);
    r.seats.set(member, seat);
    r.floor = -1;
    if (this.#changed(r)) return;
    r.entrants.add(seat);
    if (r.entrants.size === 1) setImmediate(() => this.#welcome(r));
  }

  /**
   * `member` is leaving `room`: call before the registry removes it, then `left` after. A
   * member never yet sent a listing showing itself gets one now (§5.11: an entering client
   * sees itself).
   */
  leaving(room: string, member: M): void {
    const r = this.#rooms.get(room);
    const seat = r?.seats.get(member);
    if (r === undefined || seat === undefined) return;
    if (seat.sent < seat.joinedAt) this.#send(r, seat, this.#current(r));
    seat.gone = true;
    r.seats.delete(member);
    r.entrants.delete(seat);
  }

  /** `member` has left `room` (the registry no longer lists it): the others are told. */
  left(room: string): void {
    const r = this.#rooms.get(room);
    if (r === undefined) return;
    if (r.seats.size === 0) {
      if (r.timer !== null) clearTimeout(r.timer);
      this.#rooms.delete(room);
      return;
    }
    r.version++;
    this.#changed(r);
  }

  /** `room`'s membership changed on another node: its local members are told. */
  changed(room: string): void {
    const r = this.#rooms.get(room);
    if (r === undefined) return;
    r.version++;
    this.#changed(r);
  }

  /**
   * A post from another node is about to reach `room`'s local members: a change still
   * waiting to be listed is listed first, so no post arrives from someone not yet listed.
   */
  beforeRemotePost(room: string): void {
    const r = this.#rooms.get(room);
    if (r === undefined || r.timer === null) return;
    clearTimeout(r.timer);
    r.timer = null;
    this.#startRound(r);
  }

  /** `member` asked to enter `room` while in it: it alone gets the current listing (§5.2). */
  acknowledge(room: string, member: M): void {
    const r = this.#rooms.get(room);
    const seat = r?.seats.get(member);
    if (r !== undefined && seat !== undefined) this.#send(r, seat, this.#current(r));
  }

  /**
   * `sender` is about to post to `room`: every local member not yet sent a listing showing
   * the sender gets the current one first, so no post arrives from someone not yet listed.
   */
  beforePost(room: string, sender: M): void {
    const r = this.#rooms.get(room);
    const joinedAt = r?.seats.get(sender)?.joinedAt;
    // An outside post (allowOutsidePosts) comes from no seat: there is no entry to order.
    if (r === undefined || joinedAt === undefined || joinedAt <= r.floor) return;
    let floor = r.version;
    let current: Encoded | null = null;
    for (const seat of r.seats.values()) {
      if (seat.sent < joinedAt) {
        current ??= this.#current(r);
        this.#send(r, seat, current);
        r.entrants.delete(seat);
      }
      if (seat.sent < floor) floor = seat.sent;
    }
    r.floor = floor;
  }

  /** The coalescing wait of a room of this size: 0 lists every change at once. */
  #wait(r: RoomListings<M>): number {
    const n = r.seats.size;
    const roundMs = (1000 * n * (n * 64 + 69)) / this.#pace.bytesPerSecond;
    return roundMs < 1 ? 0 : Math.min(this.#pace.maxWaitMs, roundMs);
  }

  /**
   * Lists a change at once when the room is cheap to list or has been quiet for its wait;
   * otherwise the change joins the round due one wait after the last.
   */
  #changed(r: RoomListings<M>): boolean {
    const wait = this.#wait(r);
    const due = wait === 0 ? 0 : r.lastRoundAt + wait - Date.now();
    if (due <= 0) {
      if (r.timer !== null) clearTimeout(r.timer);
      r.timer = null;
      this.#startRound(r);
      return true;
    }
    r.timer ??= setTimeout(() => {
      r.timer = null;
      if (this.#rooms.get(r.name) === r) this.#startRound(r);
    }, due);
    return false;
  }

  /** Entrants get the current listing at the end of the turn in which they entered. */
  #welcome(r: RoomListings<M>): void {
    if (r.entrants.size === 0 || this.#rooms.get(r.name) !== r) return;
    const current = this.#current(r);
    for (const seat of r.entrants) this.#send(r, seat, current);
    r.entrants.clear();
  }

  /** Starts a round: every member behind the room's version gets its current listing. */
  #startRound(r: RoomListings<M>): void {
    r.lastRoundAt = Date.now();
    r.entrants.clear();
    r.round = this.#current(r);
    if (r.cursor !== null) {
      // A round spanning turns carries on with the new listing, then serves the seats it
      // had already passed: restarting from the top would starve the last members.
      r.wrap = true;
      return;
    }
    r.cursor = r.seats.values();
    this.#continueRound(r);
  }

  /** Serves the round's seats until the turn's byte budget is spent. */
  #continueRound(r: RoomListings<M>): void {
    const round = r.round;
    if (round === null || r.cursor === null || this.#rooms.get(r.name) !== r) {
      r.cursor = null;
      return;
    }
    let budget = this.#pace.sliceBytes;
    let floor = round.version;
    for (;;) {
      const next = r.cursor.next();
      if (next.done) {
        if (!r.wrap) break;
        r.wrap = false;
        r.cursor = r.seats.values();
        floor = round.version;
        continue;
      }
      const seat = next.value;
      if (seat.sent < round.version) {
        // One listing of a room queued per member: the next waits here, replaced by newer
        // ones (§5.11), and the latest follows once the queued one has left the process.
        if (seat.inFlight > 0) {
          seat.behind = true;
        } else {
          this.#send(r, seat, round);
          budget -= round.bytes.length;
        }
      }
      if (seat.sent < floor) floor = seat.sent;
      if (budget <= 0) {
        setImmediate(() => this.#continueRound(r));
        return;
      }
    }
    r.cursor = null;
    r.floor = floor;
  }

  #send(r: RoomListings<M>, seat: Seat<M>, listing: Encoded): void {
    seat.sent = listing.version;
    seat.behind = false;
    seat.inFlight++;
    this.bytesSent += listing.bytes.length;
    this.sent++;
    seat.member.sendListing(listing.bytes, () => this.#flushed(r, seat));
  }

  /** A member's listing left the process: if it fell behind meanwhile, it gets the latest. */
  #flushed(r: RoomListings<M>, seat: Seat<M>): void {
    seat.inFlight--;
    if (seat.gone || !seat.behind || seat.inFlight > 0) return;
    seat.behind = false;
    if (r.round === null || seat.sent >= r.round.version || this.#rooms.get(r.name) !== r) return;
    // Not sent from here: thousands of sockets may drain in one turn, and the round's slices
    // keep a turn's listing writes bounded. A pass over the room serves every seat caught up.
    if (r.cursor !== null) {
      r.wrap = true;
      return;
    }
    r.cursor = r.seats.values();
    setImmediate(() => this.#continueRound(r));
  }

  /** The room's current listing, encoded once per version. */
  #current(r: RoomListings<M>): Encoded {
    if (r.cache?.version !== r.version) {
      const names = [...this.#names(r.name)];
      const bytes = encode(frames.userListing(r.name, names), { trusted: true });
      r.cache = { version: r.version, bytes };
    }
    return r.cache;
  }
}
