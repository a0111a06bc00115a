import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction, defineTrigger } from '../../../src/recipes/define.js';
import { RecipeDefinitionError } from '../../../src/recipes/errors.js';
import { displayPath } from '../../../src/modules/import.js';
import { loadRecipeFile, parseRecipe } from '../../../src/recipes/load.js';

// Recipe plugins: modules listed under `plugins:` whose defineAction/defineTrigger exports
// join the built-in kinds. The plugins are written to a scratch folder and import the
// definitions by file URL, so these tests need no build; examples/dice.yaml (through
// 'relaykit') is run against a server in test/integration/recipes/plugins.test.ts.

const ROOT = resolve(import.meta.dirname, '../../..');
// The fixtures are .mts: tsx runs a .ts file outside a "type": "module" package as CommonJS,
// and a CommonJS require of define.ts (TypeScript, as ESM) is not compiled.
const DEFINE = join(ROOT, 'src/recipes/define.ts');
const ZOD = join(ROOT, 'node_modules/zod/index.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaykit-plugins-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
/** Writes a file in the scratch folder under a fresh name; returns its name. */
async function write(name: string, text: string): Promise<string> {
  const unique = `${files++}-${name}`;
  await writeFile(join(dir, unique), text);
  return unique;
}

const HEADER = `import { defineAction, defineTrigger } from ${JSON.stringify(DEFINE)};
import { z } from ${JSON.stringify(ZOD)};
`;

/** A plugin with a `shout` action (object spec, compile check) and a `keyword` trigger. */
const SHOUT = `${HEADER}
export const shout = defineAction({
  name: 'shout',
  schema: z.strictObject({ text: z.string(), times: z.number().int().optional() }),
  triggers: ['post', 'keyword'],
  compile: (spec, ctx) => {
    if (spec.times !== undefined && spec.times > 3) {
      ctx.problem('RECIPE_TOO_LOUD', 'shout at most 3 times', [...ctx.path, 'times']);
    }
    return { text: ctx.template(spec.text, [...ctx.path, 'text']), times: spec.times ?? 1 };
  },
  run: () => {},
});
export const keyword = defineTrigger({
  name: 'keyword',
  schema: z.string(),
  fields: ['room', 'from', 'word'],
  inRoom: true,
  compile: (word) => ({ plan: word, summary: 'keyword ' + word }),
  subscribe: () => () => {},
});
`;

/** Writes a recipe beside the plugins; returns its path relative to the working directory. */
async function recipe(text: string): Promise<string> {
  return relative(process.cwd(), join(dir, await write('bots.yaml', text)));
}

async function errorsOf(file: string): Promise<string[]> {
  const result = await loadRecipeFile(file);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map((e) => e.message.slice(file.length + 1));
}

describe('plugins: a valid plugin', () => {
  it('adds its action and trigger; the plan and the loaded plugins list them', async () => {
    const plugin = await write('shout.mts', SHOUT);
    const file = await recipe(`plugins: [./${plugin}]
bots:
  - name: loud
    rooms: [lobby]
    on:
      - keyword: hello
        do:
          - shout: { text: "{from} said {word}", times: 2 }
      - post: { match: "^!x$" }
        do: [{ shout: { text: hi } }, { log: "{text}" }]
`);
    const result = await loadRecipeFile(file);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.plugins.map((p) => [p.entry, p.actions.length, p.triggers.length])).toEqual([
      [`./${plugin}`, 1, 1],
    ]);
    const [first, second] = result.plan.bots[0]!.rules;
    expect(first!.trigger.summary).toBe('keyword hello');
    expect(first!.actions.map((a) => a.kind)).toEqual(['shout']);
    expect(second!.actions.map((a) => a.kind)).toEqual(['shout', 'log']);
  });

  it('is loaded from the recipe’s folder, whatever the working directory', async () => {
    const plugin = await write('shout.mts', SHOUT);
    const file = join(
      dir,
      await write(
        'bots.yaml',
        `plugins: [./${plugin}]\nbots:\n  - name: a\n    rooms: [l]\n    on: [{ keyword: x, do: [{ shout: { text: hi } }] }]\n`,
      ),
    );
    expect((await loadRecipeFile(file)).ok).toBe(true);
  });
});

describe('plugins: their keys are validated at line:col like built-in ones', () => {
  let plugin: string;
  beforeAll(async () => {
    plugin = await write('shout.mts', SHOUT);
  });

  it('typos of a plugin trigger, action or nested key are suggested', async () => {
    const file = await recipe(`plugins: [./${plugin}]
bots:
  - name: loud
    rooms: [lobby]
    on:
      - keywrod: hello
        do: [{ log: x }]
      - post: {}
        do:
          - shuot: { text: hi }
          - shout: { txet: hi }
`);
    expect(await errorsOf(file)).toEqual([
      '6:9: bots[0].on[0].keywrod: unknown key `keywrod` (did you mean `keyword`?)',
      '10:13: bots[0].on[1].do[0].shuot: unknown key `shuot` (did you mean `shout`?)',
      '11:22: bots[0].on[1].do[1].shout.txet: unknown key `txet` (did you mean `text`?)',
    ]);
  });

  it('a wrong type, a compile problem, a template field and an unfit trigger', async () => {
    const file = await recipe(`plugins: [./${plugin}]
bots:
  - name: loud
    rooms: [lobby]
    on:
      - keyword: 42
        do: [{ log: x }]
      - keyword: hi
        do:
          - shout: { text: "{wrod}", times: 9 }
      - every: 1m
        do:
          - shout: { text: hi }
`);
    expect(await errorsOf(file)).toEqual([
      '6:18: bots[0].on[0].keyword: Invalid input: expected string, received number',
      '10:28: bots[0].on[1].do[0].shout.text: `{wrod}`: a `keyword` event has no field `wrod`; it has `room`, `from`, `word`, `bot`, `time` (did you mean `word`?)',
      '10:45: bots[0].on[1].do[0].shout.times: shout at most 3 times',
      '13:20: bots[0].on[2].do[0].shout: `shout` cannot answer an `every` trigger; it works with `post`, `keyword`',
    ]);
  });

  it('without the plugin, its keys are unknown (parseRecipe loads no plugins)', () => {
    const result = parseRecipe(
      `plugins: [./${plugin}]\nbots:\n  - name: a\n    on: [{ start: , do: [{ shout: { text: hi } }] }]\n`,
      join(dir, 'x.yaml'),
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^unknown key `shout`; valid keys: `reply`/),
    ]);
  });
});

describe('plugins that cannot be used are errors at their entry, naming the file and cause', () => {
  const body = 'bots:\n  - name: a\n    on: [{ start: , do: [{ log: x }] }]\n';

  it('a missing file, a throw at load, a syntax error (with line:col) and a non-module', async () => {
    const broken = await write('broken.ts', "throw new Error('DICE_TOKEN is not set');\n");
    const syntax = await write('syntax.ts', 'export const a = 1;\nexport const b = ;\n');
    const file = await recipe(
      `plugins:\n  - ./nope.ts\n  - ./${broken}\n  - ./${syntax}\n  - ./notes.txt\n${body}`,
    );
    const shown = (name: string) => displayPath(join(dir, name));
    expect(await errorsOf(file)).toEqual([
      `2:5: plugins[0]: ${shown('nope.ts')}: no such file`,
      `3:5: plugins[1]: ${shown(broken)}: failed to load: DICE_TOKEN is not set`,
      `4:5: plugins[2]: ${shown(syntax)}:2:18: syntax error: Unexpected ";". Fix the module and run again.`,
      '5:5: plugins[3]: `./notes.txt`: a plugin is a .ts, .js or .mjs module exporting defineAction/defineTrigger',
    ]);
  });

  it('a missing import inside a plugin is a load failure, not a missing plugin', async () => {
    const needy = await write('needy.mts', "export { roll } from './no-such-helper.mjs';\n");
    const file = await recipe(`plugins: [./${needy}]\n${body}`);
    const [error] = await errorsOf(file);
    expect(error).toMatch(
      /^1:11: plugins\[0\]: .*needy\.mts: failed to load: Cannot find module .*no-such-helper\.mjs/,
    );
  });

  it('a module exporting no definition, or look-alikes not made by defineAction', async () => {
    const none = await write('none.ts', 'export const answer = 42;\n');
    const fake = await write('fake.ts', "export const roll = { name: 'roll', run() {} };\n");
    const file = await recipe(`plugins: [./${none}, ./${fake}]\n${body}`);
    const [a, b] = await errorsOf(file);
    expect(a).toMatch(
      /^1:11: plugins\[0\]: .*none\.ts: not a plugin: it exports no action or trigger\. Write `export const roll = defineAction/,
    );
    expect(b).toMatch(
      /plugins\[1\]: .*fake\.ts: not a plugin: `roll` looks like a definition but was not made by defineAction or defineTrigger/,
    );
  });

  it('names that clash with a built-in action or trigger, a rule key, or another plugin', async () => {
    const clash = await write(
      'clash.mts',
      `${HEADER}
export const post = defineAction({ name: 'post', schema: z.string(), run() {} });
export const every = defineTrigger({ name: 'every', schema: z.string(), fields: [], subscribe: () => () => {} });
export const doTrigger = defineTrigger({ name: 'do', schema: z.null(), fields: [], subscribe: () => () => {} });
`,
    );
    const one = await write('shout.mts', SHOUT);
    const two = await write('shout-again.mts', SHOUT);
    const file = await recipe(`plugins: [./${clash}, ./${one}, ./${two}]\n${body}`);
    const errors = await errorsOf(file);
    expect(errors).toEqual([
      expect.stringMatching(
        /^1:11: plugins\[0\]: .*clash\.mts: its action `post` clashes with the built-in action `post`; rename it$/,
      ),
      expect.stringMatching(
        /^1:11: plugins\[0\]: .*clash\.mts: its trigger `do` clashes with the rule key `do`; rename it$/,
      ),
      expect.stringMatching(
        /^1:11: plugins\[0\]: .*clash\.mts: its trigger `every` clashes with the built-in trigger `every`; rename it$/,
      ),
      expect.stringMatching(
        /plugins\[2\]: .*shout-again\.mts: its action `shout` clashes with the action `shout` of .*shout\.mts; rename it$/,
      ),
      expect.stringMatching(
        /plugins\[2\]: .*shout-again\.mts: its trigger `keyword` clashes with the trigger `keyword` of .*shout\.mts; rename it$/,
      ),
    ]);
  });

  it('a plugin whose definition is malformed fails to load with the reason', async () => {
    const bad = await write(
      'bad.mts',
      `${HEADER}\nexport const a = defineAction({ name: 'a', schema: { parse() {} }, run() {} } as never);\n`,
    );
    const file = await recipe(`plugins: [./${bad}]\n${body}`);
    const [error] = await errorsOf(file);
    expect(error).toMatch(
      /plugins\[0\]: .*bad\.mts(:\d+)?: failed to load: action a: `schema` must be a zod 4 schema/,
    );
  });
});

describe('defineAction and defineTrigger', () => {
  it('refuse a schema that is not zod 4, fields that are not a list, a bad name', () => {
    expect(() =>
      defineAction({ name: 'a', schema: { safeParse() {} } as never, run() {} }),
    ).toThrow(RecipeDefinitionError);
    expect(() =>
      defineTrigger({
        name: 't',
        schema: z.null(),
        fields: 'room' as never,
        subscribe: () => () => {},
      }),
    ).toThrow(/`fields` must list the fields/);
    expect(() => defineAction({ name: 'Shout', schema: z.string(), run() {} })).toThrow(
      /use lower case letters/,
    );
  });
});
