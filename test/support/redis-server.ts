import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real `redis-server` started for one test file, with persistence off, in a temp dir. */
export interface TestRedis {
  /** Port it listens on (127.0.0.1). */
  readonly port: number;
  /** `redis://127.0.0.1:PORT` for `--cluster`. */
  readonly url: string;
  /** The child process, so fault tests can SIGKILL or SIGSTOP it. */
  readonly child: ChildProcess;
  /** Stops it (SIGTERM, then SIGKILL after 2 s) and deletes its temp dir. */
  stop(): Promise<void>;
}

/** Asks the kernel for a free port; redis-server has no "port 0" of its own. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the port accepts a TCP connection and answers PING with +PONG. */
async function waitForPong(port: number, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited with ${child.exitCode} before answering`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('error', () => resolve(false));
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer PING in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts Debian's `redis-server` on a free port with `--save '' --appendonly no` in a temp dir.
 * Restarting on the same port (a "Redis restarted empty" fault) is `startRedis(old.port)`.
 *
 * @example
 * const redis = await startRedis();
 * afterAll(() => redis.stop());
 */
export async function startRedis(port?: number): Promise<TestRedis> {
  const p = port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'relaykit-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  // A spawn that fails (no redis-server on PATH) emits 'error' and never 'exit'.
  let spawnError: NodeJS.ErrnoException | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      spawnError ??= err;
      resolve();
    });
  });
  try {
    await Promise.race([
      waitForPong(p, child, Date.now() + 10_000),
      exited.then(() => {
        if (spawnError !== null) throw spawnError;
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    if ((spawnError as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
      throw new Error(
        'redis-server is not installed (or not on PATH): install it (Debian: apt-get install redis-server)',
      );
    }
    throw err;
  }
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One redis-server for the calling test file: started before its first test and stopped
 * after its last (vitest hooks). Read `url` inside tests, once it has started.
 */
export function redisForFile(): { readonly url: string } {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());
  return {
    get url(): string {
      if (redis === undefined) throw new Error('redisForFile: read url inside a test');
      return redis.url;
    },
  };
}
