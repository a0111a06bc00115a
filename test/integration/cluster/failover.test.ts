import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Client, connect } from '../../../src/client/index.js';
import { createServer, type RelayServer } from '../../../src/server/index.js';
import { redisForFile } from '../../support/redis-server.js';
import { killServed, serveClusterNode } from '../../support/serve-process.js';

// Clients with a server list against what the list is for: two nodes of one cluster on a
// real redis-server. A client whose node stops moves to the other node, where its room and
// the members from the other node are, and talks to them again.

const redis = redisForFile();

const servers: RelayServer[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await Promise.allSettled(servers.splice(0).map((s) => s.close()));
  killServed();
});

async function node(
  prefix: string,
  nodeId: string,
): Promise<{ server: RelayServer; port: number }> {
  const server = createServer({ port: 0, cluster: { url: redis.url, prefix, nodeId } });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

async function client(name: string, ports: number[]): Promise<Client> {
  const c = await connect({
    name,
    servers: ports.map((p) => `127.0.0.1:${p}`),
    reconnect: { initialDelayMs: 5, maxDelayMs: 50 },
  });
  clients.push(c);
  return c;
}

describe('failover between the nodes of a cluster', () => {
  it('a client whose node stops moves to the other node, back in its room with the members there', async () => {
    const prefix = `failover-${randomUUID()}`;
    const a = await node(prefix, 'a');
    const b = await node(prefix, 'b');
    const alice = await client('alice', [a.port, b.port]);
    const bob = await client('bob', [b.port, a.port]);
    expect([alice.server.port, bob.server.port]).toEqual([a.port, b.port]);
    await alice.join('ops');
    // Each node learns of the other's members through Redis: wait until both see both.
    const both = (c: Client) =>
      c.waitFor('members', (m) => m.room === 'ops' && m.members.join() === 'alice,bob');
    const seen = Promise.all([both(alice), both(bob)]);
    await bob.join('ops');
    await seen;
    const bobSeesAlice = bob.waitFor(
      'members',
      (m) => m.room === 'ops' && m.members.join() === 'bob,alice',
    );

    // Across nodes before the failover.
    let heard = bob.waitFor('post', (p) => p.text === 'from a');
    await alice.say('ops', 'from a');
    expect(await heard).toMatchObject({ room: 'ops', from: 'alice' });

    const back = alice.waitFor('reconnect');
    await a.server.close('node a stopping');
    expect((await back).server.port).toBe(b.port);
    expect([...alice.joined]).toEqual(['ops']);
    await bobSeesAlice; // alice left with node a, then rejoined on b: after bob now
    expect(alice.members('ops')).toEqual(['bob', 'alice']);

    heard = bob.waitFor('post', (p) => p.text === 'from b');
    await alice.say('ops', 'from b');
    expect(await heard).toMatchObject({ room: 'ops', from: 'alice' });
    const reply = alice.waitFor('post', (p) => p.text === 'welcome back');
    await bob.say('ops', 'welcome back');
    expect(await reply).toMatchObject({ room: 'ops', from: 'bob' });
    expect(await bob.direct('alice', 'psst')).toEqual({ delivered: true });
  });

  it('after a SIGKILL, the client keeps retrying the other node until the lease of the dead node frees its name', async () => {
    const prefix = `failover-${randomUUID()}`;
    const lease = ['--cluster-lease', '1'];
    const [a, b] = await Promise.all(
      ['a', 'b'].map((id) => serveClusterNode(redis.url, prefix, id, lease)),
    );
    const [pa, pb] = [a!.port, b!.port];
    const alice = await client('alice', [pa, pb]);
    const bob = await client('bob', [pb]);
    await alice.join('ops');
    const seen = bob.waitFor(
      'members',
      (m) => m.room === 'ops' && m.members.join() === 'alice,bob',
    );
    await bob.join('ops');
    await seen;
    const tried: number[] = [];
    alice.on('reconnecting', (r) => void tried.push(r.server.port));
    const back = alice.waitFor('reconnect', undefined, { timeoutMs: 15_000 });

    a!.node.child.kill('SIGKILL');
    expect((await back).server.port).toBe(pb);
    // Until the lease ran out, b answered NAME_IN_USE and the client went round the list.
    expect(tried.slice(0, 2)).toEqual([pb, pa]);
    expect([...alice.joined]).toEqual(['ops']);
    const heard = bob.waitFor('post', (p) => p.text === 'back after a SIGKILL');
    await alice.say('ops', 'back after a SIGKILL');
    expect(await heard).toMatchObject({ from: 'alice' });
  });
});
