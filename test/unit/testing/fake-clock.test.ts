import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/testing/fake-clock.js';

describe('FakeClock', () => {
  it('fires timers in due order, each with now() at its due time', async () => {
    const clock = new FakeClock(1000);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 300);
    clock.setInterval(() => seen.push(`i@${clock.now()}`), 200);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 100);
    await clock.advance(650);
    expect(seen).toEqual(['a@1100', 'i@1200', 'b@1300', 'i@1400', 'i@1600']);
    expect(clock.now()).toBe(1650);
    await clock.advance(149);
    expect(seen).toHaveLength(5);
    await clock.advance(1);
    expect(seen.at(-1)).toBe('i@1800');
  });

  it('equal due times fire in creation order; a timer set during advance fires if due', async () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => {
      seen.push('first');
      clock.setTimeout(() => seen.push(`nested@${clock.now()}`), 10);
    }, 50);
    clock.setTimeout(() => seen.push('second'), 50);
    await clock.advance(100);
    expect(seen).toEqual(['first', 'second', 'nested@60']);
  });

  it('nothing fires before it is due; cleared timers never fire and are not pending', async () => {
    const clock = new FakeClock(0);
    let fired = 0;
    const t = clock.setTimeout(() => fired++, 100);
    const i = clock.setInterval(() => fired++, 10);
    await clock.advance(9);
    expect(fired).toBe(0);
    expect(clock.pending).toBe(2);
    clock.clearTimeout(t);
    clock.clearInterval(i);
    clock.clearTimeout(undefined);
    await clock.advance(1000);
    expect(fired).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('a callback that throws rejects the advance; a bad step or an overlapping advance says why', async () => {
    const clock = new FakeClock(0);
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 5);
    await expect(clock.advance(10)).rejects.toThrow('boom');
    await expect(clock.advance(-1)).rejects.toMatchObject({ code: 'FAKE_CLOCK' });
    clock.setTimeout(() => {}, 1);
    const first = clock.advance(5);
    await expect(clock.advance(5)).rejects.toThrow(/await the first one/);
    await first;
  });
});
