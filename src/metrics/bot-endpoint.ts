/**
 * `relaykit run --metrics`: imported lazily by the recipe runtime, so a run without it never
 * loads prom-client.
 */
import { botRegistry, type BotMetricsSource } from './bot-registry.js';
import { type MetricsEndpoint, openMetricsEndpoint } from './endpoint.js';

/**
 * Serves the bots' `/metrics` and a `/healthz` that answers 200 while every bot is connected,
 * and 503 while one is not (`disconnected`) or the run is stopping (`draining`).
 */
export function startBotMetrics(
  bots: readonly BotMetricsSource[],
  stopping: () => boolean,
  host: string,
  port: number,
): Promise<MetricsEndpoint> {
  return openMetricsEndpoint(host, port, botRegistry(bots), () => {
    const connected = Object.fromEntries(bots.map((b) => [b.name, b.connected()]));
    const status = stopping()
      ? 'draining'
      : Object.values(connected).every(Boolean)
        ? 'ok'
        : 'disconnected';
    return { status, bots: connected };
  });
}
