/**
 * relaykit's server in a process of its own, for the benchmarks: it calls `createServer` on
 * a free port, prints `{"port":N}` on stdout (and sends it over IPC when there is a channel),
 * and answers usage requests (CPU time, memory, server stats) so the orchestrator can put
 * the server's cost beside the load generator's.
 *
 * Usage: node --import tsx bench/server-process.ts [--source | --module PATH] [--tls]
 *   --source       run src/ through tsx instead of compiled JS (the default, for realism:
 *                  the bench's private build when RELAYKIT_BENCH_BUILD is set, else dist/)
 *   --module PATH  load createServer from another build (to measure a change before and after)
 *   --metrics      serve Prometheus metrics on a free port (the orchestrator scrapes them)
 *   --cluster URL  join the cluster on that Redis (with --node-id ID and --cluster-prefix P)
 *   --tls          listen with TLS (a fresh development certificate) and in plaintext beside it,
 *                  so one server process serves both sides of a TLS-versus-plaintext comparison
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerRequest } from './lib/ipc.js';
import { ownUsage } from './lib/ipc.js';
import { watchLoop } from './lib/loop.js';
import { compiledRoot, ROOT } from './lib/proc.js';

// Only the part of the server contract the bench needs, so this file does not depend on
// anything else the server module exports.
interface BenchServer {
  listen(port?: number, host?: string): Promise<{ host: string; port: number }>;
  close(farewell?: string): Promise<void>;
  readonly stats: Readonly<Record<string, number>>;
}
interface ServerModule {
  createServer(options?: {
    host?: string;
    port?: number;
    tls?: { cert: string; key: string };
    plainPort?: number;
    metrics?: { port: number };
    cluster?: { url: string; nodeId?: string; prefix?: string };
  }): BenchServer & {
    readonly metricsAddress?: { host: string; port: number } | null;
    addresses?: readonly { transport: string; port: number }[];
  };
}
interface CertsModule {
  createDevCertificateSet(): { ca: { cert: string }; server: { cert: string; key: string } };
}

const at = process.argv.indexOf('--module');
const entry =
  at > 0 && process.argv[at + 1]
    ? resolve(process.argv[at + 1]!)
    : process.argv.includes('--source')
      ? join(ROOT, 'src', 'server', 'index.ts')
      : join(compiledRoot(), 'src', 'server', 'index.js');
const mod = (await import(pathToFileURL(entry).href)) as ServerModule;
const tls = process.argv.includes('--tls');
let ca: string | undefined;
let server: ReturnType<ServerModule['createServer']>;
if (tls) {
  // The certificate module sits beside the server module in the same build.
  const certsEntry = join(
    entry,
    '..',
    '..',
    'certs',
    `dev-set.${entry.endsWith('.ts') ? 'ts' : 'js'}`,
  );
  const certs = (await import(pathToFileURL(certsEntry).href)) as CertsModule;
  const set = certs.createDevCertificateSet();
  ca = set.ca.cert;
  server = mod.createServer({ host: '127.0.0.1', port: 0, tls: set.server, plainPort: 0 });
} else if (process.argv.includes('--cluster')) {
  const arg = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  server = mod.createServer({
    host: '127.0.0.1',
    port: 0,
    cluster: {
      url: arg('--cluster')!,
      nodeId: arg('--node-id') ?? `bench-${process.pid}`,
      prefix: arg('--cluster-prefix') ?? 'bench',
    },
  });
} else if (process.argv.includes('--metrics')) {
  server = mod.createServer({ host: '127.0.0.1', port: 0, metrics: { port: 0 } });
} else {
  server = mod.createServer({ host: '127.0.0.1', port: 0 });
}
const { port } = await server.listen(0, '127.0.0.1');
const metricsPort = server.metricsAddress?.port;
const plainPort = server.addresses?.find((a) => a.transport === 'plain')?.port;
process.stdout.write(`${JSON.stringify({ port, plainPort })}\n`);
process.send?.({
  type: 'ready',
  port,
  ...(tls ? { plainPort, ca } : {}),
  ...(metricsPort === undefined ? {} : { metricsPort }),
});

const loop = watchLoop();

process.on('message', (m: ServerRequest) => {
  if (m.type !== 'usage') return;
  // A forced GC is the bench's, not the server's: it is not counted as a pause.
  if (m.gc) loop.forcedGc();
  process.send?.({ type: 'usage', ...ownUsage(), stats: { ...server.stats }, loop: loop.take() });
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
