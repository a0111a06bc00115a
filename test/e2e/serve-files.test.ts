import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/client/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
const clients: Client[] = [];
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-files-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await killAll();
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('relaykit serve-files', () => {
  it('serves ls, get and uploads to SDK clients, and stops within 2 s of Ctrl-C', async () => {
    const shared = join(dir, 'shared');
    const data = randomBytes(200_000);
    const cli = startCli([
      'serve-files',
      shared,
      '--upload',
      '--max-upload',
      '1M',
      '--quota',
      '2M',
      '--server',
      srv.arg,
    ]);
    await cli.waitFor(/serving .* as files/);
    // Not `relaykit say … help`: say leaves before the answer, and prints its own help.
    expect(cli.stderr).toMatch(/people send it help by direct message/);
    writeFileSync(join(shared, 'data.bin'), data);
    const ann = await connect({ host: srv.host, port: srv.port, name: 'ann' });
    clients.push(ann);
    const answers: string[] = [];
    ann.on('direct', ({ text }) => answers.push(text));
    await ann.direct('files', 'ls');
    await expect.poll(() => answers.join('\n')).toMatch(/data\.bin {2}195 KiB/);

    const got = new Promise<string>((resolve, reject) => {
      ann.onOffer((offer) =>
        offer.accept({ dir: join(dir, 'in') }).done.then((r) => resolve(r.path!), reject),
      );
    });
    await ann.direct('files', 'get data.bin');
    expect(sha256(readFileSync(await got))).toBe(sha256(data));
    await cli.waitFor(/sent data\.bin to ann/);

    const up = randomBytes(3000);
    await ann.sendFile('files', up, { name: 'up.txt' }).done;
    await expect
      .poll(() => answers.join('\n'))
      .toContain(`Stored uploads/ann/up.txt (2.9 KiB), sha256 ${sha256(up)}`);
    expect(readFileSync(join(shared, 'uploads', 'ann', 'up.txt'))).toEqual(up);

    const stopping = Date.now();
    cli.child.kill('SIGINT');
    const result = await cli.exited;
    expect(Date.now() - stopping).toBeLessThan(2_000);
    expect(result.code).toBe(0);
  });

  it('--as names the bot, --from keeps strangers out, --announce posts each upload', async () => {
    const shared = join(dir, 'drop');
    const cli = startCli([
      'serve-files',
      shared,
      '--as',
      'drop',
      '--upload',
      '--from',
      'ann,bob',
      '--announce',
      '#lobby',
      '--server',
      srv.arg,
    ]);
    await cli.waitFor(/serving .* as drop .*\(uploads on\)/);
    const ann = await connect({ host: srv.host, port: srv.port, name: 'ann' });
    const zed = await connect({ host: srv.host, port: srv.port, name: 'zed' });
    clients.push(ann, zed);
    await ann.join('lobby');
    const posts: string[] = [];
    ann.on('post', ({ from, text }) => {
      if (from === 'drop') posts.push(text);
    });
    const refusals: string[] = [];
    zed.on('direct', ({ text }) => refusals.push(text));
    await zed.direct('drop', 'ls');
    await expect
      .poll(() => refusals)
      .toEqual([
        'This file server is open only to some users, and you are not one of them; ask its owner to add zed.',
      ]);
    await ann.sendFile('drop', randomBytes(100), { name: 'hello.txt' }).done;
    await expect.poll(() => posts).toEqual(['new file: uploads/ann/hello.txt (100 B) from ann']);
    cli.child.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);
  });

  it('refuses a bad size with the accepted forms', async () => {
    const cli = startCli(['serve-files', dir, '--max-upload', 'lots', '--server', srv.arg]);
    const result = await cli.exited;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Invalid size "lots"/);
  });
});
