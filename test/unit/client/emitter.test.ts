import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../../src/client/emitter.js';

describe('TypedEmitter', () => {
  it('isolates failing listeners, reports sync and async failures, and unsubscribes', async () => {
    const failures: unknown[] = [];
    const e = new TypedEmitter<{ a: number; b: string }>(['a', 'b'], (err) => failures.push(err));
    const seen: number[] = [];
    e.on('a', () => {
      throw new Error('sync');
    });
    e.on('a', async () => {
      throw new Error('async');
    });
    const off = e.on('a', (n) => void seen.push(n));
    e.once('a', (n) => void seen.push(n * 10));
    e.emit('a', 1);
    off();
    e.emit('a', 2);
    await vi.waitFor(() => expect(failures).toHaveLength(4));
    expect(seen).toEqual([1, 10]);
    expect((failures as Error[]).map((f) => f.message)).toEqual(['sync', 'sync', 'async', 'async']);
    expect(() => e.on('c' as 'a', () => {})).toThrow('Unknown event c; use one of: a, b');
  });
});
