import { describe, expect, it } from 'vitest';
import { ClientError } from '../../../src/client/errors.js';
import { compileFilter, handlerArgs } from '../../../src/client/filters.js';

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
