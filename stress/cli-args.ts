// The flags of the developer scripts (`npm run soak`, `fuzz`, `stop-race`, `bench:*`): a
// wrong flag or value is a usage error that names itself and prints the usage, never a
// stack trace. Shared by stress/ and bench/, so it imports nothing of either.
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; args: string[] }>
>['values'];

/** How reading the flags ended: the values, or a text to print and the exit code to give. */
export type ArgsOutcome<O extends Options> =
  | { ok: true; values: Values<O> }
  | { ok: false; code: 0 | 2; text: string };

/**
 * Reads `argv` against `options` (node's parseArgs, strict). `--help` or `-h` gives the usage
 * and exit code 0; an unknown flag, a missing value or a stray argument gives the problem, the
 * usage and exit code 2 (what yargs gives the CLI's own commands).
 *
 * @example
 * const r = readArgs(['--minutes', '2'], { minutes: { type: 'string', default: '30' } }, USAGE);
 * if (r.ok) console.log(r.values.minutes); // '2'
 */
export function readArgs<const O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
  { allowNegative = false }: { allowNegative?: boolean } = {},
): ArgsOutcome<O> {
  if (argv.includes('--help') || argv.includes('-h')) {
    return { ok: false, code: 0, text: usage };
  }
  try {
    const { values } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: false,
      allowNegative,
    });
    return { ok: true, values: values as Values<O> };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    return { ok: false, code: 2, text: `${(err as Error).message}\n\n${usage}` };
  }
}

/** `readArgs` on this process's arguments: prints and exits unless the flags are good. */
export function scriptArgs<const O extends Options>(
  options: O,
  usage: string,
  extra: { allowNegative?: boolean } = {},
): Values<O> {
  const r = readArgs(process.argv.slice(2), options, usage, extra);
  if (r.ok) return r.values;
  (r.code === 0 ? process.stdout : process.stderr).write(`${r.text.trimEnd()}\n`);
  process.exit(r.code);
}

/**
 * A usage error found after parsing (a value out of range): the problem and the usage on
 * stderr, exit code 2.
 */
export function usageError(problem: string, usage: string): never {
  process.stderr.write(`${problem}\n\n${usage.trimEnd()}\n`);
  process.exit(2);
}

/** The value of `--name` as a whole number of at least `min`, or a usage error. */
export function wholeNumber(
  name: string,
  value: string | undefined,
  min: number,
  usage: string,
): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min) {
    usageError(`--${name} ${value ?? ''}: give a whole number of at least ${min}`, usage);
  }
  return n;
}
