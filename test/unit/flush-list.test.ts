import { describe, expect, it } from 'vitest';
import { FlushList } from '../../src/flush-list.js';

/** A FlushList whose passes run when `pass()` is called, recording what each flushed. */
function manual(flush: (item: string, list: FlushList<string>) => void) {
  const scheduled: (() => void)[] = [];
  const flushed: string[] = [];
  const list: FlushList<string> = new FlushList<string>(
    (run) => scheduled.push(run),
    (item) => {
      flushed.push(item);
      flush(item, list);
    },
  );
  return { list, flushed, scheduled, pass: () => scheduled.shift()!() };
}

describe('FlushList', () => {
  it('schedules one pass however many items are added, and flushes them in order', () => {
    const m = manual(() => {});
    m.list.add('a');
    m.list.add('b');
    m.list.add('c');
    expect(m.scheduled).toHaveLength(1);
    m.pass();
    expect(m.flushed).toEqual(['a', 'b', 'c']);
    m.list.add('d');
    expect(m.scheduled).toHaveLength(1);
    m.pass();
    expect(m.flushed).toEqual(['a', 'b', 'c', 'd']);
  });

  it('flushes an item added during a pass in that same pass', () => {
    const m = manual((item, list) => {
      if (item === 'a') list.add('late');
    });
    m.list.add('a');
    m.list.add('b');
    m.pass();
    expect(m.flushed).toEqual(['a', 'b', 'late']);
    expect(m.scheduled).toHaveLength(0);
  });

  it('after a flush throws, flushes the rest in a pass of their own', () => {
    const m = manual((item) => {
      if (item === 'b') throw new Error('boom');
    });
    for (const item of ['a', 'b', 'c', 'd']) m.list.add(item);
    expect(() => m.pass()).toThrow('boom');
    expect(m.flushed).toEqual(['a', 'b']);
    expect(m.scheduled).toHaveLength(1);
    m.pass();
    expect(m.flushed).toEqual(['a', 'b', 'c', 'd']);
    m.list.add('e');
    m.pass();
    expect(m.flushed).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
