/**
 * The cluster scenarios' set-up: a real redis-server on a free port and two relaykit nodes
 * joined through it, with one handle whose usage is both nodes' (and each node's apart).
 */
import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';
import type { Usage } from './ipc.js';
import { type ServerHandle, startServer } from './proc.js';

/** Redis's own counters: commands processed and CPU seconds (user + system). */
export interface RedisUsage {
  commands: number;
  cpuSeconds: number;
}

/** Two nodes on one Redis. */
export interface ClusterRig {
  /** Both nodes as one server: `usage()` sums them and lists each under `nodes`. */
  handle: ServerHandle;
  ports: number[];
  redisUsage(): Promise<RedisUsage>;
  stop(): Promise<void>;
}

function field(info: string, name: string): number {
  const m = info.match(new RegExp(`^${name}:([\\d.]+)`, 'm'));
  return m ? Number(m[1]) : 0;
}

/** Starts redis-server and two `server-process.ts --cluster` nodes on it. */
export async function startClusterRig(extraArgs: string[]): Promise<ClusterRig> {
  const redis: TestRedis = await startRedis();
  const client = new Redis(redis.url);
  const nodes: ServerHandle[] = [];
  try {
    for (const id of ['a', 'b']) {
      nodes.push(
        await startServer('server-process.ts', [
          ...extraArgs,
          '--cluster',
          redis.url,
          '--node-id',
          id,
        ]),
      );
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    client.disconnect();
    await redis.stop();
    throw err;
  }
  const handle: ServerHandle = {
    port: nodes[0]!.port,
    pid: nodes[0]!.pid,
    async usage(gc?: boolean): Promise<Usage> {
      const each = await Promise.all(nodes.map((n) => n.usage(gc)));
      const sum = { ...each[0]! };
      for (const u of each.slice(1)) {
        sum.cpuMicros += u.cpuMicros;
        sum.systemMicros += u.systemMicros;
      }
      return { ...sum, nodes: each } as Usage;
    },
    async stop(): Promise<void> {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  return {
    handle,
    ports: nodes.map((n) => n.port),
    async redisUsage(): Promise<RedisUsage> {
      const info = await client.info();
      return {
        commands: field(info, 'total_commands_processed'),
        cpuSeconds: field(info, 'used_cpu_user') + field(info, 'used_cpu_sys'),
      };
    },
    async stop(): Promise<void> {
      await handle.stop();
      client.disconnect();
      await redis.stop();
    },
  };
}
