import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, connect, createServer, type RelayServer } from '../../../src/index.js';
import { parseRecipe } from '../../../src/recipes/load.js';
import { type RecipeRun, runRecipes } from '../../../src/recipes/runtime.js';

// The recipe file pieces against a real server on port 0: a bot's `file_server` (the
// bundled bot, with its options passed through) and `send_file` with an explicit `to`.

let server: RelayServer;
let at: { host: string; port: number };
let dir: string;
const clients: Client[] = [];
const runs: RecipeRun[] = [];

beforeEach(async () => {
  server = createServer({ port: 0 });
  at = await server.listen(0, '127.0.0.1');
  dir = await mkdtemp(join(tmpdir(), 'relaykit-recipe-files-'));
});
afterEach(async () => {
  await Promise.allSettled(runs.splice(0).map((r) => r.stop()));
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(yaml: string, reports: string[] = []): Promise<RecipeRun> {
  const loaded = parseRecipe(yaml, 'test.yaml');
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const r = await runRecipes([loaded.plan], {
    resolveServer: async () => at,
    report: (m) => reports.push(m),
    reconnect: false,
  });
  runs.push(r);
  return r;
}

async function user(name: string): Promise<{ client: Client; directs: string[] }> {
  const client = await connect({ name, host: at.host, port: at.port });
  clients.push(client);
  const directs: string[] = [];
  client.on('direct', ({ text }) => directs.push(text));
  return { client, directs };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('file_server in a recipe', () => {
  it('passes from, upload limits and announce to the bot; a post rule may sit beside it', async () => {
    const shared = join(dir, 'shared');
    const reports: string[] = [];
    await run(
      `bots:
  - name: files
    rooms: [lobby]
    file_server:
      dir: ${JSON.stringify(shared)}
      upload: true
      max_upload: 4KiB
      from: [ann]
      announce: "#lobby"
    on:
      - post: { room: lobby, match: "^!files$" }
        do: [{ reply: "send files help by direct message" }]
`,
      reports,
    );
    expect(reports).toContain(
      `files: serving ${shared} (uploads on); send it help by direct message`,
    );
    const ann = await user('ann');
    await ann.client.join('lobby');
    const posts: string[] = [];
    ann.client.on('post', ({ from, text }) => {
      if (from === 'files') posts.push(text);
    });
    const zed = await user('zed');

    await zed.client.direct('files', 'ls');
    await expect
      .poll(() => zed.directs)
      .toEqual([
        'This file server is open only to some users, and you are not one of them; ask its owner to add zed.',
      ]);
    await expect(
      ann.client.sendFile('files', randomBytes(5000), { name: 'big.bin' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    const small = randomBytes(3000);
    await ann.client.sendFile('files', small, { name: 'small.bin' }).done;
    await expect.poll(() => posts).toContain('new file: uploads/ann/small.bin (2.9 KiB) from ann');
    expect(sha(await readFile(join(shared, 'uploads', 'ann', 'small.bin')))).toBe(sha(small));
    expect(ann.directs.join('\n')).toMatch(
      /over the upload limit of 4\.0 KiB; send a smaller file/,
    );

    await ann.client.say('lobby', '!files');
    await expect.poll(() => posts).toContain('send files help by direct message');
  });
});

describe('send_file', () => {
  it('to: offers the file to someone other than the sender', async () => {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    const data = randomBytes(10_000);
    await writeFile(join(shared, 'notes.bin'), data);
    await run(`files_root: ${JSON.stringify(shared)}
bots:
  - name: files
    rooms: [lobby]
    on:
      - post: { room: lobby, match: "^!give (\\\\S+) (\\\\S+)$" }
        do: [{ send_file: { to: "{match.1}", path: "{match.2}" } }]
`);
    const ann = await user('ann');
    await ann.client.join('lobby');
    const bob = await user('bob');
    const got = new Promise<Buffer>((resolve, reject) => {
      bob.client.onOffer((offer) =>
        offer
          .accept({ dir: join(dir, 'bob') })
          .done.then((r) => readFile(r.path!).then(resolve), reject),
      );
    });
    await ann.client.say('lobby', '!give bob notes.bin');
    expect(sha(await got)).toBe(sha(data));
    await ann.client.say('lobby', '!give bob ../outside');
    await expect.poll(() => bob.directs.at(-1)).toMatch(/^"\.\." is not allowed/);
  });
});
