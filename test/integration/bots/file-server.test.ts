import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FileServerOptions, fileServer } from '../../../bots/index.js';
import type { BotHandle } from '../../../bots/types.js';
import type { Client } from '../../../src/client/index.js';
import { harness } from '../client/helpers.js';

const h = harness();
let scratch: string;
let shared: string;
let port: number;
const bots: BotHandle[] = [];

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'relaykit-files-'));
  shared = join(scratch, 'shared');
  await mkdir(join(shared, 'docs'), { recursive: true });
  ({ port } = await h.server());
});
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.stop()));
  await rm(scratch, { recursive: true, force: true });
});

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function start(opts: Partial<FileServerOptions> = {}): Promise<Client> {
  const bot = await h.client(port, 'files');
  bots.push(await fileServer(bot, { dir: shared, ...opts }));
  return bot;
}

/** A user of the bot: `ask` sends a command and collects answers until `until` matches one. */
async function user(name: string) {
  const client = await h.client(port, name);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  client.on('direct', ({ from, text }) => {
    if (from !== 'files') return;
    lines.push(text);
    for (const w of waiters.splice(0)) w();
  });
  const until = async (match: RegExp, from = 0): Promise<string[]> => {
    while (!lines.slice(from).some((l) => match.test(l))) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return lines.slice(from);
  };
  return {
    client,
    lines,
    until,
    async ask(text: string, match: RegExp): Promise<string[]> {
      const from = lines.length;
      await client.direct('files', text);
      return until(match, from);
    },
    /** Sends `get`, accepts the offer into `dir`, resolves with the saved bytes. */
    async get(name: string, dir: string): Promise<Buffer> {
      const offered = new Promise<Buffer>((resolve, reject) => {
        const off = client.onOffer((offer) => {
          off();
          offer.accept({ dir }).done.then((r) => readFile(r.path!).then(resolve), reject);
        });
      });
      await client.direct('files', `get ${name}`);
      return offered;
    },
  };
}

describe('file server bot: browsing', () => {
  it('ls is sorted and paged, directories marked; find and info answer, sha256 matching', async () => {
    const report = randomBytes(5000);
    await writeFile(join(shared, 'docs', 'Report.pdf'), report);
    await writeFile(join(shared, '.secret'), 'hidden');
    for (let i = 0; i < 25; i++)
      await writeFile(join(shared, `f${String(i).padStart(2, '0')}.txt`), `${i}`);
    await start();
    const ann = await user('ann');

    const page1 = await ann.ask('LS', /^more: ls page 2$/);
    expect(page1[0]).toBe('the shared folder: 26 entries, page 1 of 2');
    expect(page1[1]).toMatch(/^docs\/ {2}- {2}\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(page1[2]).toMatch(/^f00\.txt {2}1 B {2}/);
    expect(page1.join('\n')).not.toContain('.secret');
    const page2 = await ann.ask('ls page 2', /^f24\.txt/);
    expect(page2[0]).toBe('the shared folder: 26 entries, page 2 of 2');
    expect(page2.slice(1).map((l) => l.split(' ')[0])).toEqual([
      'f19.txt',
      'f20.txt',
      'f21.txt',
      'f22.txt',
      'f23.txt',
      'f24.txt',
    ]);

    const found = await ann.ask('find report', /^docs\/Report\.pdf$/);
    expect(found[0]).toBe('1 found for "report":');
    expect((await ann.ask('find secret', /Nothing here/))[0]).toMatch(/^Nothing here has "secret"/);

    const info = await ann.ask('info docs/Report.pdf', /^sha256 /);
    expect(info[0]).toMatch(/^docs\/Report\.pdf: 4\.9 KiB \(5000 bytes\), modified /);
    expect(info[1]).toBe(`sha256 ${sha(report)}`);
    // The cache is keyed by size and mtime too: a changed file is hashed again.
    const changed = randomBytes(10);
    await writeFile(join(shared, 'docs', 'Report.pdf'), changed);
    const again = await ann.ask('info docs/Report.pdf', /^sha256 /);
    expect(again[1]).toBe(`sha256 ${sha(changed)}`);
  });

  it('find answers at most 50, one message per line; ls pages a folder (ls docs page 2)', async () => {
    for (let i = 0; i < 60; i++) {
      await writeFile(join(shared, 'docs', `note-${String(i).padStart(2, '0')}.txt`), `${i}`);
    }
    await start();
    const ann = await user('ann');
    const found = await ann.ask('find NOTE', /^Only the first 50/);
    expect(found[0]).toBe('50+ found for "NOTE":');
    expect(found.slice(1, 51)).toEqual(
      Array.from({ length: 50 }, (_, i) => `docs/note-${String(i).padStart(2, '0')}.txt`),
    );
    expect(found).toHaveLength(52);
    const page2 = await ann.ask('ls docs page 2', /^more: ls docs page 3$/);
    expect(page2[0]).toBe('docs/: 60 entries, page 2 of 3');
    expect(page2[1]).toMatch(/^note-20\.txt {2}2 B {2}/);
    expect(page2).toHaveLength(22);
    expect(await ann.ask('ls docs page 9', /pages/)).toEqual([
      'docs/ has 3 pages; ask for page 1 to 3 (ls docs page 3).',
    ]);
  });

  it('unknown commands and bad paths get a sentence that says what to do', async () => {
    await writeFile(join(scratch, 'outside.txt'), 'not yours');
    await symlink(join(scratch, 'outside.txt'), join(shared, 'link-out'));
    await symlink(scratch, join(shared, 'dir-out'));
    await start();
    const eve = await user('eve');
    expect(await eve.ask('dance', /help/)).toEqual([
      'I do not know "dance". Send help to see the commands.',
    ]);
    expect((await eve.ask('get ../../etc/passwd', /not allowed/))[0]).toMatch(/Send ls/);
    expect((await eve.ask('get /etc/passwd', /start at the shared folder/))[0]).toMatch(/send ls/);
    expect((await eve.ask('get link-out', /points outside/))[0]).toMatch(/Ask for another file/);
    expect((await eve.ask('ls dir-out', /points outside/))[0]).toMatch(/Ask for another file/);
    expect((await eve.ask('info docs/../../outside.txt', /not allowed/)).length).toBe(1);
    expect((await eve.ask('get .secret', /There is no/))[0]).toMatch(/Send ls/);
    const listing = await eve.ask('ls', /entries/);
    expect(listing.join('\n')).not.toMatch(/link-out|dir-out/);
    const help = await eve.ask('help', /^cancel:/);
    expect(help[0]).toMatch(/^I serve files by direct message/);
  });
});

describe('file server bot: order', () => {
  it("answers one user's commands in the order sent, each run after the one before", async () => {
    // ls of a big folder takes longer than rm: run side by side, `find` then `rm` sent at once
    // found nothing (rm had run first) and the answers came back crossed.
    for (let i = 0; i < 300; i++) await writeFile(join(shared, `f${i}.txt`), 'x');
    await start({ upload: true });
    const ann = await user('ann');
    await ann.client.sendFile('files', Buffer.from('hello notes'), { name: 'notes.txt' }).done;
    await ann.until(/^Stored /);
    const from = ann.lines.length;
    await ann.client.direct('files', 'ls');
    await ann.client.direct('files', 'find notes');
    await ann.client.direct('files', 'rm notes.txt');
    await ann.client.direct('files', 'find notes');
    const got = await ann.until(/^Nothing here has "notes"/, from);
    const firsts = got.filter((l) => /entries|notes/.test(l));
    expect(firsts).toEqual([
      'the shared folder: 302 entries, page 1 of 16', // f0..f299, docs/, uploads/
      '1 found for "notes":',
      'uploads/ann/notes.txt',
      'Removed uploads/ann/notes.txt.',
      'Nothing here has "notes" in its name. Try a shorter text, or send ls.',
    ]);
  });
});

describe('file server bot: get', () => {
  it('files of 0, 1, 4097 bytes and 5 MiB arrive intact', async () => {
    const files = { 'empty.bin': 0, 'one.bin': 1, 'odd.bin': 4097, 'big.bin': 5 * 1024 * 1024 };
    const data = new Map<string, Buffer>();
    for (const [name, size] of Object.entries(files)) {
      const bytes = randomBytes(size);
      data.set(name, bytes);
      await writeFile(join(shared, name), bytes);
    }
    await start();
    const bob = await user('bob');
    for (const name of Object.keys(files)) {
      const got = await bob.get(name, join(scratch, 'bob'));
      expect(sha(got)).toBe(sha(data.get(name)!));
      expect(got.length).toBe(data.get(name)!.length);
    }
  });

  it('five users each getting three files at once all get them intact', async () => {
    const bytes = [0, 1, 2].map(() => randomBytes(300_000));
    for (const [i, b] of bytes.entries()) await writeFile(join(shared, `p${i}.bin`), b);
    await start();
    const users = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5'].map((n) => user(n)));
    const results = await Promise.all(
      users.map(async (u, n) => {
        const got: Buffer[] = [];
        const all = new Promise<void>((resolve, reject) => {
          u.client.onOffer((offer) =>
            offer.accept({ dir: join(scratch, `in${n}`) }).done.then(async (r) => {
              got.push(await readFile(r.path!));
              if (got.length === 3) resolve();
            }, reject),
          );
        });
        await Promise.all([0, 1, 2].map((i) => u.client.direct('files', `get p${i}.bin`)));
        await all;
        return got.map(sha).sort();
      }),
    );
    const expected = bytes.map(sha).sort();
    for (const r of results) expect(r).toEqual(expected);
  });

  it('a fourth get waits in the queue; queue shows it and cancel empties it', async () => {
    for (let i = 0; i < 4; i++) await writeFile(join(shared, `q${i}.bin`), randomBytes(10));
    await start();
    const cat = await user('cat');
    // Offers nobody answers keep the three slots busy.
    cat.client.onOffer(() => undefined);
    for (let i = 0; i < 3; i++) await cat.ask(`get q${i}.bin`, new RegExp(`Offering q${i}\\.bin`));
    const queued = await cat.ask('get q3.bin', /waits in your queue/);
    expect(queued[0]).toMatch(/^q3\.bin waits in your queue \(number 1\)/);
    const q = await cat.ask('queue', /^waiting:/);
    expect(q).toContain('running: q0.bin, q1.bin, q2.bin');
    expect(q).toContain('waiting: 1. q3.bin');
    expect(await cat.ask('cancel', /queue/)).toEqual([
      'Removed 1 waiting file from your queue. 3 already running go on.',
    ]);
    expect((await cat.ask('queue', /^running:/)).join('\n')).not.toContain('waiting');
  });

  it('help and the queue state the limit the bot runs with', async () => {
    for (let i = 0; i < 2; i++) await writeFile(join(shared, `m${i}.bin`), randomBytes(10));
    await start({ maxRunningPerUser: 1 });
    const eve = await user('eve');
    eve.client.onOffer(() => undefined); // the first offer keeps the one slot busy
    const help = await eve.ask('help', /^cancel:/);
    expect(help).toContain(
      'get <name>: I offer you the file; 1 runs at once, more wait (get docs/report.pdf)',
    );
    expect(help).toContain(
      'ls [folder] [page N]: names, sizes and times, folders end in / (ls docs page 2)',
    );
    await eve.ask('get m0.bin', /Offering m0\.bin/);
    expect(await eve.ask('get m1.bin', /waits/)).toEqual([
      'm1.bin waits in your queue (number 1): 1 file runs at once. Send queue to see it, cancel to empty it.',
    ]);
  });

  it('a file deleted between ls and get is answered in plain words', async () => {
    await writeFile(join(shared, 'soon-gone.txt'), 'x');
    await start();
    const dan = await user('dan');
    expect((await dan.ask('ls', /soon-gone/)).join('\n')).toContain('soon-gone.txt');
    await unlink(join(shared, 'soon-gone.txt'));
    expect(await dan.ask('get soon-gone.txt', /soon-gone/)).toEqual([
      'There is no "soon-gone.txt" here. Send ls to see the files, or find <text> to search for one.',
    ]);
  });
});

describe('file server bot: uploads', () => {
  it('stores an upload with its sha256, info agrees, announce posts it; quota and rm are enforced', async () => {
    await start({ upload: true, quotaPerUser: 10_000, maxUploadSize: 8_000, announce: 'lobby' });
    const watcher = await h.client(port, 'watcher');
    await watcher.join('lobby');
    const posts: string[] = [];
    watcher.on('post', ({ text, from }) => {
      if (from === 'files') posts.push(text);
    });
    const ann = await user('ann');
    const bob = await user('bob');
    const first = randomBytes(6000);
    await ann.client.sendFile('files', first, { name: 'notes.txt' }).done;
    const stored = await ann.until(/^Stored /);
    expect(stored.at(-1)).toBe(`Stored uploads/ann/notes.txt (5.9 KiB), sha256 ${sha(first)}`);
    const info = await ann.ask('info uploads/ann/notes.txt', /^sha256/);
    expect(info[1]).toBe(`sha256 ${sha(first)}`);
    await expect.poll(() => posts).toEqual(['new file: uploads/ann/notes.txt (5.9 KiB) from ann']);

    // 6000 kept + 5000 more is over the 10,000-byte quota: refused, with what to do.
    const over = ann.client.sendFile('files', randomBytes(5000), { name: 'more.txt' });
    await expect(over.done).rejects.toMatchObject({ code: 'REJECTED' });
    expect((await ann.until(/quota/)).at(-1)).toMatch(
      /rm some of your uploads first \(ls uploads\/ann\)/,
    );
    // Over the size limit.
    await expect(
      bob.client.sendFile('files', randomBytes(9000), { name: 'x' }).done,
    ).rejects.toMatchObject({
      code: 'REJECTED',
    });
    expect((await bob.until(/upload limit/)).at(-1)).toMatch(/send a smaller file/);

    // Bob cannot remove Ann's file; Ann can.
    expect((await bob.ask('rm uploads/ann/notes.txt', /own uploads/))[0]).toBe(
      'You can only remove your own uploads (in uploads/bob/); "uploads/ann/notes.txt" is not one of them.',
    );
    expect(await readFile(join(shared, 'uploads', 'ann', 'notes.txt'))).toEqual(first);
    expect(await ann.ask('rm notes.txt', /Removed/)).toEqual(['Removed uploads/ann/notes.txt.']);
    // The quota is free again.
    await ann.client.sendFile('files', randomBytes(5000), { name: 'more.txt' }).done;
    await ann.until(/^Stored uploads\/ann\/more\.txt/);
  });

  it('a dot-named upload is refused with what to do; hidden leftovers do not use the quota', async () => {
    await start({ upload: true, quotaPerUser: 1000 });
    const ann = await user('ann');
    await expect(
      ann.client.sendFile('files', Buffer.from('x'), { name: '.profile' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    expect((await ann.until(/starts with a dot/)).at(-1)).toBe(
      '.profile starts with a dot, and such files are hidden here; rename it (say, profile) and offer it again.',
    );
    // A part file a crashed upload left behind: ann can neither see nor remove it.
    await mkdir(join(shared, 'uploads', 'ann'), { recursive: true });
    await writeFile(join(shared, 'uploads', 'ann', '.relaykit-1-2-x.part'), randomBytes(900));
    await ann.client.sendFile('files', randomBytes(800), { name: 'fits.bin' }).done;
    await ann.until(/^Stored uploads\/ann\/fits\.bin/);
  });

  it('without upload, an offer is declined with what to do; from keeps strangers out', async () => {
    await start({ from: ['ann'] });
    const ann = await user('ann');
    const zed = await user('zed');
    await expect(
      ann.client.sendFile('files', Buffer.from('hi'), { name: 'a' }).done,
    ).rejects.toMatchObject({
      code: 'REJECTED',
    });
    expect((await ann.until(/no uploads/)).at(-1)).toMatch(/ask its owner to turn uploads on/);
    expect(await zed.ask('ls', /open only/)).toEqual([
      'This file server is open only to some users, and you are not one of them; ask its owner to add zed.',
    ]);
  });

  it('from keeps strangers from uploading too', async () => {
    await start({ upload: true, from: 'ann' });
    const zed = await user('zed');
    await expect(
      zed.client.sendFile('files', Buffer.from('hi'), { name: 'z.txt' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    expect((await zed.until(/open only/)).at(-1)).toBe(
      'This file server is open only to some users, and you are not one of them; ask its owner to add zed.',
    );
    const ann = await user('ann');
    await ann.client.sendFile('files', Buffer.from('ok'), { name: 'a.txt' }).done;
    await ann.until(/^Stored uploads\/ann\/a\.txt/);
  });
});
