import { describe, expect, it } from 'vitest';
import { botWith, expectErrors, expectValid } from './helpers.js';

describe('recipe triggers', () => {
  it('post: room, from and match filters with named groups', () => {
    const plan = expectValid(
      botWith(`
- post: { room: lobby, from: [ann, bo], match: "^!roll (?<n>\\\\d+)" }
  do: [{ reply: "{from} rolled {match.n}" }]`),
    );
    const trigger = plan.bots[0]!.rules[0]!.trigger;
    expect(trigger).toMatchObject({ kind: 'post', rooms: ['lobby'], from: ['ann', 'bo'] });
    expect(trigger.pattern?.groups).toEqual(['n']);
    expect(trigger.pattern?.regex.exec('!roll 42')?.groups?.n).toBe('42');
  });

  it('post with no filters may be written bare', () => {
    const plan = expectValid(botWith(`- post:\n  do: [{ log: "{room} {from} {text}" }]`));
    expect(plan.bots[0]!.rules[0]!.trigger.kind).toBe('post');
  });

  it('post: a room the bot never joins is an error with a suggestion', () => {
    const [err] = expectErrors(botWith(`- post: { room: lobyb }\n  do: [{ log: x }]`));
    expect(err).toBe(
      'test.yaml:5:23: bots[0].on[0].post.room: the bot never joins `lobyb`; add it to `rooms` (did you mean `lobby`?)',
    );
  });

  it('post: a typo in a filter key suggests the valid key', () => {
    const [err] = expectErrors(botWith(`- post: { rom: lobby }\n  do: [{ log: x }]`));
    expect(err).toBe(
      'test.yaml:5:17: bots[0].on[0].post.rom: unknown key `rom` (did you mean `room`?)',
    );
  });

  it('post: an invalid regex is reported at `match`', () => {
    const [err] = expectErrors(botWith(`- post: { match: "(" }\n  do: [{ log: x }]`));
    expect(err).toMatch(
      /^test\.yaml:5:24: bots\[0\]\.on\[0\]\.post\.match: invalid regular expression: \/\(\/: Unterminated group$/,
    );
  });

  it('post: /re/flags literals; g and y are ignored, as the SDK filters ignore them', () => {
    const plan = expectValid(botWith(`- post: { match: "/^hi/i" }\n  do: [{ log: x }]`));
    expect(plan.bots[0]!.rules[0]!.trigger.pattern?.regex.test('HI there')).toBe(true);
    const global = expectValid(botWith(`- post: { match: "/hi/gy" }\n  do: [{ log: x }]`));
    const regex = global.bots[0]!.rules[0]!.trigger.pattern!.regex;
    expect(regex.flags).toBe('');
    // Stateless: the same text matches every time (a /g regex would alternate).
    expect([regex.test('hi'), regex.test('hi'), regex.test('hi')]).toEqual([true, true, true]);
  });

  it('direct: from and match', () => {
    const plan = expectValid(
      botWith(`- direct: { from: ann, match: "^ping$" }\n  do: [{ reply: pong }]`),
    );
    expect(plan.bots[0]!.rules[0]!.trigger).toMatchObject({ kind: 'direct', from: ['ann'] });
    const [err] = expectErrors(botWith(`- direct: { room: lobby }\n  do: [{ reply: pong }]`));
    expect(err).toBe(
      'test.yaml:5:19: bots[0].on[0].direct.room: unknown key `room`; valid keys: `from`, `match`',
    );
  });

  it('offer: filters on sender and file name', () => {
    const plan = expectValid(
      botWith(`- offer: { from: ann, match: "\\\\.csv$" }\n  do: [{ accept: { dir: ./in } }]`),
    );
    expect(plan.bots[0]!.rules[0]!.trigger.pattern?.regex.test('a.csv')).toBe(true);
    expectErrors(botWith(`- offer: { size: 3 }\n  do: [{ reject: }]`));
  });

  it('join and leave: room and from filters', () => {
    const plan = expectValid(
      botWith(`
- join: { room: lobby }
  do: [{ reply: "welcome {from}" }]
- leave: { from: ann }
  do: [{ post: { room: ops, text: "{from} left {room}" } }]`),
    );
    expect(plan.bots[0]!.rules.map((r) => r.trigger.kind)).toEqual(['join', 'leave']);
    const [err] = expectErrors(botWith(`- join: { match: x }\n  do: [{ log: x }]`));
    expect(err).toContain('bots[0].on[0].join.match: unknown key `match`');
  });

  it('join needs the bot to be in rooms', () => {
    const [err] = expectErrors(
      'bots:\n  - name: bot\n    on:\n      - join:\n        do: [{ log: "{from}" }]\n',
    );
    expect(err).toBe(
      'test.yaml:4:9: bots[0].on[0].join: a `join` trigger needs the bot to join rooms; add `rooms` to the bot',
    );
  });

  it('every: durations, too short and malformed intervals', () => {
    const plan = expectValid(
      botWith(`- every: 1m30s\n  do: [{ post: { room: ops, text: "tick {count}" } }]`),
    );
    expect(plan.bots[0]!.rules[0]!.trigger.plan).toEqual({ intervalMs: 90_000 });
    const [short] = expectErrors(botWith(`- every: 10ms\n  do: [{ log: x }]`));
    expect(short).toBe('test.yaml:5:16: bots[0].on[0].every: the interval must be at least 100ms');
    const [bad] = expectErrors(botWith(`- every: soon\n  do: [{ log: x }]`));
    expect(bad).toBe(
      'test.yaml:5:16: bots[0].on[0].every: expected a duration such as "30s", "5m" or "1h30m"',
    );
  });

  it('start: bare or {}; it takes no filters', () => {
    expectValid(botWith(`- start:\n  do: [{ post: { room: ops, text: "{bot} is up" } }]`));
    expectValid(botWith(`- start: {}\n  do: [{ broadcast: hello }]`));
    const [err] = expectErrors(botWith(`- start: { room: ops }\n  do: [{ log: x }]`));
    expect(err).toContain('bots[0].on[0].start.room: unknown key `room`');
  });

  it('stdin: lines of input, optionally matched', () => {
    const plan = expectValid(
      botWith(
        `- stdin: { match: "^(?<level>\\\\w+): " }\n  do: [{ post: { room: ops, text: "[{match.level}] {text}" } }]`,
      ),
    );
    expect(plan.bots[0]!.rules[0]!.trigger.kind).toBe('stdin');
  });

  it('a rule needs exactly one trigger', () => {
    const [none] = expectErrors(botWith(`- do: [{ log: x }]`));
    expect(none).toBe(
      'test.yaml:5:9: bots[0].on[0]: needs one trigger: `post`, `direct`, `offer`, `join`, `leave`, `every`, `start`, `stdin`',
    );
    const [two] = expectErrors(botWith(`- post:\n  every: 5s\n  do: [{ log: x }]`));
    expect(two).toContain(
      'bots[0].on[0]: has 2 triggers (`post`, `every`); give each its own item',
    );
  });

  it('an unknown trigger is an unknown key with a suggestion, not a second error', () => {
    const errors = expectErrors(botWith(`- evrey: 5s\n  do: [{ log: x }]`));
    expect(errors).toEqual([
      'test.yaml:5:9: bots[0].on[0].evrey: unknown key `evrey` (did you mean `every`?)',
    ]);
  });
});
