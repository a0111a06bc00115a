import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let srv: TestServer;
let clients: Client[] = [];
beforeEach(async () => {
  srv = await startServer();
});
afterEach(async () => {
  await killAll();
  await Promise.allSettled(clients.map((c) => c.close()));
  clients = [];
  await srv.server.close();
});

async function user(name: string, ...rooms: string[]): Promise<Client> {
  const client = await connect({ name, host: srv.host, port: srv.port });
  clients.push(client);
  for (const room of rooms) await client.join(room);
  return client;
}

describe('relaykit listen --json', () => {
  it('prints posts, joins, leaves and direct messages as JSON lines on stdout', async () => {
    const alice = await user('alice', 'ops');
    const listen = startCli([
      'listen',
      'ops',
      'dev',
      '--json',
      '--as',
      'ears',
      '--server',
      srv.arg,
    ]);
    await alice.waitFor('members', (m) => m.room === 'ops' && m.members.includes('ears'), {
      timeoutMs: 10_000,
    });
    await listen.waitFor(/listening to #ops #dev/);
    await alice.say('ops', 'deploy done');
    const bob = await user('bob', 'dev');
    await bob.say('dev', 'hi dev');
    await bob.direct('ears', 'psst');
    await bob.leave('dev');
    await listen.waitFor(/"type":"leave"/, 'stdout');
    listen.child.kill('SIGINT');
    const end = await listen.exited;
    expect(end.code).toBe(0);
    const records = end.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const r of records) expect(r.ts).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(records.map(({ ts: _ts, ...r }) => r)).toEqual([
      { type: 'post', room: 'ops', from: 'alice', text: 'deploy done' },
      { type: 'join', room: 'dev', from: 'bob' },
      { type: 'post', room: 'dev', from: 'bob', text: 'hi dev' },
      { type: 'direct', from: 'bob', text: 'psst' },
      { type: 'leave', room: 'dev', from: 'bob' },
    ]);
  }, 30_000);
});

describe('relaykit rooms / who / online --json', () => {
  it('answers in one JSON line each', async () => {
    await user('alice', 'ops', 'dev');
    await user('bob', 'ops');

    const rooms = await runCli(['rooms', '--json', '--server', srv.arg]);
    expect(rooms.code).toBe(0);
    expect(JSON.parse(rooms.stdout)).toEqual({ rooms: ['dev', 'ops'] });

    const who = await runCli(['who', 'ops', '--json', '--server', srv.arg]);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toEqual({ room: 'ops', members: ['alice', 'bob'] });

    const empty = await runCli(['who', 'nowhere', '--json', '--server', srv.arg]);
    expect(JSON.parse(empty.stdout)).toEqual({ room: 'nowhere', members: [] });

    const on = await runCli(['online', 'alice', '--json', '--server', srv.arg]);
    expect(on.code).toBe(0);
    expect(JSON.parse(on.stdout)).toEqual({ name: 'alice', online: true });

    const off = await runCli(['online', 'carol', '--json', '--server', srv.arg]);
    expect(off.code).toBe(4);
    expect(JSON.parse(off.stdout)).toEqual({ name: 'carol', online: false });

    const text = await runCli(['rooms', '--server', srv.arg]);
    expect(text.stdout).toBe('dev\nops\n');

    // The room `#ops` is `##ops` to the CLI (`#ops` is ops): each line names its own room.
    await user('carol', '#ops');
    const hashed = await runCli(['rooms', '--server', srv.arg]);
    expect(hashed.stdout).toBe('##ops\ndev\nops\n');
    const back = await runCli([
      'who',
      hashed.stdout.split('\n')[0]!,
      '--json',
      '--server',
      srv.arg,
    ]);
    expect(JSON.parse(back.stdout)).toEqual({ room: '#ops', members: ['carol'] });
  }, 30_000);
});

describe('exit codes', () => {
  it('3 and a hint when the name is taken', async () => {
    await user('alice');
    const r = await runCli(['say', 'ops', 'hi', '--as', 'alice', '--server', srv.arg]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/'alice' is already in use .* --as/);
  });

  it('2 and a hint when the connection is refused', async () => {
    const closed = await startServer();
    await closed.server.close();
    const r = await runCli(['rooms', '--server', closed.arg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/connection refused.*relaykit serve/);
  });

  it('1 for usage errors, with a pointer to --help', async () => {
    const r = await runCli(['say', 'ops', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/as/);
    expect(r.stderr).toMatch(/--help/);
    const bad = await runCli(['rooms', '--server', 'host:port']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/host:port/);
  });

  it('--help shows examples for each command', async () => {
    for (const cmd of [
      'say',
      'listen',
      'archive',
      'send',
      'receive',
      'rooms',
      'who',
      'online',
      'demo',
    ]) {
      const r = await runCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(/Examples:/);
    }
  }, 30_000);
});
