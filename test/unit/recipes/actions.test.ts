import { describe, expect, it } from 'vitest';
import { renderTemplate, type TemplatePart } from '../../../src/recipes/template.js';
import { botWith, expectErrors, expectValid } from './helpers.js';

const firstAction = (source: string) => expectValid(source).bots[0]!.rules[0]!.actions[0]!;

describe('recipe actions', () => {
  it('reply: a template of the event fields', () => {
    const action = firstAction(
      botWith(
        `- post: { match: "^hi (?<who>\\\\w+)" }\n  do: [{ reply: "hello {match.who}, {from}" }]`,
      ),
    );
    expect(action.kind).toBe('reply');
    const template = action.plan as TemplatePart[];
    expect(renderTemplate(template, { from: 'ann', 'match.who': 'bo' })).toBe('hello bo, ann');
  });

  it('reply: refused for triggers without a sender or room', () => {
    const [err] = expectErrors(botWith(`- every: 5s\n  do: [{ reply: hi }]`));
    expect(err).toBe(
      'test.yaml:6:23: bots[0].on[0].do[0].reply: `reply` cannot answer an `every` trigger; it works with `post`, `direct`, `offer`, `join`, `leave`',
    );
  });

  it('reply: an unknown placeholder suggests the closest field', () => {
    const [err] = expectErrors(botWith(`- post:\n  do: [{ reply: "{form} said it" }]`));
    expect(err).toBe(
      'test.yaml:6:23: bots[0].on[0].do[0].reply: `{form}`: a `post` event has no field `form`; it has `room`, `from`, `text`, `bot`, `time` (did you mean `from`?)',
    );
  });

  it('reply: a group the regex does not have, and a bad brace', () => {
    const errors = expectErrors(
      botWith(
        `- post: { match: "(?<n>\\\\d+)" }\n  do: [{ reply: "{match.m}" }, { reply: "{oops" }]`,
      ),
    );
    expect(errors[0]).toContain(
      "`{match.m}`: the trigger's regex has no group `m` (did you mean `match.n`?)",
    );
    expect(errors[1]).toContain('unclosed `{`; write `{{` for a literal brace');
  });

  it('post: to named rooms, or to the event room; a room is required off-room triggers', () => {
    const action = firstAction(
      botWith(`- post: { room: lobby }\n  do: [{ post: { room: [ops, lobby], text: "{text}" } }]`),
    );
    expect(action).toMatchObject({ kind: 'post' });
    expectValid(botWith(`- join:\n  do: [{ post: { text: "hi {from}" } }]`));
    const [err] = expectErrors(botWith(`- stdin:\n  do: [{ post: { text: "{text}" } }]`));
    expect(err).toBe(
      'test.yaml:6:22: bots[0].on[0].do[0].post: missing required key `room`: a `stdin` event has no room',
    );
    const [missing] = expectErrors(botWith(`- start:\n  do: [{ post: { room: ops } }]`));
    expect(missing).toBe(
      'test.yaml:6:22: bots[0].on[0].do[0].post.text: missing required key `text`',
    );
  });

  it('direct: to and text are templates', () => {
    const action = firstAction(
      botWith(`- join:\n  do: [{ direct: { to: "{from}", text: "welcome to {room}" } }]`),
    );
    expect(action.kind).toBe('direct');
    const errors = expectErrors(botWith(`- join:\n  do: [{ direct: { too: "{from}", text: x } }]`));
    expect(errors).toEqual([
      'test.yaml:6:26: bots[0].on[0].do[0].direct.too: unknown key `too` (did you mean `to`?)',
    ]);
  });

  it('broadcast and log: templates, on any trigger', () => {
    const plan = expectValid(
      botWith(`- every: 1h\n  do: [{ broadcast: "tick {count}" }, { log: "{time} {bot}" }]`),
    );
    expect(plan.bots[0]!.rules[0]!.actions.map((a) => a.kind)).toEqual(['broadcast', 'log']);
  });

  it('broadcast and log take text, not objects', () => {
    const [broadcast] = expectErrors(botWith(`- start:\n  do: [{ broadcast: { text: hi } }]`));
    expect(broadcast).toBe('test.yaml:6:27: bots[0].on[0].do[0].broadcast: expected text');
    const [log] = expectErrors(botWith(`- start:\n  do: [{ log: [a, b] }]`));
    expect(log).toBe('test.yaml:6:21: bots[0].on[0].do[0].log: expected text');
  });

  it('archive: to a directory, for posts, joins and leaves only', () => {
    const action = firstAction(botWith(`- post:\n  do: [{ archive: { dir: ./logs } }]`));
    expect(action).toMatchObject({ kind: 'archive', plan: { dir: './logs' } });
    const [err] = expectErrors(botWith(`- direct:\n  do: [{ archive: { dir: ./logs } }]`));
    expect(err).toContain('`archive` cannot answer a `direct` trigger');
  });

  it('accept: dir, size with units, name template and conflict policy', () => {
    const action = firstAction(
      botWith(
        `- offer:\n  do: [{ accept: { dir: ./in, maxSize: 10MB, name: "{from}-{fileName}", conflict: overwrite } }]`,
      ),
    );
    expect(action).toMatchObject({
      kind: 'accept',
      plan: { dir: './in', maxSize: 10_000_000, conflict: 'overwrite' },
    });
    const [policy] = expectErrors(
      botWith(`- offer:\n  do: [{ accept: { dir: ./in, conflict: owerwrite } }]`),
    );
    expect(policy).toBe(
      'test.yaml:6:47: bots[0].on[0].do[0].accept.conflict: expected rename, overwrite or fail (did you mean `overwrite`?)',
    );
    const [size] = expectErrors(
      botWith(`- offer:\n  do: [{ accept: { dir: ./in, maxSize: lots } }]`),
    );
    expect(size).toContain('accept.maxSize: expected a size: bytes, or a number with a unit');
    const [trigger] = expectErrors(botWith(`- post:\n  do: [{ accept: { dir: ./in } }]`));
    expect(trigger).toContain('`accept` cannot answer a `post` trigger; it works with `offer`');
  });

  it('reject: only for offers', () => {
    expectValid(botWith(`- offer: { match: "\\\\.exe$" }\n  do: [{ reject: }]`));
    const [err] = expectErrors(botWith(`- direct:\n  do: [{ reject: }]`));
    expect(err).toContain('`reject` cannot answer a `direct` trigger');
  });

  it('relay: to another room or server, with a tag', () => {
    const plan = expectValid(
      botWith(
        `- post: { room: lobby }\n  do: [{ relay: { room: ops, server: "bundled:2", tag: "{room}@a" } }]`,
      ),
    );
    expect(plan.bots[0]!.extraServers).toEqual([{ kind: 'bundled', index: 2, text: 'bundled:2' }]);
    const [target] = expectErrors(botWith(`- post:\n  do: [{ relay: {} }]`));
    expect(target).toContain('relay: a relay needs a target `room` or `server` (or both)');
    const [server] = expectErrors(botWith(`- post:\n  do: [{ relay: { server: "nowhere" } }]`));
    expect(server).toContain(
      'relay.server: `nowhere`: expected host:port, tls://host:port, bundled or bundled:N',
    );
  });

  it('an action item needs exactly one action; typos get suggestions', () => {
    const [none] = expectErrors(botWith(`- post:\n  do: [{}]`));
    expect(none).toContain('bots[0].on[0].do[0]: needs one action: `reply`, `post`');
    const [two] = expectErrors(botWith(`- post:\n  do: [{ reply: a, log: b }]`));
    expect(two).toContain('has 2 actions (`reply`, `log`)');
    const [typo] = expectErrors(botWith(`- post:\n  do: [{ replay: a }]`));
    expect(typo).toBe(
      'test.yaml:6:16: bots[0].on[0].do[0].replay: unknown key `replay` (did you mean `reply`?)',
    );
  });

  it('{env.VAR} must be set when the loader is given an environment', async () => {
    const { parseRecipe } = await import('../../../src/recipes/load.js');
    const source = botWith(
      `- start:\n  do: [{ post: { room: ops, text: "deploy {env.RK_TEST_VERSION}" } }]`,
    );
    expect(parseRecipe(source, 'test.yaml').ok).toBe(true);
    expect(parseRecipe(source, 'test.yaml', { env: { RK_TEST_VERSION: '1.2' } }).ok).toBe(true);
    const missing = parseRecipe(source, 'test.yaml', { env: {} });
    expect(missing.ok ? [] : missing.errors.map(String)).toEqual([
      'test.yaml:6:41: bots[0].on[0].do[0].post.text: `{env.RK_TEST_VERSION}`: environment variable RK_TEST_VERSION is not set; set it before running',
    ]);
  });
});
