import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN, ROOT } from './build.js';

/** The outcome of a finished CLI run. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process, with its output collected so far. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stderr (or stdout) matches, rejects if the process ends first. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
  /** Resolves when the process ends. */
  exited: Promise<CliResult>;
}

const live = new Set<ChildProcessWithoutNullStreams>();

/** Spawns `node bin/relaykit ...args` with colour off and a clean environment. */
export function startCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    poke();
  });
  const exited = once(child, 'close').then(([code, signal]) => {
    live.delete(child);
    poke();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr };
  });
  let ended = false;
  void exited.then(() => {
    ended = true;
    poke();
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor(pattern, stream = 'stderr') {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stream === 'stderr' ? stderr : stdout)) {
            waiters.delete(check);
            resolve();
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`relaykit exited before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs the CLI to completion, feeding `input` to stdin (then closing it). */
export async function runCli(
  args: string[],
  options: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const proc = startCli(args, options);
  proc.child.stdin.end(options.input ?? '');
  return proc.exited;
}

/** Kills every CLI process a test left running (call in afterEach). */
export async function killAll(): Promise<void> {
  const waits = [...live].map(async (child) => {
    const closed = once(child, 'close');
    child.kill('SIGKILL');
    await closed;
  });
  await Promise.all(waits);
}
