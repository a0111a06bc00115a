import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(
  new URL('../integration/server/fixtures/serve-cli.ts', import.meta.url),
);

const children = new Set<ChildProcess>();

/** A `relaykit serve` running in a child process. */
export interface Served {
  child: ChildProcess;
  /** Everything it wrote to stderr (its log) so far. */
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `relaykit serve ARGS` in a child process (killed by `killServed`). */
export function serve(args: string[]): Served {
  // Node itself with tsx's loader, not the tsx binary: that one runs Node as a second
  // process, which a SIGKILL to the first would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, stderr: () => stderr, exited };
}

/** Waits for a log line matching `re` (fails when the process exits first). */
export async function lineMatching(
  s: Served,
  re: RegExp,
  timeoutMs = 15_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = s.stderr().match(re);
    if (m) return m;
    if (Date.now() > deadline || s.child.exitCode !== null) {
      throw new Error(`no line matching ${re} in stderr:\n${s.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILLs every child `serve` still running (for afterEach). */
export function killServed(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
}

/**
 * A `relaykit serve --cluster` node on a free port (JSON logs), once it listens: `extra`
 * adds flags such as `--cluster-lease`.
 */
export async function serveClusterNode(
  redisUrl: string,
  prefix: string,
  nodeId: string,
  extra: string[] = [],
): Promise<{ node: Served; port: number }> {
  const node = serve([
    ...['--port', '0', '--json-logs', '--cluster', redisUrl],
    ...['--cluster-prefix', prefix, '--node-id', nodeId, ...extra],
  ]);
  const [, port] = await lineMatching(node, /"msg":"listening".*"port":(\d+)/);
  return { node, port: Number(port) };
}
