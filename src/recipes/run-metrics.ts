import type { Client } from '../client/index.js';
import type { BotCounters } from '../metrics/bot-counters.js';
import type { MetricsEndpoint } from '../metrics/endpoint.js';
import { RecipeRuntimeError } from './errors.js';

/** One running bot as `relaykit run --metrics` reports it. */
export interface RunMetricsBot {
  name: string;
  counters: BotCounters;
  client: Client;
}

/**
 * Opens the run's `/metrics` and `/healthz`, loading prom-client only now. Throws
 * `RecipeRuntimeError('METRICS_FAILED')` when the address cannot be served.
 */
export async function openRunMetrics(
  bots: readonly RunMetricsBot[],
  stopping: () => boolean,
  at: { host: string; port: number },
): Promise<MetricsEndpoint> {
  const { startBotMetrics } = await import('../metrics/bot-endpoint.js');
  try {
    return await startBotMetrics(
      bots.map(({ name, counters, client }) => ({
        name,
        counters,
        connected: () => client.connected,
        offersAnswered: () => client.offersAnswered,
      })),
      stopping,
      at.host,
      at.port,
    );
  } catch (err) {
    throw new RecipeRuntimeError('METRICS_FAILED', (err as Error).message, { cause: err });
  }
}
