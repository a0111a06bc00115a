import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/exit-codes.js';
import {
  formatAddress,
  parseServerAddress,
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

describe('resolveServer', () => {
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
