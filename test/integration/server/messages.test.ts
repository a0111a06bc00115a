import { afterEach, describe, expect, it } from 'vitest';
import { frames, Kind } from '../../../src/protocol/index.js';
import { cleanup, nameField, rawFrame, startServer, TestClient } from './helpers.js';

afterEach(cleanup);

async function inRooms(c: TestClient, ...rooms: string[]): Promise<void> {
  for (const room of rooms) c.send(frames.enterRoom(room));
  await c.sync();
}

describe('room messages', () => {
  it('delivers SEND as a POST to every member, sender included, with the sender filled in', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    const outsider = await TestClient.registered(port, 'eve');
    await inRooms(a, 'ops');
    await inRooms(b, 'ops');
    await a.sync();
    a.send(frames.send('ops', 'deploy done\twith a tab'));
    const expected = frames.post('ops', 'alice', 'deploy done\twith a tab');
    expect(await a.next(Kind.POST_MESSAGE)).toEqual(expected);
    expect(await b.next(Kind.POST_MESSAGE)).toEqual(expected);
    expect(await outsider.sync()).toEqual([]);
  });

  it.each(['draft', 'text'] as const)(
    'turns a BROADCAST (%s layout) into one POST per room the sender is in',
    async (layout) => {
      const { port } = await startServer();
      const a = await TestClient.registered(port, 'a');
      const b = await TestClient.registered(port, 'b');
      const c = await TestClient.registered(port, 'c');
      await inRooms(a, 'r1', 'r2', 'r3');
      await inRooms(b, 'r1', 'r2');
      await inRooms(c, 'r3', 'elsewhere');
      await a.sync();
      a.send(frames.broadcast('hello all', layout));
      const posts = async (client: TestClient, n: number) => {
        const got = [];
        for (let i = 0; i < n; i++) got.push(await client.next(Kind.POST_MESSAGE));
        return got.map((p) => `${p.room}:${p.from}:${p.text}`).sort();
      };
      expect(await posts(a, 3)).toEqual(['r1:a:hello all', 'r2:a:hello all', 'r3:a:hello all']);
      expect(await posts(b, 2)).toEqual(['r1:a:hello all', 'r2:a:hello all']);
      expect(await posts(c, 1)).toEqual(['r3:a:hello all']);
      for (const x of [a, b, c]) expect(await x.sync()).toEqual([]);
    },
  );

  it('drops a post to a room the sender is not in, and to a room that does not exist', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'a');
    const b = await TestClient.registered(port, 'b');
    await inRooms(b, 'private');
    a.send(frames.send('private', 'let me in'));
    a.send(frames.send('nowhere', 'anyone?'));
    expect(await a.sync()).toEqual([]);
    expect(await b.sync()).toEqual([]);
    expect(a.isClosed).toBe(false);
  });

  it('delivers posts from outside the room when allowOutsidePosts is set', async () => {
    const { port } = await startServer({ allowOutsidePosts: true });
    const a = await TestClient.registered(port, 'a');
    const b = await TestClient.registered(port, 'b');
    await inRooms(b, 'open');
    a.send(frames.send('open', 'knock knock'));
    expect(await b.next(Kind.POST_MESSAGE)).toEqual(frames.post('open', 'a', 'knock knock'));
    expect(await a.sync()).toEqual([]);
  });

  it('ignores a sender name a client tries to smuggle into the target field', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    await inRooms(a, 'ops');
    // SEND with a target field padded with junk after the NUL: the name ends at the NUL.
    const field = nameField('ops');
    field.write('bob', 10);
    a.sendBytes(rawFrame(Kind.SEND_MESSAGE, Buffer.concat([field, Buffer.from('hi\0')])));
    expect(await a.next(Kind.POST_MESSAGE)).toEqual(frames.post('ops', 'alice', 'hi'));
  });
});

describe('direct messages and queries', () => {
  it('forwards a direct message with the sender in the peer field', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    a.send(frames.directTo('bob', 'psst'));
    expect(await b.next(Kind.DIRECT_MESSAGE)).toEqual(frames.directFrom('alice', 'psst'));
    expect(await a.sync()).toEqual([]);
  });

  it('delivers a direct message to oneself', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    a.send(frames.directTo('alice', 'note to self'));
    expect(await a.next(Kind.DIRECT_MESSAGE)).toEqual(frames.directFrom('alice', 'note to self'));
  });

  it('answers a direct message to an offline user with QUERY_USER status 0', async () => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    a.send(frames.directTo('ghost', 'are you there'));
    expect(await a.next(Kind.QUERY_USER)).toEqual(frames.queryUser('ghost', 0));
  });

  it.each([0, 1, 2, 7, 255])('answers QUERY_USER whatever the status byte (%i)', async (status) => {
    const { port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    await TestClient.registered(port, 'bob');
    a.send(frames.queryUser('bob', status));
    expect(await a.next(Kind.QUERY_USER)).toEqual(frames.queryUser('bob', 1));
    a.send(frames.queryUser('carol', status));
    expect(await a.next(Kind.QUERY_USER)).toEqual(frames.queryUser('carol', 0));
  });
});
