import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

const servers: TestServer[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await killAll();
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.server.close()));
});

describe('--server a,b', () => {
  it('listen moves to the second server when the first closes, and prints posts made there', async () => {
    const a = await startServer();
    const b = await startServer();
    servers.push(a, b);
    const listen = startCli([
      'listen',
      'ops',
      '--json',
      '--as',
      'ears',
      '--server',
      `${a.arg},${b.arg}`,
    ]);
    await listen.waitFor(new RegExp(`listening to #ops on ${a.arg},${b.arg} as ears`));
    const bob = await connect({ name: 'bob', host: b.host, port: b.port });
    clients.push(bob);
    await bob.join('ops');

    // Registered first: the rejoin comes before the CLI says it reconnected.
    const arrived = bob.waitFor('members', (m) => m.room === 'ops' && m.members.includes('ears'));
    await a.server.close('node going down');
    await listen.waitFor(new RegExp(`lost ${a.arg} .*reconnecting`));
    await listen.waitFor(new RegExp(`reconnected to ${b.arg} after 1 attempt`));
    await arrived;
    await bob.say('ops', 'on b now');
    await listen.waitFor(/"text":"on b now"/, 'stdout');
    listen.child.kill('SIGINT');
    expect((await listen.exited).code).toBe(0);
  });

  it('a bad entry is a usage error that names it', async () => {
    const end = await runCli(['rooms', '--server', '127.0.0.1:1,127.0.0.1:x']);
    expect(end.code).toBe(1);
    expect(end.stderr).toContain('--server "127.0.0.1:1,127.0.0.1:x": entry 2 "127.0.0.1:x"');
  });
});

describe('say reading stdin', () => {
  it('says on stderr that it lost the server, and exits 0 when stdin ends after every echo, the server still gone', async () => {
    const a = await startServer();
    servers.push(a);
    const watch = await connect({ name: 'watch', host: a.host, port: a.port });
    clients.push(watch);
    await watch.join('ops');
    const say = startCli(['say', 'ops', '--as', 'piper', '--server', a.arg]);
    const echoed = watch.waitFor('post', (p) => p.from === 'piper' && p.text === 'one');
    say.child.stdin.write('one\n');
    await echoed;
    await watch.close();
    await a.server.close('node going down');
    await say.waitFor(new RegExp(`lost ${a.arg} .*reconnecting`));
    say.child.stdin.end();
    const end = await say.exited;
    expect(end.code).toBe(0);
  });
});
