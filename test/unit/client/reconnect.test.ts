import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, type Client, connect } from '../../../src/client/index.js';
import { ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { type FakePeer, FakeServer } from './fake-server.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

async function registered(peer: FakePeer): Promise<void> {
  await peer.next(Kind.NEW_CLIENT);
  await peer.next(Kind.QUERY_USER);
  peer.send(frames.queryUser('me', 1));
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, with up to half of it random', () => {
    const b = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, b, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, b, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, b);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe('reconnect', () => {
  it('retries when the name is still taken, then rejoins rooms before sending what was queued', async () => {
    const server = new FakeServer({ register: false });
    const port = await server.listen();
    cleanup.push(() => server.close());
    void server.peer(0).then(registered);
    const c: Client = await connect({
      name: 'me',
      port,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    cleanup.push(() => c.close());
    const first = await server.peer(0);
    const joining = c.join('ops');
    await first.next(Kind.ENTER_ROOM);
    first.send(frames.userListing('ops', ['me']));
    await joining;

    const attempts: number[] = [];
    c.on('reconnecting', (r) => void attempts.push(r.attempt));
    const back = c.waitFor('reconnect');
    first.socket.destroy();
    await c.waitFor('disconnect');
    const queued = c.say('ops', 'queued');

    const second = await server.peer(1); // the old session has not timed out yet
    await second.next(Kind.NEW_CLIENT);
    second.send(frames.error(ErrorCode.NAME_IN_USE));
    second.socket.end();

    const third = await server.peer(2);
    await registered(third);
    const enter = await third.next(Kind.ENTER_ROOM);
    expect(enter.room).toBe('ops');
    third.send(frames.userListing('ops', ['me']));
    expect(await back).toEqual({ attempt: 2, server: { host: '127.0.0.1', port } });
    expect(attempts).toEqual([1, 2]);
    await queued;
    const sent = await third.until((f) => f.some((x) => x.kind === Kind.SEND_MESSAGE));
    const kinds = sent.map((f) => f.kind);
    expect(kinds.indexOf(Kind.ENTER_ROOM)).toBeLessThan(kinds.indexOf(Kind.SEND_MESSAGE));
    expect(sent.find((f) => f.kind === Kind.SEND_MESSAGE)).toEqual(frames.send('ops', 'queued'));
  });

  it('drops a new connection whose server never confirms the rejoined rooms, and tries again', async () => {
    const server = new FakeServer({ register: false });
    const port = await server.listen();
    cleanup.push(() => server.close());
    void server.peer(0).then(registered);
    const c = await connect({
      name: 'me',
      port,
      connectTimeoutMs: 100,
      reconnect: { initialDelayMs: 5, maxDelayMs: 10 },
    });
    cleanup.push(() => c.close());
    const first = await server.peer(0);
    const joining = c.join('ops');
    await first.next(Kind.ENTER_ROOM);
    first.send(frames.userListing('ops', ['me']));
    await joining;
    const reasons: string[] = [];
    c.on('disconnect', (d) => void reasons.push(d.reason));
    first.socket.destroy();

    const silent = await server.peer(1);
    await registered(silent);
    await silent.next(Kind.ENTER_ROOM); // and never answered
    await silent.closed;
    const third = await server.peer(2);
    await registered(third);
    await third.next(Kind.ENTER_ROOM);
    third.send(frames.userListing('ops', ['me']));
    await c.waitFor('reconnect');
    expect(reasons).toEqual(['closed', 'timeout']);
    expect([...c.joined]).toEqual(['ops']);
  });

  it('gives up after maxAttempts and closes with reconnect-failed', async () => {
    const server = new FakeServer();
    const port = await server.listen();
    const c = await connect({ name: 'me', port, reconnect: { initialDelayMs: 5, maxAttempts: 2 } });
    cleanup.push(() => c.close());
    const closed = c.waitFor('close');
    await server.close();
    expect(await closed).toMatchObject({
      reason: 'reconnect-failed',
      error: { code: 'CONNECTION_REFUSED' },
    });
    await expect(c.say('ops', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.broadcast('x')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
