import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt } from './helpers/build.js';
import { killAll, runCli } from './helpers/cli.js';
import { startServer, type TestServer } from './helpers/server.js';

// `relaykit validate` and the checks `relaykit run` makes before anything connects.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

const SHIPPED = [
  'echo',
  'archive',
  'file-sink',
  'relay',
  'stdin-to-room',
  'file-server',
  'get-rule',
].map((n) => `recipes/${n}.yaml`);

let dir: string;
let srv: TestServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-recipes-'));
  srv = await startServer();
});
afterEach(async () => {
  await killAll();
  await srv.server.close();
  rmSync(dir, { recursive: true, force: true });
});

function recipe(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const TYPO = `bots:
  - name: echo
    romos: [lobby]
    on:
      - post: { room: lobby }
        do: [{ replay: "{text}" }]
`;

describe('relaykit validate', () => {
  it('exits 0 for every shipped recipe', async () => {
    const result = await runCli(['validate', ...SHIPPED]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'recipes/echo.yaml: valid (1 bot)',
      'recipes/archive.yaml: valid (1 bot)',
      'recipes/file-sink.yaml: valid (1 bot)',
      'recipes/relay.yaml: valid (3 bots)',
      'recipes/stdin-to-room.yaml: valid (1 bot)',
      'recipes/file-server.yaml: valid (1 bot)',
      'recipes/get-rule.yaml: valid (1 bot)',
    ]);
  });

  it('exits 1 with file:line:col: key: message and suggestions', async () => {
    const bad = recipe('bad.yaml', TYPO);
    const result = await runCli(['validate', SHIPPED[0]!, bad]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${bad}:3:5: bots[0].romos: unknown key \`romos\` (did you mean \`rooms\`?)`,
      `${bad}:6:16: bots[0].on[0].do[0].replay: unknown key \`replay\` (did you mean \`reply\`?)`,
    ]);
    expect(result.stdout).toBe('recipes/echo.yaml: valid (1 bot)\n');
  });

  it('reports YAML syntax errors and missing files with a position', async () => {
    const broken = recipe('broken.yaml', 'bots:\n  - name: "unclosed\n');
    const missing = join(dir, 'missing.yaml');
    const result = await runCli(['validate', broken, missing]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${escapeRegex(broken)}:\\d+:\\d+: YAML syntax error: `));
    expect(lines.at(-1)).toBe(`${missing}:1:1: cannot read the recipe: no such file`);
  });

  it('--json prints one object per problem on stdout', async () => {
    const bad = recipe('bad.yaml', TYPO);
    const result = await runCli(['validate', '--json', bad]);
    expect(result.code).toBe(1);
    const first = JSON.parse(result.stdout.split('\n')[0]!);
    expect(first).toEqual({
      file: bad,
      ok: false,
      code: 'RECIPE_UNKNOWN_KEY',
      line: 3,
      column: 5,
      key: 'bots[0].romos',
      message: 'unknown key `romos`',
      suggestion: 'rooms',
    });
  });
});

describe('relaykit run: checks before connecting', () => {
  it('an invalid recipe exits 1 with its errors, and nothing connects', async () => {
    const bad = recipe('bad.yaml', TYPO);
    const result = await runCli(['run', SHIPPED[0]!, bad, '--server', srv.arg]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${bad}:3:5: bots[0].romos: unknown key \`romos\` (did you mean \`rooms\`?)`,
    );
    expect(srv.server.stats.connections).toBe(0);
    expect(srv.server.stats.framesIn).toBe(0);
  });

  it('a template field the trigger lacks and an unset {env.X} are errors', async () => {
    const file = recipe(
      'fields.yaml',
      'bots:\n  - name: a\n    on:\n      - start:\n        do: [{ log: "{text} {env.RELAYKIT_E2E_UNSET}" }]\n',
    );
    const result = await runCli(['run', file, '--server', srv.arg]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}:5:21: bots[0].on[0].do[0].log: \`{text}\`: a \`start\` event has no field \`text\`; it has \`bot\`, \`time\``,
      `${file}:5:21: bots[0].on[0].do[0].log: \`{env.RELAYKIT_E2E_UNSET}\`: environment variable RELAYKIT_E2E_UNSET is not set; set it before running`,
    ]);
    expect(srv.server.stats.connections).toBe(0);
  });

  it('validate and run --dry-run agree on an unset {env.X}', async () => {
    const file = recipe(
      'env.yaml',
      'bots:\n  - name: a\n    on:\n      - start:\n        do: [{ log: "{env.RELAYKIT_E2E_UNSET}" }]\n',
    );
    const expected = `${file}:5:21: bots[0].on[0].do[0].log: \`{env.RELAYKIT_E2E_UNSET}\`: environment variable RELAYKIT_E2E_UNSET is not set; set it before running`;
    const validate = await runCli(['validate', file]);
    const dryRun = await runCli(['run', file, '--dry-run']);
    expect([validate.code, dryRun.code]).toEqual([1, 1]);
    expect(validate.stderr.trim()).toBe(expected);
    expect(dryRun.stderr.trim()).toBe(expected);
  });

  it('--dry-run prints the plan without connecting or starting a server', async () => {
    const result = await runCli([
      'run',
      'recipes/echo.yaml',
      'recipes/relay.yaml',
      '--dry-run',
      '--server',
      srv.arg,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `recipes/echo.yaml\n  bot echo on ${srv.arg} (--server), rooms: lobby\n    on post in lobby\n`,
    );
    expect(result.stdout).toContain('    also connects to bundled:2 (in-process server)');
    expect(result.stdout).toContain('dry run: 4 bots valid; nothing was started or connected');
    expect(result.stderr).toBe('');
    expect(srv.server.stats.connections).toBe(0);
  });

  it('--dry-run without --server names the in-process servers and starts none', async () => {
    const result = await runCli([
      'run',
      'recipes/relay.yaml',
      '--dry-run',
      '--map',
      `bundled:2=${srv.arg}`,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  bot mirror on bundled (in-process server), rooms: lobby');
    expect(result.stdout).toContain(`  bot bridge-b on ${srv.arg} (--map bundled:2), rooms: ops`);
    expect(result.stderr).not.toContain('started');
  });

  it('the same bot in two files is refused; the same file twice runs once', async () => {
    const copy = recipe('echo-copy.yaml', readFileSync('recipes/echo.yaml', 'utf8'));
    const twice = await runCli(['run', 'recipes/echo.yaml', copy, '--dry-run']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(
      `${copy}: bot echo is also defined in recipes/echo.yaml on the same server; rename one of them.`,
    );
    const once = await runCli(['run', 'recipes/echo.yaml', './recipes/echo.yaml', '--dry-run']);
    expect(once.code).toBe(0);
    expect(once.stdout).toContain('dry run: 1 bot valid');
  });

  it('a bad --map is a usage error', async () => {
    const result = await runCli(['run', 'recipes/echo.yaml', '--map', 'two=nowhere', '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--map "two=nowhere": write bundled:N=host:port');
  });
});

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
