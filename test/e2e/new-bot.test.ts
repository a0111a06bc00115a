import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from './helpers/build.js';
import { killAll, runCli } from './helpers/cli.js';

// `relaykit new bot`: the scaffold end to end, as a user gets it. relaykit is packed from the
// working tree (`npm pack`, the same files a publish would ship) and installed into the new
// project with its dev dependencies; then the project's own `npm test` and typecheck run.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

const exec = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-new-'));
});
afterEach(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('relaykit new bot', () => {
  it('scaffolds a project whose npm test and typecheck pass with relaykit from the working tree', async () => {
    const made = await runCli(['new', 'bot', 'my-bot'], { cwd: dir });
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('created my-bot/: package.json, tsconfig.json');
    const project = join(dir, 'my-bot');
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    // Run from this clone, the project depends on the clone: `^0.1.0` would send a plain
    // `npm install` to the registry (E404). Installed from a registry it is the version range
    // (test/unit/cli/relaykit-dependency.test.ts).
    expect(pkg.dependencies).toEqual({ relaykit: `file:${ROOT}` });
    expect(made.stdout).toContain(`depends on it as file:${ROOT}`);
    expect(readFileSync(join(project, 'src/bot.ts'), 'utf8')).toContain("name: 'my-bot'");

    // Built already (ensureBuilt): pack without running `prepare` again.
    const packs = join(dir, 'packs');
    mkdirSync(packs);
    await exec(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', packs], {
      cwd: ROOT,
    });
    const [tarball] = readdirSync(packs);
    const npm = (args: string[]) =>
      exec(NPM, args, { cwd: project, env: { ...process.env, NO_COLOR: '1' } });
    await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(packs, tarball!)]);
    expect(existsSync(join(project, 'node_modules/relaykit/dist/src/testing/index.js'))).toBe(true);

    const test = await npm(['test']);
    expect(test.stdout).toMatch(/# pass 2\n# fail 0\n/);
    await npm(['run', 'typecheck']);
  }, 300_000);

  it('refuses a name that cannot be a bot or package name, and a folder that is not empty', async () => {
    const bad = await runCli(['new', 'bot', 'My Bot'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"My Bot" cannot name a bot project');
    const first = await runCli(['new', 'bot', 'twice'], { cwd: dir });
    expect(first.code).toBe(0);
    const again = await runCli(['new', 'bot', 'twice'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('twice already exists and is not empty');
    const elsewhere = await runCli(['new', 'bot', 'twice', '--dir', 'other/place'], { cwd: dir });
    expect(elsewhere.code).toBe(0);
    expect(existsSync(join(dir, 'other/place/test/bot.test.ts'))).toBe(true);
  });
});
