import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, frames, Kind } from '../../../src/protocol/index.js';
import { SHUTDOWN_FLUSH_MS } from '../../../src/server/server.js';
import { cleanup, startServer, TestClient, until } from './helpers.js';

afterEach(cleanup);

async function room(port: number, name: string, ...members: string[]): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (const m of members) {
    const c = await TestClient.registered(port, m);
    c.send(frames.enterRoom(name));
    await c.sync();
    clients.push(c);
  }
  for (const c of clients) await c.sync();
  return clients;
}

describe('client departures', () => {
  it('forwards a farewell as a POST from the client, then removes and closes it', async () => {
    const { server, port } = await startServer();
    const [a, b, c] = await room(port, 'ops', 'alice', 'bob', 'carol');
    b!.send(frames.enterRoom('dev'));
    a!.send(frames.enterRoom('dev'));
    await a!.sync();
    await b!.sync();
    b!.send(frames.clientDeparts('see you tomorrow'));
    expect(await b!.closedWith()).toBeUndefined();
    expect(await a!.sync()).toEqual(
      expect.arrayContaining([
        frames.post('ops', 'bob', 'see you tomorrow'),
        frames.post('dev', 'bob', 'see you tomorrow'),
        frames.userListing('ops', ['alice', 'carol']),
        frames.userListing('dev', ['alice']),
      ]),
    );
    expect(await c!.sync()).toEqual([
      frames.post('ops', 'bob', 'see you tomorrow'),
      frames.userListing('ops', ['alice', 'carol']),
    ]);
    expect(await a!.query('bob')).toBe(0);
    await until(() => server.stats.connections === 2);
  });

  it('sends no POST for an empty farewell', async () => {
    const { port } = await startServer();
    const [a, b] = await room(port, 'ops', 'alice', 'bob');
    b!.send(frames.clientDeparts(''));
    await b!.closedWith();
    expect(await a!.sync()).toEqual([frames.userListing('ops', ['alice'])]);
  });

  it('cleans up the same way when a socket just closes', async () => {
    const { server, port } = await startServer();
    const [a, b] = await room(port, 'ops', 'alice', 'bob');
    b!.destroy();
    expect(await a!.next(Kind.USER_LISTING)).toEqual(frames.userListing('ops', ['alice']));
    expect(await a!.query('bob')).toBe(0);
    await until(() => server.stats.connections === 1);
    expect(server.stats.rooms).toBe(1);
  });
});

describe('server shutdown', () => {
  it('sends SERVER_DEPARTS with the farewell to every client and closes them', async () => {
    const { server, port } = await startServer();
    const [a, b] = await room(port, 'ops', 'alice', 'bob');
    const pending = await TestClient.connect(port);
    await server.close('maintenance, back at 10');
    for (const c of [a!, b!]) {
      await c.closedWith();
      expect(c.inbox).toEqual([frames.serverDeparts('maintenance, back at 10')]);
    }
    await pending.closedWith();
    expect(pending.inbox).toEqual([]);
    expect(server.stats.connections).toBe(0);
    await expect(server.listen()).rejects.toMatchObject({ code: 'SERVER_CLOSED' });
  });

  it('bounds the wait for a client that does not read', async () => {
    const { server, port } = await startServer({ maxOutputBytes: 64 * 1024 * 1024 });
    const [slow, fast] = await room(port, 'ops', 'slow', 'fast');
    slow!.socket.pause();
    // Queue enough for the slow client that the farewell cannot flush.
    const text = 'x'.repeat(11_000);
    for (let i = 0; i < 2_000; i++) fast!.send(frames.directTo('slow', text));
    await fast!.sync();
    const started = performance.now();
    await server.close();
    // Within relaykit serve's 1.5 s stop deadline, with room to spare for a cluster's departure.
    expect(performance.now() - started).toBeLessThan(SHUTDOWN_FLUSH_MS + 300);
    await fast!.closedWith();
    expect(fast!.inbox).toEqual([frames.serverDeparts('Server shutting down')]);
  });

  it('refuses an invalid farewell', async () => {
    const { server } = await startServer();
    await expect(server.close('bad\nfarewell')).rejects.toMatchObject({
      code: 'INVALID_FAREWELL',
    });
    await server.close();
  });

  it('rejects a second listen and reports a port in use', async () => {
    const { server, port } = await startServer();
    await expect(server.listen()).rejects.toMatchObject({ code: 'ALREADY_LISTENING' });
    const other = (await startServer()).server;
    await other.close();
    const { RelayServerImpl } = await import('../../../src/server/server.js');
    const clash = new RelayServerImpl();
    await expect(clash.listen(port, '127.0.0.1')).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    expect(ErrorCode.UNKNOWN).toBe(1);
  });
});
