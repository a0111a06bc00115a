import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameDecoder, Kind } from '../../../src/protocol/index.js';
import { type ListingMember, Listings, type ListingPace } from '../../../src/server/listings.js';

/** A member as the listings see it: records what it was sent and when, flushes on demand. */
class FakeMember implements ListingMember {
  /** Listings received: the time (fake clock) and the names listed. */
  readonly got: { at: number; room: string; users: string[] }[] = [];
  /** Flush callbacks of listings still "in the socket". */
  readonly unflushed: (() => void)[] = [];
  /** Flush each listing as soon as it is sent (a fast reader). */
  autoFlush = true;
  bytes = 0;
  readonly #decoder = new FrameDecoder({ side: 'client', maxListingBytes: 1 << 24 });
  constructor(readonly name: string) {}

  sendListing(bytes: Buffer, flushed: () => void): void {
    this.bytes += bytes.length;
    for (const f of this.#decoder.push(bytes)) {
      if (f.kind === Kind.USER_LISTING)
        this.got.push({ at: Date.now(), room: f.room, users: f.users });
    }
    if (this.autoFlush) queueMicrotask(flushed);
    else this.unflushed.push(flushed);
  }

  /** The socket drains: every pending flush callback runs. */
  drain(): void {
    for (const f of this.unflushed.splice(0)) f();
  }

  last(): string[] | undefined {
    return this.got.at(-1)?.users;
  }
}

/** A registry stand-in: one room's members in join order, and the listings wired to it. */
function setup(pace: Partial<ListingPace> = {}) {
  const order: FakeMember[] = [];
  const listings = new Listings<FakeMember>(() => order.map((m) => m.name), pace);
  const enter = (m: FakeMember): void => {
    order.push(m);
    listings.entered('ops', m);
  };
  const leave = (m: FakeMember): void => {
    listings.leaving('ops', m);
    order.splice(order.indexOf(m), 1);
    listings.left('ops');
  };
  const names = (): string[] => order.map((m) => m.name);
  return { listings, enter, leave, names, order };
}

const members = (n: number, prefix = 'm'): FakeMember[] =>
  Array.from({ length: n }, (_, i) => new FakeMember(`${prefix}${i}`));

// With 1,000 listing bytes a second allowed, a round of any room of two or more costs more
// than 250 ms: every change after the first is coalesced up to the 250 ms bound.
const SLOW: Partial<ListingPace> = { bytesPerSecond: 1_000, maxWaitMs: 250 };

/** Runs timers (and immediates, and the flush microtasks they cause) up to `ms` from now. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('listings of a small room', () => {
  it('lists every change at once, to every member, as the draft does', async () => {
    const { enter, leave } = setup();
    const [a, b, c] = members(3);
    enter(a!);
    await advance(0);
    enter(b!);
    await advance(0);
    enter(c!);
    await advance(0);
    leave(b!);
    expect(a!.got.map((g) => g.users)).toEqual([
      ['m0'],
      ['m0', 'm1'],
      ['m0', 'm1', 'm2'],
      ['m0', 'm2'],
    ]);
    expect(c!.got.map((g) => g.users)).toEqual([
      ['m0', 'm1', 'm2'],
      ['m0', 'm2'],
    ]);
  });
});

describe('coalesced listings (CLARIFICATIONS §5.11)', () => {
  it('merges the changes within the wait into one listing per member, at most 250 ms late', async () => {
    const { enter, leave, names } = setup(SLOW);
    const [a, b, c, d] = members(4);
    enter(a!);
    const start = Date.now();
    // Within the next 100 ms: three joins and a leave.
    enter(b!);
    await advance(0);
    enter(c!);
    await advance(40);
    leave(b!);
    await advance(60);
    enter(d!);
    await advance(1_000);
    // a: the first round (itself alone), then ONE listing for the four changes.
    expect(a!.got.map((g) => g.users)).toEqual([['m0'], ['m0', 'm2', 'm3']]);
    expect(a!.got[1]!.at - start).toBeLessThanOrEqual(250);
    expect(a!.last()).toEqual(names());
  });

  it('lists a change after a quiet spell at once', async () => {
    const { enter } = setup(SLOW);
    const [a, b] = members(2);
    enter(a!);
    await advance(5_000);
    const before = a!.got.length;
    enter(b!);
    expect(a!.got.length).toBe(before + 1);
    expect(a!.last()).toEqual(['m0', 'm1']);
  });

  it('keeps every member waiting no more than 250 ms under continuous churn, last listing current', async () => {
    const { enter, leave, names, order } = setup(SLOW);
    const all = members(30);
    for (const m of all.slice(0, 20)) enter(m);
    await advance(1_000);
    const seenAt = new Map<FakeMember, number>();
    for (let step = 0; step < 100; step++) {
      // One leave or rejoin every 7 ms for 700 ms.
      const m = all[step % 30]!;
      if (order.includes(m)) leave(m);
      else enter(m);
      const changedAt = Date.now();
      for (const x of order) if (!seenAt.has(x)) seenAt.set(x, changedAt);
      await advance(7);
      for (const x of order) {
        const last = x.got.at(-1);
        if (last !== undefined && last.at >= (seenAt.get(x) ?? 0)) seenAt.delete(x);
      }
      // Nobody who was a member at a change has gone 250 ms without a listing since.
      for (const [x, since] of seenAt) {
        if (order.includes(x)) expect(Date.now() - since).toBeLessThanOrEqual(250 + 7);
      }
    }
    await advance(1_000);
    for (const m of order) expect(m.last()).toEqual(names());
    // Far fewer listings than changes × members.
    const total = all.reduce((n, m) => n + m.got.length, 0);
    expect(total).toBeLessThan(100 * 20);
  });

  it('confirms an entering member at the end of the turn, with itself listed', async () => {
    const { enter } = setup(SLOW);
    const [a, b, c] = members(3);
    enter(a!);
    enter(b!); // within the wait: the room's round is 250 ms away
    expect(b!.got).toEqual([]);
    await advance(0);
    expect(b!.got.map((g) => g.users)).toEqual([['m0', 'm1']]);
    // The others are not sent anything until the round.
    expect(a!.got.map((g) => g.users)).toEqual([['m0']]);
    enter(c!);
    await advance(0);
    expect(c!.last()).toEqual(['m0', 'm1', 'm2']);
    await advance(250);
    expect(a!.last()).toEqual(['m0', 'm1', 'm2']);
    expect(b!.last()).toEqual(['m0', 'm1', 'm2']);
  });

  it('sends a member that leaves before any listing one that shows itself', () => {
    const { enter, leave, names } = setup(SLOW);
    const [a, b] = members(2);
    enter(a!);
    enter(b!);
    leave(b!);
    expect(b!.got.map((g) => g.users)).toEqual([['m0', 'm1']]);
    expect(names()).toEqual(['m0']);
  });

  it('answers a re-entry with the current listing to that member alone', async () => {
    const { enter, listings } = setup(SLOW);
    const [a, b, c] = members(3);
    enter(a!);
    enter(b!);
    await advance(300);
    enter(c!); // round due 250 ms after the last: a has not been told yet
    const aBefore = a!.got.length;
    listings.acknowledge('ops', a!);
    expect(a!.got.length).toBe(aBefore + 1);
    expect(a!.last()).toEqual(['m0', 'm1', 'm2']);
    expect(b!.last()).toEqual(['m0', 'm1']);
  });
});

describe('a slow reader (latest listing wins)', () => {
  it('holds one listing queued per room, replaces the rest, and gets the latest on drain', async () => {
    const { enter, leave, names } = setup({ ...SLOW, maxWaitMs: 20 });
    const slow = new FakeMember('slow');
    slow.autoFlush = false;
    enter(slow);
    const others = members(40);
    for (const m of others) {
      enter(m);
      await advance(25);
    }
    for (const m of others.slice(0, 10)) {
      leave(m);
      await advance(25);
    }
    // 50 rounds went by; the slow reader has only its first listing queued.
    expect(slow.got).toHaveLength(1);
    expect(slow.unflushed).toHaveLength(1);
    const queuedBytes = slow.bytes;
    slow.drain();
    await advance(0);
    // Its next listing is the current one, not the 50 it missed.
    expect(slow.got).toHaveLength(2);
    expect(slow.last()).toEqual(names());
    expect(slow.bytes - queuedBytes).toBe(64 + 64 * names().length + 5);
  });
});

describe('listings never fall behind posts', () => {
  it('sends the current listing before a post from a member not yet listed, even to a slow reader', async () => {
    const { enter, listings } = setup(SLOW);
    const [a, b, slow, newcomer] = members(4);
    slow!.autoFlush = false;
    enter(a!);
    enter(b!);
    enter(slow!);
    await advance(300);
    enter(newcomer!);
    // The round that would list the newcomer is 250 ms away; it posts at once.
    listings.beforePost('ops', newcomer!);
    for (const m of [a!, b!, slow!, newcomer!]) {
      expect(m.last()).toEqual(['m0', 'm1', 'm2', 'm3']);
    }
    // A second post needs nothing more.
    const count = a!.got.length;
    listings.beforePost('ops', newcomer!);
    listings.beforePost('ops', a!);
    expect(a!.got.length).toBe(count);
  });
});

describe('big rounds', () => {
  it('spread over turns of the event loop and, restarted half-way, still reach every member', async () => {
    // Every change listed at once, but only about two listings handed out per turn.
    const { enter, names, order } = setup({ bytesPerSecond: 1e12, sliceBytes: 2 * (64 + 64 * 31) });
    const all = members(30);
    for (const m of all) enter(m);
    await advance(1_000);
    const before = all.map((m) => m.got.length);
    enter(new FakeMember('late0'));
    // The round runs over several turns: in this one, most members are still waiting.
    const waiting = all.filter((m, i) => m.got.length === before[i]).length;
    expect(waiting).toBeGreaterThan(20);
    // A new round starts while the first is a few members in.
    enter(new FakeMember('late1'));
    await advance(1_000);
    for (const m of order) expect(m.last()).toEqual(names());
  });
});
