import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { RelayKitError } from '../errors.js';

/** What `/healthz` reports: `status: 'ok'` answers 200, anything else 503. */
export interface HealthStatus {
  status: string;
  [field: string]: unknown;
}

/** A running `/metrics` + `/healthz` HTTP listener. */
export interface MetricsEndpoint {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `registry` at `GET /metrics` (Prometheus text format) and `health()` at
 * `GET /healthz` on `host:port` (0 picks a free port). Anything else is 404.
 * Throws `METRICS_LISTEN_FAILED` when the address cannot be bound.
 */
export async function openMetricsEndpoint(
  host: string,
  port: number,
  registry: Registry,
  health: () => HealthStatus,
): Promise<MetricsEndpoint> {
  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (path === '/healthz') {
      const report = health();
      res
        .writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify(report)}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new RelayKitError(
          'METRICS_LISTEN_FAILED',
          `Cannot serve metrics on ${host}:${port}: ${err.message}; pick another --metrics address`,
          { cause: err },
        ),
      ),
    );
    http.listen(port, host, () => resolve());
  });
  const bound = http.address();
  const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
  return { host, port: actualPort, close: () => closeHttp(http) };
}

function closeHttp(http: Server): Promise<void> {
  return new Promise((resolve) => {
    http.close(() => resolve());
    // A scraper's keep-alive connection must not hold the process open.
    http.closeAllConnections();
  });
}
