import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../../src/client/emitter.js';
import { ClientError } from '../../../src/client/errors.js';
import { compileFilter, handlerArgs } from '../../../src/client/filters.js';
import { PresenceTracker } from '../../../src/client/presence.js';
import { numberedName, pathInside, safeFileName } from '../../../src/client/safe-name.js';
import { frames } from '../../../src/protocol/index.js';

describe('safeFileName', () => {
  it.each([
    ['report.txt', 'report.txt'],
    ['.', 'file'],
    ['..', 'file'],
    ['...', 'file'],
    ['a\\..\\b', 'a_.._b'],
    ['CON.txt', '_CON.txt'],
    ['in*valid?.txt', 'in_valid_.txt'],
    ['.hidden', '.hidden'],
  ])('%j → %j', (input, out) => {
    expect(safeFileName(input)).toBe(out);
  });

  it('shortens long names to at most 200 bytes, keeping the extension', () => {
    const safe = safeFileName(`${'é'.repeat(400)}.tar`);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(200);
    expect(safe.endsWith('é.tar')).toBe(true);
  });

  it('numbers names and never leaves the directory', () => {
    expect(numberedName('report.txt', 0)).toBe('report.txt');
    expect(numberedName('report.txt', 2)).toBe('report (2).txt');
    expect(numberedName('README', 1)).toBe('README (1)');
    expect(numberedName('.env', 1)).toBe('.env (1)');
    expect(pathInside('/srv/in', 'a.txt')).toBe('/srv/in/a.txt');
    expect(() => pathInside('/srv/in', '..')).toThrow(/outside/);
    expect(() => pathInside('/srv/in', '.')).toThrow(/outside/);
  });
});

describe('compileFilter', () => {
  it('checks keys once at registration and lists the valid ones', () => {
    expect(() => compileFilter('onPost', { rooms: 'x' }, ['room', 'from', 'match'])).toThrow(
      "onPost: unknown filter key 'rooms'; use room, from, match",
    );
    expect(() => compileFilter('onPost', { match: 'x' }, ['match'])).toThrow(/RegExp/);
    expect(() => compileFilter('onPost', { from: [] }, ['from'])).toThrow(/non-empty/);
  });

  it('refuses a bad filter with a coded ClientError, not a bare TypeError', () => {
    const err = (() => {
      try {
        compileFilter('onDirect', { room: 'ops' }, ['from', 'match']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ code: 'INVALID_FILTER' });
    expect(() => handlerArgs('onPost', {}, undefined)).toThrow(
      expect.objectContaining({ code: 'INVALID_FILTER' }),
    );
  });

  it('matches rooms and senders (any of a list) and returns the pattern match', () => {
    const test = compileFilter('onPost', { room: ['a', 'b'], from: 'x', match: /^!(\w+)/g }, [
      'room',
      'from',
      'match',
    ]);
    expect(test({ room: 'c', from: 'x', subject: '!go' })).toBe(false);
    expect(test({ room: 'a', from: 'y', subject: '!go' })).toBe(false);
    expect(test({ room: 'a', from: 'x', subject: 'go' })).toBe(false);
    // A /g pattern would alternate true/false through lastIndex; the filter is stateless.
    expect((test({ room: 'b', from: 'x', subject: '!go' }) as RegExpMatchArray)[1]).toBe('go');
    expect((test({ room: 'b', from: 'x', subject: '!go' }) as RegExpMatchArray)[1]).toBe('go');
    expect(compileFilter('onPost', {}, [])({ from: 'z', subject: '' })).toBeNull();
    const others = compileFilter('onPost', { self: false }, ['self']);
    expect(others({ from: 'me', self: true, subject: 'x' })).toBe(false);
    expect(others({ from: 'you', self: false, subject: 'x' })).toBeNull();
    expect(() => compileFilter('onPost', { self: 'no' }, ['self'])).toThrow(/true or false/);
  });
});

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

describe('PresenceTracker', () => {
  it('matches answers in order and ignores unsolicited ones', async () => {
    const t = new PresenceTracker('me');
    const q = t.expectQuery('ann');
    const d = t.expectDirect('bob');
    expect(t.onAnswer(frames.queryUser('zed', 1))).toBe('unsolicited');
    expect(t.onAnswer(frames.queryUser('ann', 0))).toBe('query');
    expect(t.onAnswer(frames.queryUser('bob', 0))).toBe('direct-dropped');
    expect(t.onAnswer(frames.queryUser('me', 1))).toBe('barrier');
    expect(await q).toBe(false);
    expect(await d).toBe(false);
    const self = t.expectDirect('me');
    expect(t.onAnswer(frames.queryUser('me', 1))).toBe('barrier');
    expect(await self).toBe(true);
    const lost = t.expectQuery('x');
    t.failAll(new Error('gone'));
    await expect(lost).rejects.toThrow('gone');
  });
});
