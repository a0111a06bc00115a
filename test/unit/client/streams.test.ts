import { describe, expect, it } from 'vitest';
import type { ClientEvents, PostEvent } from '../../../src/client/events.js';
import {
  DEFAULT_STREAM_BUFFER,
  eventStream,
  type EventSource,
} from '../../../src/client/streams.js';

/** Just enough of a client for a stream: listeners per event, and a finished flag. */
function source(): EventSource & { emit(p: PostEvent): void; close(): void } {
  const listeners = new Map<string, Set<(p: unknown) => unknown>>();
  const s = {
    finished: false,
    on<E extends keyof ClientEvents>(event: E, fn: (p: ClientEvents[E]) => unknown) {
      const set = listeners.get(event) ?? new Set();
      set.add(fn as (p: unknown) => unknown);
      listeners.set(event, set);
      return () => void set.delete(fn as (p: unknown) => unknown);
    },
    emit(p: PostEvent) {
      for (const fn of listeners.get('post') ?? []) fn(p);
    },
    close() {
      s.finished = true;
      for (const fn of listeners.get('close') ?? []) fn({ reason: 'closed' });
    },
  };
  return s;
}

const post = (n: number): PostEvent => ({ room: 'ops', from: 'a', text: String(n), self: false });

async function drain(it: AsyncIterator<PostEvent>): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return out;
    out.push(r.value.text);
  }
}

describe('eventStream bounds', () => {
  it('ends with OVERFLOW once a slow consumer falls maxBuffered behind, after yielding what it held', async () => {
    const src = source();
    const stream = eventStream(src, 'post', () => true, undefined, { maxBuffered: 3 });
    for (let n = 1; n <= 5; n++) src.emit(post(n));
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const p of stream) got.push(p.text);
      })(),
    ).rejects.toMatchObject({ code: 'OVERFLOW' });
    expect(got).toEqual(['1', '2', '3']);
    // Ended: later posts are not collected.
    src.emit(post(6));
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it("with overflow: 'drop-oldest' keeps the newest and counts what it dropped", async () => {
    const src = source();
    const stream = eventStream(src, 'post', () => true, undefined, {
      maxBuffered: 3,
      overflow: 'drop-oldest',
    });
    for (let n = 1; n <= 10; n++) src.emit(post(n));
    src.close();
    expect(await drain(stream)).toEqual(['8', '9', '10']);
    expect(stream.dropped).toBe(7);
  });

  it('holds the default 10,000 without loss for a consumer that catches up', async () => {
    const src = source();
    const stream = eventStream(src, 'post', () => true);
    for (let n = 1; n <= DEFAULT_STREAM_BUFFER; n++) src.emit(post(n));
    src.close();
    const got = await drain(stream);
    expect(got).toHaveLength(DEFAULT_STREAM_BUFFER);
    expect(got.at(-1)).toBe(String(DEFAULT_STREAM_BUFFER));
  });

  it('refuses a bound that is not a positive whole number', () => {
    expect(() => eventStream(source(), 'post', () => true, undefined, { maxBuffered: 0 })).toThrow(
      /maxBuffered/,
    );
  });
});
