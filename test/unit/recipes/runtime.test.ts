import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect, createServer, type RelayServer } from '../../../src/index.js';
import { parseRecipe } from '../../../src/recipes/load.js';
import { type RecipeRun, runRecipes } from '../../../src/recipes/runtime.js';

// The runtime against real servers on port 0: the same behaviour the e2e tests check through
// the CLI, in-process so failures point at the recipe code.

let servers: RelayServer[] = [];
let clients: Client[] = [];
let runs: RecipeRun[] = [];
let dir: string;

async function server(): Promise<{ host: string; port: number }> {
  const s = createServer({ port: 0 });
  servers.push(s);
  return s.listen(0, '127.0.0.1');
}

async function user(
  name: string,
  at: { host: string; port: number },
  rooms: string[] = [],
): Promise<Client> {
  const c = await connect({ name, host: at.host, port: at.port });
  clients.push(c);
  for (const room of rooms) await c.join(room);
  return c;
}

async function run(
  yaml: string,
  addresses: Record<string, { host: string; port: number }>,
  extra: { stdin?: PassThrough; logs?: string[] } = {},
) {
  const loaded = parseRecipe(yaml, 'test.yaml');
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const reports: string[] = [];
  const r = await runRecipes([loaded.plan], {
    resolveServer: async (ref) => addresses[ref?.text ?? 'bundled']!,
    log: (line) => extra.logs?.push(line),
    report: (m) => reports.push(m),
    ...(extra.stdin ? { stdin: extra.stdin } : {}),
    reconnect: false,
  });
  runs.push(r);
  return r;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaykit-run-'));
});

afterEach(async () => {
  await Promise.allSettled(runs.map((r) => r.stop()));
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
  servers = [];
  clients = [];
  runs = [];
});

describe('runRecipes', () => {
  it('post trigger with regex groups, condition and reply', async () => {
    const at = await server();
    await run(
      `bots:
  - name: echo
    rooms: [lobby]
    on:
      - post: { room: lobby, match: "^!echo (?<msg>.+)$" }
        if: { from: { not: mallory } }
        do: [{ reply: "{from} said {match.msg}" }]
`,
      { bundled: at },
    );
    const ann = await user('ann', at, ['lobby']);
    const mallory = await user('mallory', at, ['lobby']);
    const reply = ann.waitFor('post', (p) => p.from === 'echo', { timeoutMs: 5000 });
    await mallory.say('lobby', '!echo ignored');
    await ann.say('lobby', 'no command');
    await ann.say('lobby', '!echo hello');
    expect((await reply).text).toBe('ann said hello');
  });

  it('direct, join and leave triggers; direct and post actions', async () => {
    const at = await server();
    await run(
      `bots:
  - name: greeter
    rooms: [lobby]
    on:
      - direct: { match: "^ping$" }
        do: [{ reply: pong }]
      - join: { room: lobby }
        do: [{ direct: { to: "{from}", text: "welcome to {room}" } }]
      - leave:
        do: [{ post: { text: "{from} left" } }]
`,
      { bundled: at },
    );
    const watcher = await user('watcher', at, ['lobby']);
    const ann = await user('ann', at);
    const welcome = ann.waitFor('direct', (d) => d.from === 'greeter', { timeoutMs: 5000 });
    await ann.join('lobby');
    expect((await welcome).text).toBe('welcome to lobby');
    const pong = ann.waitFor('direct', (d) => d.text === 'pong', { timeoutMs: 5000 });
    await ann.direct('greeter', 'ping');
    await pong;
    const left = watcher.waitFor('post', (p) => p.from === 'greeter', { timeoutMs: 5000 });
    await ann.leave('lobby');
    expect((await left).text).toBe('ann left');
  });

  it('archive action writes with the archiver bot writer', async () => {
    const at = await server();
    const r = await run(
      `bots:
  - name: archiver
    rooms: [ops]
    on:
      - post:
        do: [{ archive: { dir: "${dir}" } }]
`,
      { bundled: at },
    );
    const ann = await user('ann', at, ['ops']);
    await ann.say('ops', 'deploy done');
    await ann.say('ops', 'second');
    // The archiver answers nothing, so wait for a later post it also archives to be written.
    const probe = await user('probe', at, ['ops']);
    await probe.say('ops', 'last');
    const file = join(
      dir,
      `127.0.0.1_${at.port}`,
      'ops',
      `${new Date().toISOString().slice(0, 10)}.jsonl`,
    );
    await expect
      .poll(async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').length, {
        timeout: 5000,
      })
      .toBe(4);
    await r.stop();
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.from, l.text])).toEqual([
      ['ann', 'deploy done'],
      ['ann', 'second'],
      ['probe', 'last'],
    ]);
  });

  it('stdin lines go to a room; the run ends when input ends', async () => {
    const at = await server();
    const stdin = new PassThrough();
    const logs: string[] = [];
    const r = await run(
      `bots:
  - name: feeder
    on:
      - stdin: { match: "^(?<level>\\\\w+): " }
        do: [{ post: { room: ops, text: "{text}" } }, { log: "sent {match.level}" }]
`,
      { bundled: at },
      { stdin, logs },
    );
    const ann = await user('ann', at, ['ops']);
    const got = ann.waitFor('post', (p) => p.from === 'feeder', { timeoutMs: 5000 });
    stdin.write('no level\nwarn: disk 91%\n');
    expect((await got).text).toBe('warn: disk 91%');
    stdin.end();
    expect(await r.ended).toBe('input-ended');
    await r.stop();
    expect(logs).toEqual(['sent warn']);
  });

  it('stdin lines are cleaned as `say` cleans them: escapes dropped, bidi made safe, none lost', async () => {
    // Regression: the stdin rule used its own regex, posted "[31mred alert[0m" and lost the
    // bidi line (MESSAGE_BIDI_CONTROL).
    const at = await server();
    const stdin = new PassThrough();
    const r = await run(
      `bots:
  - name: feeder
    rooms: [ops]
    on:
      - stdin:
        do: [{ post: { room: ops, text: "{text}" } }]
`,
      { bundled: at },
      { stdin },
    );
    const ann = await user('ann', at, ['ops']);
    const seen: string[] = [];
    ann.on('post', (p) => {
      if (p.from === 'feeder') seen.push(p.text);
    });
    const last = ann.waitFor('post', (p) => p.text === 'last \u2400 line', { timeoutMs: 5000 });
    stdin.end('\x1b[31mred alert\x1b[0m\nbidi \u202e evil\n\n   \nlast \x00 line\n');
    await last;
    expect(seen).toEqual(['red alert', 'bidi \uFFFD evil', 'last \u2400 line']);
    expect(await r.ended).toBe('input-ended');
  });

  it('a 10,000-line pipe arrives whole and in order before the run ends', async () => {
    const at = await server();
    const stdin = new PassThrough();
    const r = await run(
      `bots:
  - name: feeder
    rooms: [ops]
    on:
      - stdin:
        do: [{ post: { room: ops, text: "{text}" } }]
`,
      { bundled: at },
      { stdin },
    );
    const ann = await user('ann', at, ['ops']);
    const seen: string[] = [];
    const count = 10_000;
    const all = new Promise<void>((resolve) => {
      ann.on('post', (p) => {
        if (p.from === 'feeder' && seen.push(p.text) === count + 1) resolve();
      });
    });
    const lines = Array.from({ length: count }, (_, i) => `line ${i + 1}`);
    stdin.end(`${lines.join('\n')}\n`);
    expect(await r.ended).toBe('input-ended');
    // As `relaykit run` does once input ends: stopping must not cut off lines still queued.
    await r.stop();
    await all;
    expect(seen).toEqual([...lines, 'relaykit run stopping']); // the lines, then the farewell
  });

  it('relays across two servers both ways without loops', async () => {
    const a = await server();
    const b = await server();
    await run(
      `bots:
  - name: bridge-a
    server: bundled
    rooms: [lobby]
    on:
      - post: { room: lobby }
        do: [{ relay: { server: "bundled:2", tag: a } }]
  - name: bridge-b
    server: bundled:2
    rooms: [lobby]
    on:
      - post: { room: lobby }
        do: [{ relay: { server: bundled, tag: b } }]
`,
      { bundled: a, 'bundled:2': b },
    );
    const ann = await user('ann', a, ['lobby']);
    const bob = await user('bob', b, ['lobby']);
    const annSeen: string[] = [];
    const bobSeen: string[] = [];
    ann.on('post', (p) => annSeen.push(`${p.from}: ${p.text}`));
    bob.on('post', (p) => bobSeen.push(`${p.from}: ${p.text}`));
    const atBob = bob.waitFor('post', (p) => p.text === '[a] ann: hi from a', { timeoutMs: 5000 });
    await ann.say('lobby', 'hi from a');
    await atBob;
    const atAnn = ann.waitFor('post', (p) => p.text === '[b] bob: hi from b', { timeoutMs: 5000 });
    await bob.say('lobby', 'hi from b');
    await atAnn;
    // A round trip on each side proves nothing else is in flight, then nothing looped back.
    await ann.say('lobby', 'fence');
    await bob.waitFor('post', (p) => p.text === '[a] ann: fence', { timeoutMs: 5000 });
    expect(annSeen.filter((t) => t.includes('hi from'))).toEqual([
      'ann: hi from a',
      'bridge-b: [b] bob: hi from b',
    ]);
    expect(bobSeen.filter((t) => t.includes('hi from'))).toEqual([
      'bridge-a: [a] ann: hi from a',
      'bob: hi from b',
    ]);
  });

  it('offer: accept into a directory with a name template, reject the rest', async () => {
    const at = await server();
    const inbox = join(dir, 'inbox');
    await run(
      `bots:
  - name: sink
    on:
      - offer: { match: "\\\\.txt$" }
        do: [{ accept: { dir: "${inbox}", name: "{from}-{fileName}", maxSize: 1KB } }]
      - offer: { match: "\\\\.exe$" }
        do: [{ reject: }]
`,
      { bundled: at },
    );
    const ann = await user('ann', at);
    await ann.sendFile('sink', Buffer.from('hello file'), { name: 'notes.txt' }).done;
    await expect
      .poll(() => readFile(join(inbox, 'ann-notes.txt'), 'utf8').catch(() => ''), { timeout: 5000 })
      .toBe('hello file');
    await expect(
      ann.sendFile('sink', Buffer.from('MZ'), { name: 'tool.exe' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    // No rule answers a .bin offer: it is declined rather than left hanging.
    await expect(
      ann.sendFile('sink', Buffer.from('x'), { name: 'data.bin' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    // Over maxSize: the SDK refuses it.
    await expect(
      ann.sendFile('sink', Buffer.alloc(2000), { name: 'big.txt' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
  });

  it('accept with conflict: fail declines an offer whose file exists, so the sender hears of it', async () => {
    // Accepted, then refused once complete: the sender's `done` resolved for a file that was
    // never stored.
    const at = await server();
    const inbox = join(dir, 'inbox');
    await mkdir(inbox);
    await writeFile(join(inbox, 'ann-notes.txt'), 'kept');
    const r = await run(
      `bots:
  - name: sink
    on:
      - offer:
        do: [{ accept: { dir: "${inbox}", name: "{from}-{fileName}", conflict: fail } }]
`,
      { bundled: at },
    );
    const ann = await user('ann', at);
    await expect(
      ann.sendFile('sink', Buffer.from('new'), { name: 'notes.txt' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    expect(await readFile(join(inbox, 'ann-notes.txt'), 'utf8')).toBe('kept');
    await ann.sendFile('sink', Buffer.from('other'), { name: 'other.txt' }).done;
    await expect
      .poll(() => readFile(join(inbox, 'ann-other.txt'), 'utf8').catch(() => ''), { timeout: 5000 })
      .toBe('other');
    expect(r).toBeDefined();
  });

  it('every and start triggers post with count', async () => {
    const at = await server();
    const ann = await user('ann', at, ['ops']);
    const seen: string[] = [];
    ann.on('post', (p) => seen.push(p.text));
    await run(
      `bots:
  - name: ticker
    rooms: [ops]
    on:
      - start:
        do: [{ post: { room: ops, text: "{bot} up" } }]
      - every: 100ms
        if: { count: { lt: 3 } }
        do: [{ post: { room: ops, text: "tick {count}" } }]
`,
      { bundled: at },
    );
    await ann.waitFor('post', (p) => p.text === 'tick 2', { timeoutMs: 5000 });
    expect(seen.slice(0, 3)).toEqual(['ticker up', 'tick 1', 'tick 2']);
  });
});
