import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, ROOT } from './helpers/build.js';
import { killAll, runCli } from './helpers/cli.js';

// Recipe plugins through the built CLI: `validate` and `run --dry-run` load them (the plugin
// imports 'relaykit' from a folder with no node_modules) and check their keys at line:col.

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaykit-e2e-plugins-'));
  copyFileSync(join(ROOT, 'examples/dice-plugin.ts'), join(dir, 'dice-plugin.ts'));
});
afterEach(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('recipe plugins through the CLI', () => {
  it('validate: a plugin action typo and a bad value are reported at line:col', async () => {
    writeFileSync(
      join(dir, 'bots.yaml'),
      `plugins: [./dice-plugin.ts]
bots:
  - name: dice
    rooms: [lobby]
    on:
      - mention: { match: "^go$" }
        do:
          - rol: { dice: 2d6 }
          - roll: { dice: 2x6 }
`,
    );
    const result = await runCli(['validate', 'bots.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'bots.yaml:8:13: bots[0].on[0].do[0].rol: unknown key `rol` (did you mean `roll`?)',
      'bots.yaml:9:27: bots[0].on[0].do[1].roll.dice: expected dice such as "2d6": 1 to 100 dice of 1 to 1000 sides',
    ]);
  });

  it('run --dry-run on examples/dice.yaml lists the plugin and its rules; validate says valid', async () => {
    const dry = await runCli(['run', 'examples/dice.yaml', '--dry-run'], { cwd: ROOT });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  plugin ./dice-plugin.ts: trigger mention; action roll\n');
    expect(dry.stdout).toContain('    on mention matching ^(?<dice>\\d+d\\d+)$\n');
    const valid = await runCli(['validate', 'examples/dice.yaml'], { cwd: ROOT });
    expect(valid.stdout).toBe('examples/dice.yaml: valid (1 bot, 1 plugin)\n');
  });

  it('run: a plugin that clashes with a built-in fails before connecting, exit 1', async () => {
    writeFileSync(
      join(dir, 'clash.ts'),
      "import { defineAction, z } from 'relaykit';\nexport const post = defineAction({ name: 'post', schema: z.string(), run() {} });\n",
    );
    writeFileSync(
      join(dir, 'bots.yaml'),
      'plugins: [./clash.ts]\nbots:\n  - name: b\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    // No server answers on this port: the run must stop at the plugin, not at connecting.
    const result = await runCli(['run', 'bots.yaml', '--server', '127.0.0.1:9'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'bots.yaml:1:11: plugins[0]: clash.ts: its action `post` clashes with the built-in action `post`; rename it',
    );
  });
});
