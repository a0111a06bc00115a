/**
 * The load generator, in a process of its own: it receives one task over IPC, runs it
 * against the server at the given host and port, and sends back the figures with its own
 * CPU time at each mark, so the report can show it was not the bottleneck.
 *
 * Usage: spawned by bench/run.ts; not meant to be started by hand.
 */
import { performance } from 'node:perf_hooks';
import type { LoadReply, LoadRequest, LoadResult, LoadTask, Usage } from './lib/ipc.js';
import { ownUsage } from './lib/ipc.js';
import { bigRoom, churn } from './load/big-room.js';
import { codec } from './load/codec.js';
import { connectMany } from './load/connect.js';
import { fanout } from './load/fanout.js';
import { file } from './load/file.js';
import { fileServer } from './load/file-server.js';
import type { LoadContext } from './load/net.js';
import { rooms } from './load/rooms.js';
import { sdkFile } from './load/sdk-file.js';

const SCENARIOS: Record<
  string,
  (ctx: LoadContext) => Promise<Record<string, Record<string, unknown>>>
> = {
  fanout,
  rooms,
  connect: connectMany,
  file,
  'sdk-file': sdkFile,
  'file-server': fileServer,
  codec,
  'big-room': bigRoom,
  churn,
};

const send = (m: LoadReply): void => {
  process.send?.(m);
};

async function run(task: LoadTask): Promise<void> {
  const marks: LoadResult['marks'] = {};
  const waiting = new Map<string, (u: Usage | null) => void>();
  process.on('message', (m: LoadRequest) => {
    if (m.type === 'marked') waiting.get(`${m.target}/${m.name}`)?.(m.server);
  });
  const ctx: LoadContext = {
    targets: task.targets,
    params: task.params,
    mark(target, name, gc = false) {
      const atMs = performance.now();
      const load = ownUsage();
      const key = `${target}/${name}`;
      return new Promise((resolve) => {
        waiting.set(key, (server) => {
          waiting.delete(key);
          marks[target] ??= {};
          marks[target][name] = { atMs, server, load };
          resolve(server);
        });
        send({ type: 'mark', target, name, gc });
      });
    },
  };
  const scenario = SCENARIOS[task.scenario];
  if (!scenario) throw new Error(`unknown scenario ${task.scenario}`);
  const runs = await scenario(ctx);
  send({ type: 'result', result: { runs, marks } });
}

// Without the orchestrator there is no one to report to: never linger holding sockets.
process.on('disconnect', () => process.exit(0));
// An orderly exit, so that a --cpu-prof profile gets written.
process.on('SIGTERM', () => process.exit(0));

process.once('message', (m: LoadRequest) => {
  if (m.type !== 'task') return;
  run(m.task).then(
    () => process.disconnect?.(),
    (err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      process.disconnect?.();
    },
  );
});
