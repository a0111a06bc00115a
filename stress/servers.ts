import { startRedis, type TestRedis } from '../test/support/redis-server.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

/** The servers a stress run drives: one, or two nodes of a cluster on a Redis of its own. */
export interface StressServers {
  servers: ServerProcess[];
  /** Their ports, in the same order. */
  ports: number[];
  /** The cluster's Redis, or null for one server. */
  redis: TestRedis | null;
  /** The first exception any of them reported, or null. */
  crash(): string | null;
  /** Stops the servers, then the Redis. */
  stop(): Promise<void>;
  /** For an interrupted run: SIGKILLs the servers, then stops the Redis (at once). */
  abort(): Promise<void>;
}

/**
 * Starts one server process, or with `cluster` a redis-server on a free port and two nodes
 * of one cluster on it, each in a process of its own. `env` reaches every server.
 */
export async function startStressServers(
  started: number,
  cluster: boolean,
  env: NodeJS.ProcessEnv = {},
): Promise<StressServers> {
  const redis = cluster ? await startRedis() : null;
  const servers: ServerProcess[] = [];
  try {
    if (redis === null) servers.push(await startServerProcess(started, env));
    else {
      for (const node of ['a', 'b']) {
        const nodeEnv = { RELAYKIT_STRESS_CLUSTER: redis.url, RELAYKIT_STRESS_NODE: node };
        servers.push(await startServerProcess(started, { ...env, ...nodeEnv }));
      }
    }
  } catch (err) {
    for (const s of servers) await s.stop();
    await redis?.stop();
    throw err;
  }
  return {
    servers,
    ports: servers.map((s) => s.port),
    redis,
    crash: () => servers.find((s) => s.crash !== null)?.crash ?? null,
    async stop() {
      for (const s of servers) await s.stop();
      await redis?.stop();
    },
    async abort() {
      await Promise.all(servers.map((s) => s.kill()));
      await redis?.stop();
    },
  };
}

/**
 * For a run's top level: a server or Redis that could not start ends the run with its
 * message (which says how to fix it) and exit code 1, not a stack trace.
 *
 * @example
 * const run = await startStressServers(started, true).catch(cannotStart('fuzz'));
 */
export function cannotStart(run: string): (err: unknown) => never {
  return (err) => {
    process.stderr.write(
      `${run}: could not start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  };
}
