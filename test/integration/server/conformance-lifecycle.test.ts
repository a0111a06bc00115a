import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ErrorCode,
  type FileNegotiation,
  frames,
  Kind,
  type OfferFileFrame,
} from '../../../src/protocol/index.js';
import { createLogger, createServer, ServerError } from '../../../src/server/index.js';
import { cleanup, nameField, rawFrame, startServer, TestClient, until } from './helpers.js';

// Conformance of a connection's life (draft §5.3, §9; CLARIFICATIONS §4, §5.6, §5.8, §6.7):
// stalls, timeouts, limits, and that nothing is left behind once every client is gone.

afterEach(async () => {
  vi.useRealTimers();
  await cleanup();
});

const fake = () =>
  vi.useFakeTimers({
    toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'],
  });

/** Advances fake time in 4 s steps; `alive` clients send a heartbeat that reaches the server each step. */
async function advance(ms: number, alive: TestClient[] = []): Promise<void> {
  for (let left = ms; left > 0; left -= 4_000) {
    await vi.advanceTimersByTimeAsync(Math.min(4_000, left));
    for (const c of alive) {
      c.send(frames.heartbeat());
      await c.query(c.name);
    }
  }
}

const negotiation = (source: string, target: string, size: number): FileNegotiation => ({
  source,
  target,
  size,
  fileName: 'f.bin',
  id: 0,
});

describe('stalls and timeouts', () => {
  it('disconnects a registered client that sends half a header and stalls, once the timeout passes', async () => {
    fake();
    const { server, port } = await startServer();
    const staller = await TestClient.registered(port, 'staller');
    const other = await TestClient.registered(port, 'other');
    for (const c of [staller, other]) c.send(frames.enterRoom('ops'));
    await staller.sync();
    await other.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2);
    await other.sync();
    staller.sendBytes(Buffer.from([Kind.SEND_MESSAGE, 0, 0]));
    // Meanwhile everyone else is served as usual.
    other.send(frames.send('ops', 'unaffected'));
    expect(await other.next(Kind.POST_MESSAGE)).toEqual(frames.post('ops', 'other', 'unaffected'));
    await advance(28_000, [other]);
    expect(staller.isClosed).toBe(false);
    await advance(8_000, [other]);
    await staller.closedWith();
    expect(await other.next(Kind.USER_LISTING)).toEqual(frames.userListing('ops', ['other']));
    await until(() => server.stats.connections === 1);
  });

  it('also ends a client stalled in the middle of a payload', async () => {
    fake();
    const { server, port } = await startServer();
    const staller = await TestClient.registered(port, 'staller');
    const whole = rawFrame(
      Kind.DIRECT_MESSAGE,
      Buffer.concat([nameField('x'), Buffer.from('hi\0')]),
    );
    staller.sendBytes(whole.subarray(0, 40));
    await until(() => server.stats.bytesIn > 0);
    await advance(28_000);
    expect(staller.isClosed).toBe(false); // within the 30 s heartbeat timeout
    await advance(8_000);
    await staller.closedWith();
    expect(staller.isClosed).toBe(true);
    await until(() => server.stats.connections === 0);
    expect(server.stats.connections).toBe(0);
  });

  it('ends an unregistered connection at its deadline even if it sends heartbeats', async () => {
    fake();
    const { server, port } = await startServer({ registrationTimeoutMs: 10_000 });
    const lurker = await TestClient.connect(port);
    for (let t = 0; t < 8_000; t += 2_000) {
      lurker.send(frames.heartbeat());
      await until(() => server.stats.framesIn > t / 2_000);
      await vi.advanceTimersByTimeAsync(2_000);
    }
    expect(lurker.isClosed).toBe(false);
    await vi.advanceTimersByTimeAsync(2_001);
    expect(await lurker.closedWith()).toBeUndefined();
    expect(lurker.inbox).toEqual([]);
  });

  it('sends REJECT_FILE to the other party when a party of a transfer times out', async () => {
    fake();
    const { server, port } = await startServer();
    const a = await TestClient.registered(port, 'alice');
    const b = await TestClient.registered(port, 'bob');
    a.send(frames.offer(negotiation('alice', 'bob', 10)));
    const offered = (await b.next(Kind.OFFER_FILE)) as OfferFileFrame;
    b.send(frames.accept(offered));
    await a.next(Kind.ACCEPT_FILE);
    await advance(36_000, [b]);
    await a.closedWith();
    expect(await b.next(Kind.REJECT_FILE)).toEqual(frames.reject(offered));
    expect(server.stats.transfers).toBe(0);
  });
});

describe('heartbeat interval', () => {
  it('sends heartbeats at the configured interval', async () => {
    fake();
    const { port } = await startServer({ heartbeatIntervalMs: 1_000 });
    const c = await TestClient.registered(port, 'alice');
    await vi.advanceTimersByTimeAsync(3_000);
    await c.sync();
    expect(c.heartbeats).toBe(3);
  });

  it('refuses a bad option with a typed error carrying a code', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(
      expect.objectContaining({ name: 'ServerError', code: 'INVALID_LOG_LEVEL' }),
    );
    expect(() => createServer({ maxUsers: 0 })).toThrow(ServerError);
    // A misspelt option is refused, not ignored, and the message lists the right ones.
    expect(() => createServer({ maxUser: 10 } as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_SERVER_OPTION',
        message: expect.stringMatching(/Unknown server option 'maxUser'.*maxUsers/),
      }),
    );
  });

  it('refuses an interval over the 5 s the draft allows (§5.3)', () => {
    expect(() => createServer({ heartbeatIntervalMs: 5_000 })).not.toThrow();
    expect(() => createServer({ heartbeatIntervalMs: 5_001 })).toThrow(
      expect.objectContaining({ code: 'INVALID_SERVER_OPTION' }),
    );
  });
});

describe('limits', () => {
  it('frees a user slot when a user leaves', async () => {
    const { port } = await startServer({ maxUsers: 1 });
    const a = await TestClient.registered(port, 'alice');
    a.send(frames.clientDeparts('make room'));
    await a.closedWith();
    // The server may see the close a moment after the client does: retry until the slot is free.
    for (;;) {
      const b = await TestClient.connect(port);
      b.send(frames.newClient('bob'));
      b.send(frames.queryUser('bob'));
      const answer = await b.next(Kind.QUERY_USER).catch(() => null);
      if (answer !== null) {
        expect(answer.status).toBe(1);
        break;
      }
      expect(await b.closedWith()).toBe(ErrorCode.TOO_MANY_USERS);
    }
  });

  it('frees a room slot when a room empties', async () => {
    const { server, port } = await startServer({ maxRooms: 1 });
    const a = await TestClient.registered(port, 'alice');
    a.send(frames.enterRoom('first'));
    a.send(frames.leaveRoom('first'));
    a.send(frames.enterRoom('second'));
    expect(await a.next((f) => f.kind === Kind.USER_LISTING && f.room === 'second')).toEqual(
      frames.userListing('second', ['alice']),
    );
    expect(server.stats.rooms).toBe(1);
  });
});

describe('nothing is left behind', () => {
  it('returns every count to 0, and leaves no timer once closed, whatever way clients go', async () => {
    fake();
    const { server, port } = await startServer();
    const names = ['departs', 'destroys', 'errs', 'breaks', 'times-out', 'stays'];
    const c = new Map<string, TestClient>();
    for (const n of names) c.set(n, await TestClient.registered(port, n));
    const pending = await TestClient.connect(port);
    for (const x of c.values()) x.send(frames.enterRoom('shared'));
    for (const [i, n] of names.entries()) c.get(n)!.send(frames.enterRoom(`own-${i}`));
    // Transfers in every state: offered, accepted, part-sent.
    const at = (n: string) => c.get(n)!;
    const offers: [string, string][] = [
      ['departs', 'stays'],
      ['stays', 'destroys'],
      ['errs', 'breaks'],
      ['times-out', 'stays'],
    ];
    for (const [from, to] of offers) at(from).send(frames.offer(negotiation(from, to, 100)));
    const accepted = (await at('destroys').next(Kind.OFFER_FILE)) as OfferFileFrame;
    at('destroys').send(frames.accept(accepted));
    await at('stays').next(Kind.ACCEPT_FILE);
    at('stays').send(frames.chunk(accepted.id, Buffer.alloc(10)));
    for (const x of c.values()) await x.sync();
    expect(server.stats).toMatchObject({ connections: 7, users: 6, rooms: 7, transfers: 4 });

    at('departs').send(frames.clientDeparts('bye'));
    at('destroys').destroy();
    at('errs').send(frames.error(ErrorCode.UNKNOWN));
    at('breaks').sendBytes(rawFrame(0x7f));
    pending.destroy();
    await until(() => server.stats.users === 2);
    await advance(36_000, [at('stays')]);
    await until(() => server.stats.users === 1);
    at('stays').destroy();
    await until(() => server.stats.connections === 0);
    expect(server.stats).toMatchObject({ connections: 0, users: 0, rooms: 0, transfers: 0 });
    await server.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
