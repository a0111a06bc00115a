import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-'));
});
afterEach(async () => {
  await killAll();
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('relaykit send / receive', () => {
  it('a receiver whose disk fails midway is a failed transfer for send (exit 5), not a refusal', async () => {
    const source = join(dir, 'big.bin');
    writeFileSync(source, randomBytes(20 * 1024 * 1024));
    const bob = await connect({ name: 'bob', port: srv.port });
    try {
      let failures = 0;
      bob.onOffer((offer) => {
        const full = new Writable({
          write(_chunk, _enc, done) {
            failures += 1;
            done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
          },
        });
        offer.accept({ stream: full }).done.catch(() => undefined);
      });
      const sent = await runCli(['send', 'bob', source, '--as', 'alice', '--server', srv.arg]);
      expect(failures).toBeGreaterThan(0);
      expect(sent.code).toBe(5);
      expect(sent.stderr).toMatch(
        /bob accepted big\.bin but stopped receiving it after .* of 20\.0 MiB/,
      );
      expect(sent.stderr).not.toContain('declined');
    } finally {
      await bob.close();
    }
  }, 30_000);

  it.each([
    ['a file where the folder should be', () => join(dir, 'plain-file', 'inbox')],
    ['a folder nobody may create files in', () => '/proc/1'],
  ])('receive --dir on %s exits 1 at start, before connecting', async (_what, target) => {
    writeFileSync(join(dir, 'plain-file'), 'not a folder');
    const before = srv.server.stats.connections;
    const run = await runCli(['receive', '--dir', target(), '--as', 'bob', '--server', srv.arg]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /--dir .* cannot hold files \((ENOTDIR|ENOENT|EACCES|EPERM|EROFS)\); choose a folder/,
    );
    expect(run.stderr).not.toContain('receiving files');
    expect(srv.server.stats.connections).toBe(before);
  });

  it('moves a file whose sha256 matches', async () => {
    const data = randomBytes(300_000);
    const source = join(dir, 'data.bin');
    writeFileSync(source, data);
    const inbox = join(dir, 'inbox');
    const receiver = startCli([
      'receive',
      '--dir',
      inbox,
      '--as',
      'bob',
      '--from',
      'alice',
      '--count',
      '1',
      '--server',
      srv.arg,
    ]);
    await receiver.waitFor(/receiving files as bob/);

    const sent = await runCli(['send', 'bob', source, '--as', 'alice', '--server', srv.arg]);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain(`sha256 ${sha256(data)}`);

    const received = await receiver.exited;
    expect(received.code).toBe(0);
    expect(received.stderr).toContain(`sha256 ${sha256(data)}`);
    expect(sha256(readFileSync(join(inbox, 'data.bin')))).toBe(sha256(data));
  }, 30_000);

  it('refuses files over --max-size and from others than --from (exit 4 for the sender)', async () => {
    const source = join(dir, 'big.bin');
    writeFileSync(source, randomBytes(5000));
    const receiver = startCli([
      'receive',
      '--dir',
      join(dir, 'inbox'),
      '--as',
      'bob',
      '--from',
      'alice',
      '--max-size',
      '4k',
      '--server',
      srv.arg,
    ]);
    await receiver.waitFor(/receiving files as bob/);

    const tooBig = await runCli(['send', 'bob', source, '--as', 'alice', '--server', srv.arg]);
    expect(tooBig.code).toBe(4);
    await receiver.waitFor(/rejected big\.bin from alice: .* over --max-size/);

    const stranger = await runCli(['send', 'bob', source, '--as', 'mallory', '--server', srv.arg]);
    expect(stranger.code).toBe(4);
    await receiver.waitFor(/rejected big\.bin from mallory: mallory is not in --from/);
  }, 30_000);

  it('says what is wrong when the file is missing or the user offline', async () => {
    const missing = await runCli(['send', 'bob', join(dir, 'nope.txt'), '--server', srv.arg]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);

    const source = join(dir, 'a.txt');
    writeFileSync(source, 'hello');
    const offline = await runCli(['send', 'nobody', source, '--server', srv.arg]);
    expect(offline.code).toBe(4);
  }, 30_000);
});
