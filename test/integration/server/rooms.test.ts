import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { cleanup, startServer, TestClient } from './helpers.js';

afterEach(cleanup);

async function joined(c: TestClient, room: string): Promise<string[]> {
  c.send(frames.enterRoom(room));
  const listing = await c.next(
    (f) => f.kind === Kind.USER_LISTING && f.room === room && f.users.includes(c.name),
  );
  return listing.kind === Kind.USER_LISTING ? listing.users : [];
}

describe('rooms', () => {
  it('creates a room on first entry and lists members to everyone in join order', async () => {
    const { server, port } = await startServer();
    const [a, b, c] = await Promise.all(
      ['carol', 'alice', 'bob'].map((n) => TestClient.registered(port, n)),
    );
    expect(await joined(a!, 'ops')).toEqual(['carol']);
    expect(server.stats.rooms).toBe(1);
    expect(await joined(b!, 'ops')).toEqual(['carol', 'alice']);
    expect(await a!.next(Kind.USER_LISTING)).toEqual({
      kind: Kind.USER_LISTING,
      room: 'ops',
      users: ['carol', 'alice'],
    });
    expect(await joined(c!, 'ops')).toEqual(['carol', 'alice', 'bob']);
    for (const member of [a!, b!]) {
      expect(await member.next(Kind.USER_LISTING)).toMatchObject({
        users: ['carol', 'alice', 'bob'],
      });
    }
  });

  it('acknowledges re-entry with a listing to the re-entrant alone', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'a');
    const b = await TestClient.registered(port, 'b');
    await joined(a, 'ops');
    await joined(b, 'ops');
    await a.next(Kind.USER_LISTING);
    a.send(frames.enterRoom('ops'));
    expect(await a.sync()).toEqual([frames.userListing('ops', ['a', 'b'])]);
    expect(await b.sync()).toEqual([]);
  });

  it('tells the remaining members when someone leaves, and ignores a leave by a non-member', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'a');
    const b = await TestClient.registered(port, 'b');
    await joined(a, 'ops');
    await joined(b, 'ops');
    await a.sync();
    b.send(frames.leaveRoom('ops'));
    expect(await a.next(Kind.USER_LISTING)).toMatchObject({ room: 'ops', users: ['a'] });
    expect(await b.sync()).toEqual([]);
    b.send(frames.leaveRoom('ops'));
    b.send(frames.leaveRoom('never-joined'));
    expect(await b.sync()).toEqual([]);
    expect(await a.sync()).toEqual([]);
    expect(b.isClosed).toBe(false);
  });

  it('deletes a room once its last member leaves', async () => {
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'a');
    await joined(a, 'ops');
    await joined(a, 'dev');
    a.send(frames.leaveRoom('ops'));
    a.send(frames.listRooms());
    expect(await a.next(Kind.ROOM_LISTING)).toEqual(frames.roomListing(['dev']));
    expect(server.stats.rooms).toBe(1);
  });

  it('lists rooms sorted by name (byte order)', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'a');
    const b = await TestClient.registered(port, 'b');
    for (const room of ['zeta', 'ünï', 'Mid', 'alpha']) await joined(a, room);
    await joined(b, 'beta');
    b.send(frames.listRooms());
    expect(await b.next(Kind.ROOM_LISTING)).toEqual(
      frames.roomListing(['Mid', 'alpha', 'beta', 'zeta', 'ünï']),
    );
    b.send(frames.leaveRoom('beta'));
    b.send(frames.listRooms());
    expect(await b.next(Kind.ROOM_LISTING)).toEqual(
      frames.roomListing(['Mid', 'alpha', 'zeta', 'ünï']),
    );
  });

  it('refuses a room past --max-rooms with TOO_MANY_ROOMS but lets others join existing rooms', async () => {
    const { server, port } = await startServer({ maxRooms: 1 });
    const a = await TestClient.registered(port, 'a');
    const b = await TestClient.registered(port, 'b');
    await joined(a, 'only');
    expect(await joined(b, 'only')).toEqual(['a', 'b']);
    b.send(frames.enterRoom('second'));
    expect(await b.closedWith()).toBe(ErrorCode.TOO_MANY_ROOMS);
    expect(await a.next(Kind.USER_LISTING)).toMatchObject({ users: ['a', 'b'] });
    expect(await a.next(Kind.USER_LISTING)).toMatchObject({ users: ['a'] });
    expect(server.stats.rooms).toBe(1);
  });
});
