import { readdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type Client, connect, type IncomingTransfer } from '../../../src/client/index.js';
import { type ClientFrame, frames, Kind } from '../../../src/protocol/index.js';
import { type FakePeer, FakeServer } from './fake-server.js';
import { cleanup, fakeClient, scratchDir } from './fake-setup.js';

async function setup(): Promise<{ client: Client; peer: FakePeer; dir: string }> {
  const { client, peer } = await fakeClient();
  return { client, peer, dir: await scratchDir('relaykit-transfer-') };
}

const fields = (id: number, size: number) => ({
  target: 'me',
  source: 'ann',
  id,
  size,
  fileName: 'f.bin',
});

/** Offers a file; `answer` runs in the offer handler and returns the transfer. */
function offer(
  client: Client,
  peer: FakePeer,
  id: number,
  size: number,
  answer: (accept: () => IncomingTransfer) => IncomingTransfer,
  dir: string,
): Promise<IncomingTransfer> {
  const got = new Promise<IncomingTransfer>((resolve) => {
    const off = client.onOffer((ctx) => {
      off();
      resolve(answer(() => ctx.accept({ dir })));
    });
  });
  peer.send(frames.offer(fields(id, size)));
  return got;
}

const replies = (f: ClientFrame[], id: number) =>
  f.filter((x) => (x.kind === Kind.ACCEPT_FILE || x.kind === Kind.REJECT_FILE) && x.id === id);

/** Resolves once everything the client queued before now has reached the fake server. */
async function barrier(client: Client, peer: FakePeer): Promise<ClientFrame[]> {
  const probe = client.isOnline('zz-barrier');
  const sent = await peer.until((f) =>
    f.some((x) => x.kind === Kind.QUERY_USER && x.name === 'zz-barrier'),
  );
  peer.send(frames.queryUser('zz-barrier', 0));
  await probe;
  return sent;
}

describe('receiver failures tell the sender with REJECT_FILE', () => {
  it('cancel after the ACCEPT sends REJECT_FILE with the offer fields, once', async () => {
    const { client, peer, dir } = await setup();
    const t = await offer(client, peer, 21, 10, (accept) => accept(), dir);
    await peer.until((f) => replies(f, 21).length === 1);
    peer.send(frames.chunk(21, Buffer.from('abc')));
    await new Promise<void>((resolve) => t.on('progress', () => resolve()));
    t.cancel();
    t.cancel();
    peer.send(frames.chunk(21, Buffer.from('def')));
    await expect(t.done).rejects.toMatchObject({ code: 'CANCELLED', transferId: 21 });
    const sent = await barrier(client, peer);
    expect(replies(sent, 21)).toEqual([
      frames.accept(fields(21, 10)),
      frames.reject(fields(21, 10)),
    ]);
    await expect.poll(() => readdir(dir)).toEqual([]);
    expect(client.connected).toBe(true);
  });

  it('cancel before the ACCEPT went out answers REJECT_FILE instead of ACCEPT_FILE', async () => {
    const { client, peer, dir } = await setup();
    const t = await offer(
      client,
      peer,
      22,
      10,
      (accept) => {
        const inc = accept();
        inc.cancel(); // the destination is still being opened
        return inc;
      },
      dir,
    );
    await expect(t.done).rejects.toMatchObject({ code: 'CANCELLED' });
    await peer.until((f) => replies(f, 22).length > 0);
    const sent = await barrier(client, peer);
    expect(replies(sent, 22)).toEqual([frames.reject(fields(22, 10))]);
    await expect.poll(() => readdir(dir)).toEqual([]);
  });

  it('more bytes than declared: REJECT_FILE unless that chunk was the last', async () => {
    const { client, peer, dir } = await setup();
    const open = await offer(client, peer, 23, 3, (accept) => accept(), dir);
    await peer.until((f) => replies(f, 23).length === 1);
    peer.send(frames.chunk(23, Buffer.from('abcd'), false));
    await expect(open.done).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });

    const last = await offer(client, peer, 24, 3, (accept) => accept(), dir);
    await peer.until((f) => replies(f, 24).length === 1);
    peer.send(frames.chunk(24, Buffer.from('abcd'), true));
    await expect(last.done).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });

    const sent = await barrier(client, peer);
    expect(replies(sent, 23).map((f) => f.kind)).toEqual([Kind.ACCEPT_FILE, Kind.REJECT_FILE]);
    // The server forgets a transfer at its last chunk: a REJECT then would name no transfer.
    expect(replies(sent, 24).map((f) => f.kind)).toEqual([Kind.ACCEPT_FILE]);
  });

  it('nothing is sent for a transfer the sender ended, nor for one already complete', async () => {
    const { client, peer, dir } = await setup();
    const gone = await offer(client, peer, 25, 10, (accept) => accept(), dir);
    await peer.until((f) => replies(f, 25).length === 1);
    peer.send(frames.reject(fields(25, 10)));
    await expect(gone.done).rejects.toMatchObject({ code: 'ABORTED' });
    gone.cancel();

    const whole = await offer(client, peer, 26, 2, (accept) => accept(), dir);
    await peer.until((f) => replies(f, 26).length === 1);
    peer.send(frames.chunk(26, Buffer.from('ok'), true));
    await whole.done;
    whole.cancel();

    const sent = await barrier(client, peer);
    expect(replies(sent, 25).map((f) => f.kind)).toEqual([Kind.ACCEPT_FILE]);
    expect(replies(sent, 26).map((f) => f.kind)).toEqual([Kind.ACCEPT_FILE]);
    expect(await readdir(dir)).toEqual(['f.bin']);
  });
});

describe('the sender, when the server ends its transfer', () => {
  async function accepted(client: Client, peer: FakePeer) {
    // A source that stays open: the transfer is mid-way whenever the server ends it.
    const source = new PassThrough();
    cleanup.push(async () => source.destroy());
    source.write(Buffer.alloc(8 * 4096, 7));
    const out = client.sendFile('bob', source, { name: 'o.bin', size: 64 * 4096 });
    const offered = await peer.next(Kind.OFFER_FILE);
    const f = { ...offered, id: 31 };
    peer.send(frames.accept(f));
    await peer.next(Kind.FILE_TRANSFER);
    return { out, f, source };
  }

  it('stops at once and asks whether the receiver is still there: yes means REJECTED', async () => {
    const { client, peer } = await setup();
    const { out, f, source } = await accepted(client, peer);
    peer.send(frames.reject(f));
    const q = await peer.next(Kind.QUERY_USER);
    expect(q).toEqual(frames.queryUser('bob', 2));
    const chunksAtQuery = peer.received.filter((x) => x.kind === Kind.FILE_TRANSFER).length;
    source.write(Buffer.alloc(8 * 4096, 8)); // more data, which must not go out
    peer.send(frames.queryUser('bob', 1));
    await expect(out.done).rejects.toMatchObject({ code: 'REJECTED', transferId: 31 });
    const sent = await barrier(client, peer);
    expect(sent.filter((x) => x.kind === Kind.FILE_TRANSFER).length).toBe(chunksAtQuery);
    expect(chunksAtQuery).toBeLessThanOrEqual(8);
  });

  it('an offline receiver means ABORTED; no presence event leaks out of the check', async () => {
    const { client, peer } = await setup();
    const { out, f } = await accepted(client, peer);
    peer.send(frames.reject(f));
    const presence: string[] = [];
    client.on('presence', (p) => void presence.push(p.name));
    await peer.next(Kind.QUERY_USER);
    peer.send(frames.queryUser('bob', 0));
    await expect(out.done).rejects.toMatchObject({ code: 'ABORTED' });
    expect(presence).toEqual([]);
  });

  it('a connection lost during the check still settles done', async () => {
    const { client, peer } = await setup();
    client.on('error', () => undefined);
    const { out, f } = await accepted(client, peer);
    peer.send(frames.reject(f));
    await peer.next(Kind.QUERY_USER);
    peer.socket.destroy();
    await expect(out.done).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('the sender cancelling while its source stalls', () => {
  async function acceptedStalled(client: Client, peer: FakePeer, first: number) {
    const source = new PassThrough();
    cleanup.push(async () => source.destroy());
    if (first > 0) source.write(Buffer.alloc(first, 1));
    const out = client.sendFile('bob', source, { name: 's.bin', size: 100_000 });
    const offered = await peer.next(Kind.OFFER_FILE);
    peer.send(frames.accept({ ...offered, id: 41 }));
    return { out, source };
  }
  const chunks = (f: ClientFrame[]) => f.flatMap((x) => (x.kind === Kind.FILE_TRANSFER ? [x] : []));

  it('ends the transfer at once with the chunk it held back', async () => {
    const { client, peer } = await setup();
    const { out } = await acceptedStalled(client, peer, 2 * 4096);
    await peer.next(Kind.FILE_TRANSFER); // the first chunk; the second is held back
    out.cancel();
    const sent = await peer.until((f) => chunks(f).some((c) => c.finished));
    expect(chunks(sent).map((c) => [c.data.length, c.finished])).toEqual([
      [4096, false],
      [1, true],
    ]);
    expect(chunks(sent)[1]!.data[0]).toBe(1); // a real byte of the file
    await expect(out.done).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('with nothing read yet, ends it with a filler byte that cannot complete the file', async () => {
    const { client, peer } = await setup();
    const { out, source } = await acceptedStalled(client, peer, 0);
    await expect.poll(() => out.id).toBe(41);
    out.cancel();
    const sent = await peer.until((f) => chunks(f).some((c) => c.finished));
    expect(chunks(sent).map((c) => [c.id, c.data.length, c.finished])).toEqual([[41, 1, true]]);
    source.write(Buffer.alloc(8192, 2)); // arrives too late: nothing more goes out
    await barrier(client, peer);
    expect(chunks(peer.received)).toHaveLength(1);
  });
});

describe('offers that arrive while a new connection rejoins its rooms', () => {
  it('are answered on that connection once the rejoin is done, not failed', async () => {
    const server = new FakeServer();
    const port = await server.listen();
    cleanup.push(() => server.close());
    const client = await connect({ name: 'me', port, reconnect: { initialDelayMs: 5 } });
    cleanup.push(() => client.close());
    const first = await server.peer(0);
    const joining = client.join('ops');
    await first.next(Kind.ENTER_ROOM);
    first.send(frames.userListing('ops', ['me']));
    await joining;
    const sink = new PassThrough();
    cleanup.push(async () => sink.destroy());
    const accepted = new Promise<IncomingTransfer>((resolve) =>
      client.onOffer({ match: /^keep/ }, (ctx) => resolve(ctx.accept({ stream: sink }))),
    );

    first.socket.destroy();
    const second = await server.peer(1);
    await second.next(Kind.ENTER_ROOM); // the rejoin, not confirmed yet
    const keep = { target: 'me', source: 'ann', id: 51, size: 2, fileName: 'keep.txt' };
    const drop = { ...keep, id: 52, fileName: 'drop.txt' };
    second.send(frames.offer(keep), frames.offer(drop));
    const t = await accepted;
    second.send(frames.userListing('ops', ['me']));
    const sent = await second.until(
      (f) =>
        f.some((x) => x.kind === Kind.ACCEPT_FILE) && f.some((x) => x.kind === Kind.REJECT_FILE),
    );
    expect(sent.filter((x) => x.kind === Kind.ACCEPT_FILE)).toEqual([frames.accept(keep)]);
    expect(sent.filter((x) => x.kind === Kind.REJECT_FILE)).toEqual([frames.reject(drop)]);
    second.send(frames.chunk(51, Buffer.from('ok'), true));
    expect(await t.done).toMatchObject({ bytes: 2 });
  });
});

describe('a receiver cancel under a rate limit', () => {
  it('reaches the server at once, not behind the queued posts', async () => {
    const server = new FakeServer();
    const port = await server.listen();
    cleanup.push(() => server.close());
    const client = await connect({ name: 'me', port, rateLimit: { perSecond: 1, burst: 1 } });
    cleanup.push(() => client.close());
    const peer = await server.peer();
    const joining = client.join('ops');
    await peer.next(Kind.ENTER_ROOM);
    peer.send(frames.userListing('ops', ['me']));
    await joining;
    const sink = new PassThrough();
    cleanup.push(async () => sink.destroy());
    const accepted = new Promise<IncomingTransfer>((resolve) =>
      client.onOffer((ctx) => resolve(ctx.accept({ stream: sink }))),
    );
    peer.send(frames.offer(fields(61, 100)));
    const t = await accepted;
    await peer.next(Kind.ACCEPT_FILE);
    const posts = ['one', 'two', 'three', 'four'].map((text) =>
      client.say('ops', text).catch(() => undefined),
    );
    t.cancel();
    const sent = await peer.until((f) => f.some((x) => x.kind === Kind.REJECT_FILE));
    expect(sent.filter((x) => x.kind === Kind.SEND_MESSAGE).length).toBeLessThan(4);
    peer.socket.destroy(); // the posts would take seconds; they fail instead
    await Promise.all(posts);
  });
});
