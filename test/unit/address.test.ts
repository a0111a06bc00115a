import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, parseAddressList } from '../../src/address.js';

describe('parseAddress without defaults (a recipe server)', () => {
  it.each([
    ['chat.example.org:4000', { host: 'chat.example.org', port: 4000 }],
    ['[::1]:4000', { host: '::1', port: 4000 }],
    ['  10.0.0.1:1  ', { host: '10.0.0.1', port: 1 }],
    ['tls://chat.example.org:17734', { host: 'chat.example.org', port: 17734, tls: true }],
    ['TLS://[::1]:4000', { host: '::1', port: 4000, tls: true }],
  ])('parses %s and formats it back', (text, expected) => {
    expect(parseAddress(text)).toEqual(expected);
    expect(parseAddress(formatAddress(expected))).toEqual(expected);
  });

  it.each([
    ['example', 'the port is missing'],
    [':4000', 'the host is missing'],
    ['::1:4000', 'write an IPv6 address in brackets'],
    ['a b:1', 'the host may not contain spaces or brackets'],
    ['host:http', 'the port "http" is not a number'],
    ['host:0', 'the port 0 is outside 1–65535'],
    ['host:65536', 'the port 65536 is outside 1–65535'],
    ['https://host:1', 'unknown scheme https://; use tls://host:port for TLS, or host:port'],
    ['tls://:1', 'the host is missing'],
  ])('refuses %s: %s', (text, error) => {
    expect(parseAddress(text)).toEqual({ error });
  });
});

describe('parseAddress with defaults (the CLI --server)', () => {
  const defaults = { host: '127.0.0.1', port: 17734 };
  it('fills in the missing host or port', () => {
    expect(parseAddress('chat.example.org', defaults)).toEqual({
      host: 'chat.example.org',
      port: 17734,
    });
    expect(parseAddress(':4000', defaults)).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseAddress('[::1]', defaults)).toEqual({ host: '::1', port: 17734 });
    expect(parseAddress('tls://chat', defaults)).toEqual({ host: 'chat', port: 17734, tls: true });
    expect(parseAddress('tcp://chat:9', defaults)).toEqual({ host: 'chat', port: 9 });
  });
});

describe('parseAddressList', () => {
  it('splits on commas; one entry keeps its own error, several name the entry', () => {
    expect(parseAddressList('a:1, b:2')).toEqual({
      addresses: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ],
    });
    expect(parseAddressList('a')).toEqual({ error: 'the port is missing' });
    expect(parseAddressList('a:1,b')).toEqual({ error: 'entry 2 "b": the port is missing' });
    expect(parseAddressList('a:1,,b:2')).toEqual({ error: 'entry 2 is empty (a stray comma?)' });
    expect(parseAddressList('tls://a:1,b:2')).toMatchObject({
      error: /mix tls:\/\/ and plaintext/,
    });
  });
});
