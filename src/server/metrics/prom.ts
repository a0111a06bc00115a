import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { ErrorCode, Kind } from '../../protocol/index.js';
import type { ServerCounters } from './counters.js';
import { DISCONNECT_REASONS } from './counters.js';
import type { ClusterHealth } from './health.js';

/** What the server exposes to its metrics: read only when Prometheus scrapes. */
export interface ServerMetricsSource {
  readonly counters: ServerCounters;
  readonly stats: {
    readonly connections: number;
    readonly users: number;
    readonly rooms: number;
    readonly transfers: number;
  };
  /** The cluster's state, or null when the server runs alone. */
  clusterHealth(): ClusterHealth | null;
}

/** Something whose value is brought up to date just before each scrape. */
type Sync = () => void;

/**
 * A counter that follows a plain number: each scrape adds what it grew by since the last one
 * to a label child bound once, so counting itself never touches prom-client.
 */
function follow(child: { inc(n: number): void }, read: () => number): Sync {
  let seen = 0;
  // Zero now, so every label value is in the first scrape (Prometheus likes series to exist).
  child.inc(0);
  return () => {
    const now = read();
    if (now > seen) child.inc(now - seen);
    seen = now;
  };
}

/**
 * A prom-client registry with every `relaykit_*` server metric (names fixed by issue #12,
 * README "Running in production") and prom-client's default process and Node.js metrics.
 */
export function serverRegistry(source: ServerMetricsSource): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const c = source.counters;
  const syncs: Sync[] = [];
  // Every counter brings all of them up to date, so one scrape sees one consistent moment.
  const collect = (): void => {
    for (const sync of syncs) sync();
  };
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [register], collect });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [register],
      collect() {
        this.set(read());
      },
    });
  };

  gauge(
    'relaykit_connections',
    'Open TCP connections, registered or not.',
    () => source.stats.connections,
  );
  gauge('relaykit_users', 'Registered users.', () => source.stats.users);
  gauge('relaykit_rooms', 'Rooms with at least one member.', () => source.stats.rooms);
  gauge(
    'relaykit_transfers_active',
    'File transfers offered or under way.',
    () => source.stats.transfers,
  );

  const opened = counter('relaykit_connections_opened_total', 'Connections accepted.');
  syncs.push(follow(opened, () => c.connectionsOpened));
  const framesIn = counter('relaykit_frames_received_total', 'Frames received, by kind.', ['kind']);
  const framesOut = counter('relaykit_frames_sent_total', 'Frames sent, by kind.', ['kind']);
  for (const [name, byte] of Object.entries(Kind)) {
    syncs.push(follow(framesIn.labels(name), () => c.framesInByKind[byte]!));
    syncs.push(follow(framesOut.labels(name), () => c.framesOutByKind[byte]!));
  }
  const bytesIn = counter('relaykit_bytes_received_total', 'Bytes read from clients.');
  syncs.push(follow(bytesIn, () => c.bytesIn));
  const bytesOut = counter('relaykit_bytes_sent_total', 'Bytes queued to clients.');
  syncs.push(follow(bytesOut, () => c.bytesOut));
  const errors = counter(
    'relaykit_protocol_errors_total',
    'ERR frames sent to clients (each closes its connection), by code.',
    ['code'],
  );
  for (const [name, code] of Object.entries(ErrorCode)) {
    syncs.push(follow(errors.labels(name), () => c.protocolErrors[code]!));
  }
  const disconnects = counter('relaykit_disconnects_total', 'Connections ended, by reason.', [
    'reason',
  ]);
  for (const reason of DISCONNECT_REASONS) {
    syncs.push(follow(disconnects.labels(reason), () => c.disconnects[reason]));
  }
  const deliveries = counter(
    'relaykit_post_deliveries_total',
    'POST_MESSAGE frames delivered (one per receiving member).',
  );
  syncs.push(follow(deliveries, () => c.framesOutByKind[Kind.POST_MESSAGE]!));
  const transfers = counter('relaykit_transfers_total', 'File transfers ended, by outcome.', [
    'outcome',
  ]);
  for (const outcome of ['completed', 'rejected', 'aborted'] as const) {
    syncs.push(follow(transfers.labels(outcome), () => c.transfers[outcome]));
  }
  const relayed = counter('relaykit_file_bytes_relayed_total', 'File data bytes relayed.');
  syncs.push(follow(relayed, () => c.fileBytesRelayed));

  if (source.clusterHealth() !== null) {
    gauge(
      'relaykit_cluster_nodes',
      'Cluster nodes this node knows of, itself included.',
      () => source.clusterHealth()?.nodes ?? 0,
    );
    gauge('relaykit_cluster_redis_up', '1 while this node reaches Redis, else 0.', () =>
      source.clusterHealth()?.redisUp ? 1 : 0,
    );
    gauge(
      'relaykit_cluster_posters_held',
      'Clients not read now because another node holds their room or is a window of posts behind.',
      () => source.clusterHealth()?.postersHeld ?? 0,
    );
    gauge(
      'relaykit_cluster_members_holding',
      "Members whose backed-up sockets hold other nodes' posters now.",
      () => source.clusterHealth()?.membersHolding ?? 0,
    );
  }
  return register;
}
