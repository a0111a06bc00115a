import { getEventListeners } from 'node:events';
import { readdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { type Client, connect, type IncomingTransfer } from '../../../src/client/index.js';
import { ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { type FakePeer, FakeServer } from './fake-server.js';
import { cleanup, fakeClient, scratchDir } from './fake-setup.js';

// Every promise a bot may hold must settle when the connection goes away under it, whether the
// server drops it or the bot calls close(); none may be left hanging, and nothing may leak.

async function setup(opts: Record<string, unknown> = {}) {
  const { client, peer, server } = await fakeClient(opts);
  client.on('error', () => undefined);
  return { client, peer, dir: await scratchDir('relaykit-settle-'), server };
}

/** Starts one of every waiting call against a server that answers none of them. */
async function pendingEverything(client: Client, peer: FakePeer, dir: string) {
  const joinedOps = client.join('ops');
  await peer.next(Kind.ENTER_ROOM);
  peer.send(frames.userListing('ops', ['me']));
  await joinedOps;

  const incoming = new Promise<IncomingTransfer>((resolve) =>
    client.onOffer((ctx) => resolve(ctx.accept({ dir }))),
  );
  peer.send(frames.offer({ target: 'me', source: 'ann', id: 3, size: 100, fileName: 'in.bin' }));
  const inc = await incoming;
  await peer.next(Kind.ACCEPT_FILE);
  peer.send(frames.chunk(3, Buffer.from('partial')));
  await new Promise<void>((resolve) => inc.on('progress', () => resolve()));

  const source = new PassThrough();
  cleanup.push(async () => source.destroy());
  source.write(Buffer.alloc(20_000));
  const sending = client.sendFile('ann', source, { name: 'out.bin', size: 100_000 });
  const offered = await peer.next(Kind.OFFER_FILE);
  peer.send(frames.accept({ ...offered, id: 4 }));
  await peer.next(Kind.FILE_TRANSFER);
  const offeredOnly = client.sendFile('bob', Buffer.from('x'), { name: 'never.txt' });
  await peer.next(Kind.OFFER_FILE);

  const calls = {
    join: client.join('dev'),
    rooms: client.rooms(),
    isOnline: client.isOnline('zed'),
    direct: client.direct('zed', 'hi'),
    waitFor: client.waitFor('direct'),
    sendFileAccepted: sending.done,
    sendFileOffered: offeredOnly.done,
    incoming: inc.done,
  };
  await peer.until((f) => f.filter((x) => x.kind === Kind.QUERY_USER).length >= 3);
  const settled: Record<string, unknown> = {};
  const all = Promise.all(
    Object.entries(calls).map(([name, p]) =>
      p.then(
        () => {
          settled[name] = 'resolved';
        },
        (err: { code?: string }) => {
          settled[name] = err.code;
        },
      ),
    ),
  );
  return { settled, all };
}

describe('pending calls settle', () => {
  it('when the server drops the connection (no reconnect)', async () => {
    const { client, peer, dir } = await setup();
    const { settled, all } = await pendingEverything(client, peer, dir);
    const closed = client.waitFor('close');
    peer.socket.destroy();
    await all;
    expect(settled).toEqual({
      join: 'DISCONNECTED',
      rooms: 'DISCONNECTED',
      isOnline: 'DISCONNECTED',
      direct: 'DISCONNECTED',
      waitFor: 'CLOSED',
      sendFileAccepted: 'DISCONNECTED',
      sendFileOffered: 'DISCONNECTED',
      incoming: 'DISCONNECTED',
    });
    expect(await closed).toMatchObject({ reason: 'disconnected' });
    await expect.poll(() => readdir(dir)).toEqual([]);
  });

  it('when close() is called', async () => {
    const { client, peer, dir } = await setup();
    const { settled, all } = await pendingEverything(client, peer, dir);
    await client.close('done here');
    await all;
    expect(settled).toEqual({
      join: 'DISCONNECTED',
      rooms: 'DISCONNECTED',
      isOnline: 'DISCONNECTED',
      direct: 'DISCONNECTED',
      waitFor: 'CLOSED',
      sendFileAccepted: 'DISCONNECTED',
      sendFileOffered: 'DISCONNECTED',
      incoming: 'DISCONNECTED',
    });
    expect(peer.received.at(-1)).toEqual(frames.clientDeparts('done here'));
    await expect.poll(() => readdir(dir)).toEqual([]);
  });

  it('with reconnect on: answers fail at the drop, waitFor waits on, and close() ends it', async () => {
    const { client, peer, dir } = await setup({
      reconnect: { initialDelayMs: 60_000 },
    });
    const { settled, all } = await pendingEverything(client, peer, dir);
    const gone = client.waitFor('disconnect');
    peer.socket.destroy();
    expect(await gone).toMatchObject({ willReconnect: true });
    // Queued while away: settles at close() too.
    const queued = client.isOnline('later').catch((e: { code?: string }) => e.code);
    await expect.poll(() => Object.keys(settled).length).toBe(7);
    expect(settled.waitFor).toBeUndefined();
    await client.close();
    await all;
    expect(settled.waitFor).toBe('CLOSED');
    expect(settled.join).toBe('DISCONNECTED');
    expect(await queued).toBe('CLOSED');
  });

  it('an ERR from the server fails the waiting call with a message that says what to do', async () => {
    const { client, peer } = await setup();
    const gone = client.waitFor('disconnect');
    const joining = client.join('one-too-many');
    await peer.next(Kind.ENTER_ROOM);
    peer.send(frames.error(ErrorCode.TOO_MANY_ROOMS));
    const err = await joining.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DISCONNECTED' });
    expect((err as Error).message).toMatch(/ERR TOO_MANY_ROOMS; .*join one that exists/);
    expect((err as Error).message).toMatch(/connect\(\) again/);
    expect(await gone).toMatchObject({
      reason: 'server-error',
      error: { code: 'SERVER_ERROR', wireCode: ErrorCode.TOO_MANY_ROOMS },
    });
  });

  it('calls after close() fail at once with CLOSED, posts() ends, no listener is left behind', async () => {
    const { client } = await setup();
    const ac = new AbortController();
    const posts = client.posts({ signal: ac.signal });
    const next = posts.next();
    const waiting = client.waitFor('direct', undefined, { signal: ac.signal, timeoutMs: 60_000 });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(2);
    await client.close();
    expect(await next).toEqual({ value: undefined, done: true });
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await expect(client.join('x')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.rooms()).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.isOnline('x')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.direct('x', 'y')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.waitFor('post')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.sendFile('x', Buffer.from('y'), { name: 'y' }).done).rejects.toMatchObject({
      code: 'DISCONNECTED',
    });
    expect(await client.posts().next()).toEqual({ value: undefined, done: true });
    await client.close(); // a second close is harmless
  });
});

describe('close() while a new connection is still rejoining its rooms', () => {
  it('says goodbye at once, and no reconnection follows', async () => {
    const server = new FakeServer();
    const port = await server.listen();
    cleanup.push(() => server.close());
    const client = await connect({
      name: 'me',
      port,
      reconnect: { initialDelayMs: 5, maxDelayMs: 5 },
      connectTimeoutMs: 60_000,
    });
    const first = await server.peer(0);
    const joining = client.join('ops');
    await first.next(Kind.ENTER_ROOM);
    first.send(frames.userListing('ops', ['me']));
    await joining;
    const events: string[] = [];
    for (const e of ['disconnect', 'reconnecting', 'reconnect', 'close'] as const) {
      client.on(e, () => void events.push(e));
    }
    first.socket.destroy();
    const second = await server.peer(1);
    await second.next(Kind.ENTER_ROOM); // never confirmed
    // From here on the client's timers are fake, so any backoff that close() failed to cancel
    // is still pending below, and firing it is in the test's hands rather than the clock's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const queued = client
        .say('ops', 'queued while rejoining')
        .catch((e: { code?: string }) => e.code);
      await client.close('bye now');
      expect(await queued).toBe('CLOSED');
      await second.closed;
      expect(second.received.at(-1)).toEqual(frames.clientDeparts('bye now'));
      await vi.advanceTimersByTimeAsync(1_000); // far beyond every 5 ms backoff
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    expect(events).toEqual(['disconnect', 'reconnecting', 'disconnect', 'close']);
    expect(server.peers).toHaveLength(2);
  });
});
