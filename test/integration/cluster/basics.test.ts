import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AcceptFileFrame,
  ErrorCode,
  type FileTransferFrame,
  frames,
  Kind,
  MAX_CHUNK_BYTES,
  type OfferFileFrame,
} from '../../../src/protocol/index.js';
import { redisForFile } from '../../support/redis-server.js';
import { cleanup, startServer, TestClient } from '../server/helpers.js';

const redis = redisForFile();
afterEach(cleanup);

/** Two nodes of one cluster on the shared Redis, under a prefix of their own. */
async function twoNodes(options: { maxUsers?: number; maxRooms?: number } = {}) {
  const prefix = `t-${randomUUID()}`;
  const a = await startServer({ ...options, cluster: { url: redis.url, prefix, nodeId: 'a' } });
  const b = await startServer({ ...options, cluster: { url: redis.url, prefix, nodeId: 'b' } });
  return { a, b };
}

async function joined(c: TestClient, room: string, expected: string[]): Promise<void> {
  c.send(frames.enterRoom(room));
  await c.next(
    (f) => f.kind === Kind.USER_LISTING && f.room === room && f.users.join() === expected.join(),
  );
}

/**
 * A TCP hop between one node and Redis that can hold back what Redis sends the node (the
 * room changes it publishes, the replies) while the node's own commands still go through:
 * a node that hears of a change late, deterministically.
 */
async function laggingHop(redisUrl: string) {
  const target = new URL(redisUrl);
  const links: { down: Socket; held: Buffer[] }[] = [];
  let holding = false;
  const server: Server = createServer((node) => {
    const up = netConnect(Number(target.port), target.hostname);
    const link = { down: node, held: [] as Buffer[] };
    links.push(link);
    node.pipe(up);
    up.on('data', (chunk: Buffer) => {
      if (holding) link.held.push(chunk);
      else node.write(chunk);
    });
    const end = () => {
      node.destroy();
      up.destroy();
    };
    node.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const link of links) for (const chunk of link.held.splice(0)) link.down.write(chunk);
    },
    close: () => {
      for (const link of links) link.down.destroy();
      server.close();
    },
  };
}

describe('joining a cluster', () => {
  it('says what to do when Redis cannot be reached, in one clean sentence', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as { port: number };
    await new Promise((r) => closed.close(r));
    const url = `redis://127.0.0.1:${port}`;
    const err = await startServer({ cluster: { url, connectTimeoutMs: 2_000 } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    expect(err.message).toMatch(new RegExp(`^Cannot reach Redis at ${url}: \\S.*[^.]\\. Start`));
  });

  it('refuses a node id that a running node holds', async () => {
    const prefix = `t-${randomUUID()}`;
    await startServer({ cluster: { url: redis.url, prefix, nodeId: 'a' } });
    await expect(
      startServer({ cluster: { url: redis.url, prefix, nodeId: 'a' } }),
    ).rejects.toMatchObject({ code: 'CLUSTER_NODE_ID_IN_USE' });
  });
});

describe('a two-node cluster', () => {
  it('keeps names unique across nodes and answers QUERY_USER from either', async () => {
    const { a, b } = await twoNodes();
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    expect(await bob.query('alice')).toBe(1);
    expect(await alice.query('bob')).toBe(1);
    expect(await alice.query('nobody')).toBe(0);
    const copy = await TestClient.connect(b.port);
    copy.send(frames.newClient('alice'));
    expect(await copy.closedWith()).toBe(ErrorCode.NAME_IN_USE);
  });

  it('lists members from both nodes in join order and delivers posts both ways', async () => {
    const { a, b } = await twoNodes();
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    const carol = await TestClient.registered(a.port, 'carol');
    await joined(alice, 'ops', ['alice']);
    await joined(bob, 'ops', ['alice', 'bob']);
    await joined(carol, 'ops', ['alice', 'bob', 'carol']);
    await bob.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 3);
    await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 3);
    for (let i = 0; i < 100; i++) bob.send(frames.send('ops', `m${i}`));
    for (const c of [alice, carol, bob]) {
      for (let i = 0; i < 100; i++) {
        expect(await c.next(Kind.POST_MESSAGE)).toMatchObject({
          room: 'ops',
          from: 'bob',
          text: `m${i}`,
        });
      }
    }
    alice.send(frames.send('ops', 'hello'));
    expect(await bob.next(Kind.POST_MESSAGE)).toMatchObject({ from: 'alice', text: 'hello' });
    bob.send(frames.listRooms());
    expect(await bob.next(Kind.ROOM_LISTING)).toMatchObject({ rooms: ['ops'] });
  });

  it("delivers a post to a member on another node who was just told it entered, before the sender's node has heard of the entry", async () => {
    const prefix = `t-${randomUUID()}`;
    const hop = await laggingHop(redis.url);
    try {
      const a = await startServer({ cluster: { url: hop.url, prefix, nodeId: 'a' } });
      const b = await startServer({ cluster: { url: redis.url, prefix, nodeId: 'b' } });
      const alice = await TestClient.registered(a.port, 'alice');
      const bob = await TestClient.registered(b.port, 'bob');
      await joined(alice, 'ops', ['alice']);
      // Node a hears nothing from Redis from here on: bob's entry stays news to it.
      hop.hold();
      await joined(bob, 'ops', ['alice', 'bob']);
      alice.send(frames.send('ops', 'welcome, bob'));
      expect(await bob.next(Kind.POST_MESSAGE)).toMatchObject({
        from: 'alice',
        text: 'welcome, bob',
      });
      hop.release();
      await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 2);
    } finally {
      hop.close();
    }
  });

  it('delivers direct messages across nodes and answers offline users', async () => {
    const { a, b } = await twoNodes();
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    alice.send(frames.directTo('bob', 'psst'));
    expect(await bob.next(Kind.DIRECT_MESSAGE)).toMatchObject({ from: 'alice', text: 'psst' });
    bob.send(frames.directTo('ghost', 'hi'));
    expect(await bob.next(Kind.QUERY_USER)).toMatchObject({ name: 'ghost', status: 0 });
  });

  it('tells members on the other node of a departure and frees the name', async () => {
    const { a, b } = await twoNodes();
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    await joined(alice, 'ops', ['alice']);
    await joined(bob, 'ops', ['alice', 'bob']);
    bob.send(frames.clientDeparts('bye all'));
    expect(await alice.next(Kind.POST_MESSAGE)).toMatchObject({ from: 'bob', text: 'bye all' });
    await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.join() === 'alice');
    expect(await alice.query('bob')).toBe(0);
    await TestClient.registered(a.port, 'bob');
  });

  it('counts --max-users and --max-rooms across the cluster', async () => {
    const { a, b } = await twoNodes({ maxUsers: 2, maxRooms: 1 });
    const alice = await TestClient.registered(a.port, 'alice');
    await TestClient.registered(b.port, 'bob');
    const third = await TestClient.connect(a.port);
    third.send(frames.newClient('carol'));
    expect(await third.closedWith()).toBe(ErrorCode.TOO_MANY_USERS);
    await joined(alice, 'one', ['alice']);
    const bob = await TestClient.connect(b.port);
    bob.send(frames.newClient('bob2'));
    expect(await bob.closedWith()).toBe(ErrorCode.TOO_MANY_USERS);
  });

  it('refuses a second room anywhere once the cluster holds --max-rooms', async () => {
    const { a, b } = await twoNodes({ maxRooms: 1 });
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    await joined(alice, 'one', ['alice']);
    await joined(bob, 'one', ['alice', 'bob']);
    bob.send(frames.enterRoom('two'));
    expect(await bob.closedWith()).toBe(ErrorCode.TOO_MANY_ROOMS);
  });
});

describe('a file between two nodes', () => {
  it('relays 200 MiB intact, holding the offerer back instead of buffering it', async () => {
    const { a, b } = await twoNodes();
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    const size = 200 * 1024 * 1024;
    alice.send(frames.offer({ target: 'bob', source: 'alice', id: 0, size, fileName: 'big.bin' }));
    const offer = (await bob.next(Kind.OFFER_FILE)) as OfferFileFrame;
    bob.send(frames.accept(offer));
    const accepted = (await alice.next(Kind.ACCEPT_FILE)) as AcceptFileFrame;
    const sent = createHash('sha256');
    const got = createHash('sha256');
    let paused = false;
    const sending = (async () => {
      for (let off = 0, i = 0; off < size; off += MAX_CHUNK_BYTES, i++) {
        const data = Buffer.alloc(Math.min(MAX_CHUNK_BYTES, size - off), i % 251);
        sent.update(data);
        const ok = alice.send(frames.chunk(accepted.id, data, off + data.length === size));
        if (a.server.inspect('alice')?.paused) paused = true;
        if (!ok) await once(alice.socket, 'drain');
      }
    })();
    let received = 0;
    while (received < size) {
      const chunk = (await bob.next(Kind.FILE_TRANSFER, 20_000)) as FileTransferFrame;
      got.update(chunk.data);
      received += chunk.data.length;
      if (a.server.inspect('alice')?.paused) paused = true;
    }
    await sending;
    expect(received).toBe(size);
    expect(got.digest('hex')).toBe(sent.digest('hex'));
    // The credit window stopped reading alice while bob's node caught up.
    expect(paused).toBe(true);
  }, 120_000);
});
