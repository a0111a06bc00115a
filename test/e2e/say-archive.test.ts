import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let dir: string;
let clients: Client[] = [];
beforeEach(async () => {
  srv = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-'));
});
afterEach(async () => {
  await killAll();
  await Promise.allSettled(clients.map((c) => c.close()));
  clients = [];
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function watcher(room: string): Promise<Client> {
  const client = await connect({ name: 'watcher', host: srv.host, port: srv.port });
  clients.push(client);
  await client.join(room);
  return client;
}

describe('relaykit say | archive', () => {
  it('posts 1,000 piped lines in order, and the archive shows them', async () => {
    const watch = await watcher('ops');
    const archiver = startCli([
      'archive',
      'ops',
      '--dir',
      dir,
      '--server',
      srv.arg,
      '--as',
      'arch',
    ]);
    await watch.waitFor('members', (m) => m.room === 'ops' && m.members.includes('arch'), {
      timeoutMs: 10_000,
    });

    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i + 1} of the log`);
    // Colours, a bell and blank lines: cleaned or skipped, never rejected.
    const input = `${lines.map((l, i) => (i % 100 === 0 ? `\x1b[32m${l}\x1b[0m` : l)).join('\n')}\n\n\n`;
    const got: string[] = [];
    const all = new Promise<void>((resolve) => {
      watch.onPost({ room: 'ops', from: 'logbot' }, ({ text }) => {
        got.push(text);
        if (got.length === 1001) resolve();
      });
    });
    const say = await runCli(
      ['say', 'ops', '--as', 'logbot', '--server', srv.arg, '--farewell', 'log ends'],
      { input },
    );
    expect(say.stderr).toBe('');
    expect(say.code).toBe(0);
    await all;
    // 1,000 lines, then the --farewell (the server posts it on departure).
    expect(got.slice(0, 1000)).toEqual(lines);
    expect(got[1000]).toBe('log ends');

    archiver.child.kill('SIGTERM');
    const end = await archiver.exited;
    expect(end.code).toBe(0);
    const day = new Date().toISOString().slice(0, 10);
    const roomDir = join(dir, `127.0.0.1_${srv.port}`, 'ops');
    const records = readFileSync(join(roomDir, `${day}.jsonl`), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const posts = records
      .filter((r) => r.type === 'post' && r.from === 'logbot')
      .map((r) => r.text);
    expect(posts.slice(0, 1000)).toEqual(lines);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records.find((r) => r.type === 'join')).toMatchObject({ from: 'logbot', text: null });
    // Each message once: the farewell is the last post, then the departure without its text.
    expect(posts).toEqual([...lines, 'log ends']);
    expect(records.filter((r) => r.text === 'log ends')).toHaveLength(1);
    expect(records.at(-1)).toMatchObject({ type: 'quit', from: 'logbot', text: null });
    expect(records).toHaveLength(1 + 1001 + 1);
    const log = readFileSync(join(roomDir, `${day}.log`), 'utf8').split('\n');
    expect(log).toContain(
      log.find((l) => /^\[\d\d:\d\d:\d\d\] <logbot> line 1 of the log$/.test(l)),
    );
    expect(log.some((l) => /^\[\d\d:\d\d:\d\d\] \*\*\* logbot joined$/.test(l))).toBe(true);
  }, 60_000);

  it('a 200,000-line pipe arrives whole and in order at an archiver, and say exits 0', async () => {
    const watch = await watcher('burst');
    const archiver = startCli([
      'archive',
      'burst',
      '--dir',
      dir,
      '--server',
      srv.arg,
      '--as',
      'arch',
    ]);
    await watch.waitFor('members', (m) => m.room === 'burst' && m.members.includes('arch'), {
      timeoutMs: 10_000,
    });
    await watch.leave('burst'); // the archiver alone receives the burst
    const lines = Array.from({ length: 200_000 }, (_, i) => String(i + 1));
    const say = await runCli(
      ['say', 'burst', '--as', 'piper', '--server', srv.arg, '--farewell', 'log ends'],
      { input: `${lines.join('\n')}\n` },
    );
    expect(say.stderr).toBe('');
    expect(say.code).toBe(0);
    const day = new Date().toISOString().slice(0, 10);
    const file = join(dir, `127.0.0.1_${srv.port}`, 'burst', `${day}.jsonl`);
    // The server posts the farewell after every line, so it is the archive's last record.
    await expect
      .poll(() => readFileSync(file, 'utf8').includes('"text":"log ends"'), { timeout: 60_000 })
      .toBe(true);
    archiver.child.kill('SIGTERM');
    expect((await archiver.exited).code).toBe(0);
    const posts = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'post' && r.from === 'piper')
      .map((r) => r.text);
    // Every line once, in order, then the farewell (archived as the last post, then as such).
    expect(posts.length).toBe(lines.length + 1);
    expect(posts).toEqual([...lines, 'log ends']);
  }, 180_000);

  it('posts one message given as an argument, and sends direct messages', async () => {
    const watch = await watcher('ops');
    const fromDeploy: string[] = [];
    watch.onPost({ from: 'deploy' }, ({ text }) => {
      fromDeploy.push(text);
    });
    const left = watch.waitFor('members', (m) => m.left.includes('deploy'), { timeoutMs: 10_000 });
    const post = watch.waitFor('post', (p) => p.from === 'deploy', { timeoutMs: 10_000 });
    const said = await runCli([
      'say',
      'ops',
      'deploy \x1b[1mdone\x1b[0m',
      '--as',
      'deploy',
      '--server',
      srv.arg,
    ]);
    expect(said.code).toBe(0);
    expect((await post).text).toBe('deploy done');
    // Without --farewell the command leaves the room before departing: no "bye" post.
    await left;
    await watch.isOnline('deploy'); // a round trip: anything deploy posted has arrived
    expect(fromDeploy).toEqual(['deploy done']);

    const dm = watch.waitFor('direct', (d) => d.from === 'ci', { timeoutMs: 10_000 });
    const direct = await runCli([
      'say',
      '--direct',
      'watcher',
      'build green',
      '--as',
      'ci',
      '--server',
      srv.arg,
    ]);
    expect(direct.code).toBe(0);
    expect((await dm).text).toBe('build green');

    const offline = await runCli([
      'say',
      '--direct',
      'nobody',
      'hello?',
      '--as',
      'ci',
      '--server',
      srv.arg,
    ]);
    expect(offline.code).toBe(4);
    expect(offline.stderr).toMatch(/nobody is offline/);
  }, 30_000);
});
