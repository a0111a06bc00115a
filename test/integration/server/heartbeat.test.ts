import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { frames, Kind } from '../../../src/protocol/index.js';
import { cleanup, startServer, TestClient, until } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Date'],
  });
});

afterEach(async () => {
  vi.useRealTimers();
  await cleanup();
});

/** Advances fake time in heartbeat-sized steps, with `alive` clients answering each step. */
async function advance(ms: number, alive: TestClient[] = []): Promise<void> {
  for (let left = ms; left > 0; left -= 4_000) {
    await vi.advanceTimersByTimeAsync(Math.min(4_000, left));
    for (const c of alive) {
      c.send(frames.heartbeat());
      await c.query(c.name); // a round trip: the heartbeat has reached the server
    }
  }
}

describe('heartbeats', () => {
  it('sends every client a heartbeat every 4 s', async () => {
    const { port } = await startServer();
    const c = await TestClient.registered(port, 'alice');
    c.keepHeartbeats = true;
    await vi.advanceTimersByTimeAsync(3_999);
    expect(await c.sync()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await c.next(Kind.HEARTBEAT)).toEqual(frames.heartbeat());
    await vi.advanceTimersByTimeAsync(8_000);
    await c.next(Kind.HEARTBEAT);
    await c.next(Kind.HEARTBEAT);
    expect(c.heartbeats).toBe(3);
  });

  it('disconnects a client silent for longer than 30 s and cleans up as for a close', async () => {
    const { server, port } = await startServer();
    const quiet = await TestClient.registered(port, 'quiet');
    const chatty = await TestClient.registered(port, 'chatty');
    quiet.send(frames.enterRoom('ops'));
    await quiet.sync();
    chatty.send(frames.enterRoom('ops'));
    await chatty.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2);
    await advance(28_000, [chatty]);
    expect(quiet.isClosed).toBe(false);
    await advance(8_000, [chatty]);
    await quiet.closedWith();
    expect(await chatty.next(Kind.USER_LISTING)).toEqual(frames.userListing('ops', ['chatty']));
    expect(await chatty.query('quiet')).toBe(0);
    expect(chatty.isClosed).toBe(false);
    await until(() => server.stats.connections === 1);
    expect(server.stats.users).toBe(1);
  });

  it('counts any frame as a sign of life', async () => {
    const { port } = await startServer();
    const c = await TestClient.registered(port, 'alice');
    for (let i = 0; i < 15; i++) {
      await vi.advanceTimersByTimeAsync(4_000);
      c.send(frames.listRooms());
      await c.next(Kind.ROOM_LISTING);
    }
    expect(c.isClosed).toBe(false);
  });

  it('uses the configured timeout', async () => {
    const { port } = await startServer({ heartbeatTimeoutMs: 20_000 });
    const c = await TestClient.registered(port, 'alice');
    await advance(20_000);
    expect(c.isClosed).toBe(false);
    await advance(4_000);
    await c.closedWith();
  });
});
