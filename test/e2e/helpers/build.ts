import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../../..');
/** The CLI launcher the e2e tests spawn. */
export const BIN = join(ROOT, 'bin', 'relaykit');

const STAMP = join(ROOT, 'dist', '.e2e-build-stamp');
const LOCK = join(
  tmpdir(),
  `relaykit-e2e-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`,
);
const STALE_LOCK_MS = 5 * 60_000;

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function sourceStamp(): string {
  const inputs = ['src', 'bots', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
  return String(Math.max(...inputs.map((p) => newestMtime(join(ROOT, p)))));
}

function upToDate(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === sourceStamp();
}

/**
 * Runs `npm run build` once per change of the sources, however many e2e files (in separate
 * workers) ask at once: a lock directory serialises them and a stamp of the newest source
 * mtime skips builds that are already done. Type errors elsewhere in the tree do not stop
 * the e2e tests (tsc still emits; `npm run lint` reports them), a missing CLI does.
 */
export async function ensureBuilt(): Promise<void> {
  // For a dist/ built by hand (or by CI right before): RELAYKIT_E2E_NO_BUILD=1.
  if (process.env.RELAYKIT_E2E_NO_BUILD === '1' || upToDate()) return;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true });
      } catch {
        // Released meanwhile.
      }
      // Another worker is building; it takes seconds, so polling is cheap.
      await sleep(250);
    }
  }
  try {
    if (upToDate()) return;
    const stamp = sourceStamp();
    const run = spawnSync('npm', ['run', 'build'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 170_000,
    });
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
      throw new Error(`npm run build produced no CLI:\n${run.stdout}\n${run.stderr}`);
    }
    if (run.status !== 0) {
      process.stderr.write(`e2e: npm run build reported errors; testing what it emitted\n`);
    }
    writeFileSync(STAMP, stamp);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** How long `beforeAll(ensureBuilt, BUILD_TIMEOUT_MS)` may take. */
export const BUILD_TIMEOUT_MS = 180_000;
