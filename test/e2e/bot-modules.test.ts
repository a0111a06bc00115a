import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../src/index.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from './helpers/build.js';
import { killAll, runCli, startCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

// `relaykit run bot.ts`: bot modules get the recipe bots' lifecycle. The modules are written
// to a scratch folder with no package.json or node_modules, so `import … from 'relaykit'`
// must resolve to the running relaykit.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

const T = { timeoutMs: 10_000 };
let dir: string;
let servers: TestServer[] = [];
let clients: Client[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-modules-'));
});
afterEach(async () => {
  await killAll();
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(servers.map((s) => s.server.close()));
  clients = [];
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

async function server(): Promise<TestServer> {
  const s = await startServer();
  servers.push(s);
  return s;
}

async function user(name: string, at: TestServer, rooms: string[]): Promise<Client> {
  const client = await connect({ name, host: at.host, port: at.port });
  clients.push(client);
  for (const room of rooms) await client.join(room);
  return client;
}

const GREETER = `import { defineBot } from 'relaykit';
import type { Client } from 'relaykit';

const greeting = (from: string): string => \`hi \${from}\`;

export default defineBot({
  name: 'greeter',
  rooms: ['lobby'],
  farewell: 'greeter out',
  setup(client: Client, { log, signal }) {
    client.onPost({ room: 'lobby', match: /^!hi$/ }, (ctx) => ctx.reply(greeting(ctx.from)));
    return async () => {
      log(\`bye (aborted: \${signal.aborted})\`);
      await client.say('lobby', 'cleaning up');
    };
  },
});
`;

describe('relaykit run <bot module>', () => {
  it('a .ts bot replies; SIGTERM runs its cleanup, then it departs, exit 0 within 2 s', async () => {
    const srv = await server();
    const file = write('greeter.ts', GREETER);
    const proc = startCli(['run', file, '--server', srv.arg], { cwd: dir });
    await proc.waitFor(/running greeter@.* \(Ctrl-C to stop\)/);
    const ann = await user('ann', srv, ['lobby']);
    const reply = ann.waitFor('post', (p) => p.from === 'greeter', T);
    await ann.say('lobby', '!hi');
    expect((await reply).text).toBe('hi ann');

    const seen: string[] = [];
    ann.on('post', (p) => p.from === 'greeter' && seen.push(`post ${p.text}`));
    ann.on('members', (m) => m.left.includes('greeter') && seen.push('left'));
    const left = ann.waitFor('members', (m) => m.left.includes('greeter'), T);
    const stopAt = Date.now();
    proc.child.kill('SIGTERM');
    const result = await proc.exited;
    expect(Date.now() - stopAt).toBeLessThan(2000);
    await left;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('greeter: bye (aborted: true)\n');
    expect(seen).toEqual(['post cleaning up', 'post greeter out', 'left']);
  });

  it('runs .mjs and .js modules and YAML recipes in one command', async () => {
    const srv = await server();
    const mjs = write(
      'pinger.mjs',
      `import { defineBot } from 'relaykit';
export default defineBot({ name: 'pinger', rooms: ['ops'], setup(client) {
  client.onPost({ room: 'ops', match: /^!ping$/ }, (ctx) => ctx.reply('pong'));
} });
`,
    );
    // A .js module with import syntax in a folder with no package.json ("type" unset).
    const js = write(
      'dinger.js',
      `import { defineBot } from 'relaykit';
export default defineBot({ name: 'dinger', rooms: ['ops'], setup(client) {
  client.onPost({ room: 'ops', match: /^!ding$/ }, (ctx) => ctx.reply('dong'));
} });
`,
    );
    const proc = startCli(
      ['run', mjs, js, join(ROOT, 'recipes', 'echo.yaml'), '--server', srv.arg],
      { cwd: dir },
    );
    await proc.waitFor(/running .*dinger@.* \(Ctrl-C to stop\)/);
    const ann = await user('ann', srv, ['ops', 'lobby']);
    const pong = ann.waitFor('post', (p) => p.from === 'pinger', T);
    const dong = ann.waitFor('post', (p) => p.from === 'dinger', T);
    const echo = ann.waitFor('post', (p) => p.from === 'echo', T);
    await ann.say('ops', '!ping');
    await ann.say('ops', '!ding');
    await ann.say('lobby', 'hello');
    expect((await pong).text).toBe('pong');
    expect((await dong).text).toBe('dong');
    expect((await echo).text).toBe('echo: hello');
    proc.child.kill('SIGINT');
    expect((await proc.exited).code).toBe(0);
  });

  it('--dry-run loads and checks the module and prints the plan, connecting nowhere', async () => {
    const file = write('greeter.ts', GREETER);
    const result = await runCli(['run', file, '--dry-run', '--server', '127.0.0.1:9'], {
      cwd: dir,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'greeter.ts',
        '  bot greeter on 127.0.0.1:9 (--server), rooms: lobby',
        "    runs the module's setup(client)",
        'dry run: 1 bot valid; nothing was started or connected',
        '',
      ].join('\n'),
    );
  });

  it('a broken module, a wrong default export and a syntax error fail before connecting', async () => {
    const srv = await server();
    const broken = write(
      'broken.ts',
      "import { defineBot } from 'relaykit';\nthrow new Error('BOT_TOKEN is not set');\n",
    );
    const wrong = write('wrong.ts', "export default { name: 'greeter', rooms: ['lobby'] };\n");
    const syntax = write(
      'syntax.ts',
      "import { defineBot } from 'relaykit';\n\nexport default defineBot({\n  name: 'bad',\n  setup() {\n    const n: number = ;\n  },\n});\n",
    );
    const noDefault = write('helpers.mjs', 'export const answer = 42;\n');
    const result = await runCli(
      ['run', broken, wrong, syntax, noDefault, 'missing.ts', '--server', srv.arg],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'broken.ts: failed to load: BOT_TOKEN is not set',
      "wrong.ts: not a bot module: its default export is a plain object, not made by defineBot. Write `export default defineBot({ name, rooms, setup })` with defineBot from 'relaykit'.",
      'syntax.ts:6:23: syntax error: Unexpected ";". Fix the module and run again.',
      "helpers.mjs: not a bot module: it has no default export. Write `export default defineBot({ name, rooms, setup })` with defineBot from 'relaykit'.",
      'missing.ts: no such file',
    ]);
    // Nothing connected: the server never received a frame.
    expect(srv.server.stats.framesIn).toBe(0);
  });

  it('a setup that throws stops the run with its message, leaving nothing connected', async () => {
    const srv = await server();
    const file = write(
      'failing.ts',
      `import { defineBot } from 'relaykit';
export default defineBot({ name: 'failing', rooms: ['lobby'], async setup() {
  throw new Error('no database');
} });
`,
    );
    const result = await runCli(['run', file, '--server', srv.arg], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bot failing: setup failed: no database');
    const ann = await user('ann', srv, ['lobby']);
    expect(await ann.isOnline('failing')).toBe(false);
  });
});
