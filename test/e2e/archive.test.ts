import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
let alice: Client | undefined;
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-'));
});
afterEach(async () => {
  await killAll();
  await alice?.close();
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const texts = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l).text);

describe('relaykit archive', () => {
  it('reopens its files on SIGHUP, so logrotate can move them away', async () => {
    if (process.platform === 'win32') return;
    alice = await connect({ name: 'alice', host: srv.host, port: srv.port });
    await alice.join('ops');
    const archiver = startCli([
      'archive',
      'ops',
      '--dir',
      dir,
      '--as',
      'arch',
      '--server',
      srv.arg,
    ]);
    await archiver.waitFor(/archiving #ops/);
    const base = join(dir, `127.0.0.1_${srv.port}`, 'ops', new Date().toISOString().slice(0, 10));
    const say = async (text: string): Promise<void> => {
      const echoed = alice!.waitFor('post', (p) => p.text === text, { timeoutMs: 10_000 });
      await alice!.say('ops', text);
      await echoed;
    };
    await say('before rotation');
    // The archiver has no event to await for its write: poll the file, bounded.
    const written = (): boolean =>
      existsSync(`${base}.jsonl`) && readFileSync(`${base}.jsonl`, 'utf8').includes('before');
    for (let i = 0; i < 200 && !written(); i++) await new Promise((r) => setTimeout(r, 10));
    renameSync(`${base}.jsonl`, `${base}.jsonl.1`);
    renameSync(`${base}.log`, `${base}.log.1`);
    archiver.child.kill('SIGHUP');
    await archiver.waitFor(/reopening the archive files/);
    await say('after rotation');
    archiver.child.kill('SIGTERM');
    expect((await archiver.exited).code).toBe(0);
    expect(texts(`${base}.jsonl.1`)).toEqual(['before rotation']);
    expect(texts(`${base}.jsonl`)).toEqual(['after rotation']);
    expect(readFileSync(`${base}.log`, 'utf8')).toMatch(
      /^\[\d\d:\d\d:\d\d\] <alice> after rotation\n$/,
    );
  }, 30_000);
});
