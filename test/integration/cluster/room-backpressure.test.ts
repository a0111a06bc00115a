import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder, frames, Kind } from '../../../src/protocol/index.js';
import { scrape } from '../../support/prometheus.js';
import { redisForFile } from '../../support/redis-server.js';
import { killServed, serveClusterNode } from '../../support/serve-process.js';
import { cleanup, startServer, TestClient, until } from '../server/helpers.js';

// Room backpressure across nodes (src/server/cluster/post-flow.ts): what ends a hold that
// another node asked for, and a pipe of user size into readers on two other nodes. The
// hold itself is checked by test/integration/server/backpressure.test.ts, which the
// `cluster` project runs with its clients spread over two nodes.

const redis = redisForFile();
afterEach(async () => {
  await cleanup();
  killServed();
});

const LIMIT = 256 * 1024;
const TEXT = 'x'.repeat(11_000);

/** `c` enters `room` and sees exactly `names` listed. */
async function entered(c: TestClient, room: string, names: string[]): Promise<void> {
  c.send(frames.enterRoom(room));
  await c.next(
    (f) => f.kind === Kind.USER_LISTING && f.room === room && f.users.join() === names.join(),
  );
}

/** Posts 11 KB messages from `poster` as fast as its socket takes them, until `stop()`. */
function flood(poster: TestClient, room: string, stop: () => boolean): Promise<void> {
  return (async () => {
    while (!stop() && !poster.isClosed) {
      if (!poster.send(frames.send(room, TEXT))) await once(poster.socket, 'drain');
      else await new Promise((r) => setImmediate(r));
    }
  })();
}

describe('room backpressure across nodes', () => {
  it('a member on another node that reads nothing is ended by its node’s stall check, and the poster goes on', async () => {
    const prefix = `rb-${randomUUID()}`;
    const beat = { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 3_000 };
    // The default output limit on alice's node: only bob's node holds her back.
    const metrics = { metrics: { port: 0 } };
    const a = await startServer({
      ...beat,
      ...metrics,
      cluster: { url: redis.url, prefix, nodeId: 'a' },
    });
    const b = await startServer({
      ...beat,
      ...metrics,
      maxOutputBytes: LIMIT,
      cluster: { url: redis.url, prefix, nodeId: 'b' },
    });
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    await entered(alice, 'ops', ['alice']);
    await entered(bob, 'ops', ['alice', 'bob']);
    bob.socket.pause();
    // bob keeps writing heartbeats, so only the stall check (not the heartbeat one) ends him.
    const beats = setInterval(() => bob.send(frames.heartbeat()), 200);
    let stop = false;
    const writer = flood(alice, 'ops', () => stop);
    try {
      await until(() => a.server.inspect('alice')?.paused === true, 10_000);
      await until(() => b.server.inspect('bob')?.holdingSince !== null, 10_000);
      // Operators see it: one poster held on a, one member holding on b.
      const gauge = async (on: typeof a, name: string) =>
        (await scrape(on.server.metricsAddress!.port)).value(name);
      await until(async () => (await gauge(a, 'relaykit_cluster_posters_held')) === 1, 5_000);
      await until(async () => (await gauge(b, 'relaykit_cluster_members_holding')) === 1, 5_000);
      await until(() => b.server.inspect('bob') === undefined, 10_000);
      await until(() => a.server.inspect('alice')?.paused === false, 5_000);
      expect(await gauge(b, 'relaykit_cluster_members_holding')).toBe(0);
    } finally {
      stop = true;
      clearInterval(beats);
      await writer;
    }
    // alice is read and served again: her next post comes back to her.
    alice.send(frames.send('ops', 'after'));
    await alice.next((f) => f.kind === Kind.POST_MESSAGE && f.text === 'after', 10_000);
    expect(alice.isClosed).toBe(false);
  }, 40_000);

  it('a hold from a node killed with SIGKILL runs out unrefreshed, long before its lease', async () => {
    const prefix = `rb-${randomUUID()}`;
    // The default output limit on alice's node: only bob's node holds her back.
    const a = await startServer({
      cluster: { url: redis.url, prefix, nodeId: 'a', leaseMs: 60_000 },
    });
    const b = await serveClusterNode(redis.url, prefix, 'b', [
      '--cluster-lease',
      '60',
      '--max-output-bytes',
      `${LIMIT}`,
    ]);
    const alice = await TestClient.registered(a.port, 'alice');
    const bob = await TestClient.registered(b.port, 'bob');
    await entered(alice, 'ops', ['alice']);
    await entered(bob, 'ops', ['alice', 'bob']);
    bob.socket.pause();
    let stop = false;
    const writer = flood(alice, 'ops', () => stop);
    try {
      await until(() => a.server.inspect('alice')?.paused === true, 10_000);
      // Held for bob, not for a moment by alice's own echoes: paused for a whole second.
      await steadilyPaused(a.server, 'alice', 1_000);
      b.node.child.kill('SIGKILL');
      await b.node.exited;
      const killedAt = Date.now();
      // The hold runs out 3 s after its last refresh (at most 500 ms before the kill); the
      // lease (60 s) is far off.
      await until(() => a.server.inspect('alice')?.paused === false, 6_000);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2_000);
    } finally {
      stop = true;
      await writer;
    }
    expect(alice.isClosed).toBe(false);
  }, 40_000);

  it('200,000 posts piped on one node reach readers on two other nodes whole and in order', async () => {
    const prefix = `rb-${randomUUID()}`;
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((id) => serveClusterNode(redis.url, prefix, id)),
    );
    const total = 200_000;
    const readers = [
      await TestClient.registered(b!.port, 'reader0'),
      await TestClient.registered(c!.port, 'reader1'),
    ];
    await entered(readers[0]!, 'pipe', ['reader0']);
    await entered(readers[1]!, 'pipe', ['reader0', 'reader1']);
    const poster = await TestClient.registered(a!.port, 'poster');
    await entered(poster, 'pipe', ['reader0', 'reader1', 'poster']);
    // Each reader counts its posts straight off the socket, checking the order as they come.
    const counts = readers.map((reader) => countPosts(reader.socket, total));
    for (let i = 0; i < total; i++) {
      if (!poster.send(frames.send('pipe', `line ${i}`))) await once(poster.socket, 'drain');
    }
    const got = await Promise.all(counts);
    expect(got).toEqual([total, total]);
    for (const reader of readers) expect(reader.isClosed).toBe(false);
  }, 60_000);
});

/**
 * Resolves once `name` on `server` has been paused for `ms` without a break. Early on a hold
 * can come and go while the kernel's socket buffers (which grow on demand) take more of the
 * flood; on a busy machine they take a while to fill.
 */
async function steadilyPaused(
  server: { inspect(name: string): { paused: boolean } | undefined },
  name: string,
  ms: number,
): Promise<void> {
  let since = Date.now();
  await until(() => {
    if (server.inspect(name)?.paused !== true) since = Date.now();
    return Date.now() - since >= ms;
  }, 25_000);
}

/**
 * Reads POSTs from `socket` (taken over from its TestClient) until `total` came, each
 * `line N` with N counting up from 0; resolves with how many came in order, early if the
 * connection closed or a post was out of order.
 */
function countPosts(socket: Socket, total: number): Promise<number> {
  socket.removeAllListeners('data');
  const decoder = new FrameDecoder({ side: 'client' });
  let next = 0;
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.kind !== Kind.POST_MESSAGE) continue;
        if (f.text !== `line ${next}`) {
          resolve(next);
          return;
        }
        if (++next === total) resolve(next);
      }
    });
    socket.on('close', () => resolve(next));
  });
}
