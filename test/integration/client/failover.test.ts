import { createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Client, type ConnectOptions, connect } from '../../../src/client/index.js';
import { clientTransport, TEST_TRANSPORT } from '../../support/transport.js';
import { harness } from './helpers.js';

const h = harness();
const FAST = { initialDelayMs: 5, maxDelayMs: 20 };

/** `client.server` of a server on 127.0.0.1:`port` over the suite's transport. */
const at = (port: number) => ({
  host: '127.0.0.1',
  port,
  ...(TEST_TRANSPORT === 'tls' ? { tls: true } : {}),
});

/** A port with nothing listening: bound on port 0, then closed. */
async function deadPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function viaServers(
  name: string,
  ports: number[],
  opts: Partial<ConnectOptions> = {},
): Promise<Client> {
  const client = await connect({
    name,
    servers: ports.map((p) => `127.0.0.1:${p}`),
    ...clientTransport(),
    ...opts,
  });
  return h.track(client);
}

describe('failover between servers', () => {
  it('moves to the next server when its server closes, rejoins its room there and posts and receives', async () => {
    const a = await h.server();
    const b = await h.server();
    const alice = await viaServers('alice', [a.port, b.port], { reconnect: FAST });
    expect(alice.server).toEqual(at(a.port));
    await alice.join('ops');
    const bob = await h.client(b.port, 'bob');
    await bob.join('ops');

    const seen: number[] = [];
    alice.on('reconnecting', (r) => void seen.push(r.server.port));
    const back = alice.waitFor('reconnect');
    const arrived = bob.waitFor('members', (m) => m.room === 'ops' && m.members.includes('alice'));
    await a.server.close('node going down');

    expect(await back).toEqual({ attempt: 1, server: at(b.port) });
    expect(seen).toEqual([b.port]);
    expect(alice.server.port).toBe(b.port);
    expect([...alice.joined]).toEqual(['ops']);
    await arrived;

    const atBob = bob.waitFor('post', (p) => p.text === 'hello from alice');
    await alice.say('ops', 'hello from alice');
    expect(await atBob).toMatchObject({ room: 'ops', from: 'alice' });
    const atAlice = alice.waitFor('post', (p) => p.text === 'hello from bob');
    await bob.say('ops', 'hello from bob');
    expect(await atAlice).toMatchObject({ room: 'ops', from: 'bob' });
  });

  it('goes round the list: from the last server back to the first', async () => {
    const a = await h.server();
    const b = await h.server();
    const alice = await viaServers('alice', [a.port, b.port], { reconnect: FAST });
    await alice.join('ops');

    let back = alice.waitFor('reconnect');
    await a.server.close();
    expect((await back).server.port).toBe(b.port);

    await h.server({}, a.port); // a comes back on its port
    back = alice.waitFor('reconnect');
    await b.server.close();
    expect((await back).server.port).toBe(a.port);
    expect(alice.server.port).toBe(a.port);
    expect([...alice.joined]).toEqual(['ops']);
  });

  it('passes over a dead server on reconnection, trying the next after it', async () => {
    const a = await h.server();
    const dead = await deadPort();
    const c = await h.server();
    const alice = await viaServers('alice', [a.port, dead, c.port], { reconnect: FAST });
    await alice.join('ops');
    const tried: number[] = [];
    alice.on('reconnecting', (r) => void tried.push(r.server.port));
    const back = alice.waitFor('reconnect');
    await a.server.close();
    expect(await back).toMatchObject({ attempt: 2, server: { port: c.port } });
    expect(tried).toEqual([dead, c.port]);
    expect([...alice.joined]).toEqual(['ops']);
  });

  it('first connect skips a dead entry and registers on the next server', async () => {
    const dead = await deadPort();
    const b = await h.server();
    const alice = await viaServers('alice', [dead, b.port]);
    expect(alice.connected).toBe(true);
    expect(alice.server).toEqual(at(b.port));
  });

  it('first connect fails with every server named when none accepts', async () => {
    const [one, two] = [await deadPort(), await deadPort()];
    const failed = viaServers('alice', [one, two]);
    await expect(failed).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    const message = ((await failed.catch((e: unknown) => e)) as Error).message;
    expect(message).toContain(`127.0.0.1:${one}`);
    expect(message).toContain(`127.0.0.1:${two}`);
  });

  it('first connect stops at NAME_IN_USE: the name is taken on the relay', async () => {
    const a = await h.server();
    const b = await h.server();
    await h.client(a.port, 'alice');
    await expect(viaServers('alice', [a.port, b.port])).rejects.toMatchObject({
      code: 'NAME_IN_USE',
    });
  });
});
