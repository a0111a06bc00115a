import { connect } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { frames, Kind, type OfferFileFrame } from '../../../src/protocol/index.js';
import { scrape } from '../../support/prometheus.js';
import { cleanup, startServer, TestClient, until } from './helpers.js';

afterEach(cleanup);

const KIND_NAMES = Object.fromEntries(Object.entries(Kind).map(([n, v]) => [v, n]));

/** Sums the clients' per-kind tallies into `{ KIND_NAME: count }`, every kind present. */
function tally(clients: TestClient[], pick: (c: TestClient) => Map<number, number>) {
  const out: Record<string, number> = Object.fromEntries(Object.keys(Kind).map((k) => [k, 0]));
  for (const c of clients) for (const [kind, n] of pick(c)) out[KIND_NAMES[kind]!]! += n;
  return out;
}

function metricsPort(server: { metricsAddress: { port: number } | null }): number {
  const at = server.metricsAddress;
  if (at === null) throw new Error('metrics are not served');
  return at.port;
}

describe('server /metrics', () => {
  it('counts a scripted session exactly', async () => {
    // Heartbeats at their slowest, and counted from what the clients saw anyway.
    const { server, port } = await startServer({
      metrics: { port: 0 },
      heartbeatIntervalMs: 5_000,
      maxOutputBytes: 64 * 1024,
    });
    const mport = metricsPort(server);
    const alice = await TestClient.registered(port, 'alice');
    const bob = await TestClient.registered(port, 'bob');
    const carol = await TestClient.registered(port, 'carol');
    for (const c of [alice, bob, carol]) c.send(frames.enterRoom('ops'));
    await alice.next((f) => f.kind === Kind.USER_LISTING && f.users.length === 3);
    await bob.sync();
    await carol.sync();
    for (let i = 0; i < 4; i++) alice.send(frames.send('ops', `post ${i}`));
    for (const c of [alice, bob, carol]) await c.sync();

    // An error: a second 'alice' gets NAME_IN_USE and is closed.
    const impostor = await TestClient.connect(port);
    impostor.send(frames.newClient('alice'));
    await impostor.closedWith();

    // A transfer that completes (3,000 bytes, one chunk) and one that is rejected.
    const data = Buffer.alloc(3_000, 7);
    alice.send(
      frames.offer({ source: 'alice', target: 'bob', id: 0, size: 3_000, fileName: 'a.bin' }),
    );
    const offered = (await bob.next(Kind.OFFER_FILE)) as OfferFileFrame;
    bob.send(frames.accept(offered));
    const accepted = (await alice.next(Kind.ACCEPT_FILE)) as unknown as OfferFileFrame;
    alice.send(frames.chunk(accepted.id, data, true));
    await bob.next(Kind.FILE_TRANSFER);
    carol.send(
      frames.offer({ source: 'carol', target: 'bob', id: 0, size: 10, fileName: 'b.bin' }),
    );
    bob.send(frames.reject((await bob.next(Kind.OFFER_FILE)) as OfferFileFrame));
    await carol.next(Kind.REJECT_FILE);
    for (const c of [alice, bob, carol]) await c.sync();

    const all = [alice, bob, carol, impostor];
    const m = await scrape(mport);
    expect(m.value('relaykit_connections')).toBe(3);
    expect(m.value('relaykit_connections_opened_total')).toBe(4);
    expect(m.value('relaykit_users')).toBe(3);
    expect(m.value('relaykit_rooms')).toBe(1);
    expect(m.value('relaykit_transfers_active')).toBe(0);
    expect(m.byLabel('relaykit_transfers_total', 'outcome')).toEqual({
      completed: 1,
      rejected: 1,
      aborted: 0,
    });
    expect(m.value('relaykit_file_bytes_relayed_total')).toBe(3_000);
    // Four posts, each to the three members (the sender gets its echo).
    expect(m.value('relaykit_post_deliveries_total')).toBe(12);
    expect(m.value('relaykit_protocol_errors_total', { code: 'NAME_IN_USE' })).toBe(1);
    expect(Object.values(m.byLabel('relaykit_protocol_errors_total', 'code'))).toHaveLength(9);
    expect(m.byLabel('relaykit_disconnects_total', 'reason')).toEqual({
      departs: 0,
      closed: 0,
      heartbeat_timeout: 0,
      registration_timeout: 0,
      slow_reader: 0,
      protocol_error: 1,
      shutdown: 0,
    });
    // What the clients sent and received, frame by frame and byte by byte.
    expect(m.byLabel('relaykit_frames_received_total', 'kind')).toEqual(
      tally(all, (c) => c.sentByKind),
    );
    expect(m.byLabel('relaykit_frames_sent_total', 'kind')).toEqual(
      tally(all, (c) => c.receivedByKind),
    );
    expect(m.value('relaykit_frames_sent_total', { kind: 'POST_MESSAGE' })).toBe(12);
    expect(m.value('relaykit_frames_received_total', { kind: 'NEW_CLIENT' })).toBe(4);
    expect(m.value('relaykit_bytes_received_total')).toBe(all.reduce((n, c) => n + c.bytesSent, 0));
    expect(m.value('relaykit_bytes_sent_total')).toBe(all.reduce((n, c) => n + c.bytesReceived, 0));
    expect(m.families.get('relaykit_connections')?.type).toBe('GAUGE');
    expect(m.families.get('relaykit_frames_sent_total')?.type).toBe('COUNTER');
    // prom-client's defaults ride along, event-loop lag included.
    expect(m.families.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(m.families.has('process_cpu_user_seconds_total')).toBe(true);
    expect(m.families.has('relaykit_cluster_nodes')).toBe(false);

    // A slow reader: it stops reading while direct messages pile up, and is cut off.
    const slow = await TestClient.registered(port, 'slow');
    slow.socket.pause();
    const text = 'x'.repeat(11_000);
    let flooded = 0;
    let bounced = 0;
    // A message that finds 'slow' gone is answered with QUERY_USER 0 instead.
    const bounces = (got: { kind: number; name?: string }[]) =>
      got.filter((f) => f.kind === Kind.QUERY_USER && f.name === 'slow').length;
    while (server.inspect('slow') !== undefined) {
      for (let i = 0; i < 50; i++) alice.send(frames.directTo('slow', text));
      flooded += 50;
      bounced += bounces(await alice.sync());
      expect(flooded).toBeLessThan(10_000);
    }
    await until(() => server.stats.connections === 3);
    const after = await scrape(mport);
    expect(after.value('relaykit_disconnects_total', { reason: 'slow_reader' })).toBe(1);
    expect(after.value('relaykit_connections')).toBe(3);
    expect(after.value('relaykit_users')).toBe(3);
    expect(after.value('relaykit_connections_opened_total')).toBe(5);
    expect(after.value('relaykit_frames_received_total', { kind: 'DIRECT_MESSAGE' })).toBe(flooded);
    expect(after.value('relaykit_frames_sent_total', { kind: 'DIRECT_MESSAGE' })).toBe(
      flooded - bounced,
    );
  });

  it('answers /healthz 200 while accepting and 503 while draining', async () => {
    const { server, port } = await startServer({ metrics: { port: 0 } });
    const mport = metricsPort(server);
    const ok = await fetch(`http://127.0.0.1:${mport}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', connections: 0, users: 0 });
    // A peer that never closes its side holds the drain open (up to the close timeout).
    const holdout = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await once(holdout, 'connect');
    await until(() => server.stats.connections === 1);
    const closed = server.close();
    const draining = await fetch(`http://127.0.0.1:${mport}/healthz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'draining' });
    holdout.destroy();
    await closed;
    await expect(fetch(`http://127.0.0.1:${mport}/healthz`)).rejects.toThrow();
  });

  it('reports the cluster through clusterHealth: gauges, and 503 while Redis is down', async () => {
    let redisUp = true;
    const { server } = await startServer({
      metrics: { port: 0 },
      clusterHealth: () => ({ nodes: 3, redisUp }),
    });
    const mport = metricsPort(server);
    let m = await scrape(mport);
    expect(m.value('relaykit_cluster_nodes')).toBe(3);
    expect(m.value('relaykit_cluster_redis_up')).toBe(1);
    redisUp = false;
    m = await scrape(mport);
    expect(m.value('relaykit_cluster_redis_up')).toBe(0);
    const res = await fetch(`http://127.0.0.1:${mport}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'redis_down',
      cluster: { nodes: 3, redisUp: false },
    });
  });

  it('serves nothing without the metrics option', async () => {
    const { server } = await startServer();
    expect(server.metricsAddress).toBeNull();
  });
});
