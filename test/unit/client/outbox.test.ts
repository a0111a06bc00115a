import { afterEach, describe, expect, it, vi } from 'vitest';
import { Outbox } from '../../../src/client/outbox.js';
import { TokenBucket } from '../../../src/client/rate-limit.js';
import type { ClientSession } from '../../../src/client/session.js';
import { type Frame, frames } from '../../../src/protocol/index.js';

/** A session whose socket is "full" until the test drains it. */
function stubSession(capacity: number) {
  const written: Frame[] = [];
  let wake: (() => void) | null = null;
  const stub = {
    open: true,
    write(frame: Frame) {
      written.push(frame);
      return written.length < capacity;
    },
    drained: () => new Promise<void>((resolve) => (wake = resolve)),
    flushed: () => Promise.resolve(true),
  };
  return {
    session: stub as unknown as ClientSession,
    written,
    drain() {
      capacity = Number.POSITIVE_INFINITY;
      wake?.();
    },
    get waiting() {
      return wake !== null;
    },
  };
}

afterEach(() => vi.useRealTimers());

describe('Outbox', () => {
  it('waits for drain instead of writing on while the socket is backed up', async () => {
    const outbox = new Outbox(null, 'queue');
    const s = stubSession(2);
    outbox.setSession(s.session);
    const sends = [1, 2, 3, 4].map((n) =>
      outbox.send({ frames: [frames.send('r', `m${n}`)], cost: 1 }),
    );
    await Promise.resolve();
    expect(s.written).toHaveLength(2); // write #2 returned false: the outbox stops there
    expect(s.waiting).toBe(true);
    s.drain();
    await Promise.all(sends);
    expect(s.written.map((f) => (f as { text: string }).text)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it("queues while disconnected with 'queue', and refuses with 'reject'", async () => {
    const queued = new Outbox(null, 'queue');
    const pending = queued.send({ frames: [frames.listRooms()], cost: 0 });
    const s = stubSession(100);
    queued.setSession(s.session);
    await pending;
    expect(s.written).toEqual([frames.listRooms()]);

    const strict = new Outbox(null, 'reject');
    await expect(strict.send({ frames: [frames.listRooms()], cost: 0 })).rejects.toMatchObject({
      code: 'NOT_CONNECTED',
    });
    strict.close(new Error('closed'));
    await expect(strict.send({ frames: [], cost: 0 })).rejects.toThrow('closed');
  });

  it('fails a job bound to a connection once that connection is replaced', async () => {
    const outbox = new Outbox(null, 'queue');
    const old = stubSession(100);
    const pending = outbox.send({ frames: [frames.listRooms()], cost: 0 });
    const bound = outbox.send({
      frames: [frames.chunk(7, new Uint8Array(1))],
      cost: 0,
      bind: old.session,
    });
    await expect(bound).rejects.toMatchObject({ code: 'DISCONNECTED' });
    const fresh = stubSession(100);
    outbox.setSession(fresh.session);
    await pending;
    await expect(
      outbox.send({ frames: [frames.chunk(7, new Uint8Array(1))], cost: 0, bind: old.session }),
    ).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(fresh.written).toEqual([frames.listRooms()]);
  });

  it('paces jobs with the token bucket; zero-cost jobs are not limited', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const outbox = new Outbox(new TokenBucket(2, 1), 'queue');
    const s = stubSession(1000);
    outbox.setSession(s.session);
    const texts = ['a', 'b', 'c'].map((t) =>
      outbox.send({ frames: [frames.send('r', t)], cost: 1 }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(s.written).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(s.written).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(s.written).toHaveLength(3);
    await Promise.all(texts);
    await outbox.send({ frames: [frames.heartbeat()], cost: 0 });
    expect(s.written).toHaveLength(4);
  });
});

describe('TokenBucket', () => {
  it('allows the burst at once, then perSecond, and lets a big cost through as debt', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const bucket = new TokenBucket(10, 5);
    expect(bucket.delayFor(5)).toBe(0);
    bucket.takeNow(5);
    expect(bucket.delayFor(1)).toBe(100);
    vi.advanceTimersByTime(500);
    expect(bucket.delayFor(5)).toBe(0);
    expect(bucket.delayFor(50)).toBe(0); // capped at the burst: a long text is never stuck
    bucket.takeNow(50);
    expect(bucket.delayFor(1)).toBe(4600);
  });

  it('leaves no rate-limit timer behind after close(), so the process can exit', async () => {
    vi.useFakeTimers();
    const outbox = new Outbox(new TokenBucket(1, 1), 'queue');
    const s = stubSession(100);
    outbox.setSession(s.session);
    const first = outbox.send({ frames: [frames.send('r', 'now')], cost: 1 });
    const later = outbox.send({ frames: [frames.send('r', 'in a second')], cost: 1 });
    later.catch(() => undefined);
    await first;
    expect(vi.getTimerCount()).toBe(1); // the pause before the second post
    outbox.close(new Error('closed'));
    await expect(later).rejects.toThrow('closed');
    expect(vi.getTimerCount()).toBe(0);
    expect(s.written).toHaveLength(1);
  });
});
