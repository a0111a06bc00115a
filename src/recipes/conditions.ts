import { compilePattern } from './pattern.js';
import type { TestSpec } from './schema.js';
import { type EventVars, lookupField } from './template.js';

/** A compiled `if`: true when the event passes every test. */
export type Condition = (
  vars: EventVars,
  env?: Readonly<Record<string, string | undefined>>,
) => boolean;

type Scalar = string | number | boolean;
type Check = (value: string | number | undefined) => boolean;

const same = (value: string | number | undefined, expected: Scalar) =>
  value !== undefined && String(value) === String(expected);

const num = (value: string | number | undefined): number =>
  value === undefined || value === '' ? Number.NaN : Number(value);

/**
 * Compiles one field's test. A bare value means `equals`; an object combines operators, all
 * of which must hold: `equals`, `not`, `in`, `contains`, `matches` (regex), `gt`, `lt`.
 * Values compare as text, except `gt`/`lt` which compare numbers (a non-number fails).
 * Throws a SyntaxError for a bad `matches` regex.
 */
export function compileTest(spec: TestSpec): Check {
  if (typeof spec !== 'object') return (v) => same(v, spec);
  const checks: Check[] = [];
  if (spec.equals !== undefined) checks.push((v) => same(v, spec.equals!));
  if (spec.not !== undefined) checks.push((v) => !same(v, spec.not!));
  if (spec.in !== undefined) checks.push((v) => spec.in!.some((x) => same(v, x)));
  if (spec.contains !== undefined) {
    checks.push((v) => v !== undefined && String(v).includes(spec.contains!));
  }
  if (spec.matches !== undefined) {
    const { regex } = compilePattern(spec.matches);
    checks.push((v) => v !== undefined && regex.test(String(v)));
  }
  if (spec.gt !== undefined) checks.push((v) => num(v) > spec.gt!);
  if (spec.lt !== undefined) checks.push((v) => num(v) < spec.lt!);
  return (v) => checks.every((check) => check(v));
}

/**
 * Compiles a rule's `if` object: each key is an event field (`from`, `text`, `match.n`,
 * `env.VAR`), each value its test.
 *
 * @example
 * const cond = compileCondition({ from: { not: 'bob' }, 'match.n': { gt: 3 } })
 * cond({ from: 'ann', 'match.n': '5' }) // true
 */
export function compileCondition(spec: Readonly<Record<string, TestSpec>>): Condition {
  const tests = Object.entries(spec).map(([field, test]) => [field, compileTest(test)] as const);
  return (vars, env) => tests.every(([field, check]) => check(lookupField(field, vars, env)));
}
