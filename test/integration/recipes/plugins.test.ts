import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecipeLoadError } from '../../../src/recipes/errors.js';
import { startTestKit, type TestKit } from '../../../src/testing/index.js';

// Recipes with plugins, run on a real server (the testing kit's, on a free port) exactly as
// `relaykit run` loads them: the plugin is imported through the module loader, and its
// `import … from 'relaykit'` resolves to this relaykit (the built package).

const ROOT = resolve(import.meta.dirname, '../../..');
let kit: TestKit | undefined;
let dir: string | undefined;

afterEach(async () => {
  await kit?.close();
  kit = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('recipe plugins against a server', () => {
  it('examples/dice.yaml: the plugin’s mention trigger and roll action answer in the room', async () => {
    kit = await startTestKit();
    const run = await kit.runRecipe(join(ROOT, 'examples/dice.yaml'));
    expect(run.bots.map((b) => b.name)).toEqual(['dice']);
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const said: string[] = [];
    ann.client.on('post', (p) => {
      if (p.from === 'dice') said.push(p.text);
    });

    // 1-sided dice make the sum certain.
    let reply = ann.nextPost({ from: 'dice' });
    await ann.say('lobby', '@dice 3d1');
    expect((await reply).text).toBe('ann rolled 3d1: 1 + 1 + 1 = 3');

    // Not a mention of the bot (another name, or in the middle): no roll (see `said` below).
    await ann.say('lobby', '@dicey 3d1');
    await ann.say('lobby', 'hey @dice 3d1');
    reply = ann.nextPost({ from: 'dice' });
    await ann.say('lobby', '!d20');
    const initiative = (await reply).text;
    expect(initiative).toMatch(/^ann rolls for initiative: 1d20: (\d+) = \1$/);
    const rolled = Number(/= (\d+)$/.exec(initiative)![1]);
    expect(rolled).toBeGreaterThanOrEqual(1);
    expect(rolled).toBeLessThanOrEqual(20);

    // Dice the action refuses at run time (templated, so not checkable at load) are reported,
    // and the bot goes on answering.
    await ann.say('lobby', '@dice 0d6');
    reply = ann.nextPost({ from: 'dice' });
    await ann.say('lobby', '@dice 2d1');
    expect((await reply).text).toBe('ann rolled 2d1: 1 + 1 = 2');
    expect(said).toEqual([
      'ann rolled 3d1: 1 + 1 + 1 = 3',
      initiative,
      'ann rolled 2d1: 1 + 1 = 2',
    ]);
    expect(run.reports).toEqual([
      'dice: roll failed: "0d6": expected dice such as "2d6": 1 to 100 dice of 1 to 1000 sides',
    ]);
  });

  it('the README’s shout plugin, from a folder with no node_modules, runs as documented', async () => {
    dir = await mkdtemp(join(tmpdir(), 'relaykit-plugin-readme-'));
    await writeFile(
      join(dir, 'shout.ts'),
      `import { defineAction, z } from 'relaykit';

export const shout = defineAction({
  name: 'shout',
  schema: z.strictObject({ text: z.string() }),
  triggers: ['post'],
  compile: (spec, ctx) => ctx.template(spec.text),
  run: (text, { event, render }) => event.client.say(event.room!, render(text).toUpperCase()),
});
`,
    );
    await writeFile(
      join(dir, 'loud.yaml'),
      `plugins: [./shout.ts]
bots:
  - name: loud
    rooms: [lobby]
    on:
      - post: { match: "^!shout (?<what>.+)$" }
        do:
          - shout: { text: "{from}: {match.what}" }
`,
    );
    kit = await startTestKit();
    await kit.runRecipe(join(dir, 'loud.yaml'));
    const ann = await kit.user('ann', { rooms: ['lobby'] });
    const reply = ann.nextPost({ from: 'loud' });
    await ann.say('lobby', '!shout hello there');
    expect((await reply).text).toBe('ANN: HELLO THERE');
  });

  it('a recipe whose plugin is broken is refused before anything connects', async () => {
    dir = await mkdtemp(join(tmpdir(), 'relaykit-plugin-broken-'));
    await writeFile(join(dir, 'broken.ts'), "throw new Error('DICE_TOKEN is not set');\n");
    await writeFile(
      join(dir, 'bots.yaml'),
      'plugins: [./broken.ts]\nbots:\n  - name: b\n    rooms: [lobby]\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    kit = await startTestKit();
    const failed = await kit.runRecipe(join(dir, 'bots.yaml')).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(RecipeLoadError);
    expect((failed as RecipeLoadError).errors.map((e) => e.detail)).toEqual([
      expect.stringMatching(/broken\.ts: failed to load: DICE_TOKEN is not set$/),
    ]);
    expect(String((failed as RecipeLoadError).errors[0])).toMatch(/bots\.yaml:1:11: plugins\[0\]:/);
    const watcher = await kit.user('watcher');
    expect(await watcher.client.isOnline('b')).toBe(false);
  });
});
