import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Client, ConnectError, connect } from '../../../src/client/index.js';
import { ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { FakeServer } from './fake-server.js';

const servers: FakeServer[] = [];
const clients: Client[] = [];

async function fake(opts: { register?: boolean } = {}): Promise<FakeServer> {
  const server = new FakeServer(opts);
  servers.push(server);
  await server.listen();
  return server;
}

async function client(server: FakeServer, opts: Record<string, unknown> = {}): Promise<Client> {
  const c = await connect({ name: 'me', port: server.port, ...opts });
  clients.push(c);
  return c;
}

afterEach(async () => {
  vi.useRealTimers();
  for (const c of clients.splice(0)) c.on('error', () => undefined);
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('registration', () => {
  it('sends NEW_CLIENT then asks about itself, and is registered by the answer', async () => {
    const server = await fake();
    const c = await client(server);
    const peer = await server.peer();
    expect(peer.received.slice(0, 2)).toEqual([frames.newClient('me'), frames.queryUser('me', 2)]);
    expect(c.connected).toBe(true);
  });

  it('rejects with NAME_IN_USE when the server answers ERR NAME_IN_USE', async () => {
    const server = await fake({ register: false });
    void server.peer().then(async (peer) => {
      await peer.next(Kind.NEW_CLIENT);
      peer.send(frames.error(ErrorCode.NAME_IN_USE));
      peer.socket.end();
    });
    const err = await connect({ name: 'me', port: server.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err).toMatchObject({ code: 'NAME_IN_USE', wireCode: ErrorCode.NAME_IN_USE });
  });

  it('rejects with TOO_MANY_USERS on that ERR', async () => {
    const server = await fake({ register: false });
    void server.peer().then(async (peer) => {
      await peer.next(Kind.NEW_CLIENT);
      peer.send(frames.error(ErrorCode.TOO_MANY_USERS));
    });
    await expect(connect({ name: 'me', port: server.port })).rejects.toMatchObject({
      code: 'TOO_MANY_USERS',
    });
  });

  it('times out when the server never answers', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'],
    });
    const server = await fake({ register: false });
    const pending = connect({ name: 'me', port: server.port, connectTimeoutMs: 5000 }).catch(
      (e) => e,
    );
    const peer = await server.peer();
    await peer.next(Kind.QUERY_USER);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await pending).toMatchObject({ code: 'TIMEOUT' });
  });

  it('rejects with ABORTED when the signal fires during registration', async () => {
    const server = await fake({ register: false });
    const ac = new AbortController();
    void server.peer().then(async (peer) => {
      await peer.next(Kind.QUERY_USER);
      ac.abort();
    });
    await expect(
      connect({ name: 'me', port: server.port, signal: ac.signal }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('accepts a listing that comes before the registration answer', async () => {
    const server = await fake({ register: false });
    void server.peer().then(async (peer) => {
      await peer.next(Kind.QUERY_USER);
      peer.send(frames.roomListing(['lobby']), frames.queryUser('me', 1));
    });
    const c = await client(server);
    expect(c.connected).toBe(true);
  });
});

describe('listings', () => {
  it('tolerates unsolicited ROOM_LISTING and USER_LISTING at any time', async () => {
    const server = await fake();
    const c = await client(server);
    const peer = await server.peer();
    const rooms = c.waitFor('rooms');
    peer.send(frames.roomListing(['a', 'b']));
    expect(await rooms).toEqual({ rooms: ['a', 'b'] });

    const foreign = c.waitFor('members');
    peer.send(frames.userListing('elsewhere', ['zed']));
    expect(await foreign).toEqual({
      room: 'elsewhere',
      members: ['zed'],
      joined: ['zed'],
      left: [],
    });
    expect(c.joined.has('elsewhere')).toBe(false);

    const joining = c.join('ops');
    await peer.next(Kind.ENTER_ROOM);
    // The author's server announces the new room to everyone before the member list.
    peer.send(frames.roomListing(['a', 'b', 'ops']), frames.userListing('ops', ['zed', 'me']));
    expect(await joining).toEqual(['zed', 'me']);
    expect(c.members('ops')).toEqual(['zed', 'me']);

    const changed = c.waitFor('members', (m) => m.room === 'ops');
    peer.send(frames.userListing('ops', ['me', 'amy']));
    expect(await changed).toEqual({
      room: 'ops',
      members: ['me', 'amy'],
      joined: ['amy'],
      left: ['zed'],
    });

    const listed = c.rooms();
    await peer.next(Kind.LIST_ROOMS);
    peer.send(frames.roomListing(['ops']));
    expect(await listed).toEqual(['ops']);
  });

  it('ignores posts to rooms it is not in', async () => {
    const server = await fake();
    const c = await client(server);
    const peer = await server.peer();
    const seen: string[] = [];
    c.on('post', (p) => void seen.push(p.room));
    const joining = c.join('ops');
    await peer.next(Kind.ENTER_ROOM);
    peer.send(frames.post('other', 'x', 'no'), frames.userListing('ops', ['me']));
    await joining;
    const post = c.waitFor('post');
    peer.send(frames.post('ops', 'x', 'yes'));
    expect((await post).text).toBe('yes');
    expect(seen).toEqual(['ops']);
  });
});

describe('broadcast layouts', () => {
  it("sends the draft's layout by default and text alone with broadcastLayout: 'text'", async () => {
    const server = await fake();
    const draft = await client(server);
    const author = await connect({ name: 'you', port: server.port, broadcastLayout: 'text' });
    clients.push(author);
    await draft.broadcast('hi');
    await author.broadcast('hi');
    const [p0, p1] = [await server.peer(0), await server.peer(1)];
    await p0.next(Kind.BROADCAST_MESSAGE);
    await p1.next(Kind.BROADCAST_MESSAGE);
    const raw0 = Buffer.concat(p0.raw);
    const raw1 = Buffer.concat(p1.raw);
    const draftHeader = Buffer.from([0x0b, 0, 0, 0, 64 + 3]);
    expect(raw0.indexOf(draftHeader)).toBeGreaterThan(0);
    expect(raw1.indexOf(Buffer.from([0x0b, 0, 0, 0, 3, 0x68, 0x69, 0]))).toBeGreaterThan(0);
  });
});

describe("the author's server", () => {
  it('drops file offers: answerTimeoutMs turns the silence into a TIMEOUT', async () => {
    const server = await fake();
    const c = await client(server);
    const peer = await server.peer();
    const t = c.sendFile('bob', Buffer.from('hello'), { name: 'h.txt', answerTimeoutMs: 50 });
    const offer = await peer.next(Kind.OFFER_FILE);
    expect(offer).toEqual(
      frames.offer({ target: 'bob', source: 'me', id: 0, size: 5, fileName: 'h.txt' }),
    );
    await expect(t.done).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(c.connected).toBe(true);
  });
});

describe('disconnects', () => {
  it('treats SERVER_DEPARTS as a disconnect and surfaces the farewell', async () => {
    const server = await fake();
    const c = await client(server);
    const peer = await server.peer();
    const gone = c.waitFor('disconnect');
    const closed = c.waitFor('close');
    peer.send(frames.serverDeparts('back in 5'));
    expect(await gone).toMatchObject({
      reason: 'server-departed',
      farewell: 'back in 5',
      willReconnect: false,
    });
    expect(await closed).toMatchObject({ reason: 'disconnected' });
    expect(c.connected).toBe(false);
    await expect(c.say('ops', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.broadcast('x')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('answers bytes that break the protocol with ERR and reports a protocol error', async () => {
    const server = await fake();
    const c = await client(server);
    const peer = await server.peer();
    const gone = c.waitFor('disconnect');
    peer.socket.write(Buffer.from([0x02, 0, 0, 0, 64, ...Buffer.alloc(64, 0x41)])); // NEW_CLIENT from a server
    expect(await gone).toMatchObject({
      reason: 'protocol-error',
      error: { code: 'PROTOCOL_ERROR' },
    });
    await peer.closed;
    expect(peer.received.at(-1)).toEqual(frames.error(ErrorCode.ILLEGAL_KIND));
  });

  it('sends heartbeats every 4 s and drops a server silent past the timeout', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'],
    });
    const server = await fake();
    const c = await client(server, { heartbeatTimeoutMs: 30_000 });
    const peer = await server.peer();
    const events: string[] = [];
    c.on('disconnect', (d) => void events.push(d.reason));

    await vi.advanceTimersByTimeAsync(12_000);
    await peer.next(Kind.HEARTBEAT);
    await peer.next(Kind.HEARTBEAT);
    await peer.next(Kind.HEARTBEAT);

    // Any frame is a sign of life: an answer at 20 s moves the deadline to 50 s.
    await vi.advanceTimersByTimeAsync(8_000);
    const online = c.isOnline('zed');
    await peer.next(Kind.QUERY_USER);
    peer.send(frames.queryUser('zed', 0));
    expect(await online).toBe(false);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(events).toEqual([]);
    const gone = c.waitFor('disconnect');
    await vi.advanceTimersByTimeAsync(6_000);
    expect(await gone).toMatchObject({ reason: 'timeout', error: { code: 'TIMEOUT' } });
  });
});

describe('presence barrier', () => {
  it('attributes "offline" answers to the right direct() among concurrent calls', async () => {
    const server = await fake();
    const c = await client(server);
    const peer = await server.peer();
    const toBob = c.direct('bob', 'one');
    const toCarol = c.direct('carol', 'two\nthree');
    const dave = c.isOnline('dave');
    const sent = await peer.until((f) => f.length >= 8);
    expect(sent.slice(2)).toEqual([
      frames.directTo('bob', 'one'),
      frames.queryUser('me', 2),
      frames.directTo('carol', 'two'),
      frames.directTo('carol', 'three'),
      frames.queryUser('me', 2),
      frames.queryUser('dave', 2),
    ]);
    const presence: string[] = [];
    c.on('presence', (p) => void presence.push(`${p.name}:${p.online}`));
    peer.send(
      frames.queryUser('bob', 0),
      frames.queryUser('me', 1),
      frames.queryUser('me', 1),
      frames.queryUser('dave', 1),
    );
    expect(await toBob).toEqual({ delivered: false });
    expect(await toCarol).toEqual({ delivered: true });
    expect(await dave).toBe(true);
    expect(presence).toEqual(['bob:false', 'dave:true']);
  });
});

describe('rate limit', () => {
  it('spaces messages by the token bucket given in rateLimit', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'],
    });
    const server = await fake();
    const c = await client(server, { rateLimit: { perSecond: 2, burst: 1 } });
    const peer = await server.peer();
    const joining = c.join('ops');
    await peer.next(Kind.ENTER_ROOM);
    peer.send(frames.userListing('ops', ['me']));
    await joining;
    const start = Date.now();
    const sent = c.say('ops', 'one\ntwo\nthree');
    const later = c.say('ops', 'four');
    const sends = (f: { kind: number }[]): number =>
      f.filter((x) => x.kind === Kind.SEND_MESSAGE).length;
    await peer.until((f) => sends(f) === 3);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all([sent, later]);
    const frames4 = await peer.until(
      (f) => f.filter((x) => x.kind === Kind.SEND_MESSAGE).length === 4,
    );
    const at = peer.received
      .map((f, i) => ({ f, t: peer.arrivedAt[i]! - start }))
      .filter(({ f }) => f.kind === Kind.SEND_MESSAGE);
    // The three lines are one job, let through at once (the bucket was full), leaving a debt
    // of two tokens: 'four' waits 1.5 s at 2 per second.
    expect(at.map(({ t }) => t < 1000)).toEqual([true, true, true, false]);
    expect(at[3]!.t).toBeGreaterThanOrEqual(1500);
    expect(frames4.at(-1)).toEqual(frames.send('ops', 'four'));
  });
});
