import { describe, expect, it } from 'vitest';
import { ConnectError } from '../../../src/client/index.js';
import { resolveOptions } from '../../../src/client/options.js';

describe('resolveOptions', () => {
  it('fills in the defaults; whileDisconnected follows reconnect', () => {
    const plain = resolveOptions({ name: 'bot' });
    expect(plain.servers).toEqual([
      { host: '127.0.0.1', port: 17734, tls: null, label: '127.0.0.1:17734' },
    ]);
    expect(plain).toMatchObject({
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
    [{ name: 'bot', servers: [] }, 'INVALID_OPTIONS'],
    [{ name: 'bot', servers: 'a:1' }, 'INVALID_OPTIONS'],
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

describe('resolveOptions: servers', () => {
  const refusal = (opts: object): string => {
    try {
      resolveOptions({ name: 'bot', ...opts } as never);
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectError);
      expect(err).toMatchObject({ code: 'INVALID_OPTIONS' });
      return (err as Error).message;
    }
    throw new Error('not refused');
  };

  it('keeps the order; a string without a port gets 17734, and tls:// or the tls option turns TLS on', () => {
    const { servers } = resolveOptions({
      name: 'bot',
      servers: ['a:1', 'b', '[::1]:3', { host: 'd', port: 4 }, 'tls://e:5'],
    });
    expect(servers.map((s) => s.label)).toEqual(['a:1', 'b:17734', '[::1]:3', 'd:4', 'tls://e:5']);
    expect(servers.map((s) => s.tls)).toEqual([null, null, null, null, {}]);
    const ca = 'PEM';
    const secure = resolveOptions({ name: 'bot', servers: ['a:1', 'b:2'], tls: { ca } });
    expect(secure.servers.map((s) => s.tls)).toEqual([{ ca }, { ca }]);
    expect(secure.servers.map((s) => s.label)).toEqual(['tls://a:1', 'tls://b:2']);
  });

  it('refuses servers together with host or port, saying to pick one', () => {
    const message = refusal({ servers: ['a:1'], host: 'a' });
    expect(message).toContain('both servers and host "a"');
    expect(message).toContain('drop host and port');
    expect(refusal({ servers: ['a:1'], port: 1 })).toContain('both servers and port 1');
  });

  it('names the entry that is wrong', () => {
    expect(refusal({ servers: ['a:1', 'b:x'] })).toMatch(/^servers\[1\] "b:x": the port "x"/);
    expect(refusal({ servers: ['a:1', 'http://b:2'] })).toContain('servers[1]');
    expect(refusal({ servers: [{ host: 'a', port: 0 }] })).toContain('servers[0]');
    expect(refusal({ servers: [':4'] })).toContain('the host is missing');
  });
});
