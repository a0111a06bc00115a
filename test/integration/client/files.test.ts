import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type IncomingTransfer, TransferError } from '../../../src/client/index.js';
import { harness } from './helpers.js';

const h = harness();
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'relaykit-files-'));
  dirs.push(dir);
  return dir;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function pair() {
  const { port, server } = await h.server();
  const alice = await h.client(port, 'alice');
  const bob = await h.client(port, 'bob');
  return { port, server, alice, bob };
}

describe('sending files', () => {
  for (const size of [0, 1, 4096, 4097, 3 * 1024 * 1024 + 123]) {
    it(`delivers ${size} bytes intact, from a path into a directory`, async () => {
      const { alice, bob } = await pair();
      const src = await tempDir();
      const inbox = await tempDir();
      const bytes = randomBytes(size);
      await writeFile(join(src, 'data.bin'), bytes);
      const incoming = new Promise<IncomingTransfer>((resolve) =>
        bob.onOffer((ctx) => resolve(ctx.accept({ dir: inbox }))),
      );
      const out = alice.sendFile('bob', join(src, 'data.bin'));
      const sent = await out.done;
      const received = await (await incoming).done;
      expect(sent).toMatchObject({ bytes: size, sha256: sha256(bytes) });
      expect(received).toMatchObject({
        bytes: size,
        sha256: sha256(bytes),
        path: join(inbox, 'data.bin'),
      });
      expect(sha256(await readFile(join(inbox, 'data.bin')))).toBe(sha256(bytes));
      expect(await readdir(inbox)).toEqual(['data.bin']);
    });
  }

  it('sends a Buffer and a Readable of known size, two at once, into a stream and a directory', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    const a = randomBytes(200_000);
    const b = randomBytes(150_001);
    const sink: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        sink.push(chunk);
        cb();
      },
    });
    const accepted: Promise<unknown>[] = [];
    const both = new Promise<void>((resolve) => {
      bob.onOffer((ctx) => {
        const t = ctx.fileName === 'a.bin' ? ctx.accept({ dir: inbox }) : ctx.accept({ stream });
        accepted.push(t.done);
        if (accepted.length === 2) resolve();
      });
    });
    const progress: number[] = [];
    const events: string[] = [];
    alice.on(
      'transfer',
      (e) => void (e.state !== 'progress' && events.push(`out:${e.fileName}:${e.state}`)),
    );
    bob.on(
      'transfer',
      (e) => void (e.state !== 'progress' && events.push(`in:${e.fileName}:${e.state}`)),
    );
    const ta = alice.sendFile('bob', a, { name: 'a.bin' });
    ta.on('progress', (p) => void progress.push(p.bytes));
    const tb = alice.sendFile('bob', Readable.from([b.subarray(0, 1000), b.subarray(1000)]), {
      name: 'b.bin',
      size: b.length,
    });
    await Promise.all([ta.done, tb.done]);
    await both;
    await Promise.all(accepted);
    expect(sha256(await readFile(join(inbox, 'a.bin')))).toBe(sha256(a));
    expect(sha256(Buffer.concat(sink))).toBe(sha256(b));
    expect(ta.id).not.toBe(tb.id);
    expect(events.sort()).toEqual([
      'in:a.bin:done',
      'in:b.bin:done',
      'out:a.bin:done',
      'out:b.bin:done',
    ]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((n, i) => i === 0 || n >= progress[i - 1]!)).toBe(true);
  });

  it('runs transfers both ways at once', async () => {
    const { alice, bob } = await pair();
    const inA = await tempDir();
    const inB = await tempDir();
    const x = randomBytes(300_000);
    const y = randomBytes(250_000);
    const gotA = new Promise<IncomingTransfer>((r) =>
      alice.onOffer((c) => r(c.accept({ dir: inA }))),
    );
    const gotB = new Promise<IncomingTransfer>((r) =>
      bob.onOffer((c) => r(c.accept({ dir: inB }))),
    );
    const s1 = alice.sendFile('bob', x, { name: 'x.bin' });
    const s2 = bob.sendFile('alice', y, { name: 'y.bin' });
    await Promise.all([s1.done, s2.done]);
    const [ra, rb] = await Promise.all([(await gotA).done, (await gotB).done]);
    expect(ra.sha256).toBe(sha256(y));
    expect(rb.sha256).toBe(sha256(x));
  });
});

describe('refusals and failures', () => {
  it('REJECTED when declined, RECIPIENT_OFFLINE when nobody has that name', async () => {
    const { alice, bob } = await pair();
    bob.onOffer((ctx) => ctx.reject());
    const declined = await alice
      .sendFile('bob', Buffer.from('x'), { name: 'x.txt' })
      .done.catch((e) => e);
    expect(declined).toBeInstanceOf(TransferError);
    expect(declined).toMatchObject({ code: 'REJECTED' });
    const offline = await alice
      .sendFile('ghost', Buffer.from('x'), { name: 'x.txt' })
      .done.catch((e) => e);
    expect(offline).toMatchObject({ code: 'RECIPIENT_OFFLINE', transferId: 0 });
  });

  it('rejects offers over maxSize, and offers nobody listens for', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    const unheard = await alice
      .sendFile('bob', Buffer.alloc(10), { name: 'a' })
      .done.catch((e) => e);
    expect(unheard).toMatchObject({ code: 'REJECTED' });
    const offCarol = bob.onOffer({ from: 'carol' }, (ctx) => ctx.accept({ dir: inbox }));
    const unmatched = await alice
      .sendFile('bob', Buffer.alloc(10), { name: 'b' })
      .done.catch((e) => e);
    expect(unmatched).toMatchObject({ code: 'REJECTED' });
    offCarol();
    const local = new Promise<unknown>((r) =>
      bob.onOffer((ctx) => r(ctx.accept({ dir: inbox, maxSize: 100 }).done.catch((e) => e))),
    );
    const remote = await alice
      .sendFile('bob', Buffer.alloc(101), { name: 'big' })
      .done.catch((e) => e);
    expect(remote).toMatchObject({ code: 'REJECTED' });
    expect(await local).toMatchObject({ code: 'TOO_LARGE' });
    expect(await readdir(inbox)).toEqual([]);
  });

  it('refuses bad arguments locally', async () => {
    const { alice } = await pair();
    await expect(alice.sendFile('bob', Buffer.from('x')).done).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      alice.sendFile('bob', Buffer.from('x'), { name: 'a/b' }).done,
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      alice.sendFile('bob', new PassThrough(), { name: 's' }).done,
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(alice.sendFile('bob', '/no/such/file').done).rejects.toMatchObject({
      code: 'IO_ERROR',
    });
    expect(alice.connected).toBe(true);
  });

  it('a receiver disconnecting mid-transfer aborts the sender and leaves no partial file', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    const source = new PassThrough();
    const incoming = new Promise<IncomingTransfer>((r) =>
      bob.onOffer((c) => r(c.accept({ dir: inbox }))),
    );
    const out = alice.sendFile('bob', source, { name: 'big.bin', size: 1_000_000 });
    source.write(randomBytes(50_000));
    const inc = await incoming;
    await new Promise<void>((resolve) => inc.on('progress', (p) => p.bytes > 0 && resolve()));
    expect((await readdir(inbox)).some((f) => f.endsWith('.part'))).toBe(true);
    await bob.close();
    const err = await out.done.catch((e) => e);
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect(await inc.done.catch((e) => e)).toMatchObject({ code: 'DISCONNECTED' });
    await expect.poll(() => readdir(inbox)).toEqual([]);
    source.destroy();
  });

  it('a sender going away fails the receiver with ABORTED', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    const source = new PassThrough();
    const incoming = new Promise<IncomingTransfer>((r) =>
      bob.onOffer((c) => r(c.accept({ dir: inbox }))),
    );
    const out = alice.sendFile('bob', source, { name: 'big.bin', size: 1_000_000 });
    source.write(randomBytes(10_000));
    const inc = await incoming;
    await new Promise<void>((resolve) => inc.on('progress', (p) => p.bytes > 0 && resolve()));
    await alice.close();
    expect(await out.done.catch((e) => e)).toMatchObject({ code: 'DISCONNECTED' });
    expect(await inc.done.catch((e) => e)).toMatchObject({ code: 'ABORTED' });
    await expect.poll(() => readdir(inbox)).toEqual([]);
    source.destroy();
  });

  it('cancel on the sender fails both sides without a complete-looking file', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    const source = new PassThrough();
    const incoming = new Promise<IncomingTransfer>((r) =>
      bob.onOffer((c) => r(c.accept({ dir: inbox }))),
    );
    const out = alice.sendFile('bob', source, { name: 'c.bin', size: 100_000 });
    source.write(randomBytes(8192));
    const inc = await incoming;
    await new Promise<void>((resolve) => inc.on('progress', (p) => p.bytes > 0 && resolve()));
    out.cancel();
    source.write(randomBytes(8192));
    expect(await out.done.catch((e) => e)).toMatchObject({ code: 'CANCELLED' });
    expect(await inc.done.catch((e) => e)).toMatchObject({ code: 'SIZE_MISMATCH' });
    await expect.poll(() => readdir(inbox)).toEqual([]);
    expect(alice.connected && bob.connected).toBe(true);
  });
});

describe('safe names', () => {
  it('suffixes names that exist and replaces names that would escape', async () => {
    const { alice, bob } = await pair();
    const inbox = await tempDir();
    await writeFile(join(inbox, 'report.txt'), 'old');
    // Keyed by the offered name: each receiver finishes on its own schedule, so the order in
    // which they finish says nothing (under load it was not the order of sending).
    const saved = new Map<string, string>();
    bob.onOffer(async (ctx) => {
      const { path } = await ctx.accept({ dir: inbox }).done;
      saved.set(ctx.fileName, path!);
    });
    await alice.sendFile('bob', Buffer.from('new'), { name: 'report.txt' }).done;
    await alice.sendFile('bob', Buffer.from('dots'), { name: '..' }).done;
    await alice.sendFile('bob', Buffer.from('back'), { name: '..\\..\\evil' }).done;
    await expect.poll(() => saved.size).toBe(3);
    expect(Object.fromEntries(saved)).toEqual({
      'report.txt': join(inbox, 'report (1).txt'),
      '..': join(inbox, 'file'),
      '..\\..\\evil': join(inbox, '.._.._evil'),
    });
    expect(await readFile(join(inbox, 'report.txt'), 'utf8')).toBe('old');
    expect(await readFile(join(inbox, 'report (1).txt'), 'utf8')).toBe('new');
    expect((await readdir(inbox)).sort()).toEqual([
      '.._.._evil',
      'file',
      'report (1).txt',
      'report.txt',
    ]);
  });
});
