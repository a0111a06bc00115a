import { describe, expect, it } from 'vitest';
import { ConnectError } from '../../../src/client/index.js';
import { resolveOptions } from '../../../src/client/options.js';

describe('resolveOptions', () => {
  it('fills in the defaults; whileDisconnected follows reconnect', () => {
    const plain = resolveOptions({ name: 'bot' });
    expect(plain).toMatchObject({
      host: '127.0.0.1',
      port: 17734,
      reconnect: null,
      whileDisconnected: 'reject',
      heartbeatIntervalMs: 4000,
      heartbeatTimeoutMs: 30_000,
      broadcastLayout: 'draft',
      rateLimit: null,
      farewell: 'bye',
    });
    const again = resolveOptions({ name: 'bot', reconnect: true, rateLimit: { perSecond: 3 } });
    expect(again.whileDisconnected).toBe('queue');
    expect(again.reconnect).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      maxAttempts: Number.POSITIVE_INFINITY,
    });
    expect(again.rateLimit).toEqual({ perSecond: 3, burst: 3 });
    expect(
      resolveOptions({ name: 'bot', reconnect: true, whileDisconnected: 'reject' })
        .whileDisconnected,
    ).toBe('reject');
  });

  it.each([
    [{ name: 'two words' }, 'ILLEGAL_NAME'],
    [{ name: '' }, 'ILLEGAL_NAME'],
    [{ name: 'bot', port: 70000 }, 'INVALID_OPTIONS'],
    [{ name: 'bot', whileDisconnected: 'drop' }, 'INVALID_OPTIONS'],
    [{ name: 'bot', broadcastLayout: 'rust' }, 'INVALID_OPTIONS'],
    [{ name: 'bot', heartbeatTimeoutMs: -1 }, 'INVALID_OPTIONS'],
    [{ name: 'bot', reconnect: { maxDelayMs: 0 } }, 'INVALID_OPTIONS'],
  ])('refuses %j with %s', (opts, code) => {
    let caught: unknown;
    try {
      resolveOptions(opts as never);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConnectError);
    expect(caught).toMatchObject({ code });
  });
});
