import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Client, connect } from '../../../src/client/index.js';
import {
  type ClientFrame,
  encode,
  ErrorCode,
  type Frame,
  FrameDecoder,
  frames,
  Kind,
} from '../../../src/protocol/index.js';

/**
 * A scripted stand-in for the protocol author's server (CLARIFICATIONS §7): broadcasts as text
 * alone, a ROOM_LISTING to everyone whenever a room is created or removed, a heartbeat every
 * 5 s and a 30 s silence timeout, offers dropped, empty farewells refused.
 */
class AuthorServer {
  readonly #server: Server;
  readonly users = new Map<string, Socket>();
  readonly rooms = new Map<string, string[]>();
  /** Every frame a client sent, with the sender's name. */
  readonly log: Array<{ from: string; frame: ClientFrame; at: number }> = [];
  silent = false;
  port = 0;

  constructor() {
    this.#server = createServer((socket) => this.#accept(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const s of this.users.values()) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const decoder = new FrameDecoder({ side: 'server' });
    let name: string | null = null;
    let lastHeard = Date.now();
    const send = (f: Frame): void => {
      if (!socket.destroyed) socket.write(encode(f));
    };
    const beat = setInterval(() => {
      if (!this.silent) send(frames.heartbeat());
      if (Date.now() - lastHeard > 30_000) socket.destroy();
    }, 5_000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(beat);
      if (name !== null && this.users.get(name) === socket) {
        this.users.delete(name);
        this.#leaveAll(name);
      }
    });
    socket.on('data', (chunk) => {
      lastHeard = Date.now();
      for (const frame of decoder.push(chunk)) {
        this.log.push({ from: name ?? '', frame, at: Date.now() });
        if (frame.kind === Kind.NEW_CLIENT) {
          if (this.users.has(frame.name)) {
            send(frames.error(ErrorCode.NAME_IN_USE));
            socket.end();
            return;
          }
          name = frame.name;
          this.users.set(name, socket);
          continue;
        }
        if (name === null) continue;
        this.#handle(name, frame, send, socket);
      }
    });
  }

  #handle(me: string, frame: ClientFrame, send: (f: Frame) => void, socket: Socket): void {
    switch (frame.kind) {
      case Kind.QUERY_USER:
        send(frames.queryUser(frame.name, this.users.has(frame.name) ? 1 : 0));
        return;
      case Kind.ENTER_ROOM: {
        const members = this.rooms.get(frame.room);
        if (members === undefined) {
          this.rooms.set(frame.room, [me]);
          this.#announceRooms();
        } else if (!members.includes(me)) members.push(me);
        this.#toRoom(frame.room, frames.userListing(frame.room, this.rooms.get(frame.room)!));
        return;
      }
      case Kind.LEAVE_ROOM:
        this.#leave(me, frame.room);
        return;
      case Kind.LIST_ROOMS:
        send(frames.roomListing([...this.rooms.keys()].sort()));
        return;
      case Kind.SEND_MESSAGE:
        if (this.rooms.get(frame.room)?.includes(me)) {
          this.#toRoom(frame.room, frames.post(frame.room, me, frame.text));
        }
        return;
      case Kind.BROADCAST_MESSAGE:
        for (const [room, members] of this.rooms) {
          if (members.includes(me)) this.#toRoom(room, frames.post(room, me, frame.text));
        }
        return;
      case Kind.DIRECT_MESSAGE: {
        const to = this.users.get(frame.to);
        if (to === undefined) send(frames.queryUser(frame.to, 0));
        else to.write(encode(frames.directFrom(me, frame.text)));
        return;
      }
      case Kind.OFFER_FILE:
        return; // no file transfers: dropped without a word
      case Kind.CLIENT_DEPARTS:
        if (frame.farewell === '') {
          send(frames.error(ErrorCode.ILLEGAL_MESSAGE));
        } else {
          for (const [room, members] of this.rooms) {
            if (members.includes(me)) this.#toRoom(room, frames.post(room, me, frame.farewell));
          }
        }
        socket.end();
        return;
    }
  }

  #toRoom(room: string, frame: Frame): void {
    const bytes = encode(frame);
    for (const m of this.rooms.get(room) ?? []) this.users.get(m)?.write(bytes);
  }

  #announceRooms(): void {
    const bytes = encode(frames.roomListing([...this.rooms.keys()].sort()));
    for (const s of this.users.values()) s.write(bytes);
  }

  #leave(me: string, room: string): void {
    const members = this.rooms.get(room);
    if (members === undefined || !members.includes(me)) return;
    members.splice(members.indexOf(me), 1);
    if (members.length === 0) {
      this.rooms.delete(room);
      this.#announceRooms();
    } else this.#toRoom(room, frames.userListing(room, members));
  }

  #leaveAll(me: string): void {
    for (const room of [...this.rooms.keys()]) this.#leave(me, room);
  }
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

async function start(): Promise<AuthorServer> {
  const server = new AuthorServer();
  await server.listen();
  cleanup.push(() => server.close());
  return server;
}

async function client(server: AuthorServer, name: string): Promise<Client> {
  const c = await connect({ name, port: server.port, broadcastLayout: 'text' });
  cleanup.push(() => c.close());
  return c;
}

describe("against the protocol author's server (broadcastLayout: 'text')", () => {
  it('rooms, posts, broadcast, direct messages and presence all work; offers time out', async () => {
    const server = await start();
    const alice = await client(server, 'alice');
    const bob = await client(server, 'bob');
    const announced: string[][] = [];
    bob.on('rooms', ({ rooms }) => void announced.push(rooms));

    expect(await alice.join('ops')).toEqual(['alice']);
    expect(await alice.join('dev')).toEqual(['alice']);
    expect(await bob.join('ops')).toEqual(['alice', 'bob']);
    expect(await bob.rooms()).toEqual(['dev', 'ops']);
    expect(announced).toContainEqual(['ops']); // unsolicited, when alice created ops
    expect(announced).toContainEqual(['dev', 'ops']);

    const heard = bob.waitFor('post', (p) => p.text === 'hello ops');
    await alice.say('ops', 'hello ops');
    expect(await heard).toEqual({ room: 'ops', from: 'alice', text: 'hello ops', self: false });

    const fromBroadcast = bob.waitFor('post', (p) => p.text === 'to all my rooms');
    const ownEcho = alice.waitFor('post', (p) => p.room === 'dev' && p.text === 'to all my rooms');
    await alice.broadcast('to all my rooms');
    expect(await fromBroadcast).toMatchObject({ room: 'ops', from: 'alice' });
    expect(await ownEcho).toMatchObject({ self: true });
    const broadcasts = server.log.filter((e) => e.frame.kind === Kind.BROADCAST_MESSAGE);
    expect(broadcasts.map((e) => e.frame)).toEqual([
      { kind: Kind.BROADCAST_MESSAGE, text: 'to all my rooms', layout: 'text' },
    ]);

    const dm = bob.waitFor('direct');
    expect(await alice.direct('bob', 'psst')).toEqual({ delivered: true });
    expect(await dm).toEqual({ from: 'alice', text: 'psst' });
    expect(await alice.direct('nobody', 'hello?')).toEqual({ delivered: false });
    expect(await alice.isOnline('bob')).toBe(true);
    expect(await alice.isOnline('nobody')).toBe(false);

    const removed = bob.waitFor('rooms', (r) => !r.rooms.includes('dev'));
    await alice.leave('dev');
    expect(await removed).toEqual({ rooms: ['ops'] });

    const offer = alice.sendFile('bob', Buffer.from('x'), { name: 'x.txt', answerTimeoutMs: 30 });
    await expect(offer.done).rejects.toMatchObject({ code: 'TIMEOUT' });

    const left = bob.waitFor('members', (m) => m.left.includes('alice'));
    const farewell = bob.waitFor('post', (p) => p.from === 'alice' && p.text === 'bye');
    await alice.close(''); // the author's server refuses an empty farewell: 'bye' goes instead
    expect(await farewell).toMatchObject({ room: 'ops' });
    expect(await left).toMatchObject({ room: 'ops', members: ['bob'] });
    expect(bob.connected).toBe(true);
    expect(bob.members('ops')).toEqual(['bob']);
  });

  it('lives with its 5 s heartbeat, keeps it happy, and drops it 30 s after it goes silent', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'],
    });
    const server = await start();
    const alice = await client(server, 'alice');
    const reasons: string[] = [];
    alice.on('disconnect', (d) => void reasons.push(d.reason));
    for (let i = 0; i < 13; i++) await vi.advanceTimersByTimeAsync(5_000);
    expect(alice.connected).toBe(true);
    const beats = server.log.filter((e) => e.frame.kind === Kind.HEARTBEAT).map((e) => e.at);
    expect(beats.length).toBeGreaterThanOrEqual(15);
    expect(beats.every((t, i) => i === 0 || t - beats[i - 1]! <= 5_000)).toBe(true);

    server.silent = true;
    await vi.advanceTimersByTimeAsync(25_000);
    expect(reasons).toEqual([]);
    const gone = alice.waitFor('disconnect');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await gone).toMatchObject({ reason: 'timeout' });
  });
});
