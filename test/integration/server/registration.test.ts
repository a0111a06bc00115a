import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { cleanup, connectSilent, nameField, rawFrame, startServer, TestClient } from './helpers.js';

afterEach(async () => {
  vi.useRealTimers();
  await cleanup();
});

describe('registration', () => {
  it('registers a name given in NEW_CLIENT', async () => {
    const { server, port } = await startServer();
    const alice = await TestClient.registered(port, 'alice');
    expect(await alice.query('alice')).toBe(1);
    expect(await alice.query('bob')).toBe(0);
    expect(server.stats.users).toBe(1);
    expect(server.stats.connections).toBe(1);
  });

  it('tolerates a HEARTBEAT before NEW_CLIENT', async () => {
    const { port } = await startServer();
    const c = await TestClient.connect(port);
    c.send(frames.heartbeat());
    await c.register('early');
    expect(c.isClosed).toBe(false);
  });

  it('answers any other first frame with ILLEGAL_KIND and closes', async () => {
    const { server, port } = await startServer();
    const bystander = await TestClient.registered(port, 'bystander');
    const c = await TestClient.connect(port);
    c.send(frames.enterRoom('ops'));
    expect(await c.closedWith()).toBe(ErrorCode.ILLEGAL_KIND);
    expect(await bystander.query('bystander')).toBe(1);
    expect(server.stats.connections).toBe(1);
  });

  it('refuses a name in use with NAME_IN_USE and keeps the first holder', async () => {
    const { port } = await startServer();
    const first = await TestClient.registered(port, 'alice');
    first.send(frames.enterRoom('ops'));
    await first.next(Kind.USER_LISTING);
    const second = await TestClient.connect(port);
    second.send(frames.newClient('alice'));
    expect(await second.closedWith()).toBe(ErrorCode.NAME_IN_USE);
    first.send(frames.send('ops', 'still here'));
    const post = await first.next(Kind.POST_MESSAGE);
    expect(post).toMatchObject({ room: 'ops', from: 'alice', text: 'still here' });
    expect(first.inbox).toEqual([]);
  });

  it('frees a name when its holder leaves', async () => {
    const { port } = await startServer();
    const first = await TestClient.registered(port, 'alice');
    first.destroy();
    await first.closed;
    const again = await TestClient.connect(port);
    // The server may see the close a moment after us: ask again (a bounded number of times)
    // until the name is free. Each query is a round trip, so this waits on the server, not time.
    const other = await TestClient.registered(port, 'watcher');
    let online = await other.query('alice');
    for (let asked = 1; online === 1 && asked < 1_000; asked++) online = await other.query('alice');
    expect(online).toBe(0);
    await again.register('alice');
    expect(await other.query('alice')).toBe(1);
  });

  it('ignores a second NEW_CLIENT', async () => {
    const { port } = await startServer();
    const c = await TestClient.registered(port, 'alice');
    c.send(frames.newClient('mallory'));
    expect(await c.query('mallory')).toBe(0);
    expect(await c.query('alice')).toBe(1);
    expect(c.isClosed).toBe(false);
  });

  it('refuses an illegal name with ILLEGAL_NAME', async () => {
    const { port } = await startServer();
    const c = await TestClient.connect(port);
    c.sendBytes(rawFrame(Kind.NEW_CLIENT, nameField('two words')));
    expect(await c.closedWith()).toBe(ErrorCode.ILLEGAL_NAME);
  });

  it('refuses users past --max-users with TOO_MANY_USERS', async () => {
    const { server, port } = await startServer({ maxUsers: 2 });
    await TestClient.registered(port, 'a');
    const b = await TestClient.registered(port, 'b');
    const c = await TestClient.connect(port);
    c.send(frames.newClient('c'));
    expect(await c.closedWith()).toBe(ErrorCode.TOO_MANY_USERS);
    expect(server.stats.users).toBe(2);
    expect(await b.query('c')).toBe(0);
  });

  it('lets a client register and chat while 500 sockets connect and never speak', async () => {
    const { server, port } = await startServer();
    const silent = await Promise.all(Array.from({ length: 500 }, () => connectSilent(port)));
    // One more socket sends half a header and stops: it must not block anyone either.
    const stuck = await connectSilent(port);
    stuck.write(Buffer.from([Kind.NEW_CLIENT, 0, 0]));
    const alice = await TestClient.registered(port, 'alice');
    const bob = await TestClient.registered(port, 'bob');
    alice.send(frames.enterRoom('lobby'));
    bob.send(frames.enterRoom('lobby'));
    await bob.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2);
    alice.send(frames.send('lobby', 'hi bob'));
    expect(await bob.next(Kind.POST_MESSAGE)).toMatchObject({ from: 'alice', text: 'hi bob' });
    expect(server.stats.connections).toBe(silent.length + 3);
    expect(server.stats.users).toBe(2);
  });

  describe('registration timeout', () => {
    const fake = () =>
      vi.useFakeTimers({
        toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'],
      });

    it('closes a socket that does not register within 10 s by default', async () => {
      fake();
      const { server, port } = await startServer();
      const silent = await TestClient.connect(port);
      const registered = await TestClient.registered(port, 'alice');
      await vi.advanceTimersByTimeAsync(9_000);
      expect(silent.isClosed).toBe(false);
      await vi.advanceTimersByTimeAsync(1_001);
      await silent.closedWith();
      expect(registered.isClosed).toBe(false);
      expect(await registered.query('alice')).toBe(1);
      expect(server.stats.connections).toBe(1);
    });

    it('uses the configured time, counted from each connection', async () => {
      fake();
      const { port } = await startServer({ registrationTimeoutMs: 2_000 });
      const first = await TestClient.connect(port);
      await vi.advanceTimersByTimeAsync(1_500);
      const second = await TestClient.connect(port);
      await vi.advanceTimersByTimeAsync(600);
      await first.closedWith();
      expect(second.isClosed).toBe(false);
      second.send(frames.newClient('late'));
      expect(await second.query('late')).toBe(1);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(second.isClosed).toBe(false);
    });
  });
});
