import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/exit-codes.js';
import { formatAddress, parseServerAddress } from '../../../src/cli/server-target.js';

describe('parseServerAddress', () => {
  it.each([
    ['chat.example.org:4000', { host: 'chat.example.org', port: 4000 }],
    ['chat.example.org', { host: 'chat.example.org', port: 17734 }],
    [':4000', { host: '127.0.0.1', port: 4000 }],
    ['[::1]:4000', { host: '::1', port: 4000 }],
    ['[::1]', { host: '::1', port: 17734 }],
  ])('parses %s', (text, expected) => {
    expect(parseServerAddress(text)).toEqual(expected);
    expect(parseServerAddress(formatAddress(expected))).toEqual(expected);
  });

  it.each(['host:port', 'host:0', 'host:65536', '::1:4000', 'a b:1'])(
    'refuses %s with a usage error that shows the form',
    (text) => {
      const err = (() => {
        try {
          parseServerAddress(text);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(1);
      expect((err as CliError).message).toMatch(/host:port/);
    },
  );
});
