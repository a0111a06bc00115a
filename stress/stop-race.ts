import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/index.js';
import { type CliProcess, startCli } from '../test/e2e/helpers/cli.js';
import { ROOT } from '../test/e2e/helpers/build.js';

/** The long-running commands that promise to stop within 2 s of a signal. */
export const STOPPABLE = [
  'serve',
  'listen',
  'archive',
  'receive',
  'say',
  'run',
  'serve-files',
] as const;
/** One of `STOPPABLE`. */
export type Stoppable = (typeof STOPPABLE)[number];

/**
 * What happens to the server: signalled at the same moment as the command (`SIGTERM`: it
 * says goodbye; `SIGKILL`: it vanishes mid-close), or killed a moment before, so the
 * command is reconnecting when its signal comes (`earlier`). For `serve` itself the "server"
 * is its one client, a `listen`.
 */
export type ServerFate = 'SIGTERM' | 'SIGKILL' | 'earlier';

/** One race: which command, which signal, and what the server does meanwhile. */
export interface StopRace {
  command: Stoppable;
  signal: 'SIGTERM' | 'SIGINT';
  server: ServerFate;
}

/** How one race ended. */
export interface StopOutcome {
  /** Milliseconds from the signal to the process's exit. */
  ms: number;
  code: number | null;
  /** True when the CLI's 1.5 s backstop had to end it (the clean stop hung). */
  backstop: boolean;
  stderr: string;
}

/** The exit code a clean stop gives: stdin `say` reports the interruption, the rest succeed. */
export function cleanExitCode(command: Stoppable): number {
  return command === 'say' ? 130 : 0;
}

const READY: Record<Exclude<Stoppable, 'say' | 'serve'>, RegExp> = {
  listen: /listening to #/,
  archive: /archiving #/,
  receive: /receiving files as/,
  run: /running echo@/,
  'serve-files': /serving .* as files/,
};

function commandArgs(command: Exclude<Stoppable, 'serve'>, server: string, dir: string): string[] {
  const at = ['--server', server];
  switch (command) {
    case 'listen':
      return ['listen', 'lobby', '--as', 'listener', ...at];
    case 'archive':
      return ['archive', 'lobby', '--dir', dir, '--as', 'archiver', ...at];
    case 'receive':
      return ['receive', '--dir', dir, '--as', 'bob', ...at];
    case 'say':
      return ['say', 'lobby', '--as', 'sayer', ...at];
    case 'run':
      return ['run', join(ROOT, 'recipes', 'echo.yaml'), ...at];
    case 'serve-files':
      return ['serve-files', dir, '--upload', ...at];
  }
}

async function startServe(): Promise<{ proc: CliProcess; address: string }> {
  const proc = startCli(['serve', '--port', '0']);
  await proc.waitFor(/listening .*port=\d+/);
  const port = /listening .*port=(\d+)/.exec(proc.stderr)![1]!;
  return { proc, address: `127.0.0.1:${port}` };
}

function exitWithin(proc: CliProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    void proc.exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts a real `relaykit serve` and the command under test against it (both as processes),
 * waits until the command is ready, then signals it and does `race.server` to the server at
 * the same moment, and measures how long the command takes to exit. Every process it started
 * is gone when it resolves (the caller's `killAll` covers a failure midway).
 */
export async function stopRace(race: StopRace): Promise<StopOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'relaykit-stop-'));
  dirs.add(dir);
  const server = await startServe();
  try {
    let target: CliProcess;
    let other: CliProcess;
    if (race.command === 'serve') {
      target = server.proc;
      other = startCli(['listen', 'lobby', '--as', 'listener', '--server', server.address]);
      await other.waitFor(READY.listen);
    } else {
      target = startCli(commandArgs(race.command, server.address, dir));
      other = server.proc;
      if (race.command === 'say') {
        // Ready once its first line has gone round: connected, in the room, posting.
        const [host, port] = server.address.split(':');
        const observer = await connect({ name: 'observer', host: host!, port: Number(port) });
        await observer.join('lobby');
        const seen = observer.waitFor('post', (p) => p.from === 'sayer', { timeoutMs: 10_000 });
        target.child.stdin.write('hello from stdin\n');
        await seen.finally(() => observer.close());
      } else {
        await target.waitFor(READY[race.command]);
      }
    }
    if (race.server === 'earlier') {
      other.child.kill('SIGKILL');
      await other.exited;
      // The command notices the loss (and starts reconnecting) before its signal comes.
      // `say` and `run` print nothing about it; their socket's close comes within milliseconds.
      if (race.command === 'say' || race.command === 'run') {
        await new Promise((r) => setTimeout(r, 200));
      } else if (race.command !== 'serve') {
        await target.waitFor(/reconnecting/);
      }
    }
    const started = performance.now();
    target.child.kill(race.signal);
    if (race.server !== 'earlier') other.child.kill(race.server);
    await exitWithin(target, 10_000);
    const ms = performance.now() - started;
    const result = await target.exited;
    if (race.server === 'earlier' || race.command === 'serve') other.child.kill('SIGKILL');
    await exitWithin(other, 10_000);
    return {
      ms,
      code: result.code,
      backstop: /clean shutdown did not finish/.test(result.stderr),
      stderr: result.stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  }
}

/** The races' directories not yet removed. */
const dirs = new Set<string>();

/** For an interrupted run: removes the directories of the races under way. */
export function removeRaceDirs(): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
