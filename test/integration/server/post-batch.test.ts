import { afterEach, describe, expect, it } from 'vitest';
import { encode, frames, Kind, type ServerFrame } from '../../../src/protocol/index.js';
import { cleanup, startServer, TestClient } from './helpers.js';

afterEach(cleanup);

// Posts that arrive together leave as one buffer per member (src/server/post-batch.ts); these
// pin down that every client still sees frames in the order the server produced them.

async function member(port: number, name: string, room: string): Promise<TestClient> {
  const c = await TestClient.registered(port, name);
  c.send(frames.enterRoom(room));
  await c.sync();
  return c;
}

const label = (f: ServerFrame): string =>
  f.kind === Kind.POST_MESSAGE
    ? `post ${f.room} ${f.text}`
    : f.kind === Kind.USER_LISTING
      ? `listing ${f.room} ${f.users.join(',')}`
      : `kind ${f.kind}`;

describe('posts batched per room and tick', () => {
  it('reach every member in order, before the listing of a leave sent right after them', async () => {
    const { port } = await startServer();
    const a = await member(port, 'alice', 'ops');
    const b = await member(port, 'bob', 'ops');
    await a.sync();
    const burst = ['one', 'two', 'three'].map((t) => encode(frames.send('ops', t)));
    a.sendBytes(Buffer.concat([...burst, encode(frames.leaveRoom('ops'))]));
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(label(await b.next()));
    expect(seen).toEqual(['post ops one', 'post ops two', 'post ops three', 'listing ops bob']);
    const own = [];
    for (let i = 0; i < 3; i++) own.push(label(await a.next()));
    expect(own).toEqual(['post ops one', 'post ops two', 'post ops three']);
    expect((await a.sync()).map(label)).toEqual([]);
  });

  it('keeps posts to different rooms, sent together, in the order they were sent', async () => {
    const { port } = await startServer();
    const a = await member(port, 'alice', 'r1');
    a.send(frames.enterRoom('r2'));
    await a.sync();
    const texts = [
      ['r1', 'a'],
      ['r1', 'b'],
      ['r2', 'c'],
      ['r1', 'd'],
    ] as const;
    a.sendBytes(Buffer.concat(texts.map(([room, t]) => encode(frames.send(room, t)))));
    const seen = [];
    for (let i = 0; i < texts.length; i++) seen.push(label(await a.next(Kind.POST_MESSAGE)));
    expect(seen).toEqual(['post r1 a', 'post r1 b', 'post r2 c', 'post r1 d']);
  });

  it('does not hand a post to a client that joins after it, in the same write', async () => {
    const { port } = await startServer();
    const a = await member(port, 'alice', 'ops');
    const b = await TestClient.registered(port, 'bob');
    a.send(frames.send('ops', 'before bob'));
    await a.next(Kind.POST_MESSAGE);
    b.send(frames.enterRoom('ops'));
    await b.next(Kind.USER_LISTING);
    a.send(frames.send('ops', 'after bob'));
    expect(label(await b.next(Kind.POST_MESSAGE))).toBe('post ops after bob');
    expect((await b.sync()).map(label)).toEqual([]);
  });

  it('counts every post a member is sent in the server stats', async () => {
    const { server, port } = await startServer();
    const a = await member(port, 'alice', 'ops');
    const b = await member(port, 'bob', 'ops');
    await a.sync();
    await b.sync();
    const before = server.stats.framesOut;
    a.sendBytes(Buffer.concat(['x', 'y', 'z'].map((t) => encode(frames.send('ops', t)))));
    for (let i = 0; i < 3; i++) await b.next(Kind.POST_MESSAGE);
    for (let i = 0; i < 3; i++) await a.next(Kind.POST_MESSAGE);
    expect(server.stats.framesOut - before).toBe(6);
  });
});
