import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerReply, ServerRequest, Usage } from './ipc.js';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The bench's private build of src/ (node_modules/.cache keeps it out of lint and git, and
 * still resolves the project's dependencies). Other engineers' test runs rebuild the shared
 * dist/ at any moment; a server started from a half-written dist/ fails to load.
 */
export const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'relaykit-bench');

/** Where compiled code under test comes from: the private build if made, else dist/. */
export function compiledRoot(): string {
  return process.env.RELAYKIT_BENCH_BUILD ?? join(ROOT, 'dist');
}

/**
 * Spawns `node` on a bench script in its own process, with an IPC channel. It goes through
 * bash so the open-file limit can be raised to the hard limit first (10,000 clients need
 * 10,000 descriptors on each side), and through tsx so the bench scripts stay TypeScript;
 * the code under test is imported from the compiled `dist/` when `--compiled` is on.
 */
export function spawnNode(
  script: string,
  scriptArgs: string[] = [],
  nodeArgs: string[] = [],
): ChildProcess {
  const args = ['--import', 'tsx', ...nodeArgs, join(ROOT, 'bench', script), ...scriptArgs];
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return spawn('bash', ['-c', `ulimit -n "$(ulimit -Hn)"; exec node ${quoted}`], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

/** Waits for the next IPC message from `child` that satisfies `match`. */
export function nextMessage<T>(child: ChildProcess, match: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      if (!match(m as T)) return;
      cleanup();
      resolve(m as T);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`bench child exited early (code ${code}, signal ${signal})`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** A server under test, running in a process of its own. */
export interface ServerHandle {
  /** The main listener (TLS when started with --tls). */
  port: number;
  /** With --tls: the plaintext listener beside it, and the CA that signed its certificate. */
  plainPort?: number;
  ca?: string;
  /** With --metrics: the port of its `/metrics` and `/healthz`. */
  metricsPort?: number;
  pid: number;
  usage(gc?: boolean): Promise<Usage>;
  stop(): Promise<void>;
}

/** Starts `bench/<script>` (a server process) and waits for the port it listens on. */
export async function startServer(
  script: string,
  args: string[],
  nodeArgs: string[] = [],
): Promise<ServerHandle> {
  const child = spawnNode(script, args, ['--expose-gc', ...nodeArgs]);
  const ready = await nextMessage<ServerReply>(child, (m) => m.type === 'ready');
  return {
    port: ready.type === 'ready' ? ready.port : 0,
    ...(ready.type === 'ready' && ready.plainPort !== undefined
      ? { plainPort: ready.plainPort, ca: ready.ca ?? '' }
      : {}),
    ...(ready.type === 'ready' && ready.metricsPort !== undefined
      ? { metricsPort: ready.metricsPort }
      : {}),
    pid: child.pid ?? 0,
    async usage(gc = false): Promise<Usage> {
      const reply = nextMessage<ServerReply>(child, (m) => m.type === 'usage');
      child.send({ type: 'usage', gc } satisfies ServerRequest);
      const { type: _type, ...usage } = (await reply) as { type: 'usage' } & Usage;
      return usage;
    },
    stop(): Promise<void> {
      return stopChild(child);
    },
  };
}

/** Ends a child process: SIGTERM, then SIGKILL if it lingers. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
