/**
 * The server's Prometheus endpoint. Imported lazily by the server only when `metrics` is
 * set, so a server without it never loads prom-client.
 */
import { type MetricsEndpoint, openMetricsEndpoint } from '../../metrics/endpoint.js';
import { healthReport } from './health.js';
import { type ServerMetricsSource, serverRegistry } from './prom.js';

/** What the endpoint needs from the server beyond its counters. */
export interface ServerHealthSource extends ServerMetricsSource {
  /** True once `close()` was called: `/healthz` answers 503 from then on. */
  readonly draining: boolean;
}

/** Serves `/metrics` and `/healthz` for `source` on `host:port`. */
export function startServerMetrics(
  source: ServerHealthSource,
  host: string,
  port: number,
): Promise<MetricsEndpoint> {
  const registry = serverRegistry(source);
  return openMetricsEndpoint(host, port, registry, () =>
    healthReport(source.draining, source.clusterHealth(), {
      connections: source.stats.connections,
      users: source.stats.users,
    }),
  );
}
