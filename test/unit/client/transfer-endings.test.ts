import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Client, IncomingTransfer } from '../../../src/client/index.js';
import { type ClientFrame, frames, Kind } from '../../../src/protocol/index.js';
import type { FakePeer } from './fake-server.js';
import { fakeClient, scratchDir } from './fake-setup.js';

// How a transfer ends when the other side or the network goes quiet: the causes of the
// soak's one-sided endings (stress/soak/files.ts).

afterEach(() => {
  vi.useRealTimers();
});

const incoming = (id: number, size: number) =>
  frames.offer({ target: 'me', source: 'ann', id, size, fileName: 'f.bin' });

async function acceptOne(
  client: Client,
  peer: FakePeer,
  id: number,
  size: number,
  target: Record<string, unknown>,
): Promise<IncomingTransfer> {
  const accepted = new Promise<IncomingTransfer>((resolve) => {
    const off = client.onOffer((ctx) => {
      off();
      resolve(ctx.accept(target as never));
    });
  });
  peer.send(incoming(id, size));
  const t = await accepted;
  await peer.until((f) => f.some((x) => x.kind === Kind.ACCEPT_FILE && x.id === id));
  return t;
}

const rejects = (f: ClientFrame[], id: number) =>
  f.filter((x) => x.kind === Kind.REJECT_FILE && x.id === id);

describe('an incoming transfer whose sender falls silent', () => {
  it('fails with TIMEOUT after idleTimeoutMs without a byte, and tells the sender', async () => {
    const { client, peer } = await fakeClient();
    const dir = await scratchDir('relaykit-idle-');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const t = await acceptOne(client, peer, 7, 100, { dir, idleTimeoutMs: 1_000 });
    let settled = false;
    t.done.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Bytes every 900 ms keep it alive however long it takes.
    for (let i = 0; i < 5; i++) {
      peer.send(frames.chunk(7, Buffer.from('abc')));
      await expect.poll(() => t.bytes).toBe(3 * (i + 1));
      await vi.advanceTimersByTimeAsync(900);
    }
    expect(settled).toBe(false);
    // Then silence: it fails within idleTimeoutMs and a quarter of it.
    await vi.advanceTimersByTimeAsync(1_250);
    await expect(t.done).rejects.toMatchObject({ code: 'TIMEOUT', transferId: 7 });
    const sent = await peer.until((f) => rejects(f, 7).length === 1);
    expect(rejects(sent, 7)).toEqual([
      frames.reject({ target: 'me', source: 'ann', id: 7, size: 100, fileName: 'f.bin' }),
    ]);
    await expect.poll(() => readdir(dir)).toEqual([]);
    expect(client.connected).toBe(true);
  });

  it('waits for ever with idleTimeoutMs: Infinity', async () => {
    const { client, peer } = await fakeClient();
    const dir = await scratchDir('relaykit-idle-');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const t = await acceptOne(client, peer, 8, 10, { dir, idleTimeoutMs: Infinity });
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(t.settled).toBe(false);
    peer.send(frames.chunk(8, Buffer.from('0123456789'), true));
    await expect(t.done).resolves.toMatchObject({ bytes: 10 });
  });

  it('times out at 60 s by default', async () => {
    const { client, peer } = await fakeClient();
    const dir = await scratchDir('relaykit-idle-');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const t = await acceptOne(client, peer, 9, 10, { dir });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(t.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(16_000);
    await expect(t.done).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

/** Sends `bytes` to ann and accepts the offer as id `id`; resolves with the transfer. */
async function sendAccepted(client: Client, peer: FakePeer, id: number, bytes: Buffer) {
  const t = client.sendFile('ann', bytes, { name: 'out.bin' });
  const offer = await peer.next(Kind.OFFER_FILE);
  peer.send(frames.accept({ ...offer, id }));
  // The whole file, then the query that asks the server to confirm it.
  await peer.until((f) => f.some((x) => x.kind === Kind.FILE_TRANSFER && x.finished));
  const q = await peer.next(Kind.QUERY_USER);
  expect(q.name).toBe('ann');
  return { t, offer: { ...offer, id } };
}

describe("an outgoing transfer's done waits for the server to confirm the last chunk", () => {
  it('resolves only once the server answered the query after the last chunk', async () => {
    const { client, peer } = await fakeClient();
    const bytes = Buffer.alloc(10_000, 7);
    const { t } = await sendAccepted(client, peer, 11, bytes);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.settled).toBe(false);
    peer.send(frames.queryUser('ann', 1));
    await expect(t.done).resolves.toMatchObject({ id: 11, bytes: 10_000 });
  });

  it('fails when REJECT_FILE comes before the answer (the receiver stopped first)', async () => {
    const { client, peer } = await fakeClient();
    const { t, offer } = await sendAccepted(client, peer, 12, Buffer.alloc(10_000, 1));
    peer.send(frames.reject(offer), frames.queryUser('ann', 1));
    // The presence check that tells a cancel from a departure: ann is still online.
    await peer.until((f) => f.filter((x) => x.kind === Kind.QUERY_USER).length >= 3);
    peer.send(frames.queryUser('ann', 1));
    await expect(t.done).rejects.toMatchObject({ code: 'REJECTED', transferId: 12 });
  });

  it('fails UNCONFIRMED when the connection drops before the answer', async () => {
    const { client, peer } = await fakeClient();
    const { t } = await sendAccepted(client, peer, 13, Buffer.alloc(10_000, 2));
    peer.socket.destroy();
    await expect(t.done).rejects.toMatchObject({ code: 'UNCONFIRMED', transferId: 13 });
    await expect(t.done).rejects.toThrow(/may or may not have the file/);
  });

  it('fails UNCONFIRMED when the receiver is gone by the answer', async () => {
    const { client, peer } = await fakeClient();
    const { t } = await sendAccepted(client, peer, 14, Buffer.alloc(10_000, 3));
    peer.send(frames.queryUser('ann', 0));
    await expect(t.done).rejects.toMatchObject({ code: 'UNCONFIRMED', transferId: 14 });
  });

  it('a connection drop before the last chunk is DISCONNECTED, not UNCONFIRMED', async () => {
    const { client, peer } = await fakeClient();
    const source = new (await import('node:stream')).PassThrough();
    const t = client.sendFile('ann', source, { name: 's.bin', size: 100_000 });
    const offer = await peer.next(Kind.OFFER_FILE);
    peer.send(frames.accept({ ...offer, id: 15 }));
    source.write(Buffer.alloc(20_000));
    await peer.next(Kind.FILE_TRANSFER);
    peer.socket.destroy();
    await expect(t.done).rejects.toMatchObject({ code: 'DISCONNECTED' });
    source.destroy();
  });
});
