import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../../src/recipes/conditions.js';
import { parseDuration } from '../../../src/recipes/duration.js';
import { renderRecipeJsonSchema } from '../../../src/recipes/json-schema.js';
import { compilePattern, matchVars } from '../../../src/recipes/pattern.js';
import { parseServerRef } from '../../../src/recipes/server-ref.js';
import { editDistance, suggest } from '../../../src/recipes/suggest.js';
import { parseTemplate, renderTemplate } from '../../../src/recipes/template.js';

describe('suggest', () => {
  it('counts an adjacent transposition as one edit', () => {
    expect(editDistance('romos', 'rooms')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('picks the closest candidate within a length-scaled distance, else nothing', () => {
    expect(suggest('romos', ['name', 'rooms', 'on'])).toBe('rooms');
    expect(suggest('Rooms', ['rooms'])).toBe('rooms');
    expect(suggest('frm', ['from', 'room'])).toBe('from');
    expect(suggest('zzzzzz', ['name', 'rooms'])).toBeUndefined();
  });

  it('distance is symmetric and zero only for equal strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(editDistance(b, a)).toBe(d);
        expect(d === 0).toBe(a === b);
      }),
    );
  });
});

describe('templates', () => {
  it('fills fields, env variables and literal braces', () => {
    const { parts, problems } = parseTemplate('{{x}} {from}: {text} [{env.RK_T}] {match.n}');
    expect(problems).toEqual([]);
    expect(renderTemplate(parts, { from: 'ann', text: 'hi', 'match.n': 3 }, { RK_T: 'v' })).toBe(
      '{x} ann: hi [v] 3',
    );
  });

  it('reports unclosed braces, lone closing braces and bad field names', () => {
    expect(parseTemplate('a {b').problems.map((p) => p.offset)).toEqual([2]);
    expect(parseTemplate('a } b').problems[0]?.message).toContain('lone `}`');
    expect(parseTemplate('{a b}').problems[0]?.message).toBe('`{a b}` is not a field name');
  });

  it('a field without a value renders empty', () => {
    expect(renderTemplate(parseTemplate('<{match.x}>').parts, {})).toBe('<>');
  });

  it('text without braces renders unchanged', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[{}]/.test(s)),
        (s) => {
          expect(renderTemplate(parseTemplate(s).parts, {})).toBe(s);
        },
      ),
    );
  });
});

describe('conditions', () => {
  it('each operator', () => {
    const vars = { from: 'ann', text: 'deploy v2', 'match.n': '7' };
    const check = (spec: Parameters<typeof compileCondition>[0]) => compileCondition(spec)(vars);
    expect(check({ from: 'ann' })).toBe(true);
    expect(check({ from: { equals: 'bob' } })).toBe(false);
    expect(check({ from: { not: 'bob' } })).toBe(true);
    expect(check({ from: { in: ['bob', 'ann'] } })).toBe(true);
    expect(check({ text: { contains: 'v3' } })).toBe(false);
    expect(check({ text: { matches: '/^DEPLOY/i' } })).toBe(true);
    expect(check({ 'match.n': { gt: 3, lt: 8 } })).toBe(true);
    expect(check({ 'match.n': 7 })).toBe(true);
    expect(check({ text: { gt: 1 } })).toBe(false);
    expect(check({ missing: { not: 'x' } })).toBe(true);
    expect(check({ missing: { contains: 'x' } })).toBe(false);
  });

  it('env fields read the environment given', () => {
    const cond = compileCondition({ 'env.RK_MODE': 'prod' });
    expect(cond({}, { RK_MODE: 'prod' })).toBe(true);
    expect(cond({}, {})).toBe(false);
  });
});

describe('durations, sizes, patterns, servers', () => {
  it('parses durations and sizes', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('5 s')).toBeUndefined();
  });

  it('patterns expose named and numbered groups', () => {
    const p = compilePattern('^(\\w+) (?<rest>.*)$');
    expect(p).toMatchObject({ groups: ['rest'], count: 2 });
    expect(matchVars(p.regex.exec('a b c'))).toEqual({
      'match.0': 'a b c',
      'match.1': 'a',
      'match.2': 'b c',
      'match.rest': 'b c',
    });
  });

  it('server references', () => {
    expect(parseServerRef('bundled')).toEqual({ kind: 'bundled', index: 1, text: 'bundled' });
    expect(parseServerRef('bundled:1')).toEqual({ kind: 'bundled', index: 1, text: 'bundled' });
    expect(parseServerRef('chat.example:17734')).toMatchObject({
      host: 'chat.example',
      port: 17734,
    });
    expect(parseServerRef('bundled:0')).toEqual({ error: 'bundled servers are numbered 1 to 16' });
    expect(parseServerRef('example')).toHaveProperty('error');
  });
});

it('schema/recipe.schema.json is up to date (run `npm run schema` after changing the schema)', () => {
  const committed = readFileSync(
    new URL('../../../schema/recipe.schema.json', import.meta.url),
    'utf8',
  );
  expect(committed).toBe(renderRecipeJsonSchema());
});
