import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { FromServerChild, ToServerChild } from './server-child.js';

/** One memory sample of a process: heap in use after a full GC, and resident set size. */
export interface MemorySample {
  /** Milliseconds since the run started. */
  at: number;
  heapUsed: number;
  rss: number;
}

/** A relay server running in a child process (see server-child.ts). */
export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /**
   * Set when an exception escaped the server, or a handler threw and the server caught it:
   * the run has failed.
   */
  readonly crash: string | null;
  /** True once the process has exited. */
  readonly exited: boolean;
  sample(): Promise<MemorySample & { connections: number; users: number }>;
  /** Closes the server (clients are told) and waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILLs the process and waits for it to exit: for an interrupted run. */
  kill(): Promise<void>;
}

/**
 * Forks the reference server (through tsx, with `--expose-gc` so samples are taken after a
 * full collection) on a free port. `env` reaches the child (RELAYKIT_STRESS_MAX_OUTPUT).
 */
export async function startServerProcess(
  started: number,
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const child = fork(join(import.meta.dirname, 'server-child.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let crash: string | null = null;
  let exited = false;
  const waiters: ((m: FromServerChild) => void)[] = [];
  child.on('message', (m: FromServerChild) => {
    if (m.type === 'crash') crash ??= m.error; // the first is the one to read
    for (const w of waiters.splice(0)) w(m);
  });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void gone.then(() => {
    exited = true;
  });
  const next = (type: FromServerChild['type']): Promise<FromServerChild> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: FromServerChild): void => {
        if (m.type === type) resolve(m);
        else waiters.push(onMessage);
      };
      waiters.push(onMessage);
      void gone.then(() =>
        reject(new Error(`the server process exited${crash ? `: ${crash}` : ''}`)),
      );
    });
  const post = (m: ToServerChild): void => {
    if (child.connected) child.send(m);
  };
  const listening = (await next('listening')) as Extract<FromServerChild, { type: 'listening' }>;
  return {
    port: listening.port,
    child,
    get crash() {
      return crash;
    },
    get exited() {
      return exited;
    },
    async sample() {
      const reply = next('sample');
      post({ type: 'sample' });
      const s = (await reply) as Extract<FromServerChild, { type: 'sample' }>;
      return {
        at: performance.now() - started,
        heapUsed: s.heapUsed,
        rss: s.rss,
        connections: s.connections,
        users: s.users,
      };
    },
    async stop() {
      if (exited) return;
      post({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await gone;
    },
  };
}
