import { describe, expect, it } from 'vitest';
import { ClientError, ConnectError, connect, type PostContext } from '../../../src/client/index.js';
import { MAX_TEXT_BYTES } from '../../../src/protocol/index.js';
import { clientTransport } from '../../support/transport.js';
import { harness } from './helpers.js';

const h = harness();

describe('connect', () => {
  it('registers, and refuses a second client with the same name with NAME_IN_USE', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    expect(alice.name).toBe('alice');
    expect(alice.connected).toBe(true);
    const err = await connect({ port, name: 'alice', ...clientTransport() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ code: 'NAME_IN_USE' });
    expect(alice.connected).toBe(true);
  });

  it('rejects CONNECTION_REFUSED when nothing listens, and ILLEGAL_NAME before dialling', async () => {
    const { server, port } = await h.server();
    await server.close();
    await expect(connect({ port, name: 'alice', ...clientTransport() })).rejects.toMatchObject({
      code: 'CONNECTION_REFUSED',
    });
    await expect(connect({ port, name: 'two words', ...clientTransport() })).rejects.toMatchObject({
      code: 'ILLEGAL_NAME',
    });
  });
});

describe('rooms', () => {
  it('join resolves with the members once listed; members events carry the difference', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    const bob = await h.client(port, 'bob');
    expect(await alice.join('ops')).toEqual(['alice']);
    const seen = alice.waitFor('members', (m) => m.members.includes('bob'));
    expect(await bob.join('ops')).toEqual(['alice', 'bob']);
    expect(await seen).toEqual({
      room: 'ops',
      members: ['alice', 'bob'],
      joined: ['bob'],
      left: [],
    });
    expect(alice.members('ops')).toEqual(['alice', 'bob']);
    expect([...bob.joined]).toEqual(['ops']);
    expect(await bob.join('ops')).toEqual(['alice', 'bob']); // already in: no round trip

    const gone = alice.waitFor('members', (m) => m.left.length > 0);
    await bob.leave('ops');
    expect(await gone).toEqual({ room: 'ops', members: ['alice'], joined: [], left: ['bob'] });
    expect(bob.joined.has('ops')).toBe(false);
    expect(bob.members('ops')).toEqual([]);
  });

  it('rooms() lists the rooms that have members', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    expect(await alice.rooms()).toEqual([]);
    await alice.join('b-room');
    await alice.join('a-room');
    const event = alice.waitFor('rooms');
    expect(await alice.rooms()).toEqual(['a-room', 'b-room']);
    expect(await event).toEqual({ rooms: ['a-room', 'b-room'] });
  });
});

describe('messages', () => {
  it('say splits lines and long text into valid posts, seen by the room and echoed to self', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    const bob = await h.client(port, 'bob');
    await alice.join('ops');
    await bob.join('ops');
    const long = 'x'.repeat(MAX_TEXT_BYTES + 10);
    const got: string[] = [];
    const done = new Promise<void>((resolve) => {
      bob.on('post', (p) => {
        got.push(p.text);
        if (got.length === 4) resolve();
      });
    });
    const own = alice.waitFor('post', (p) => p.self);
    await alice.say('ops', `first\n\nsecond\r\n${long}`);
    await done;
    expect(got).toEqual(['first', 'second', 'x'.repeat(MAX_TEXT_BYTES), 'x'.repeat(10)]);
    expect(await own).toMatchObject({ room: 'ops', from: 'alice', text: 'first', self: true });
  });

  it('refuses invalid names and text locally, and the connection survives', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    await alice.join('ops');
    await expect(alice.say('ops', 'bad\u0001char')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(alice.say('ops', '  \n ')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(alice.say('not joined', 'x')).rejects.toBeInstanceOf(ClientError);
    await expect(alice.direct('', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(alice.join('a'.repeat(33))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(alice.isOnline('with space')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(alice.broadcast('bidi \u202e')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(alice.close('bad\nfarewell')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(alice.connected).toBe(true);
    expect(await alice.isOnline('alice')).toBe(true);
  });

  it('broadcast posts to every room you are in', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    const bob = await h.client(port, 'bob');
    for (const room of ['a', 'b']) {
      await alice.join(room);
      await bob.join(room);
    }
    const rooms = new Set<string>();
    const both = new Promise<void>((resolve) => {
      bob.on('post', (p) => {
        if (p.text === 'all hands') rooms.add(p.room);
        if (rooms.size === 2) resolve();
      });
    });
    await alice.broadcast('all hands');
    await both;
    expect([...rooms].sort()).toEqual(['a', 'b']);
  });

  it('direct reports delivery, and isOnline answers', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    const bob = await h.client(port, 'bob');
    const received = bob.waitFor('direct');
    expect(await alice.direct('bob', 'psst')).toEqual({ delivered: true });
    expect(await received).toEqual({ from: 'alice', text: 'psst' });
    const presence = alice.waitFor('presence');
    expect(await alice.direct('nobody', 'hello?')).toEqual({ delivered: false });
    expect(await presence).toEqual({ name: 'nobody', online: false });
    expect(await alice.isOnline('bob')).toBe(true);
    expect(await alice.isOnline('nobody')).toBe(false);
    const [a, b, c] = await Promise.all([
      alice.direct('nobody', 'one'),
      alice.direct('bob', 'two'),
      alice.direct('ghost', 'three\nfour'),
    ]);
    expect([a, b, c]).toEqual([{ delivered: false }, { delivered: true }, { delivered: false }]);
  });
});

describe('handlers and streams', () => {
  it('onPost filters by room, sender and pattern; reply posts in the room; unsubscribe works', async () => {
    const { port } = await h.server();
    const bot = await h.client(port, 'bot');
    const alice = await h.client(port, 'alice');
    for (const room of ['ops', 'dev']) {
      await bot.join(room);
      await alice.join(room);
    }
    const seen: PostContext[] = [];
    const off = bot.onPost({ room: 'ops', from: 'alice', match: /^!echo (.+)$/ }, async (ctx) => {
      seen.push(ctx);
      await ctx.reply(`echo: ${ctx.match![1]}`);
    });
    const reply = alice.waitFor('post', (p) => p.from === 'bot');
    await alice.say('dev', '!echo wrong room');
    await alice.say('ops', 'no command');
    await alice.say('ops', '!echo hi there');
    expect(await reply).toMatchObject({ room: 'ops', text: 'echo: hi there' });
    expect(seen.map((c) => c.text)).toEqual(['!echo hi there']);
    off();
    const after = bot.waitFor('post', (p) => p.text === '!echo again');
    await alice.say('ops', '!echo again');
    await after;
    expect(seen).toHaveLength(1);
  });

  it('onPost with self: false lets a bot answer everything without answering itself', async () => {
    const { port } = await h.server();
    const bot = await h.client(port, 'bot');
    const alice = await h.client(port, 'alice');
    await bot.join('ops');
    await alice.join('ops');
    let replies = 0;
    bot.onPost({ self: false }, async (ctx) => {
      replies++;
      await ctx.reply(`re: ${ctx.text}`);
    });
    const first = alice.waitFor('post', (p) => p.text === 're: one');
    await alice.say('ops', 'one');
    await first;
    const second = alice.waitFor('post', (p) => p.text === 're: two');
    await alice.say('ops', 'two');
    await second; // had the bot answered its own "re: one", a "re: re: one" would come first
    expect(replies).toBe(2);
  });

  it('onDirect replies to the sender; a throwing handler is reported and the client lives on', async () => {
    const { port } = await h.server();
    const bot = await h.client(port, 'bot');
    const alice = await h.client(port, 'alice');
    bot.onDirect({ match: /^boom$/ }, () => {
      throw new Error('handler bug');
    });
    bot.onDirect({ match: /^ping$/ }, (ctx) => ctx.reply('pong'));
    const reported = bot.waitFor('error');
    await alice.direct('bot', 'boom');
    const { error, context } = await reported;
    expect(error.message).toBe('handler bug');
    expect(context).toMatchObject({ from: 'alice', text: 'boom' });
    bot.on('error', () => {
      throw new Error('a broken error listener'); // must not loop or kill the client
    });
    const second = bot.waitFor('error');
    await alice.direct('bot', 'boom');
    expect((await second).error.message).toBe('handler bug');
    const pong = alice.waitFor('direct');
    await alice.direct('bot', 'ping');
    expect(await pong).toEqual({ from: 'bot', text: 'pong' });
    expect(bot.connected).toBe(true);
  });

  it('posts() iterates a room until aborted; waitFor times out and aborts', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    await alice.join('ops');
    await alice.join('dev');
    const ac = new AbortController();
    const texts: string[] = [];
    const reading = (async () => {
      for await (const post of alice.posts({ room: 'ops', signal: ac.signal })) {
        texts.push(post.text);
        if (texts.length === 2) ac.abort();
      }
    })();
    await alice.say('dev', 'elsewhere');
    await alice.say('ops', 'one');
    await alice.say('ops', 'two');
    await reading;
    expect(texts).toEqual(['one', 'two']);
    await expect(alice.waitFor('direct', undefined, { timeoutMs: 20 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    const abort = new AbortController();
    const waiting = alice.waitFor('direct', undefined, { signal: abort.signal });
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('leaving', () => {
  it('close sends the farewell, which the room sees, and finishes the client', async () => {
    const { port } = await h.server();
    const alice = await h.client(port, 'alice');
    const bob = await h.client(port, 'bob');
    await alice.join('ops');
    await bob.join('ops');
    const farewell = bob.waitFor('post', (p) => p.from === 'alice');
    const closed = alice.waitFor('close');
    await alice.close('see you');
    expect(await farewell).toMatchObject({ text: 'see you' });
    expect(await closed).toEqual({ reason: 'closed' });
    expect(alice.connected).toBe(false);
    expect(await bob.isOnline('alice')).toBe(false);
  });

  it('a server shutdown is a disconnect with its farewell', async () => {
    const { server, port } = await h.server();
    const alice = await h.client(port, 'alice');
    const gone = alice.waitFor('disconnect');
    await server.close('maintenance');
    expect(await gone).toMatchObject({
      reason: 'server-departed',
      farewell: 'maintenance',
      willReconnect: false,
    });
    await expect(alice.join('ops')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
