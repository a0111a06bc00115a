/**
 * relaykit's server in a process of its own, for the benchmarks: it calls `createServer` on
 * a free port, prints `{"port":N}` on stdout (and sends it over IPC when there is a channel),
 * and answers usage requests (CPU time, memory, server stats) so the orchestrator can put
 * the server's cost beside the load generator's.
 *
 * Usage: node --import tsx bench/server-process.ts [--source | --module PATH]
 *   --source       run src/ through tsx instead of compiled JS (the default, for realism:
 *                  the bench's private build when RELAYKIT_BENCH_BUILD is set, else dist/)
 *   --module PATH  load createServer from another build (to measure a change before and after)
 */
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ServerRequest } from './lib/ipc.js';
import { ownUsage } from './lib/ipc.js';
import { compiledRoot, ROOT } from './lib/proc.js';

// Only the part of the server contract the bench needs, so this file does not depend on
// anything else the server module exports.
interface BenchServer {
  listen(port?: number, host?: string): Promise<{ host: string; port: number }>;
  close(farewell?: string): Promise<void>;
  readonly stats: Readonly<Record<string, number>>;
}
interface ServerModule {
  createServer(options?: { host?: string; port?: number }): BenchServer;
}

const at = process.argv.indexOf('--module');
const entry =
  at > 0 && process.argv[at + 1]
    ? resolve(process.argv[at + 1]!)
    : process.argv.includes('--source')
      ? join(ROOT, 'src', 'server', 'index.ts')
      : join(compiledRoot(), 'src', 'server', 'index.js');
const mod = (await import(pathToFileURL(entry).href)) as ServerModule;
const server = mod.createServer({ host: '127.0.0.1', port: 0 });
const { port } = await server.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.send?.({ type: 'ready', port });

// Event-loop delay and GC pauses between usage requests: a `start…` mark resets them, so the
// `end…` mark reports its window. Both run in every scenario; they cost next to nothing.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let gcCount = 0;
let gcMs = 0;
let gcMaxMs = 0;
/** GCs that started before this (a forced one at a mark) are the bench's, not the server's. */
let ignoreBefore = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.startTime < ignoreBefore) continue;
    gcCount++;
    gcMs += e.duration;
    gcMaxMs = Math.max(gcMaxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

function loop() {
  const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
  const out = {
    p50: ms(delay.percentile(50)),
    p99: ms(delay.percentile(99)),
    p999: ms(delay.percentile(99.9)),
    max: ms(delay.max),
    gcCount,
    gcMs: Math.round(gcMs * 1e3) / 1e3,
    gcMaxMs: Math.round(gcMaxMs * 1e3) / 1e3,
  };
  delay.reset();
  gcCount = 0;
  gcMs = 0;
  gcMaxMs = 0;
  return out;
}

process.on('message', (m: ServerRequest) => {
  if (m.type !== 'usage') return;
  // A forced GC is the bench's, not the server's: it is not counted as a pause.
  if (m.gc) {
    globalThis.gc?.();
    ignoreBefore = performance.now();
  }
  const usage = { type: 'usage' as const, ...ownUsage(), stats: { ...server.stats }, loop: loop() };
  process.send?.(usage);
});

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(0), 2_000);
  timer.unref();
  server.close('bench over').then(
    () => process.exit(0),
    () => process.exit(0),
  );
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
