import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type Client,
  ClientError,
  connect,
  type IncomingTransfer,
} from '../../../src/client/index.js';
import { type ClientFrame, frames, Kind } from '../../../src/protocol/index.js';
import { type FakePeer, FakeServer } from './fake-server.js';
import { cleanup, fakeClient } from './fake-setup.js';

const setup = fakeClient;

async function joinOn(client: Client, peer: FakePeer, room: string): Promise<void> {
  const joining = client.join(room);
  await peer.next(Kind.ENTER_ROOM);
  peer.send(frames.userListing(room, ['me', 'ann']));
  await joining;
}

const offerFields = (id: number) => ({
  target: 'me',
  source: 'ann',
  id,
  size: 5,
  fileName: `f${id}.txt`,
});

describe('handler failures reach the error event with their context', () => {
  it('sync throws and async rejections of onPost, and of plain on() listeners', async () => {
    const { client, peer } = await setup();
    await joinOn(client, peer, 'ops');
    const errors: Array<{ message: string; context: unknown }> = [];
    client.on(
      'error',
      ({ error, context }) => void errors.push({ message: error.message, context }),
    );
    client.onPost({ match: /^sync$/ }, () => {
      throw new Error('sync bug');
    });
    client.onPost({ match: /^async$/ }, async () => {
      throw new Error('async bug');
    });
    client.on('post', (p) => {
      if (p.text === 'listener') throw new Error('listener bug');
    });
    client.onPost({ match: /^string$/ }, () => Promise.reject('not an Error'));
    const done = client.waitFor('post', (p) => p.text === 'last');
    peer.send(
      frames.post('ops', 'ann', 'sync'),
      frames.post('ops', 'ann', 'async'),
      frames.post('ops', 'ann', 'listener'),
      frames.post('ops', 'ann', 'string'),
      frames.post('ops', 'ann', 'last'),
    );
    await done;
    await expect.poll(() => errors.length).toBe(4);
    const byMessage = Object.fromEntries(errors.map((e) => [e.message, e.context]));
    expect(byMessage['sync bug']).toMatchObject({ room: 'ops', from: 'ann', text: 'sync' });
    expect(byMessage['async bug']).toMatchObject({ room: 'ops', from: 'ann', text: 'async' });
    expect(byMessage['listener bug']).toMatchObject({
      event: 'post',
      payload: { room: 'ops', text: 'listener' },
    });
    const wrapped = errors.find((e) => e.message.includes('not an Error'));
    expect(wrapped?.context).toMatchObject({ text: 'string' });
    expect(client.connected).toBe(true);
  });

  it('an onOffer handler that fails before answering rejects the offer (the sender is not left waiting)', async () => {
    const { client, peer } = await setup();
    const errors: unknown[] = [];
    client.on('error', ({ context }) => void errors.push(context));
    client.onOffer({ match: /^f1/ }, () => {
      throw new Error('no disk configured');
    });
    client.onOffer({ match: /^f2/ }, async () => {
      await Promise.resolve();
      throw new Error('later');
    });
    peer.send(frames.offer(offerFields(1)), frames.offer(offerFields(2)));
    const sent = await peer.until((f) => f.filter((x) => x.kind === Kind.REJECT_FILE).length === 2);
    expect(sent.filter((x) => x.kind === Kind.REJECT_FILE)).toEqual([
      frames.reject(offerFields(1)),
      frames.reject(offerFields(2)),
    ]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ id: 1, from: 'ann', fileName: 'f1.txt' });
  });

  it('answering an offer twice says why, with a code', async () => {
    const { client, peer } = await setup();
    const second = new Promise<unknown>((resolve) => {
      client.onOffer(async (ctx) => {
        await ctx.reject();
        try {
          ctx.accept({ stream: process.stdout });
        } catch (err) {
          resolve(err);
        }
      });
    });
    peer.send(frames.offer(offerFields(3)));
    const err = await second;
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((err as Error).message).toMatch(/f3\.txt from ann was already rejected/);
    expect((err as Error).message).toMatch(/filters/);
  });
});

describe('transfer progress listeners', () => {
  it('a progress listener that throws is reported with its context; the transfer goes on', async () => {
    const { client, peer } = await setup();
    const errors: Array<{ message: string; context: unknown }> = [];
    client.on(
      'error',
      ({ error, context }) => void errors.push({ message: error.message, context }),
    );
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const accepted = new Promise<IncomingTransfer>((resolve) =>
      client.onOffer((ctx) => {
        const t = ctx.accept({ stream });
        t.on('progress', () => {
          throw new Error('progress bug');
        });
        resolve(t);
      }),
    );
    peer.send(frames.offer({ ...offerFields(5), size: 6 }));
    const t = await accepted;
    await peer.next(Kind.ACCEPT_FILE);
    peer.send(frames.chunk(5, Buffer.from('abc')), frames.chunk(5, Buffer.from('def'), true));
    expect(await t.done).toMatchObject({ bytes: 6 });
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
    expect(errors[0]).toMatchObject({
      message: 'progress bug',
      context: { event: 'progress', transfer: t, payload: { bytes: 3, size: 6 } },
    });
  });
});

describe('unsubscribing', () => {
  it('on, once, onPost, onDirect: each off() stops exactly its own listener', async () => {
    const { client, peer } = await setup();
    const seen: string[] = [];
    const offOn = client.on('direct', (d) => void seen.push(`on:${d.text}`));
    client.once('direct', (d) => void seen.push(`once:${d.text}`));
    const offOnceEarly = client.once('direct', (d) => void seen.push(`never:${d.text}`));
    offOnceEarly();
    const offHandler = client.onDirect((ctx) => void seen.push(`handler:${ctx.text}`));
    const same = (d: { text: string }) => void seen.push(`twice:${d.text}`);
    const offTwiceA = client.on('direct', same);
    client.on('direct', same);

    const first = client.waitFor('direct');
    peer.send(frames.directFrom('ann', 'one'));
    await first;
    offOn();
    offHandler();
    offTwiceA();
    offTwiceA(); // a second call is harmless and does not remove the other subscription
    const second = client.waitFor('direct');
    peer.send(frames.directFrom('ann', 'two'));
    await second;
    expect(seen).toEqual([
      'on:one',
      'once:one',
      'handler:one',
      'twice:one',
      'twice:one',
      'twice:two',
    ]);
  });
});

describe('reconnection', () => {
  it("a join refused while away (whileDisconnected: 'reject') is not made later by the rejoin", async () => {
    const server = new FakeServer();
    const port = await server.listen();
    cleanup.push(() => server.close());
    const client = await connect({
      name: 'me',
      port,
      reconnect: { initialDelayMs: 5 },
      whileDisconnected: 'reject',
    });
    cleanup.push(() => client.close());
    const first = await server.peer(0);
    await joinOn(client, first, 'ops');
    const away = client.waitFor('disconnect');
    first.socket.destroy();
    await away;
    await expect(client.join('dev')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(client.join('ops')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    const back = client.waitFor('reconnect');
    const second = await server.peer(1);
    const enter = await second.next(Kind.ENTER_ROOM);
    second.send(frames.userListing(enter.room, ['me']));
    await back;
    expect(enter.room).toBe('ops'); // still wanted from before; 'dev' never was
    expect([...client.joined]).toEqual(['ops']);
    expect(second.received.filter((f) => f.kind === Kind.ENTER_ROOM)).toHaveLength(1);
  });

  it('keeps one copy of each handler and enters each room once, also one joined while away', async () => {
    const server = new FakeServer();
    const port = await server.listen();
    cleanup.push(() => server.close());
    const client = await connect({ name: 'me', port, reconnect: { initialDelayMs: 5 } });
    cleanup.push(() => client.close());
    const first = await server.peer(0);
    await joinOn(client, first, 'ops');
    let handled = 0;
    client.onPost({ room: 'ops' }, () => void handled++);
    const memberEvents: string[] = [];
    client.on('members', (m) => void memberEvents.push(m.room));

    const away = client.waitFor('disconnect');
    first.socket.destroy();
    await away;
    const lateJoin = client.join('dev'); // queued while away
    const back = client.waitFor('reconnect');

    const second = await server.peer(1);
    const entered = (f: ClientFrame[]) => f.filter((x) => x.kind === Kind.ENTER_ROOM);
    await second.until((f) => entered(f).length >= 2);
    for (const e of entered(second.received)) {
      if (e.kind === Kind.ENTER_ROOM) second.send(frames.userListing(e.room, ['me']));
    }
    await back;
    expect(await lateJoin).toEqual(['me']);
    // What was queued goes out now: a barrier shows whether a second ENTER_ROOM follows.
    const probe = client.isOnline('zed');
    await second.until((f) => f.some((x) => x.kind === Kind.QUERY_USER && x.name === 'zed'));
    second.send(frames.queryUser('zed', 0));
    await probe;
    expect(
      entered(second.received)
        .map((e) => (e.kind === Kind.ENTER_ROOM ? e.room : ''))
        .sort(),
    ).toEqual(['dev', 'ops']);

    const post = client.waitFor('post');
    second.send(frames.post('ops', 'ann', 'after'));
    await post;
    expect(handled).toBe(1);
    expect(memberEvents.filter((r) => r === 'dev')).toHaveLength(1);
  });
});
