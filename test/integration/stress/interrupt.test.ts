import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** Starts `npm run fuzz`'s script as npm would (without npm), resolves once it is fuzzing. */
async function startFuzz(): Promise<{ child: ChildProcess; port: number; out: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      'stress/fuzz/main.ts',
      '--iterations',
      '100000000',
      '--batch',
      '2000',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /frames, \d+ connections/.test(out) && /against 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`fuzz exited with ${code} early:\n${out}`)));
  });
  return { child, port, out: () => out };
}

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

// README, "Soak and fuzz runs": a run stops within 2 s of Ctrl-C or SIGTERM, and takes its
// server process with it (a run signalled alone used to leave its servers running).
describe('an interrupted fuzz run', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`stops its server and exits ${code} on ${signal}, its teardown inside 1.5 s, with no verdict`, async () => {
      const { child, port, out } = await startFuzz();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const t0 = performance.now();
      child.kill(signal);
      expect(await exited).toBe(code);
      // The run's own backstop ends it 1.5 s after the signal; that its teardown finished
      // before then is what is checked, and the clock only loosely (CI runs beside others).
      expect(performance.now() - t0).toBeLessThan(5_000);
      expect(out()).toContain(`fuzz interrupted by ${signal}`);
      expect(out()).not.toContain('the teardown took over 1.5 s');
      expect(out()).not.toMatch(/PASSED|FAILED/);
      expect(await refused(port)).toBe(true);
    }, 60_000);
  }
});
