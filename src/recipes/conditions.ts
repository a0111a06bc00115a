import { z } from 'zod';
import { compilePattern } from './pattern.js';
import { pattern as patternSchema } from './schema-parts.js';
import { type EventVars, lookupField } from './template.js';

/** A compiled `if`: true when the event passes every test. */
export type Condition = (
  vars: EventVars,
  env?: Readonly<Record<string, string | undefined>>,
) => boolean;

type Scalar = string | number | boolean;
type Value = string | number | undefined;
type Check = (value: Value) => boolean;

const same = (value: Value, expected: Scalar) =>
  value !== undefined && String(value) === String(expected);

const num = (value: Value): number =>
  value === undefined || value === '' ? Number.NaN : Number(value);

const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected text, a number, true or false',
});
const NUMBER_ERROR = { error: 'expected a number, e.g. gt: 10' };

interface Operator<T> {
  readonly schema: z.ZodType<T>;
  /** Builds the check; throws a SyntaxError for an expected value it cannot use. */
  readonly compile: (expected: T) => Check;
}

const operator = <T>(schema: z.ZodType<T>, compile: (expected: T) => Check): Operator<T> => ({
  schema,
  compile,
});

/**
 * The operators a test object may use. The schema of `if` and the compiled checks are both
 * derived from this table. Values compare as text, except `gt`/`lt`, which compare numbers
 * (a field that is not a number fails them).
 */
export const OPERATORS = {
  equals: operator(scalar, (x) => (v) => same(v, x)),
  not: operator(scalar, (x) => (v) => !same(v, x)),
  in: operator(
    z.array(z.union([z.string(), z.number()]), { error: 'expected a list, e.g. in: [a, b]' }),
    (xs) => (v) => xs.some((x) => same(v, x)),
  ),
  contains: operator(
    z.string({ error: 'expected text' }),
    (x) => (v) => v !== undefined && String(v).includes(x),
  ),
  matches: operator(patternSchema, (source) => {
    const { regex } = compilePattern(source);
    return (v) => v !== undefined && regex.test(String(v));
  }),
  gt: operator(z.number(NUMBER_ERROR), (x) => (v) => num(v) > x),
  lt: operator(z.number(NUMBER_ERROR), (x) => (v) => num(v) < x),
} as const;

type Operators = typeof OPERATORS;
/** An operator's name: `equals`, `not`, `in`, `contains`, `matches`, `gt`, `lt`. */
export type OperatorName = keyof Operators;
/** The names of every operator, in the table's order. */
export const OPERATOR_NAMES = Object.keys(OPERATORS) as OperatorName[];

const testObject = z
  .strictObject(
    Object.fromEntries(OPERATOR_NAMES.map((name) => [name, OPERATORS[name].schema.optional()])) as {
      [K in OperatorName]: z.ZodOptional<Operators[K]['schema']>;
    },
  )
  .meta({ description: 'Tests on one field; all must hold.' });

/** One field's test: a value (the field must equal it) or an object of operators. */
export const testSchema = z
  .union([z.string(), z.number(), z.boolean(), testObject], {
    error: 'expected a value or a test such as { not: "bob" }',
  })
  .meta({ description: 'A value (the field must equal it) or an object of tests.' });

/** A test in an `if` condition, as written. */
export type TestSpec = z.infer<typeof testSchema>;

/** A rule's condition: every field's test must hold. */
export const conditionSchema = z.record(z.string(), testSchema).meta({
  description:
    'Conditions on the event, all of which must hold, e.g. { from: { not: "bob" }, "match.n": { gt: 3 } }.',
});

/**
 * Compiles one field's test. A bare value means `equals`; an object combines operators, all
 * of which must hold. Throws a SyntaxError for a bad `matches` regex.
 */
export function compileTest(spec: TestSpec): Check {
  if (typeof spec !== 'object') return (v) => same(v, spec);
  const checks: Check[] = [];
  for (const name of OPERATOR_NAMES) {
    const expected = spec[name];
    if (expected === undefined) continue;
    const op = OPERATORS[name] as Operator<unknown>;
    checks.push(op.compile(expected));
  }
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
