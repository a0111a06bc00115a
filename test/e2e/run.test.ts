import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt } from './helpers/build.js';
import { type CliProcess, killAll, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

// `relaykit run` with each shipped recipe, against real servers on port 0: each does its job,
// and Ctrl-C (SIGINT) or SIGTERM makes the bots depart with their farewell and exit 0.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

const recipe = (name: string) => join(ROOT, 'recipes', `${name}.yaml`);
const T = { timeoutMs: 10_000 };

let servers: TestServer[] = [];
let clients: Client[] = [];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-run-'));
});
afterEach(async () => {
  await killAll();
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(servers.map((s) => s.server.close()));
  clients = [];
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

async function server(): Promise<TestServer> {
  const s = await startServer();
  servers.push(s);
  return s;
}

async function user(name: string, at: TestServer, rooms: string[] = []): Promise<Client> {
  const client = await connect({ name, host: at.host, port: at.port });
  clients.push(client);
  for (const room of rooms) await client.join(room);
  return client;
}

/** Starts `relaykit run` and waits until every bot is connected and in its rooms. */
async function run(args: string[]): Promise<CliProcess> {
  const proc = startCli(['run', ...args], { cwd: dir });
  await proc.waitFor(/running .* \(Ctrl-C to stop\)/);
  return proc;
}

describe('relaykit run <shipped recipe>', () => {
  it('echo.yaml echoes posts and direct messages; Ctrl-C departs with the farewell, exit 0', async () => {
    const srv = await server();
    const proc = await run([recipe('echo'), '--server', srv.arg]);
    const ann = await user('ann', srv, ['lobby']);
    const echoed = ann.waitFor('post', (p) => p.from === 'echo', T);
    await ann.say('lobby', 'hello there');
    expect((await echoed).text).toBe('echo: hello there');
    const answered = ann.waitFor('direct', (d) => d.from === 'echo', T);
    await ann.direct('echo', 'ping');
    expect((await answered).text).toBe('echo: ping');
    const farewell = ann.waitFor(
      'post',
      (p) => p.from === 'echo' && p.text === 'echo signing off',
      T,
    );
    proc.child.kill('SIGINT');
    await farewell;
    const result = await proc.exited;
    expect(result.code).toBe(0);
  });

  it('archive.yaml writes joins and posts to per-room files; SIGTERM closes them, exit 0', async () => {
    const srv = await server();
    const proc = await run([recipe('archive'), '--server', srv.arg]);
    const ann = await user('ann', srv, ['ops']);
    await ann.say('ops', 'deploy done');
    const fence = await user('fence', srv, ['ops']);
    await fence.say('ops', 'last words');
    const roomDir = join(dir, 'relaykit-archive', `127.0.0.1_${srv.port}`, 'ops');
    const read = () => {
      try {
        const [file] = readdirSync(roomDir).filter((f) => f.endsWith('.jsonl'));
        return readFileSync(join(roomDir, file!), 'utf8');
      } catch {
        return '';
      }
    };
    await expect.poll(() => read().includes('last words'), { timeout: 10_000 }).toBe(true);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    const records = read()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; from: string; text: string | null });
    expect(records.map((r) => [r.type, r.from, r.text])).toEqual([
      ['join', 'ann', null],
      ['post', 'ann', 'deploy done'],
      ['join', 'fence', null],
      ['post', 'fence', 'last words'],
    ]);
    const [log] = readdirSync(roomDir).filter((f) => f.endsWith('.log'));
    expect(readFileSync(join(roomDir, log!), 'utf8')).toContain('<ann> deploy done');
  });

  it('file-sink.yaml saves files as <sender>-<name> and turns down executables', async () => {
    const srv = await server();
    const proc = await run([recipe('file-sink'), '--server', srv.arg]);
    const ann = await user('ann', srv);
    const sent = await ann.sendFile('inbox', Buffer.from('a,b\n1,2\n'), { name: 'report.csv' })
      .done;
    expect(sent.bytes).toBe(8);
    const inbox = join(dir, 'relaykit-inbox');
    await expect
      .poll(() => readdirSync(inbox).join(','), { timeout: 10_000 })
      .toBe('ann-report.csv');
    expect(readFileSync(join(inbox, 'ann-report.csv'), 'utf8')).toBe('a,b\n1,2\n');
    const told = ann.waitFor('direct', (d) => d.from === 'inbox', T);
    await expect(
      ann.sendFile('inbox', Buffer.from('MZ'), { name: 'setup.EXE' }).done,
    ).rejects.toMatchObject({
      code: 'REJECTED',
    });
    expect((await told).text).toBe('inbox does not take setup.EXE: no executables');
    proc.child.kill('SIGINT');
    const result = await proc.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('receiving report.csv (8 bytes) from ann\n');
    expect(readdirSync(inbox)).toEqual(['ann-report.csv']);
  });

  it('relay.yaml mirrors a room and bridges two servers both ways, without loops', async () => {
    const a = await server();
    const b = await server();
    const proc = await run([recipe('relay'), '--server', a.arg, '--map', `bundled:2=${b.arg}`]);
    const ann = await user('ann', a, ['lobby', 'lobby-mirror', 'ops']);
    const bob = await user('bob', b, ['ops']);
    const annSeen: string[] = [];
    const bobSeen: string[] = [];
    ann.on('post', (p) => annSeen.push(`${p.room} ${p.from}: ${p.text}`));
    bob.on('post', (p) => bobSeen.push(`${p.room} ${p.from}: ${p.text}`));

    const mirrored = ann.waitFor('post', (p) => p.room === 'lobby-mirror', T);
    await ann.say('lobby', 'two rooms');
    expect((await mirrored).text).toBe('[lobby] ann: two rooms');

    const toB = bob.waitFor('post', (p) => p.from === 'bridge-a', T);
    await ann.say('ops', 'from a');
    expect((await toB).text).toBe('[ops@a] ann: from a');
    const toA = ann.waitFor('post', (p) => p.from === 'bridge-b', T);
    await bob.say('ops', 'from b');
    expect((await toA).text).toBe('[ops@b] bob: from b');

    // A last round trip: anything that looped would have arrived before it.
    const fence = bob.waitFor('post', (p) => p.text === '[ops@a] ann: fence', T);
    await ann.say('ops', 'fence');
    await fence;
    expect(annSeen.filter((t) => !t.includes('fence'))).toEqual([
      'lobby ann: two rooms',
      'lobby-mirror mirror: [lobby] ann: two rooms',
      'ops ann: from a',
      'ops bridge-b: [ops@b] bob: from b',
    ]);
    expect(bobSeen.filter((t) => !t.includes('fence'))).toEqual([
      'ops bridge-a: [ops@a] ann: from a',
      'ops bob: from b',
    ]);
    proc.child.kill('SIGINT');
    expect((await proc.exited).code).toBe(0);
  });

  it('relay.yaml with no servers given starts two in-process servers', async () => {
    const proc = await run([recipe('relay')]);
    expect(proc.stderr).toMatch(/started the in-process server bundled:2 on 127\.0\.0\.1:\d+/);
    expect(proc.stderr).toMatch(
      /running mirror@127\.0\.0\.1:\d+, bridge-a@127\.0\.0\.1:\d+, bridge-b@127\.0\.0\.1:\d+/,
    );
    proc.child.kill('SIGINT');
    expect((await proc.exited).code).toBe(0);
  });

  it('stdin-to-room.yaml posts each input line and exits 0 when the input ends', async () => {
    const srv = await server();
    const ann = await user('ann', srv, ['announcements']);
    const seen: string[] = [];
    ann.on('post', (p) => seen.push(`${p.from}: ${p.text}`));
    const farewell = ann.waitFor('post', (p) => p.text === 'that is all for now', T);
    const proc = startCli(['run', recipe('stdin-to-room'), '--server', srv.arg], { cwd: dir });
    proc.child.stdin.end('first line\n\n  \nsecond line\r\n');
    await farewell;
    expect((await proc.exited).code).toBe(0);
    expect(seen).toEqual([
      'announcer: first line',
      'announcer: second line',
      'announcer: that is all for now',
    ]);
  });

  it('stdin-to-room.yaml and `say` post the same cleaned lines: escapes dropped, bidi made safe', async () => {
    // Regression: the recipe posted "[31mred alert[0m" and lost the bidi line, which `say`
    // posts as "red alert" and a safe version.
    const input = '\x1b[31mred alert\x1b[0m\nbidi \u202e evil\n';
    const srv = await server();
    const ann = await user('ann', srv, ['announcements']);
    const posts = (from: string) => {
      const seen: string[] = [];
      ann.on('post', (p) => {
        if (p.from === from) seen.push(p.text);
      });
      return seen;
    };
    const fromRecipe = posts('announcer');
    const fromSay = posts('sayer');
    const farewell = ann.waitFor('post', (p) => p.text === 'that is all for now', T);
    const proc = startCli(['run', recipe('stdin-to-room'), '--server', srv.arg], { cwd: dir });
    proc.child.stdin.end(input);
    await farewell;
    expect((await proc.exited).code).toBe(0);
    const sayDone = ann.waitFor('post', (p) => p.from === 'sayer' && p.text.startsWith('bidi'), T);
    const say = startCli(['say', 'announcements', '--as', 'sayer', '--server', srv.arg], {
      cwd: dir,
    });
    say.child.stdin.end(input);
    expect((await say.exited).code).toBe(0);
    await sayDone;
    expect(fromRecipe).toEqual(['red alert', 'bidi \uFFFD evil', 'that is all for now']);
    expect(fromSay).toEqual(['red alert', 'bidi \uFFFD evil']);
  });

  it('a server that is not there: exit 2 with the bot and address named', async () => {
    const srv = await server();
    await srv.server.close();
    servers = [];
    const proc = startCli(['run', recipe('echo'), '--server', srv.arg], { cwd: dir });
    const result = await proc.exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`bot echo could not connect to ${srv.arg}`);
  });
});
