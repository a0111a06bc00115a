import { afterEach, describe, expect, it } from 'vitest';
import { encode, frames, Kind, type ServerFrame } from '../../../src/protocol/index.js';
import { cleanup, startServer, TestClient, until } from './helpers.js';

afterEach(cleanup);

async function fill(port: number, room: string, n: number, prefix: string): Promise<TestClient[]> {
  const clients = await Promise.all(
    Array.from({ length: n }, (_, i) => TestClient.registered(port, `${prefix}${i}`)),
  );
  for (const c of clients) {
    c.send(frames.enterRoom(room));
    await c.next((f) => f.kind === Kind.USER_LISTING && f.users.includes(c.name));
  }
  return clients;
}

const lastListing = (frames: ServerFrame[]): string[] | undefined => {
  const listings = frames.filter((f) => f.kind === Kind.USER_LISTING);
  const last = listings.at(-1);
  return last?.kind === Kind.USER_LISTING ? last.users : undefined;
};

describe('output limit and listings (CLARIFICATIONS §5.11)', () => {
  it('never cuts off a member for listings queued: one per room waits, the latest wins', async () => {
    const LIMIT = 128 * 1024;
    const { server, port } = await startServer({ maxOutputBytes: LIMIT });
    const members = await fill(port, 'big', 40, 'm');
    const slow = members[0]!;
    const churner = await TestClient.registered(port, 'churner');
    slow.socket.pause();
    // Direct messages fill the kernel's buffers towards the slow member until its socket
    // backs up: from then on, whatever more is sent to it waits in the server.
    const text = 'x'.repeat(11_000);
    while (server.inspect(slow.name)!.bufferedBytes === 0) {
      for (let i = 0; i < 10; i++) churner.send(frames.directTo(slow.name, text));
      await churner.sync();
    }
    // Each leave + rejoin lists the room twice (about 2.6 KB each) to every member: queued
    // one per change, 600 changes would be 1.6 MB, twelve times the limit.
    const churn = Buffer.concat(
      Array.from({ length: 10 }, () => [
        encode(frames.leaveRoom('big')),
        encode(frames.enterRoom('big')),
      ]).flat(),
    );
    for (let changes = 0; changes < 600; changes += 20) {
      churner.sendBytes(churn);
      await churner.sync();
      expect(server.inspect(slow.name)!.bufferedBytes).toBeLessThan(LIMIT);
    }
    expect(slow.isClosed).toBe(false);
    const leaver = members.at(-1)!;
    churner.send(frames.leaveRoom('big'));
    leaver.send(frames.leaveRoom('big'));
    await churner.sync();
    await leaver.sync();
    // A membership never seen before, so no earlier listing can pass for the last one.
    const final = members.slice(0, -1).map((m) => m.name);
    slow.socket.resume();
    await until(() => JSON.stringify(lastListing(slow.inbox)) === JSON.stringify(final));
    await until(() => server.inspect(slow.name)!.bufferedBytes === 0);
    expect(lastListing(await slow.sync()) ?? final).toEqual(final);
  });
});

describe('coalesced listings over real sockets', () => {
  it('lists a newcomer to every member before its first post, however long the wait', async () => {
    // A pace slow enough that every change waits for the 250 ms round.
    const { port } = await startServer({ listingPace: { bytesPerSecond: 1_000 } });
    const members = await fill(port, 'ops', 5, 'm');
    for (const m of members) await m.sync();
    const newcomer = await TestClient.registered(port, 'newcomer');
    newcomer.sendBytes(
      Buffer.concat([encode(frames.enterRoom('ops')), encode(frames.send('ops', 'hello'))]),
    );
    for (const m of [...members, newcomer]) {
      const post = await m.next(Kind.POST_MESSAGE);
      expect(post.text).toBe('hello');
      // Everything before the post: the last listing shows the newcomer.
      expect(lastListing(m.inbox)).toEqual([...members.map((x) => x.name), 'newcomer']);
    }
  });

  it('merges a burst of joins into fewer listings, the last one current', async () => {
    const { server, port } = await startServer({ listingPace: { bytesPerSecond: 1_000 } });
    const first = await fill(port, 'ops', 1, 'a');
    const before = server.stats.listingsOut;
    const rest = await Promise.all(
      Array.from({ length: 30 }, (_, i) => TestClient.registered(port, `b${i}`)),
    );
    for (const c of rest) c.send(frames.enterRoom('ops'));
    await until(() => lastListing(first[0]!.inbox)?.length === 31);
    const all = [first[0]!, ...rest];
    for (const c of all) {
      await until(() => lastListing(c.inbox)?.length === 31);
      expect(lastListing(c.inbox)).toEqual(lastListing(first[0]!.inbox));
    }
    // Listed one change at a time, 31 members would get 1 + 2 + … + 31 = 496 listings.
    expect(server.stats.listingsOut - before).toBeLessThan(200);
  });
});
