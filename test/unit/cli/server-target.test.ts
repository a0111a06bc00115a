import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/exit-codes.js';
import {
  formatAddress,
  dialOptions,
  parseServerAddress,
  parseServerList,
  resolveServer,
} from '../../../src/cli/server-target.js';
import { connect, createServer } from '../../../src/index.js';

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

/** The message of the CliError `fn` throws (exit 1). */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
    return (err as CliError).message;
  }
  throw new Error('no error');
}

describe('parseServerList', () => {
  it('reads a comma-separated list of the forms --server takes, in order', () => {
    expect(parseServerList('a.example:1, b.example,:3,[::1]:4')).toEqual([
      { host: 'a.example', port: 1 },
      { host: 'b.example', port: 17734 },
      { host: '127.0.0.1', port: 3 },
      { host: '::1', port: 4 },
    ]);
    expect(parseServerList('tls://a:1,tls://b:2')).toEqual([
      { host: 'a', port: 1, tls: true },
      { host: 'b', port: 2, tls: true },
    ]);
    expect(parseServerList('a:1')).toEqual([{ host: 'a', port: 1 }]);
  });

  it('names the entry that is wrong, with the message a single address gets', () => {
    expect(usageError(() => parseServerList('a:1,b:x'))).toBe(
      '--server "a:1,b:x": entry 2 "b:x": the port "x" is not a number. Use host:port, e.g. --server 127.0.0.1:17734',
    );
    expect(usageError(() => parseServerList('a:1,http://b:2'))).toMatch(
      /^--server "a:1,http:\/\/b:2": entry 2 "http:\/\/b:2": is a http:\/\/ URL, .*write host:port \(--server b:2\)/,
    );
    expect(usageError(() => parseServerList('a:1,'))).toBe(
      '--server "a:1,": entry 2 is empty (a stray comma?)',
    );
    expect(usageError(() => parseServerList('tls://a:1,b:2'))).toMatch(
      /mix tls:\/\/ and plaintext.*tls:\/\/ before every entry or before none/,
    );
    // One address keeps its old wording.
    expect(usageError(() => parseServerList('b:x'))).toBe(
      '--server "b:x": the port "x" is not a number. Use host:port, e.g. --server 127.0.0.1:17734',
    );
    expect(usageError(() => parseServerList('http://b:2'))).toMatch(
      /^--server "http:\/\/b:2" is a http:\/\/ URL/,
    );
  });

  it('parseServerAddress takes one address only', () => {
    expect(usageError(() => parseServerAddress('a:1,b:2'))).toMatch(/is a list, but one address/);
  });
});

describe('resolveServer', () => {
  it('keeps a --server list in order, named as given; the client dials it as servers', async () => {
    const target = await resolveServer({ server: 'a.example:1,b.example:2', notice: () => {} });
    expect(target).toMatchObject({
      host: 'a.example',
      port: 1,
      label: 'a.example:1,b.example:2',
      servers: [
        { host: 'a.example', port: 1 },
        { host: 'b.example', port: 2 },
      ],
    });
    expect(dialOptions(target)).toEqual({
      servers: [
        { host: 'a.example', port: 1 },
        { host: 'b.example', port: 2 },
      ],
    });
    const one = await resolveServer({ server: 'a.example:1', notice: () => {} });
    expect(dialOptions(one)).toEqual({ host: 'a.example', port: 1 });
  });

  it('uses --server as given, starting nothing', async () => {
    const notices: string[] = [];
    const target = await resolveServer({
      server: 'example.org:4000',
      notice: (t) => notices.push(t),
    });
    expect(target).toMatchObject({ host: 'example.org', port: 4000, label: 'example.org:4000' });
    expect(target.bundled).toBeUndefined();
    expect(notices).toEqual([]);
    await target.close();
  });

  it('starts the bundled server, on a free port when the preferred one is taken, and says so', async () => {
    // Something that is not a relay server: it takes the connection and never answers.
    const holder = createNetServer((socket) => socket.resume());
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as AddressInfo).port;
    const notices: string[] = [];
    const target = await resolveServer({ preferredPort: taken, notice: (t) => notices.push(t) });
    try {
      expect(target.bundled).toBeDefined();
      expect(target.port).not.toBe(taken);
      expect(notices).toEqual([
        expect.stringMatching(
          new RegExp(
            `port ${taken} is taken.*127\\.0\\.0\\.1:${target.port}.*--server 127\\.0\\.0\\.1:${taken}`,
          ),
        ),
      ]);
      const client = await connect({ name: 'probe', port: target.port });
      expect(await client.rooms()).toEqual([]);
      await client.close();
    } finally {
      await target.close();
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('uses a relay server already answering on the preferred port instead of starting another', async () => {
    const running = createServer({ port: 0 });
    const { port } = await running.listen(0, '127.0.0.1');
    const notices: string[] = [];
    const target = await resolveServer({ preferredPort: port, notice: (t) => notices.push(t) });
    try {
      expect(target.bundled).toBeUndefined();
      expect(target.port).toBe(port);
      expect(notices).toEqual([`using the relay server already running on 127.0.0.1:${port}`]);
      // The probe registered and departed: nobody is left behind on the running server.
      const client = await connect({ name: 'after', port });
      expect(await client.isOnline(`relaykit-probe-${process.pid}`)).toBe(false);
      await client.close();
    } finally {
      await target.close();
      await running.close();
    }
  });

  it('starts its own server when asked not to reuse a running one', async () => {
    const running = createServer({ port: 0 });
    const { port } = await running.listen(0, '127.0.0.1');
    const target = await resolveServer({
      preferredPort: port,
      reuseRunning: false,
      notice: () => {},
    });
    try {
      expect(target.bundled).toBeDefined();
      expect(target.port).not.toBe(port);
    } finally {
      await target.close();
      await running.close();
    }
  });
});
