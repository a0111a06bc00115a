import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecipeError, RecipeLoadError } from '../../../src/recipes/errors.js';
import { loadRecipeFile, loadRecipes, parseRecipe } from '../../../src/recipes/load.js';
import { expectErrors, expectValid } from './helpers.js';

describe('parseRecipe', () => {
  it('reports YAML syntax errors with file:line:col', () => {
    const errors = expectErrors('bots:\n  - name: a\n    rooms: [lobby\n');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^test\.yaml:\d+:\d+: YAML syntax error: /);
    const [tab] = expectErrors('bots:\n  - name: "unclosed\n');
    expect(tab).toMatch(/^test\.yaml:\d+:\d+: YAML syntax error: Missing closing "quote/);
  });

  it('reports duplicate keys as YAML errors at the second key', () => {
    const [err] = expectErrors('bots: []\nbots: []\n');
    expect(err).toMatch(/^test\.yaml:2:1: YAML syntax error: Map keys must be unique/);
  });

  it('an empty file needs bots', () => {
    expect(expectErrors('')).toEqual(['test.yaml:1:1: the recipe is empty; it needs `bots:`']);
    expect(expectErrors('# just a comment\n')).toEqual([
      'test.yaml:1:1: the recipe is empty; it needs `bots:`',
    ]);
  });

  it('top-level and bot-level typos, missing keys and wrong types', () => {
    const errors = expectErrors(
      'versoin: 1\nbots:\n  - nme: echo\n    rooms: lobby\n    on:\n      - start:\n        do: [{ log: up }]\n',
    );
    expect(errors).toEqual([
      'test.yaml:1:1: versoin: unknown key `versoin` (did you mean `version`?)',
      'test.yaml:3:5: bots[0].nme: unknown key `nme` (did you mean `name`?)',
      'test.yaml:4:12: bots[0].rooms: expected a list of room names',
    ]);
    const [missing] = expectErrors(
      'bots:\n  - rooms: [a]\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(missing).toBe('test.yaml:2:5: bots[0].name: missing required key `name`');
  });

  it('an unknown key far from any valid one lists the valid keys instead', () => {
    const [err] = expectErrors(
      'bots:\n  - name: a\n    zzzzzz: 1\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(err).toBe(
      'test.yaml:3:5: bots[0].zzzzzz: unknown key `zzzzzz`; valid keys: `name`, `server`, `tls`, `rooms`, `farewell`, `file_server`, `on`',
    );
  });

  it('checks bot and room names against the protocol', () => {
    const errors = expectErrors(
      'bots:\n  - name: "two words"\n    rooms: ["", ok]\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(errors).toEqual([
      'test.yaml:2:11: bots[0].name: `two words` is not a valid bot name: 1 to 32 characters, no spaces or control characters',
      'test.yaml:3:13: bots[0].rooms[0]: `` is not a valid room name: 1 to 32 characters, no spaces or control characters',
    ]);
  });

  it('a farewell must be a valid, non-empty message', () => {
    const [empty] = expectErrors(
      'bots:\n  - name: a\n    farewell: ""\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(empty).toBe('test.yaml:3:15: bots[0].farewell: not a valid farewell: it is empty');
    const [control] = expectErrors(
      'bots:\n  - name: a\n    farewell: "bye\\u0001"\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(control).toMatch(
      /^test\.yaml:3:15: bots\[0\]\.farewell: not a valid farewell: .*U\+0001/,
    );
  });

  it('servers: tls://host:port, with tls files that must exist', () => {
    const plan = expectValid(
      'server: tls://chat.example.org:17734\nbots:\n  - name: a\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(plan.bots[0]!.server).toEqual({
      kind: 'remote',
      host: 'chat.example.org',
      port: 17734,
      tls: true,
      servers: [{ host: 'chat.example.org', port: 17734, tls: true }],
      text: 'tls://chat.example.org:17734',
    });
    const [half, missing] = expectErrors(
      'server: tls://chat:1\ntls: { cert: nope.pem }\nbots:\n  - name: a\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(missing).toMatch(
      /^test\.yaml:2:14: tls\.cert: `nope\.pem`: no readable file at .*nope\.pem/,
    );
    expect(half).toBe(
      'test.yaml:2:6: tls: a client certificate needs both `cert` and `key`; `key` is missing',
    );
  });

  it('servers: bundled, bundled:N, host:port; duplicate bot names per server', () => {
    const plan = expectValid(
      'server: bundled:2\nbots:\n  - name: a\n    on: [{ start: , do: [{ log: x }] }]\n  - name: a\n    server: "[::1]:4000"\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(plan.bots.map((b) => b.server)).toEqual([
      { kind: 'bundled', index: 2, text: 'bundled:2' },
      {
        kind: 'remote',
        host: '::1',
        port: 4000,
        tls: false,
        servers: [{ host: '::1', port: 4000 }],
        text: '[::1]:4000',
      },
    ]);
    const [dup] = expectErrors(
      'bots:\n  - name: a\n    on: [{ start: , do: [{ log: x }] }]\n  - name: a\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    expect(dup).toBe(
      'test.yaml:4:11: bots[1].name: bots[0] already uses the name `a` on this server',
    );
  });

  it('servers: a list (YAML or a:1,b:2) names nodes to fail over between', () => {
    const rule = 'on: [{ start: , do: [{ log: x }] }]';
    const plan = expectValid(
      `server: [a.example:1, "b.example:2"]\nbots:\n  - name: a\n    ${rule}\n  - name: b\n    server: c:3, d:4\n    ${rule}\n`,
    );
    expect(plan.bots.map((b) => b.server)).toEqual([
      {
        kind: 'remote',
        host: 'a.example',
        port: 1,
        tls: false,
        servers: [
          { host: 'a.example', port: 1 },
          { host: 'b.example', port: 2 },
        ],
        text: 'a.example:1,b.example:2',
      },
      expect.objectContaining({ text: 'c:3,d:4', servers: [expect.anything(), expect.anything()] }),
    ]);
    const bot = `bots:\n  - name: a\n    ${rule}\n`;
    expect(expectErrors(`server: [a:1, b]\n${bot}`)).toEqual([
      'test.yaml:1:15: server[1]: `b`: expected host:port, tls://host:port, bundled or bundled:N (the port is missing)',
    ]);
    expect(expectErrors(`server: [a:1, bundled]\n${bot}`)).toEqual([
      'test.yaml:1:15: server[1]: `bundled`: an in-process server cannot be part of a list: a list names the nodes of one running relay',
    ]);
    expect(expectErrors(`server: [tls://a:1, b:2]\n${bot}`)).toEqual([
      'test.yaml:1:9: server: `tls://a:1, b:2`: the entries mix tls:// and plaintext, but the servers of one list share one transport: write tls:// before every entry or before none',
    ]);
    expect(expectErrors(`server: a:1,b\n${bot}`)).toEqual([
      'test.yaml:1:9: server: `a:1,b`: entry 2 "b": expected host:port, tls://host:port, bundled or bundled:N (the port is missing)',
    ]);
    expect(expectErrors(`server: []\n${bot}`)).toEqual([
      'test.yaml:1:9: server: needs at least one server',
    ]);
    expect(expectErrors(`server: [a:1, 2]\n${bot}`)).toEqual([
      'test.yaml:1:15: server[1]: expected a server address, "host:port"',
    ]);
  });

  it('conditions: fields are checked against the trigger, operators against the set', () => {
    const plan = expectValid(
      'bots:\n  - name: a\n    rooms: [r]\n    on:\n      - post: { match: "^!n (?<n>\\\\d+)" }\n        if: { from: { not: bob }, "match.n": { gt: 3, lt: 10 }, text: { contains: "!" } }\n        do: [{ reply: ok }]\n',
    );
    const cond = plan.bots[0]!.rules[0]!.condition!;
    expect(cond({ from: 'ann', 'match.n': '5', text: '!n 5' })).toBe(true);
    expect(cond({ from: 'bob', 'match.n': '5', text: '!n 5' })).toBe(false);
    expect(cond({ from: 'ann', 'match.n': '12', text: '!n 12' })).toBe(false);
    const errors = expectErrors(
      'bots:\n  - name: a\n    rooms: [r]\n    on:\n      - post:\n        if: { sender: x, text: { contians: y }, room: {} }\n        do: [{ reply: ok }]\n',
    );
    // One pass: the schema's typo and the semantic problems together.
    expect(errors).toEqual([
      'test.yaml:6:15: bots[0].on[0].if.sender: a `post` event has no field `sender`; it has `room`, `from`, `text`, `bot`, `time`',
      'test.yaml:6:34: bots[0].on[0].if.text.contians: unknown key `contians` (did you mean `contains`?)',
      'test.yaml:6:55: bots[0].on[0].if.room: an empty test; write one of equals, not, in, contains, matches, gt, lt',
    ]);
    const semantic = expectErrors(
      'bots:\n  - name: a\n    rooms: [r]\n    on:\n      - post:\n        if: { sender: x, room: {}, size: { gt: 1 } }\n        do: [{ reply: ok }]\n',
    );
    expect(semantic).toEqual([
      'test.yaml:6:15: bots[0].on[0].if.sender: a `post` event has no field `sender`; it has `room`, `from`, `text`, `bot`, `time`',
      'test.yaml:6:32: bots[0].on[0].if.room: an empty test; write one of equals, not, in, contains, matches, gt, lt',
      'test.yaml:6:36: bots[0].on[0].if.size: a `post` event has no field `size`; it has `room`, `from`, `text`, `bot`, `time`',
    ]);
  });
});

describe('every problem in one pass', () => {
  it('a type error, a bad regex and a template typo are reported together', () => {
    const errors = expectErrors(
      [
        'bots:',
        '  - name: a',
        '    rooms: [r]',
        '    on:',
        '      - post: { match: "(" }',
        '        do: [{ reply: ok }]',
        '      - post:',
        '        if: { "text": { gt: "ten" } }',
        '        do: [{ reply: "{form}" }, { log: 5 }]',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^test\.yaml:5:24: bots\[0\]\.on\[0\]\.post\.match: invalid regular expression/,
      ),
      'test.yaml:8:29: bots[0].on[1].if.text.gt: expected a number, e.g. gt: 10',
      'test.yaml:9:23: bots[0].on[1].do[0].reply: `{form}`: a `post` event has no field `form`; it has `room`, `from`, `text`, `bot`, `time` (did you mean `from`?)',
      'test.yaml:9:42: bots[0].on[1].do[1].log: expected text',
    ]);
  });

  it('`gt: "ten"` says a number is expected', () => {
    const [err] = expectErrors(
      'bots:\n  - name: a\n    rooms: [r]\n    on:\n      - offer:\n        if: { size: { lt: ten } }\n        do: [{ reply: ok }]\n',
    );
    expect(err).toContain('if.size.lt: expected a number, e.g. gt: 10');
  });
});

describe('loadRecipeFile / loadRecipes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relaykit-recipes-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the file in every error, and reports missing files', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'bots:\n  - name: a\n    romos: [x]\n    on: [{ start: , do: [{ log: x }] }]\n',
    );
    const result = await loadRecipeFile(bad);
    expect(result.ok ? [] : result.errors.map(String)).toEqual([
      `${bad}:3:5: bots[0].romos: unknown key \`romos\` (did you mean \`rooms\`?)`,
    ]);
    const missing = await loadRecipeFile(join(dir, 'nope.yaml'));
    expect(missing.ok ? [] : missing.errors.map(String)).toEqual([
      `${join(dir, 'nope.yaml')}:1:1: cannot read the recipe: no such file`,
    ]);
  });

  it('loadRecipes throws one RecipeLoadError with the problems of every file', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    await writeFile(a, 'bots: 3\n');
    await writeFile(b, 'bots:\n  - name: ok\n    on: [{ start: , do: [{ log: x }] }]\n');
    const err = await loadRecipes([a, b, join(dir, 'c.yaml')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecipeLoadError);
    const errors = (err as RecipeLoadError).errors;
    expect(errors.map((e) => [e.file, e.line, e.column, e.code])).toEqual([
      [a, 1, 7, 'RECIPE_SCHEMA'],
      [join(dir, 'c.yaml'), 1, 1, 'RECIPE_UNREADABLE'],
    ]);
    expect(errors[0]).toBeInstanceOf(RecipeError);
    const loaded = await loadRecipes([b]);
    expect(loaded[0]!.plan.bots[0]!.name).toBe('ok');
  });
});

it('parseRecipe never throws on arbitrary text', () => {
  for (const text of ['[', '{a: }', '- - -', 'bots: [[[]]]', '\t\tbots:', 'bots: !!binary xyz']) {
    expect(() => parseRecipe(text, 'x.yaml')).not.toThrow();
  }
});
