import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveRooms, echoBot, fileSink, isRelayed, relay } from '../../../bots/index.js';
import { type Client, connect } from '../../../src/index.js';
import { createServer, type RelayServer } from '../../../src/server/index.js';

let server: RelayServer;
let port: number;
let clients: Client[];
let dir: string;

beforeEach(async () => {
  server = createServer({ port: 0 });
  ({ port } = await server.listen(0, '127.0.0.1'));
  clients = [];
  dir = mkdtempSync(join(tmpdir(), 'relaykit-bots-'));
});
afterEach(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function user(name: string, ...rooms: string[]): Promise<Client> {
  const client = await connect({ name, port });
  clients.push(client);
  for (const room of rooms) await client.join(room);
  return client;
}

const posts = (client: Client, room: string): string[] => {
  const seen: string[] = [];
  client.onPost({ room }, (p) => {
    seen.push(`${p.from}: ${p.text}`);
  });
  return seen;
};

describe('echoBot', () => {
  it('echoes posts and direct messages, but never itself or another echo', async () => {
    await echoBot(await user('echo'), { rooms: ['lobby'] });
    await echoBot(await user('echo2'), { rooms: ['lobby'] });
    const alice = await user('alice', 'lobby');
    const seen = posts(alice, 'lobby');
    const direct = alice.waitFor('direct', (d) => d.from === 'echo', { timeoutMs: 5000 });
    await alice.say('lobby', 'hi');
    await alice.direct('echo', 'ping');
    expect((await direct).text).toBe('echo: ping');
    // A sentinel round trip: everything before it has been seen.
    await alice.say('lobby', 'echo: sentinel');
    await alice.waitFor('post', (p) => p.text === 'echo: sentinel', { timeoutMs: 5000 });
    expect(seen.sort()).toEqual(
      ['alice: hi', 'echo: echo: hi', 'echo2: echo: hi', 'alice: echo: sentinel'].sort(),
    );
  });

  it('stops answering after stop()', async () => {
    const bot = await echoBot(await user('echo'), { rooms: ['lobby'] });
    await bot.stop();
    const alice = await user('alice', 'lobby');
    const seen = posts(alice, 'lobby');
    await alice.say('lobby', 'anyone?');
    await alice.say('lobby', 'echo: sentinel');
    await alice.waitFor('post', (p) => p.text === 'echo: sentinel', { timeoutMs: 5000 });
    expect(seen).toEqual(['alice: anyone?', 'alice: echo: sentinel']);
  });
});

describe('relay', () => {
  it('recognises relay markers', () => {
    expect(isRelayed('[ops@a] alice: hi')).toBe(true);
    expect(isRelayed('[WARN] disk full')).toBe(false);
    expect(isRelayed('alice: hi')).toBe(false);
  });

  it('bridges two rooms both ways without looping', async () => {
    const a = await user('bridge-a');
    const b = await user('bridge-b');
    await relay({ from: { client: a, room: 'red' }, to: { client: b, room: 'blue' }, tag: 'red' });
    await relay({ from: { client: b, room: 'blue' }, to: { client: a, room: 'red' }, tag: 'blue' });
    const alice = await user('alice', 'red');
    const bob = await user('bob', 'blue');
    const red = posts(alice, 'red');
    const blue = posts(bob, 'blue');
    await alice.say('red', 'hello blue');
    await bob.waitFor('post', (p) => p.text === '[red] alice: hello blue', { timeoutMs: 5000 });
    await bob.say('blue', 'hello red');
    await alice.waitFor('post', (p) => p.text === '[blue] bob: hello red', { timeoutMs: 5000 });
    // Sentinels through both relays: had anything looped, it would show before them.
    await alice.say('red', 'end');
    await bob.waitFor('post', (p) => p.text === '[red] alice: end', { timeoutMs: 5000 });
    await bob.say('blue', 'end');
    await alice.waitFor('post', (p) => p.text === '[blue] bob: end', { timeoutMs: 5000 });
    expect(red).toEqual([
      'alice: hello blue',
      'bridge-a: [blue] bob: hello red',
      'alice: end',
      'bridge-a: [blue] bob: end',
    ]);
    expect(blue).toEqual([
      'bridge-b: [red] alice: hello blue',
      'bob: hello red',
      'bridge-b: [red] alice: end',
      'bob: end',
    ]);
  });
});

describe('archiveRooms', () => {
  it('logs joins, posts, leaves and quits (told apart by presence), each post once, not members already there', async () => {
    await user('early', 'ops');
    const archiver = await user('archiver');
    const archive = await archiveRooms(archiver, {
      dir,
      rooms: ['ops'],
      server: { host: '127.0.0.1', port },
    });
    const alice = await user('alice', 'ops');
    await alice.say('ops', 'deploy done');
    await alice.leave('ops');
    await archiver.waitFor('members', (m) => !m.members.includes('alice'), { timeoutMs: 5000 });
    const bob = await user('bob', 'ops');
    await bob.say('ops', 'hi');
    const gone = archiver.waitFor('members', (m) => !m.members.includes('bob'), {
      timeoutMs: 5000,
    });
    await bob.close('see you');
    clients.splice(clients.indexOf(bob), 1);
    await gone;
    await archive.stop();
    const path = archive.writer.paths('ops', new Date()).jsonl;
    const records = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => [r.type, r.from, r.text])).toEqual([
      ['join', 'alice', null],
      ['post', 'alice', 'deploy done'],
      // alice left right after posting but is still online: a leave, not a quit.
      ['leave', 'alice', null],
      ['join', 'bob', null],
      ['post', 'bob', 'hi'],
      // The farewell is a post, written once; the departure does not repeat it.
      ['post', 'bob', 'see you'],
      ['quit', 'bob', null],
    ]);
    expect(records.every((r) => r.v === 2)).toBe(true);
  });

  it('writes the IRC-style log: a leave, then the farewell once and a quit', async () => {
    const archiver = await user('archiver');
    const archive = await archiveRooms(archiver, {
      dir,
      rooms: ['ops'],
      server: 'h:1',
      now: () => new Date('2026-11-26T10:00:00Z'),
    });
    const alice = await user('alice', 'ops');
    await alice.say('ops', 'brb');
    await alice.leave('ops');
    await archiver.waitFor('members', (m) => !m.members.includes('alice'), { timeoutMs: 5000 });
    await alice.join('ops');
    const gone = archiver.waitFor('members', (m) => !m.members.includes('alice'), {
      timeoutMs: 5000,
    });
    await alice.close('later');
    clients.splice(clients.indexOf(alice), 1);
    await gone;
    await archive.stop();
    const log = readFileSync(
      archive.writer.paths('ops', new Date('2026-11-26T10:00:00Z')).log,
      'utf8',
    );
    expect(log.split('\n')).toEqual([
      '[10:00:00] *** alice joined',
      '[10:00:00] <alice> brb',
      '[10:00:00] *** alice left',
      '[10:00:00] *** alice joined',
      '[10:00:00] <alice> later',
      '[10:00:00] *** alice quit',
      '',
    ]);
  });
});

describe('fileSink', () => {
  it('stores accepted files and turns down others with a reason', async () => {
    const sinkClient = await user('sink');
    const received: string[] = [];
    const rejected: string[] = [];
    const sink = await fileSink(sinkClient, {
      dir,
      from: 'alice',
      maxSize: 1000,
      namePattern: /\.txt$/,
      onReceived: (f) => received.push(`${f.fileName} ${f.sha256}`),
      onRejected: (o) => rejected.push(`${o.from}/${o.fileName}: ${o.reason}`),
    });
    const alice = await user('alice');
    const mallory = await user('mallory');
    const body = Buffer.from('hello file');
    await alice.sendFile('sink', body, { name: 'a.txt' }).done;
    await expect(alice.sendFile('sink', body, { name: 'a.exe' }).done).rejects.toMatchObject({
      code: 'REJECTED',
    });
    await expect(
      alice.sendFile('sink', Buffer.alloc(2000), { name: 'big.txt' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    await expect(mallory.sendFile('sink', body, { name: 'm.txt' }).done).rejects.toMatchObject({
      code: 'REJECTED',
    });
    const sha = createHash('sha256').update(body).digest('hex');
    // stop() waits for accepted transfers to finish: the sender is done once its last chunk
    // reached the server, which can be before the sink has written it.
    await sink.stop();
    expect(readFileSync(join(dir, 'a.txt'))).toEqual(body);
    expect(received).toEqual([`a.txt ${sha}`]);
    expect(rejected).toEqual(['alice/a.exe: name', 'alice/big.txt: size', 'mallory/m.txt: sender']);
  });

  it('a transfer the connection drops is cleaned up by the time stop() resolves: no part file left', async () => {
    // `relaykit receive --count 1` whose server stopped mid-file exited 2 with the hidden
    // .part file still in --dir: stop() waited for the failure, not for its deletion.
    const sinkClient = await user('sink');
    const failed: string[] = [];
    const sink = await fileSink(sinkClient, {
      dir,
      onError: (err) => failed.push((err as { code?: string }).code ?? String(err)),
    });
    const alice = await user('alice');
    const source = new PassThrough();
    const sending = alice.sendFile('sink', source, { name: 'big.bin', size: 1_000_000 });
    sending.done.catch(() => {});
    const firstBytes = sinkClient.waitFor(
      'transfer',
      (e) => e.direction === 'in' && e.state === 'progress',
    );
    source.write(Buffer.alloc(64 * 1024));
    await firstBytes;
    expect(readdirSync(dir).some((n) => n.endsWith('.part'))).toBe(true);
    await server.close();
    await sinkClient.waitFor('close');
    await sink.stop();
    expect(failed).toEqual(['DISCONNECTED']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("with conflict 'fail', declines an offer whose name is taken, so the sender hears of it", async () => {
    // Accepted and refused only once complete, the sender's `done` resolved: `relaykit send`
    // said "sent" and exited 0 while `receive --conflict fail` stored nothing.
    writeFileSync(join(dir, 'a.txt'), 'kept');
    const sinkClient = await user('sink');
    const rejected: string[] = [];
    const sink = await fileSink(sinkClient, {
      dir,
      conflict: 'fail',
      onRejected: (o) => rejected.push(`${o.fileName}: ${o.reason}`),
    });
    const alice = await user('alice');
    await expect(
      alice.sendFile('sink', Buffer.from('new'), { name: 'a.txt' }).done,
    ).rejects.toMatchObject({ code: 'REJECTED' });
    await alice.sendFile('sink', Buffer.from('new'), { name: 'b.txt' }).done;
    await sink.stop();
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('kept');
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('new');
    expect(rejected).toEqual(['a.txt: exists']);
  });
});
