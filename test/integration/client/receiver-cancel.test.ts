import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type IncomingTransfer, TransferError } from '../../../src/client/index.js';
import { harness } from './helpers.js';

const h = harness();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relaykit-cancel-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A source that never ends on its own: without a cancel reaching it, the sender waits forever. */
function endlessSource(): PassThrough {
  const source = new PassThrough();
  cleanup.push(() => source.destroy());
  source.write(randomBytes(64 * 1024));
  return source;
}

async function pair() {
  const { port } = await h.server();
  const alice = await h.client(port, 'alice');
  const bob = await h.client(port, 'bob');
  return { alice, bob };
}

describe('receiver-side cancel against the real server', () => {
  it('cancel mid-transfer rejects the sender with REJECTED, deletes the temp file, saves nothing', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    const incoming = new Promise<IncomingTransfer>((resolve) => {
      const off = bob.onOffer((ctx) => {
        off();
        resolve(ctx.accept({ dir: inbox }));
      });
    });
    const out = alice.sendFile('bob', endlessSource(), { name: 'big.bin', size: 10_000_000 });
    const inc = await incoming;
    await new Promise<void>((resolve) => inc.on('progress', (p) => p.bytes > 0 && resolve()));
    expect((await readdir(inbox)).some((f) => f.endsWith('.part'))).toBe(true);

    inc.cancel();
    const err = await out.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect(err).toMatchObject({ code: 'REJECTED', transferId: inc.id });
    expect((err as Error).message).toMatch(/bob stopped receiving big\.bin after \d+ of 10000000/);
    expect(out.bytes).toBeLessThan(10_000_000);
    expect(await inc.done.catch((e: unknown) => e)).toMatchObject({ code: 'CANCELLED' });
    await expect.poll(() => readdir(inbox)).toEqual([]);
    // Both connections live on, and the id is free for the next transfer.
    expect(alice.connected && bob.connected).toBe(true);
    bob.onOffer((ctx) => ctx.accept({ dir: inbox }));
    await alice.sendFile('bob', Buffer.from('after'), { name: 'after.txt' }).done;
    await expect.poll(() => readdir(inbox)).toEqual(['after.txt']);
  });

  it('a failing destination stream (disk error) stops the sender the same way', async () => {
    const { alice, bob } = await pair();
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('disk full'));
      },
    });
    broken.on('error', () => undefined);
    const incoming = new Promise<IncomingTransfer>((resolve) =>
      bob.onOffer((ctx) => resolve(ctx.accept({ stream: broken }))),
    );
    const out = alice.sendFile('bob', endlessSource(), { name: 'x.bin', size: 5_000_000 });
    const inc = await incoming;
    expect(await inc.done.catch((e: unknown) => e)).toMatchObject({ code: 'IO_ERROR' });
    expect(await out.done.catch((e: unknown) => e)).toMatchObject({ code: 'REJECTED' });
    expect(alice.connected && bob.connected).toBe(true);
  });

  it('a receiver that leaves still reads as ABORTED on the sender (not REJECTED)', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    const incoming = new Promise<IncomingTransfer>((resolve) =>
      bob.onOffer((ctx) => resolve(ctx.accept({ dir: inbox }))),
    );
    const out = alice.sendFile('bob', endlessSource(), { name: 'y.bin', size: 5_000_000 });
    const inc = await incoming;
    await new Promise<void>((resolve) => inc.on('progress', (p) => p.bytes > 0 && resolve()));
    await bob.close();
    expect(await out.done.catch((e: unknown) => e)).toMatchObject({ code: 'ABORTED' });
  });
});
