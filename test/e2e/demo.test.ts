import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli } from './helpers/cli.js';

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let cwd: string | undefined;
afterEach(async () => {
  await killAll();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('relaykit demo', () => {
  it('runs by itself, exits 0, and leaves its archive and received file', async () => {
    cwd = mkdtempSync(join(tmpdir(), 'relaykit-demo-'));
    const started = Date.now();
    const demo = await runCli(['demo'], { cwd });
    expect(demo.stderr).toMatch(/bundled server/);
    expect(demo.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(demo.stdout).toMatch(/every check passed/);

    const root = join(cwd, 'relaykit-demo');
    const received = readFileSync(join(root, 'received', 'greeting.txt'), 'utf8');
    expect(received.startsWith('Hello from the relaykit demo!')).toBe(true);

    const [server] = readdirSync(join(root, 'archive'));
    expect(server).toMatch(/^127\.0\.0\.1_\d+$/);
    const roomDir = join(root, 'archive', server!, 'lobby');
    const day = new Date().toISOString().slice(0, 10);
    const log = readFileSync(join(roomDir, `${day}.log`), 'utf8');
    expect(log).toMatch(/\*\*\* visitor joined/);
    expect(log).toMatch(/<visitor> hello, is anyone here\?/);
    expect(log).toMatch(/<echo> echo: hello, is anyone here\?/);
    // The farewell once, as the visitor's post, then the departure without repeating it.
    expect(log.match(/see you next time/g)).toHaveLength(1);
    expect(log).toMatch(/<visitor> see you next time\n\[\d\d:\d\d:\d\d\] \*\*\* visitor quit\n/);
    expect(existsSync(join(roomDir, `${day}.jsonl`))).toBe(true);
  }, 30_000);
});
