import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AcceptTarget, Client, IncomingTransfer } from '../../../src/client/index.js';
import { frames, Kind } from '../../../src/protocol/index.js';
import type { FakePeer } from './fake-server.js';
import { fakeClient, scratchDir } from './fake-setup.js';

async function setup(): Promise<{ client: Client; peer: FakePeer; dir: string }> {
  const { client, peer } = await fakeClient();
  return { client, peer, dir: await scratchDir('relaykit-in-') };
}

const offer = (id: number, size: number, fileName = 'f.bin') =>
  frames.offer({ target: 'me', source: 'ann', id, size, fileName });

/** Offers a file and accepts it with `opts`; resolves once the ACCEPT reached the server. */
async function acceptOne(
  client: Client,
  peer: FakePeer,
  id: number,
  size: number,
  opts: AcceptTarget,
  fileName = 'f.bin',
): Promise<IncomingTransfer> {
  const accepted = new Promise<IncomingTransfer>((resolve) => {
    const off = client.onOffer((ctx) => {
      off();
      resolve(ctx.accept(opts));
    });
  });
  peer.send(offer(id, size, fileName));
  const t = await accepted;
  if (t.discarding) return t;
  const reply = await peer.until((f) => f.some((x) => x.kind === Kind.ACCEPT_FILE && x.id === id));
  expect(reply.find((x) => x.kind === Kind.ACCEPT_FILE && x.id === id)).toEqual(
    frames.accept({ target: 'me', source: 'ann', id, size, fileName }),
  );
  return t;
}

describe('incoming transfers', () => {
  it('fails on more bytes than declared, and deletes the temporary file', async () => {
    const { client, peer, dir } = await setup();
    const t = await acceptOne(client, peer, 5, 3, { dir });
    peer.send(frames.chunk(5, Buffer.from('abcd'), true));
    await expect(t.done).rejects.toMatchObject({ code: 'SIZE_MISMATCH', transferId: 5 });
    await expect.poll(() => readdir(dir)).toEqual([]);
  });

  it('fails on a finish before the declared size', async () => {
    const { client, peer, dir } = await setup();
    const t = await acceptOne(client, peer, 6, 10, { dir });
    peer.send(frames.chunk(6, Buffer.from('abc'), false), frames.chunk(6, Buffer.from('d'), true));
    await expect(t.done).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    await expect.poll(() => readdir(dir)).toEqual([]);
  });

  it('fails with ABORTED when the server cancels mid-transfer with REJECT_FILE', async () => {
    const { client, peer, dir } = await setup();
    const t = await acceptOne(client, peer, 7, 10, { dir });
    peer.send(frames.chunk(7, Buffer.from('abc')));
    peer.send(frames.reject({ target: 'me', source: 'ann', id: 7, size: 10, fileName: 'f.bin' }));
    await expect(t.done).rejects.toMatchObject({ code: 'ABORTED' });
    await expect.poll(() => readdir(dir)).toEqual([]);
    expect(client.connected).toBe(true);
  });

  it("honours conflict: 'fail' and 'overwrite', and a chosen name", async () => {
    const { client, peer, dir } = await setup();
    await writeFile(join(dir, 'f.bin'), 'old');
    const failing = await acceptOne(client, peer, 8, 2, { dir, conflict: 'fail' });
    peer.send(frames.chunk(8, Buffer.from('no'), true));
    await expect(failing.done).rejects.toMatchObject({ code: 'NAME_CONFLICT' });
    const over = await acceptOne(client, peer, 9, 3, { dir, conflict: 'overwrite' });
    peer.send(frames.chunk(9, Buffer.from('new'), true));
    expect(await over.done).toMatchObject({ path: join(dir, 'f.bin'), bytes: 3 });
    const renamed = await acceptOne(client, peer, 10, 1, { dir, name: '../x.txt' });
    peer.send(frames.chunk(10, Buffer.from('x'), true));
    expect(await renamed.done).toMatchObject({ path: join(dir, '.._x.txt') });
    expect(await readFile(join(dir, 'f.bin'), 'utf8')).toBe('new');
    await expect.poll(async () => (await readdir(dir)).sort()).toEqual(['.._x.txt', 'f.bin']);
  });

  it('rejects over maxSize with REJECT_FILE carrying the offer fields', async () => {
    const { client, peer, dir } = await setup();
    const t = await acceptOne(client, peer, 11, 1000, { dir, maxSize: 999 });
    await expect(t.done).rejects.toMatchObject({ code: 'TOO_LARGE' });
    const sent = await peer.until((f) => f.some((x) => x.kind === Kind.REJECT_FILE));
    expect(sent.find((x) => x.kind === Kind.REJECT_FILE)).toEqual(
      frames.reject({ target: 'me', source: 'ann', id: 11, size: 1000, fileName: 'f.bin' }),
    );
  });

  it('cancel drops the rest of the chunks without breaking the connection', async () => {
    const { client, peer, dir } = await setup();
    const t = await acceptOne(client, peer, 12, 6, { dir });
    peer.send(frames.chunk(12, Buffer.from('abc')));
    await new Promise<void>((resolve) => t.on('progress', () => resolve()));
    t.cancel();
    peer.send(frames.chunk(12, Buffer.from('def'), true));
    await expect(t.done).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect.poll(() => readdir(dir)).toEqual([]);
    expect(client.connected).toBe(true);
  });
});
